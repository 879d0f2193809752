"""The append-only audit log (A1): one row per changed field, ids from a sequence."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pandas as pd

from core.chain.rules import STATE_FIELDS
from core.models import Change, ChangeMarker, HistoryRow
from core.store.db import utcnow

SOURCES = ("user", "inheritance", "propagation", "ai", "image", "revert")
EDITABLE_FIELDS = ("description_override", "status_tags", "carry_forward")


@dataclass(frozen=True)
class Context:
    """Who made a change, why, and through which path."""

    actor: str
    source: str
    reason: str | None = None


def field_changes(old: dict | None, new: dict | None) -> list[tuple[str, object, object]]:
    """(field, old, new) for every audited field that differs; None stands for "absent"."""
    changes = []
    for name in STATE_FIELDS:
        before = old.get(name) if old else None
        after = new.get(name) if new else None
        if before is after or before == after:
            continue
        plain_before, plain_after = _plain(before), _plain(after)
        if plain_before != plain_after and not (_empty(before) and _empty(after)):
            changes.append((name, plain_before, plain_after))
    return changes


def _plain(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def _empty(value) -> bool:
    return value is None or value == [] or value is False


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode    # json.dumps(..., ensure_ascii=False)


def encode(value) -> str | None:
    return None if value is None else _ENCODE(value)


def decode(text: str | None):
    return None if text is None else json.loads(text)


_HISTORY_TYPES = ("text",) * 11 + ("int",)


def append(cur, entries: list[tuple[dict, str, object, object, Context]],
           change_id: str | None = None) -> str | None:
    """Write history rows in one statement; they share one change id (returned).
    Each entry: (instance row with ids and version, field, old, new, context)."""
    if not entries:
        return None
    change_id = change_id or str(uuid.uuid4())
    at = utcnow()
    encoded: dict = {}       # a propagation writes the same few values many times

    def enc(value):
        if type(value) is str:
            key = value
        elif type(value) is list:
            key = (list, *value)
        else:
            return encode(value)
        got = encoded.get(key)
        if got is None:
            got = encoded[key] = encode(value)
        return got

    values = list(zip(*[
        (row["id"], row["project_id"], row["branch_id"], row["scene_id"],
         row["project_asset_id"], name, enc(old), enc(new), ctx.actor, ctx.source,
         ctx.reason, row.get("version"))
        for row, name, old, new, ctx in entries], strict=True))
    names = ("iid", "pid", "bid", "sid", "aid", "f", "o", "n", "a", "s", "r", "v")
    sql, params = cur.dialect.rows(list(zip(names, _HISTORY_TYPES, strict=True)), values)
    cur.execute(
        "INSERT INTO instance_history (instance_id, project_id, branch_id, scene_id, "
        "project_asset_id, field, old_value, new_value, actor, source, reason, "
        f"instance_version, changed_at, change_id) SELECT r.*, ?, ? FROM ({sql}) r",
        [at, change_id, *params],
    )
    return change_id


_SELECT = """
    SELECT id, instance_id, scene_id, project_asset_id, field, old_value, new_value,
           actor, source, reason, changed_at, change_id, instance_version
    FROM instance_history
