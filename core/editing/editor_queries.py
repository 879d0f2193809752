"""Read-only queries the asset editor needs, and its small decisions about data
(which assets a search matches, the project's copy of a library asset, what a history
row can restore). The queries read what the chain engine (E1, I1) already stored."""

from __future__ import annotations

from dataclasses import dataclass

from core.chain.appearances import master_description
from core.editing.edits import REVERTABLE_FIELDS
from core.models import Asset, GlobalAsset, HistoryRow, Instance
from core.store import instances


@dataclass(frozen=True)
class Fallback:
    """What an instance's description becomes when its override is cleared (E1)."""

    description: str
    source_scene_number: int | None   # None: the master description

    @property
    def source(self) -> str:
        if self.source_scene_number is None:
            return "the master description"
        return f"scene {self.source_scene_number}"


def fallback_of(inst: Instance, master: str | None) -> Fallback:
    """E1 without the override: the inherited description, else `master` (the asset's
    master description; unused when the instance inherits one)."""
    if inst.inherited_description is not None:
        return Fallback(inst.inherited_description, inst.source_scene_number)
    return Fallback(master, None)


def fallback_description(cur, instance_id: str) -> Fallback:
    """`fallback_of` the stored instance, with the master read live."""
    inst = instances.get(cur, instance_id)
    return fallback_of(inst, None if inst.inherited_description is not None
                       else master_description(cur, inst.project_asset_id))


def asset_appearances(cur, instance_id: str) -> list[Instance]:
    """Every appearance of the instance's asset in its branch, in scene order (I1)."""
    return [instances.to_instance(r)
            for r in instances.load_chain(cur, *instances.chain_key(cur, instance_id))]


def asset_matches(asset: Asset | GlobalAsset, query: str, asset_type: str | None) -> bool:
    """The drawer's filter: of `asset_type` (None: any), and `query` (trimmed, any case)
    in the name or an alias; an empty query matches every asset."""
    if asset_type and asset.asset_type != asset_type:
        return False
    query = query.strip().casefold()
    return not query or any(query in h.casefold() for h in [asset.name, *asset.aliases])


def project_copy(library: GlobalAsset, assets: list[Asset]) -> Asset | None:
    """The project asset that stands for a library asset: the one cloned from it, else
    the one of the same name (any case), else None."""
    return (next((a for a in assets if a.global_asset_id == library.id), None)
            or next((a for a in assets if a.name.casefold() == library.name.casefold()),
                    None))


def revert_choice(inst: Instance, row: HistoryRow) -> str | None:
    """What a history row offers (A3, A5): "revert" (its value is not the current one),
    "before" (it is: restore the value before it), "current" (nothing to restore), or
    None for a field that cannot be reverted."""
    if row.field not in REVERTABLE_FIELDS:
        return None
    current = {"description_override": inst.description_override,
               "effective_description": inst.effective_description,
               "status_tags": list(inst.status_tags),
               "carry_forward": inst.carry_forward}
    tags = row.field == "status_tags"
    value = list(row.new_value or []) if tags else row.new_value
    old = list(row.old_value or []) if tags else row.old_value
    if current.get(row.field) != value:
        return "revert"
    return "before" if old != value else "current"
