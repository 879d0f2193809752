"""The breakdown grid (assets × scenes): which assets appear in which scenes of a
branch, and placing or removing many appearances at once, in one change.

Ticking places an asset in a scene exactly as `inheritance.inherit_scenes` would
(I1–I3, story order; later appearances re-link and settle, P2); unticking removes
an appearance through the set-based removal of `edits.remove_instances` (I1 re-links
the next one) — but only an appearance nobody worked on: one that is locked, has its
own description or tags, does not carry forward, has history of a producer's edit, or
has a generated or uploaded image stays, and a batch that asks to remove one is
refused whole. A grid read (`Breakdown.marker`) that is stale for an asset it touches
(someone placed or removed that asset meanwhile) raises `ConflictError`: nothing is
overwritten silently."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from core.catalog import assets as catalog_assets
from core.catalog import projects
from core.catalog import scenes as catalog_scenes
from core.chain import appearances, inheritance
from core.editing import edits
from core.errors import ConflictError, NotFoundError, ValidationError
from core.models import Asset, Scene, scene_label
from core.store.history import Context

Pair = tuple[str, str]          # (asset id, scene id)
MAX_CELLS = 20_000
_NAMED = 8                      # cells a message names before "and N more"


@dataclass(frozen=True)
class Cell:
    """One asset's appearance in one scene: its instance and, when removing it is
    refused, why (`keeps`: "has its own description, ..."; None: removable)."""

    instance_id: str
    version: int
    keeps: str | None = None


@dataclass(frozen=True)
class Breakdown:
    """A branch's grid: `scenes` (story order), `assets` (by type, then name), the
    present `cells` by (asset id, scene id), and `marker` (asset id -> a fingerprint of
    its placements) to hand back to `place_assets` as `expected`."""

    project_id: str
    branch_id: str
    scenes: list[Scene]
    assets: list[Asset]
    cells: dict[Pair, Cell]
    marker: dict[str, str]

    @cached_property
    def scenes_of(self) -> dict[str, list[int]]:
        """Asset id -> the scene numbers it appears in, in story order."""
        number = {s.id: s.scene_number for s in self.scenes}
        out: dict[str, list[int]] = {a.id: [] for a in self.assets}
        for aid, sid in self.cells:
            out.setdefault(aid, []).append(number[sid])
        for numbers in out.values():
            numbers.sort()
        return out


@dataclass(frozen=True)
class Plan:
    """What applying ticks would do (`plan`): `add` and `remove` (the pairs that change
    something), `kept` (unticked appearances that stay, with why), the number of
    `scenes` the additions touch and of later appearances that `relink` to another
    source (their inherited state may change, P2)."""

    add: list[Pair] = field(default_factory=list)
    remove: list[Pair] = field(default_factory=list)
    kept: list[tuple[Pair, str]] = field(default_factory=list)
    scenes: int = 0
    relink: int = 0

    @property
    def empty(self) -> bool:
        return not self.add and not self.remove


@dataclass(frozen=True)
class Placement:
    """What `place_assets` did: the new instance ids (story order), the removed ones
    and their (project, branch, scene, asset) places, and later instances whose state
    the removals changed."""

    created: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    removed_places: list[tuple[str, str, str, str]] = field(default_factory=list)
    propagated: list[str] = field(default_factory=list)


# --- reading the grid -------------------------------------------------------------------
def _fingerprint(instance_ids: Iterable[str]) -> str:
    return hashlib.sha256("|".join(sorted(instance_ids)).encode()).hexdigest()[:16]


def _cells(cur, branch_id: str, asset_ids: list[str] | None = None) -> dict[Pair, Cell]:
    """The branch's appearances (of some assets), each with why removing it is refused:
    one query, whatever their number."""
    only = "" if asset_ids is None else " AND i.project_asset_id = ANY(?::VARCHAR[])"
    params: list = [branch_id, branch_id, branch_id]
    if asset_ids is not None:
        params.append(list(asset_ids))
    rows = cur.execute(
        f"""
        SELECT i.id, i.project_asset_id, i.scene_id, i.version, i.locked,
               i.description_override IS NOT NULL, i.carry_forward, i.status_tags,
               i.inherited_tags, coalesce(h.n, 0), coalesce(g.n, 0)
        FROM scene_asset_instances i
        LEFT JOIN (SELECT instance_id, count(*) AS n FROM instance_history
                   WHERE branch_id = ? AND source IN ('user', 'revert')
                   GROUP BY instance_id) h ON h.instance_id = i.id
        LEFT JOIN (SELECT a.instance_id, count(*) AS n FROM image_attempts a
                   JOIN scene_asset_instances x ON x.id = a.instance_id
                   WHERE x.branch_id = ? AND a.kind IN ('generated', 'uploaded')
                   GROUP BY a.instance_id) g ON g.instance_id = i.id
        WHERE i.branch_id = ?{only}
        """, params).fetchall()
    out = {}
    for (iid, aid, sid, version, locked, own_desc, carry, tags, inherited, edits_n,
         images_n) in rows:
        why = []
        if locked:
            why.append("is locked")
        if own_desc:
            why.append("has its own description")
        if set(tags) != set(inherited):
            why.append("has its own tags")
        if not carry:
            why.append("does not carry forward")
        if edits_n and not why:
            why.append("was edited by a producer")
        if images_n:
            why.append(f"has {images_n} generated or uploaded image{'s' if images_n > 1 else ''}")
        out[(aid, sid)] = Cell(iid, version, ", ".join(why) or None)
    return out


def _present(cur, branch_id: str, asset_ids: list[str]) -> set[Pair]:
    return set(cur.execute(
        "SELECT project_asset_id, scene_id FROM scene_asset_instances "
        "WHERE branch_id = ? AND project_asset_id = ANY(?::VARCHAR[])",
        [branch_id, list(asset_ids)]).fetchall())


def _markers(cells: dict[Pair, Cell], asset_ids: Iterable[str]) -> dict[str, str]:
    ids: dict[str, list[str]] = {aid: [] for aid in asset_ids}
    for (aid, _sid), cell in cells.items():
        ids.setdefault(aid, []).append(cell.instance_id)
    return {aid: _fingerprint(got) for aid, got in ids.items()}


def breakdown(cur, project_id: str, branch_id: str | None = None) -> Breakdown:
    """The branch's grid in one consistent read (a bounded number of queries)."""
    branch = projects.resolve_branch(cur, project_id, branch_id)
    scenes = catalog_scenes.list_scenes(cur, project_id, branch)
    assets = catalog_assets.list_assets(cur, project_id)
    cells = _cells(cur, branch)
    return Breakdown(project_id, branch, scenes, assets, cells,
                     _markers(cells, [a.id for a in assets]))


