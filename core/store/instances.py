"""Reading and writing asset-instance rows (the full projection of `read_model`).
Rules live in `chain`; this module only moves rows between DuckDB and Python."""

from __future__ import annotations

from datetime import UTC

from core.chain.rules import SEEN_FIELDS, STATE_FIELDS
from core.errors import NotFoundError
from core.images import state as images_state
from core.models import Instance
from core.store import read_model
from core.store.db import any_of

ROW_FIELDS = (
    "id", "project_id", "branch_id", "scene_id", "project_asset_id", *STATE_FIELDS,
    *SEEN_FIELDS, "version", "modification_count", "last_modified_field", "modification_reason",
    "created_at", "updated_at",
)

_SELECT = read_model.full_select(ROW_FIELDS)
_TABLE = "FROM scene_asset_instances i"
_SOURCE_COLUMNS = "ps.scene_number, p.carry_forward"
_TIMES = "i.created_at, i.updated_at"
# Timestamps read as UTC wall time (`_to_dict` makes them aware again): the driver's
# time-zone conversion of each value costs more than the rest of a row.
_FAST_SELECT = _SELECT.replace(
    _TIMES, "i.created_at AT TIME ZONE 'UTC', i.updated_at AT TIME ZONE 'UTC'")
# The chain projection: the full one without its source join. In a chain each row's
# source is the row before it, so `link_sources` fills those columns after settling.
_CHAIN_SELECT = _FAST_SELECT.replace(read_model.SOURCE_JOIN, "").replace(_SOURCE_COLUMNS,
                                                                         "NULL, NULL")
assert _TABLE in _SELECT and _SOURCE_COLUMNS in _SELECT and _TIMES in _SELECT
assert "ps." not in _CHAIN_SELECT
IN_LIST_MAX = 128    # ids fetched by an IN list of parameters (a key lookup each), else
                     # by an array parameter (a scan): the faster of the two


def _by_ids(select: str, ids: list[str]) -> tuple[str, list]:
    """`select` (over `i`) of the instances with these ids: (sql, params). The rows are
    looked up first, on their own (the engine then uses the key instead of scanning
    the table), and only those few are joined; one id is a plain key filter."""
    if len(ids) == 1:
        return select + " WHERE i.id = ?", list(ids)
    if len(ids) <= IN_LIST_MAX:
        where, params = f"id IN ({', '.join('?' * len(ids))})", list(ids)
    else:
        where, params = "id = ANY(?::VARCHAR[])", [list(ids)]
    return (f"WITH i AS MATERIALIZED (SELECT * FROM scene_asset_instances WHERE {where}) "
            + select.replace(_TABLE, "FROM i"), params)


_COLUMNS = (*ROW_FIELDS, "scene_number", "asset_name", "asset_type", "source_scene_number",
            "source_carry_forward", "master_image_hash", "visual_style", "image_key",
            "image_hash")   # of the full projection, in order


def _to_dict(r, *, hashed: bool = True) -> dict:
    row = dict(zip(_COLUMNS, r, strict=True))
    for f in ("created_at", "updated_at"):
        if row[f] is not None and row[f].tzinfo is None:
            row[f] = row[f].replace(tzinfo=UTC)
    return restate(row) if hashed else row


def restate(row: dict) -> dict:
    """Recompute the row's state hash and whether its selected image shows another
    state (G7), after its state changed in memory."""
    row["state_hash"] = state_hash(row)
    shown = row.get("image_hash")
    row["image_stale"] = shown is not None and shown != row["state_hash"]
    return row


def state_hash(row: dict) -> str:
    """The hash of the visual state an image of this instance must show (G4, G7)."""
    return images_state.state_hash(
        row["asset_name"], row["asset_type"], row["effective_description"],
        row["status_tags"], row["master_image_hash"], row["visual_style"])


def to_instance(row: dict) -> Instance:
    return Instance(**{k: row[k] for k in Instance.__dataclass_fields__ if k in row})


def load_row(cur, instance_id: str) -> dict:
    r = cur.execute(*_by_ids(_FAST_SELECT, [instance_id])).fetchone()
    if r is None:
        raise NotFoundError(f"Asset instance {instance_id} does not exist.")
    return _to_dict(r)


