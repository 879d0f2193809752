"""The instance read model: what core reads of an asset instance, defined once.

Two projections over the same joins (instance `i`, scene `s`, asset `a`, project
`pr`, selected attempt `att`):

- full (`FULL_SELECT`, decoded by `instances`): every stored column plus the scene,
  asset, source and image columns that make a `models.Instance`;
- light (`light`): the columns the cross-scene views need (search, checks, the
  matrix, readiness), as `Summary` tuples, fetched column-wise in one query
  (`light_columns`: the same as lists, for a DataFrame).

The order of asset types (character, location, prop, then name) is `TYPE_ORDER`,
here and nowhere else; `type_rank` is the same order for Python sorts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import NamedTuple

from core.images import state as image_state
from core.validation import ASSET_TYPES

TYPE_ORDER = ("CASE a.asset_type "
              + " ".join(f"WHEN '{t}' THEN {k}" for k, t in enumerate(ASSET_TYPES))
              + f" ELSE {len(ASSET_TYPES)} END")
"""SQL rank of `a.asset_type`; sort by it, then `lower(a.name)`."""

BY_TYPE_AND_NAME = f"{TYPE_ORDER}, lower(a.name)"


def type_rank(asset_type: str) -> int:
    """`TYPE_ORDER` in Python: character 0, location 1, prop 2, anything else after."""
    return ASSET_TYPES.index(asset_type) if asset_type in ASSET_TYPES else len(ASSET_TYPES)


JOINS = """
    FROM scene_asset_instances i
    JOIN scenes s ON s.id = i.scene_id
    JOIN project_assets a ON a.id = i.project_asset_id
    JOIN projects pr ON pr.id = i.project_id
    LEFT JOIN image_attempts att ON att.instance_id = i.id AND att.selected
"""
SOURCE_JOIN = """
    LEFT JOIN scene_asset_instances p ON p.id = i.inherited_from_instance_id
    LEFT JOIN scenes ps ON ps.id = p.scene_id
"""

# Columns the full projection adds to the stored ones (decoded by `instances`).
FULL_EXTRA = ("s.scene_number, a.name, a.asset_type, ps.scene_number, p.carry_forward, "
              "a.master_image_hash, pr.visual_style, att.image_key, att.state_hash")


def full_select(stored: tuple[str, ...]) -> str:
    """SELECT of the full projection: `stored` instance columns, then `FULL_EXTRA`."""
    return ("SELECT " + ", ".join(f"i.{c}" for c in stored) + ", " + FULL_EXTRA
            + JOINS + SOURCE_JOIN)


# --- the light projection -------------------------------------------------------------

class Summary(NamedTuple):
    """An instance as the cross-scene views read it: the attributes of
    `models.Instance` they use (same names), plus its scene's label, heading and day."""

    id: str
    scene_id: str
    scene_number: int
    scene_label: str | None
    heading: str
    story_day: int | None
    project_asset_id: str
    asset_name: str
    asset_type: str
    effective_description: str
    status_tags: list[str]
    carry_forward: bool
    locked: bool
    pending_review: bool
    upstream_description_changed: bool
    upstream_tags_changed: bool
    version: int
    inherited_from_instance_id: str | None
    image_key: str | None
    image_stale: bool

    @property
    def upstream_changed(self) -> bool:
        return self.upstream_description_changed or self.upstream_tags_changed


# Tags travel as one string joined by U+001F (which no tag can contain, T1): DuckDB hands
# a column of strings to Python several times faster than a column of lists.
TAG_SEP = "\x1f"

_LIGHT = f"""
    SELECT i.id AS id, i.scene_id AS scene_id, s.scene_number AS scene_number,
           s.label AS scene_label, s.heading AS heading, s.story_day AS story_day,
           i.project_asset_id AS project_asset_id, a.name AS asset_name,
           a.asset_type AS asset_type, i.effective_description AS effective_description,
           array_to_string(i.status_tags, chr(31)) AS joined_tags,
           i.carry_forward AS carry_forward, i.locked AS locked,
           i.pending_review AS pending_review, {{flags}}, att.image_key AS image_key,
           att.state_hash AS image_hash, a.master_image_hash AS master_image_hash,
           pr.visual_style AS visual_style
    {JOINS}
    WHERE {{where}}
    ORDER BY {{order}}
"""
_SUMMARY_FLAGS = ("i.upstream_description_changed AS upstream_description_changed, "
                  "i.upstream_tags_changed AS upstream_tags_changed, i.version AS version, "
                  "i.inherited_from_instance_id AS inherited_from_instance_id")
