"""The append-only audit log (A1): one row per changed field, ids from a sequence."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from .chain import STATE_FIELDS
from .db import utcnow
from .models import HistoryRow

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
        if _plain(before) != _plain(after) and not (_empty(before) and _empty(after)):
            changes.append((name, _plain(before), _plain(after)))
    return changes


def _plain(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def _empty(value) -> bool:
    return value is None or value == [] or value is False


def encode(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def decode(text: str | None):
    return None if text is None else json.loads(text)


def append(cur, entries: list[tuple[dict, str, object, object, Context]]) -> None:
    """Write history rows in one statement. Each entry: (instance row with ids, field,
    old, new, context)."""
    if not entries:
        return
    at = utcnow()
    cols = {k: [] for k in ("iid", "pid", "bid", "sid", "aid", "f", "o", "n", "a", "s", "r")}
    for row, name, old, new, ctx in entries:
        cols["iid"].append(row["id"])
        cols["pid"].append(row["project_id"])
        cols["bid"].append(row["branch_id"])
        cols["sid"].append(row["scene_id"])
        cols["aid"].append(row["project_asset_id"])
        cols["f"].append(name)
        cols["o"].append(encode(old))
        cols["n"].append(encode(new))
        cols["a"].append(ctx.actor)
        cols["s"].append(ctx.source)
        cols["r"].append(ctx.reason)
    cur.execute(
        """
        INSERT INTO instance_history (instance_id, project_id, branch_id, scene_id,
            project_asset_id, field, old_value, new_value, actor, source, reason, changed_at)
        SELECT UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]),
               UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]),
               UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]),
               UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), ?
        """,
        [*cols.values(), at],
    )


_SELECT = """
    SELECT id, instance_id, scene_id, project_asset_id, field, old_value, new_value,
           actor, source, reason, changed_at
    FROM instance_history
"""


def _to_row(r) -> HistoryRow:
    return HistoryRow(
        id=r[0], instance_id=r[1], scene_id=r[2], project_asset_id=r[3], field=r[4],
        old_value=decode(r[5]), new_value=decode(r[6]), actor=r[7], source=r[8],
        reason=r[9], at=r[10],
    )


def for_instance(cur, instance_id: str) -> list[HistoryRow]:
    rows = cur.execute(_SELECT + " WHERE instance_id = ? ORDER BY id", [instance_id]).fetchall()
    return [_to_row(r) for r in rows]


def get(cur, history_id: int) -> HistoryRow | None:
    r = cur.execute(_SELECT + " WHERE id = ?", [history_id]).fetchone()
    return _to_row(r) if r else None


PROJECT_COLUMNS = ["id", "at", "actor", "source", "scene_id", "scene_number", "scene_label",
                   "asset_id", "asset_name", "instance_id", "field", "old_value", "new_value",
                   "reason"]


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
               h.reason
        FROM instance_history h
        LEFT JOIN scenes s ON s.id = h.scene_id
        LEFT JOIN project_assets a ON a.id = h.project_asset_id
        WHERE {' AND '.join(where)}
        ORDER BY h.id DESC LIMIT ?
        """,
        [*params, int(limit)],
    ).fetchall()
    data = [[*r[:11], decode(r[11]), decode(r[12]), r[13]] for r in rows]
    return pd.DataFrame(data, columns=PROJECT_COLUMNS, dtype=object)


def actors(cur, project_id: str) -> list[str]:
    rows = cur.execute(
        "SELECT DISTINCT actor FROM instance_history WHERE project_id = ? ORDER BY actor",
        [project_id],
    ).fetchall()
    return [r[0] for r in rows]