_DECIDE_FIELDS = tuple(f for f in ROW_FIELDS if f not in ("created_at", "updated_at"))
_DECIDE_SELECT = (
    "SELECT " + ", ".join(f"i.{c}" for c in _DECIDE_FIELDS) + ", s.scene_number, a.name "
    "FROM scene_asset_instances i JOIN scenes s ON s.id = i.scene_id "
    "JOIN project_assets a ON a.id = i.project_asset_id WHERE i.id = ?")


def load_to_decide(cur, instance_id: str) -> dict:
    """The instance's stored state with its scene number and asset name: what an edit
    decides on before it takes the chain lock, without the joins of the full row
    (source, image, style), which the chain read brings."""
    r = cur.execute(_DECIDE_SELECT, [instance_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Asset instance {instance_id} does not exist.")
    return dict(zip((*_DECIDE_FIELDS, "scene_number", "asset_name"), r, strict=True))


def load_rows(cur, instance_ids: list[str]) -> list[dict]:
    """Many rows in one query, in the order given; NotFoundError names a missing id."""
    if not instance_ids:
        return []
    rows = cur.execute(*_by_ids(_FAST_SELECT, list(instance_ids))).fetchall()
    by_id = {r[0]: _to_dict(r) for r in rows}
    for iid in instance_ids:
        if iid not in by_id:
            raise NotFoundError(f"Asset instance {iid} does not exist.")
    return [by_id[i] for i in instance_ids]


def chain_key(cur, instance_id: str) -> tuple[str, str]:
    """(branch id, asset id) of the instance's chain, from its own row only."""
    r = cur.execute("SELECT branch_id, project_asset_id FROM scene_asset_instances "
                    "WHERE id = ?", [instance_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Asset instance {instance_id} does not exist.")
    return r[0], r[1]


def get(cur, instance_id: str) -> Instance:
    return to_instance(load_row(cur, instance_id))


def load_chain(cur, branch_id: str, asset_id: str) -> list[dict]:
    """The asset's appearances in the branch, in scene order (I1); each one's source is
    the one before it (`link_sources`)."""
    rows = [_to_dict(r) for r in cur.execute(
        _CHAIN_SELECT + " WHERE i.branch_id = ? AND i.project_asset_id = ? "
        "ORDER BY s.scene_number", [branch_id, asset_id]).fetchall()]
    link_sources(rows, None)
    return rows


def for_branch(cur, branch_id: str) -> list[Instance]:
    """Every instance of a branch, in scene order then type and name."""
    rows = cur.execute(
        _FAST_SELECT + " WHERE i.branch_id = ? ORDER BY " + read_model.SCENE_ORDER,
        [branch_id],
    ).fetchall()
    return [to_instance(_to_dict(r)) for r in rows]


def for_scene(cur, scene_id: str) -> list[Instance]:
    rows = cur.execute(
        _FAST_SELECT + " WHERE i.scene_id = ? ORDER BY " + read_model.BY_TYPE_AND_NAME,
        [scene_id]
    ).fetchall()
    return [to_instance(_to_dict(r)) for r in rows]


def insert_rows(cur, rows: list[dict]) -> None:
    if rows:
        sql, params = _rows(cur, rows, ROW_FIELDS)
        cur.execute(f"INSERT INTO scene_asset_instances ({', '.join(ROW_FIELDS)}) {sql}",
                    params)


_UPDATE_FIELDS = tuple(
    f for f in ROW_FIELDS
    if f not in ("id", "project_id", "branch_id", "scene_id", "project_asset_id", "created_at")
)


def update_rows(cur, rows: list[dict], olds: dict[str, dict] | None = None) -> None:
    """Write many rows' state in one statement: with `olds` (id -> the row as read),
    only the columns that differ in some row."""
    if not rows:
        return
    fields = _UPDATE_FIELDS if olds is None else tuple(
        f for f in _UPDATE_FIELDS if any(r[f] != olds[r["id"]][f] for r in rows))
    sets = ", ".join(f"{c} = u.{c}" for c in fields)
    sql, params = _rows(cur, rows, ("id", *fields))
    cur.execute(f"UPDATE scene_asset_instances SET {sets} FROM ({sql}) u "
                "WHERE scene_asset_instances.id = u.id", params)


def delete_rows(cur, ids: list[str]) -> None:
    """Delete instances with their image attempts and job targets (history stays)."""
    if ids:
        for table, column in (("image_attempts", "instance_id"),
                              ("image_job_targets", "instance_id"),
                              ("scene_asset_instances", "id")):
            cur.execute(f"DELETE FROM {table} WHERE {column} = ANY(?::VARCHAR[])", [ids])


_TYPES = {
    "inherited_tags": "text[]", "status_tags": "text[]", "seen_upstream_tags": "text[]",
    "carry_forward": "bool", "locked": "bool", "pending_review": "bool",
    "upstream_description_changed": "bool", "upstream_tags_changed": "bool",
    "version": "int", "modification_count": "int",
    "created_at": "timestamptz", "updated_at": "timestamptz",
}


def _rows(cur, rows: list[dict], cols: tuple[str, ...]) -> tuple[str, list]:
    return cur.dialect.rows([(c, _TYPES.get(c, "text")) for c in cols],
                            [[row[c] for row in rows] for c in cols])


def project_tags(cur, project_id: str) -> list[str]:
    """Tags in use in the project, most used first."""
    rows = cur.execute(
        "SELECT tag, count(*) AS n FROM (SELECT UNNEST(status_tags) AS tag "
        "FROM scene_asset_instances WHERE project_id = ?) t GROUP BY tag ORDER BY n DESC, tag",
        [project_id],
    ).fetchall()
    return [r[0] for r in rows]


def load_chains(cur, asset_ids: list[str], branch_id: str | None = None,
                from_scene: int | None = None) -> dict[tuple[str, str], list[dict]]:
    """Many assets' appearances, by (branch, asset), each in scene order (I1): in
    `branch_id` (None: every branch); with `from_scene`, only each chain's latest
    appearance before that scene number and those from it on. One chain is one query
    (its rows from its anchor's scene number on); more are two: which rows, then
    those rows, by key when they are few, else by the chains' filter and the scene
    number (one statement joining the chains first grows with the film when many
    assets are read). The rows have no state hash and no source columns (the chain
    knows each row's source: `link_sources`)."""
    where, params = any_of("i.project_asset_id", list(asset_ids))
    if branch_id is not None:
        where += " AND i.branch_id = ?"
        params.append(branch_id)
    if from_scene is None:
        sql = f"{_CHAIN_SELECT} WHERE {where}"
    elif branch_id is not None and len(set(asset_ids)) == 1:   # one chain
        sql = (f"{_CHAIN_SELECT} WHERE {where} AND s.scene_number >= coalesce(("
               "SELECT max(s.scene_number) FROM scene_asset_instances i "
               f"JOIN scenes s ON s.id = i.scene_id WHERE {where} AND s.scene_number < ?), ?)")
        params = [*params, *params, from_scene, from_scene]
    else:
        anchors, tails = [], []
        for anchor, tail in cur.execute(
                f"SELECT {cur.dialect.latest('i.id', 's.scene_number', 's.scene_number < ?')}, "
                "array_agg(i.id) FILTER (WHERE s.scene_number >= ?) "
                "FROM scene_asset_instances i JOIN scenes s ON s.id = i.scene_id "
                f"WHERE {where} GROUP BY i.branch_id, i.project_asset_id",
                [from_scene, from_scene, *params]).fetchall():
            anchors += [anchor] if anchor else []
            tails += tail or []
        if not anchors and not tails:
            return {}
        if len(anchors) + len(tails) <= IN_LIST_MAX:
            sql, params = _by_ids(_CHAIN_SELECT, anchors + tails)
        else:
            sql = (f"{_CHAIN_SELECT} WHERE {where} AND (s.scene_number >= ? "
                   "OR i.id = ANY(?::VARCHAR[]))")
            params += [from_scene, anchors]
    rows = cur.execute(f"{sql} ORDER BY i.branch_id, i.project_asset_id, s.scene_number",
                       params).fetchall()
    out: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        row = _to_dict(r, hashed=False)
        out.setdefault((row["branch_id"], row["project_asset_id"]), []).append(row)
    return out


def visual_style(cur, project_id: str) -> str | None:
    """The project's visual style (a column of the read model)."""
    r = cur.execute("SELECT visual_style FROM projects WHERE id = ?", [project_id]).fetchone()
    return None if r is None else r[0]


def link_sources(rows: list[dict], prev: dict | None) -> None:
    """Fill the source columns of a settled chain's rows (after `prev`, the row before
    them, or None): each row's source is the one before it (I1)."""
    for row in rows:
        row["source_scene_number"] = None if prev is None else prev["scene_number"]
        row["source_carry_forward"] = None if prev is None else prev["carry_forward"]
        prev = row