_FOUND_FLAGS = ("i.upstream_description_changed OR i.upstream_tags_changed "
                "AS upstream_changed")
SCENE_ORDER = f"s.scene_number, {BY_TYPE_AND_NAME}"
"""Light rows in scene order, then type and name (the default)."""
CHAIN_ORDER = f"{BY_TYPE_AND_NAME}, a.id, s.scene_number"
"""Light rows asset by asset (type, name), each in scene order (the matrix)."""


def split_tags(joined: str | None) -> list[str]:
    return joined.split(TAG_SEP) if joined else []


def light_columns(cur, where: str, params: list, order: str = SCENE_ORDER, *,
                  found: bool = False) -> dict[str, list]:
    """`light` as one list per `Summary` field, without an object per row. `found`:
    only what a search result shows (no version or source, one `upstream_changed` for
    both upstream flags): fewer columns to fetch for a large result."""
    sql = _LIGHT.format(flags=_FOUND_FLAGS if found else _SUMMARY_FLAGS, where=where,
                        order=order)
    got = cur.execute(sql, params).columns()
    with bulk():
        joined, hashes = got.pop("joined_tags"), got.pop("image_hash")
        masters, styles = got.pop("master_image_hash"), got.pop("visual_style")
        got["status_tags"] = [t.split(TAG_SEP) if t else [] for t in joined]
        assets = dict(zip(got["project_asset_id"], zip(
            got["asset_name"], got["asset_type"], masters, styles, strict=True), strict=True))
        got["image_stale"] = _stale(hashes, got["project_asset_id"],
                                    got["effective_description"], joined, got["status_tags"],
                                    assets)
    return got


def light(cur, where: str, params: list, order: str = SCENE_ORDER) -> list[Summary]:
    """The instances matching `where` (over `i`, `s`, `a`, `pr`, `att`), in one query,
    with staleness decided (G7)."""
    got = light_columns(cur, where, params, order)
    with bulk():
        return list(map(Summary._make, zip(*(got[f] for f in Summary._fields), strict=True)))


def as_columns(rows: list[Summary]) -> dict[str, tuple]:
    """Light rows already read as `light_columns` gives them: one sequence per field."""
    if not rows:
        return {f: () for f in Summary._fields}
    return dict(zip(Summary._fields, zip(*rows, strict=True), strict=True))


# --- a whole branch ---------------------------------------------------------------------

_BRANCH = """
    SELECT i.id, i.scene_id, i.project_asset_id, i.effective_description,
           array_to_string(i.status_tags, chr(31)) AS tags, i.carry_forward, i.locked,
           i.pending_review, i.upstream_description_changed, i.upstream_tags_changed,
           i.version, i.inherited_from_instance_id{images}
    FROM scene_asset_instances i
    JOIN scenes s ON s.id = i.scene_id
    JOIN project_assets a ON a.id = i.project_asset_id{image_join}
    WHERE {where}
    ORDER BY {order}
"""
_IMAGES = (", att.image_key, att.state_hash",
           "\n    LEFT JOIN image_attempts att ON att.instance_id = i.id AND att.selected")
_ASSETS = """
    SELECT a.id, a.name, a.asset_type, a.master_image_hash, pr.visual_style
    FROM project_assets a JOIN projects pr ON pr.id = a.project_id
    WHERE a.project_id = ?
"""
_SCENES = "SELECT id, scene_number, label, heading, story_day FROM scenes WHERE branch_id = ?"