"""


def _to_row(r) -> HistoryRow:
    return HistoryRow(
        id=r[0], instance_id=r[1], scene_id=r[2], project_asset_id=r[3], field=r[4],
        old_value=decode(r[5]), new_value=decode(r[6]), actor=r[7], source=r[8],
        reason=r[9], at=r[10], change_id=r[11], instance_version=r[12],
    )


def for_instance(cur, instance_id: str) -> list[HistoryRow]:
    rows = cur.execute(_SELECT + " WHERE instance_id = ? ORDER BY id", [instance_id]).fetchall()
    return [_to_row(r) for r in rows]


def get(cur, history_id: int) -> HistoryRow | None:
    r = cur.execute(_SELECT + " WHERE id = ?", [history_id]).fetchone()
    return _to_row(r) if r else None


def of_change(cur, instance_id: str, change_id: str) -> list[HistoryRow]:
    """The rows one change wrote for one instance."""
    rows = cur.execute(_SELECT + " WHERE instance_id = ? AND change_id = ? ORDER BY id",
                       [instance_id, change_id]).fetchall()
    return [_to_row(r) for r in rows]


def since_version(cur, instance_id: str, version: int, current: int) -> list[HistoryRow] | None:
    """The rows of the changes that took the instance from `version` to `current`,
    oldest first; None when they are not all recorded (rows older than migration 005)."""
    rows = [_to_row(r) for r in cur.execute(
        _SELECT + " WHERE instance_id = ? AND instance_version > ? AND instance_version <= ?"
        " ORDER BY id", [instance_id, version, current]).fetchall()]
    if {h.instance_version for h in rows} != set(range(version + 1, current + 1)):
        return None
    return rows


PROJECT_COLUMNS = ["id", "at", "actor", "source", "scene_id", "scene_number", "scene_label",
                   "asset_id", "asset_name", "instance_id", "field", "old_value", "new_value",
                   "reason", "change_id"]


def for_project(cur, project_id: str, *, branch_id: str, asset_id: str | None = None,
                scene_id: str | None = None, actor: str | None = None,
                source: str | None = None, since=None, until=None,
                limit: int = 500) -> pd.DataFrame:
    """The project-wide audit log of one branch, newest first, with optional filters.
    Rows of deleted scenes keep their ids; their scene number shows as missing."""
    where, params = ["h.project_id = ?", "h.branch_id = ?"], [project_id, branch_id]
    for column, value in (("h.project_asset_id", asset_id), ("h.scene_id", scene_id),
                          ("h.actor", actor), ("h.source", source)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("h.changed_at >= ?")
        params.append(since)
    if until is not None:
        where.append("h.changed_at < ?")
        params.append(until)
    rows = cur.execute(
        f"""
        SELECT h.id, h.changed_at, h.actor, h.source, h.scene_id, s.scene_number, s.label,
               h.project_asset_id, a.name, h.instance_id, h.field, h.old_value, h.new_value,
               h.reason, h.change_id
        FROM instance_history h
        LEFT JOIN scenes s ON s.id = h.scene_id
        LEFT JOIN project_assets a ON a.id = h.project_asset_id
        WHERE {' AND '.join(where)}
        ORDER BY h.id DESC LIMIT ?
        """,
        [*params, int(limit)],
    ).fetchall()
    data = [[*r[:11], decode(r[11]), decode(r[12]), r[13], r[14]] for r in rows]
    return pd.DataFrame(data, columns=PROJECT_COLUMNS, dtype=object)


def actors(cur, project_id: str) -> list[str]:
    rows = cur.execute(
        "SELECT DISTINCT actor FROM instance_history WHERE project_id = ? ORDER BY actor",
        [project_id],
    ).fetchall()
    return [r[0] for r in rows]


def marker(cur, project_id: str) -> ChangeMarker:
    """A6: the newest history row and master change of a project, in one query."""
    r = cur.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM instance_history WHERE project_id = ?), "
        "(SELECT max(updated_at) FROM project_assets WHERE project_id = ?)",
        [project_id, project_id],
    ).fetchone()
    return ChangeMarker(int(r[0]), r[1])


CHANGES_READ = 1000   # history rows `changes_since` reads at most


def changes_since(cur, project_id: str, since: ChangeMarker, limit: int = 20) -> list[Change]:
    """What changed after `since`, oldest first: one entry per change and instance
    (at most `limit`, from the first `CHANGES_READ` rows), then the master
    definitions edited since."""
    rows = cur.execute(
        """
        WITH h AS (SELECT * FROM instance_history WHERE project_id = ? AND id > ?
                   ORDER BY id LIMIT ?)
        SELECT min(h.actor), min(h.source), min(a.name), h.instance_id,
               h.scene_id, min(s.scene_number), min(h.branch_id),
               array_agg(DISTINCT h.field ORDER BY h.field), max(h.changed_at)
        FROM h
        LEFT JOIN scenes s ON s.id = h.scene_id
        LEFT JOIN project_assets a ON a.id = h.project_asset_id
        GROUP BY h.change_id, h.instance_id, h.scene_id
        ORDER BY max(h.id) LIMIT ?
        """,
        [project_id, since.history_id, CHANGES_READ, int(limit)],
    ).fetchall()
    out = [Change(r[0], r[1], r[2], r[3], r[4], r[5], r[6], list(r[7]), r[8]) for r in rows]
    masters = cur.execute(
        "SELECT name, updated_at FROM project_assets WHERE project_id = ? "
        "AND (?::TIMESTAMPTZ IS NULL OR updated_at > ?) ORDER BY updated_at LIMIT ?",
        [project_id, since.assets_changed_at, since.assets_changed_at, int(limit)],
    ).fetchall()
    return out + [Change(None, None, n, None, None, None, None, [], at) for n, at in masters]