# --- what ticks would do ----------------------------------------------------------------
def _pairs(items, what: str) -> list[Pair]:
    if isinstance(items, (str, bytes, dict)) or not isinstance(items, (list, tuple, set)):
        raise ValidationError(f"Give the cells to {what} as a list of (asset id, scene id) "
                              "pairs.")
    out = []
    for item in items:
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not all(isinstance(x, str) for x in item)):
            raise ValidationError(f"{item!r} is not an (asset id, scene id) pair.")
        out.append((item[0], item[1]))
    out = list(dict.fromkeys(out))
    if len(out) > MAX_CELLS:
        raise ValidationError(f"At most {MAX_CELLS} cells can be changed at once.")
    return out


def plan(grid: Breakdown, add, remove) -> Plan:
    """The effect of ticking `add` and unticking `remove` on the grid as read, written
    nowhere: pairs that would change nothing are dropped, refused removals are `kept`."""
    add, remove = _pairs(add, "add"), _pairs(remove, "remove")
    if set(add) & set(remove):
        raise ValidationError("A cell cannot be ticked and unticked at once.")
    number = {s.id: s.scene_number for s in grid.scenes}
    known = {a.id for a in grid.assets}
    for aid, sid in [*add, *remove]:
        if sid not in number or aid not in known:
            raise NotFoundError("A ticked cell is not in this breakdown: reload the page.")
    adds = [p for p in add if p not in grid.cells]
    removes, kept = [], []
    for p in remove:
        cell = grid.cells.get(p)
        if cell is None:
            continue
        if cell.keeps:
            kept.append((p, cell.keeps))
        else:
            removes.append(p)
    relink = 0
    change: dict[str, tuple[set[int], set[int]]] = {}
    for (aid, sid), ticked in [*((p, True) for p in adds), *((p, False) for p in removes)]:
        change.setdefault(aid, (set(), set()))[0 if ticked else 1].add(number[sid])
    for aid, (new, gone) in change.items():
        old = grid.scenes_of.get(aid, [])
        after = sorted((set(old) | new) - gone)
        prev_old = dict(zip(old, [None, *old], strict=False))
        prev_new = dict(zip(after, [None, *after], strict=False))
        relink += sum(1 for n in old if n in prev_new and prev_new[n] != prev_old[n])
    return Plan(adds, removes, kept, len({s for _, s in adds}), relink)