def branch_columns(cur, project_id: str, branch_id: str, where: str = "i.branch_id = ?",
                   params: list | None = None, *, scenes=None, order: str = CHAIN_ORDER,
                   images: bool = True) -> dict[str, list]:
    """`light_columns` of the branch's instances matching `where` (over `i`, `s`, `a`
    and, with images, `att`; by default the whole branch), in `order`. The scene columns
    come from the branch's scenes (`scenes` already read, or one query) and the asset
    columns from one query of the project's assets, so the 100,000 rows of a film share
    a few hundred strings instead of each fetching its own. `images=False` leaves out
    `image_key` and `image_stale` (no image join, no state hashes): for readers of
    tags and flags only."""
    sql = _BRANCH.format(images=_IMAGES[0] if images else "",
                         image_join=_IMAGES[1] if images else "", where=where, order=order)
    c = list(cur.execute(sql, [branch_id] if params is None else params).columns().values())
    assets = {r[0]: r[1:] for r in cur.execute(_ASSETS, [project_id]).fetchall()}
    if scenes is None:
        by_scene = {r[0]: r[1:] for r in cur.execute(_SCENES, [branch_id]).fetchall()}
    else:
        by_scene = {s.id: (s.scene_number, s.label, s.heading, s.story_day) for s in scenes}
    with bulk():
        scene = [by_scene[x] for x in c[1]]
        asset = [assets[x] for x in c[2]]
        tags = [t.split(TAG_SEP) if t else [] for t in c[4]]
        out = {
            "id": c[0], "scene_id": c[1], "scene_number": [s[0] for s in scene],
            "scene_label": [s[1] for s in scene], "heading": [s[2] for s in scene],
            "story_day": [s[3] for s in scene], "project_asset_id": c[2],
            "asset_name": [a[0] for a in asset], "asset_type": [a[1] for a in asset],
            "effective_description": c[3], "status_tags": tags, "carry_forward": c[5],
            "locked": c[6], "pending_review": c[7], "upstream_description_changed": c[8],
            "upstream_tags_changed": c[9], "version": c[10],
            "inherited_from_instance_id": c[11]}
        if images:
            out["image_key"] = c[12]
            out["image_stale"] = _stale(c[13], c[2], c[3], c[4], tags, assets)
    return out


def branch_light(cur, project_id: str, branch_id: str, scenes=None, *,
                 asset_id: str | None = None, order: str = CHAIN_ORDER) -> list[Summary]:
    """`light` of a branch (optionally one asset's instances) in `order`, from
    `branch_columns`."""
    where, params = "i.branch_id = ?", [branch_id]
    if asset_id is not None:
        where, params = where + " AND i.project_asset_id = ?", [branch_id, asset_id]
    got = branch_columns(cur, project_id, branch_id, where, params, scenes=scenes,
                         order=order)
    with bulk():
        return list(map(Summary._make, zip(*(got[f] for f in Summary._fields), strict=True)))


_CURRENT: dict[tuple, dict[tuple[str, str], str]] = {}
"""Asset (name, type, master image hash, style) -> (description, joined tags) -> the
state hash (G4): what `_stale` has computed, kept across reads (a film's states are
read again on every page run). The table, and each asset's part, is emptied past
`_CURRENT_MAX` entries."""
_CURRENT_MAX = 1 << 15


def _stale(selected, asset_ids, descriptions, joined_tags, tags, assets) -> list[bool]:
    """G7 per row: the selected image (`selected`: its state hash, or None) shows
    another state than the current one. The current state's hash is computed once per
    distinct state and looked up by (description, joined tags) within its asset."""
    if len(_CURRENT) > _CURRENT_MAX:
        _CURRENT.clear()
    known = {a: _CURRENT.setdefault(dims, {}) for a, dims in assets.items()}
    out = []
    for h, a, d, j, t in zip(selected, asset_ids, descriptions, joined_tags, tags,
                             strict=True):
        if h is None:
            out.append(False)
            continue
        per_asset = known[a]
        now = per_asset.get((d, j))
        if now is None:
            if len(per_asset) >= _CURRENT_MAX:
                per_asset.clear()
            name, asset_type, master_hash, style = assets[a]
            now = per_asset[(d, j)] = image_state.state_hash(name, asset_type, d, t,
                                                             master_hash, style)
        out.append(h != now)
    return out


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while building one object per row: the rows
    hold no cycles, and its passes over 100,000 of them cost more than building them.
    Nested pauses end with the outermost (one collection then, not one per pause)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@lru_cache(maxsize=1 << 16)
def _state_hash(name, asset_type, description, tags: tuple, master_hash, style) -> str:
    return image_state.state_hash(name, asset_type, description, list(tags), master_hash,
                                  style)


def state_hash(name, asset_type, description, tags, master_hash, style) -> str:
    """`images.state.state_hash`, memoized (instances that inherit a state share it)."""
    return _state_hash(name, asset_type, description, tuple(tags), master_hash, style)
