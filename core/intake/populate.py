"""Populating scenes from the script (I7): every asset mapped to a scene (the
scene-asset mapping an import writes, I5) gets its instance, scene by scene in
story order, as if inherited one scene at a time (I1–I3), by the set-based engine
(`chain.inheritance.inherit_scenes`): a bounded number of statements whatever the
number of scenes.

Only scenes that have mapped assets and no instance at all are populated; a scene
with instances never gets any here (the producer has worked on it), though I1 still
re-links an asset's next appearance when a new scene is placed before it. An import
populates the scenes it creates (`populate_import`); "Fill from script"
(`fill_from_script`) populates every such scene of a branch later.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.projects import resolve_branch
from core.chain import inheritance
from core.store.history import Context

IMPORT_REASON = "populated by the screenplay import"
FILL_REASON = "filled from the script"


@dataclass(frozen=True)
class FillPlan:
    """What populating would create: scene id -> its mapped asset ids (story order)."""

    assets: dict[str, list[str]]

    @property
    def scene_count(self) -> int:
        return len(self.assets)

    @property
    def instance_count(self) -> int:
        return sum(len(a) for a in self.assets.values())


@dataclass(frozen=True)
class Filled:
    """What populating created: the scenes and the new instances (story order)."""

    scene_ids: list[str]
    instance_ids: list[str]


def plan(cur, branch_id: str, scene_ids: list[str] | None = None) -> FillPlan:
    """The branch's scenes (or those of `scene_ids`) that have mapped assets and no
    instance, in story order, with their mapped assets: one query."""
    only = "" if scene_ids is None else "AND s.id = ANY(?::VARCHAR[]) "
    rows = cur.execute(
        "SELECT m.scene_id, m.project_asset_id FROM scene_assets m "
        "JOIN scenes s ON s.id = m.scene_id JOIN project_assets a ON a.id = m.project_asset_id "
        f"WHERE s.branch_id = ? {only}AND NOT EXISTS (SELECT 1 FROM scene_asset_instances i "
        "WHERE i.scene_id = s.id) ORDER BY s.scene_number, lower(a.name)",
        [branch_id] if scene_ids is None else [branch_id, list(scene_ids)]).fetchall()
    out: dict[str, list[str]] = {}
    for sid, aid in rows:
        out.setdefault(sid, []).append(aid)
    return FillPlan(out)


def populate(cur, fill: FillPlan, ctx: Context) -> Filled:
    """Create the planned instances in one pass of the engine. The planned scenes have
    no instances and mapped assets, so their I5 candidates are exactly those assets."""
    if not fill.assets:
        return Filled([], [])
    ids = inheritance.inherit_scenes(cur, list(fill.assets), ctx)
    return Filled(list(fill.assets), ids)


def populate_import(cur, branch_id: str, created: list[str], kept: list[str], actor: str,
                    warnings: list[str]) -> Filled:
    """An import's populate step, in its transaction: the scenes it created. The
    existing scenes of the draft (`kept`) are not populated; those left without
    instances though the script names assets in them get a warning."""
    filled = Filled([], [])
    if created:
        filled = populate(cur, plan(cur, branch_id, created),
                          Context(actor, "inheritance", IMPORT_REASON))
    waiting = plan(cur, branch_id, kept) if kept else FillPlan({})
    if waiting.scene_count:
        warnings.append(
            f"{waiting.scene_count} scene(s) already in this branch have assets named in the "
            "script but no instances; they were left as they are. Use “Fill from script” on "
            f"the Scenes page to create their {waiting.instance_count} instance(s).")
    return filled


def fill_plan(cur, project_id: str, branch_id: str | None) -> FillPlan:
    """What "Fill from script" would create in the branch (None: main)."""
    return plan(cur, resolve_branch(cur, project_id, branch_id))


def fill_from_script(cur, project_id: str, branch_id: str | None, actor: str) -> Filled:
    """Populate every scene of the branch that has mapped assets but no instance."""
    return populate(cur, fill_plan(cur, project_id, branch_id),
                    Context(actor, "inheritance", FILL_REASON))