# --- applying them ----------------------------------------------------------------------
def place_assets(cur, branch_id: str, add, remove, ctx: Context,
                 expected: dict[str, str] | None = None) -> Placement:
    """Place the assets of `add` in their scenes and take those of `remove` out, in one
    change, all or nothing. Refused whole, before anything is written: an unknown id,
    a scene of another branch or an asset of another project (`NotFoundError`,
    `ValidationError`); a removal of an appearance someone worked on (`ValidationError`
    naming each one); placements of a touched asset that differ from `expected`
    (`ConflictError`). Cells already as asked are skipped. A bounded number of
    queries, whatever the number of cells."""
    add, remove = _pairs(add, "add"), _pairs(remove, "remove")
    if set(add) & set(remove):
        raise ValidationError("A cell cannot be ticked and unticked at once.")
    if not add and not remove:
        return Placement()
    row = cur.execute("SELECT project_id FROM branches WHERE id = ?", [branch_id]).fetchone()
    if row is None:
        raise NotFoundError(f"Branch {branch_id} does not exist.")
    project_id = row[0]
    scene_ids = list(dict.fromkeys(s for _, s in [*add, *remove]))
    asset_ids = list(dict.fromkeys(a for a, _ in [*add, *remove]))
    labels = {}
    for sid, branch, number, label in cur.execute(
            "SELECT id, branch_id, scene_number, label FROM scenes "
            "WHERE id = ANY(?::VARCHAR[])", [scene_ids]).fetchall():
        if branch != branch_id:
            raise ValidationError(f"Scene {scene_label(label, number)} is not in this branch.")
        labels[sid] = scene_label(label, number)
    for sid in scene_ids:
        if sid not in labels:
            raise NotFoundError(f"Scene {sid} does not exist.")
    names = {}
    for aid, project, name in cur.execute(
            "SELECT id, project_id, name FROM project_assets WHERE id = ANY(?::VARCHAR[])",
            [asset_ids]).fetchall():
        if project != project_id:
            raise ValidationError(f"Asset {name} belongs to another project.")
        names[aid] = name
    for aid in asset_ids:
        if aid not in names:
            raise NotFoundError(f"Asset {aid} does not exist.")

    present = _present(cur, branch_id, asset_ids)
    if all((p in present) == (p in add) for p in [*add, *remove]):
        return Placement()                        # a no-op writes nothing
    appearances.lock_chains(cur, asset_ids)     # before checking what the grid saw
    cells = _cells(cur, branch_id, asset_ids)
    if expected is not None:
        now = _markers(cells, asset_ids)
        moved = [aid for aid in asset_ids if expected.get(aid) != now[aid]]
        if moved:
            who = ", ".join(sorted(names[a] for a in moved))
            raise ConflictError(
                f"Someone else placed or removed {who} in this branch since the grid was "
                "read. Nothing was saved: check the current breakdown and apply again.")
    kept = [p for p in remove if p in cells and cells[p].keeps]
    if kept:
        raise ValidationError(
            "These appearances have work of their own and stay: "
            + "; ".join(f"{names[a]} in scene {labels[s]} {cells[(a, s)].keeps}"
                        for a, s in kept[:_NAMED])
            + (f"; and {len(kept) - _NAMED} more" if len(kept) > _NAMED else "")
            + ". Nothing was changed: remove them in the editor, or keep them ticked.")
    removing = [cells[p] for p in remove if p in cells]
    adding: dict[str, list[str]] = {}
    for aid, sid in add:
        if (aid, sid) not in cells:
            adding.setdefault(sid, []).append(aid)

    gone = edits.remove_instances(
        cur, [(c.instance_id, c.version) for c in removing], ctx) if removing else None
    created = inheritance.inherit_scenes(
        cur, list(adding), Context(ctx.actor, "inheritance", ctx.reason),
        adding) if adding else []
    if gone is None:
        return Placement(created)
    return Placement(created, gone.removed, gone.removed_places, gone.propagated)
