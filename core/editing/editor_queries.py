"""Read-only queries the asset editor needs. They decide nothing themselves:
they read what the chain engine (E1, I1) already stored."""

from __future__ import annotations

from dataclasses import dataclass

from core.chain.appearances import master_description
from core.models import Instance
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


def fallback_description(cur, instance_id: str) -> Fallback:
    """E1 without the override: the inherited description, else the master (live)."""
    row = instances.load_row(cur, instance_id)
    if row["inherited_description"] is not None:
        return Fallback(row["inherited_description"], row["source_scene_number"])
    return Fallback(master_description(cur, row["project_asset_id"]), None)


def asset_appearances(cur, instance_id: str) -> list[Instance]:
    """Every appearance of the instance's asset in its branch, in scene order (I1)."""
    row = instances.load_row(cur, instance_id)
    return [instances.to_instance(r)
            for r in instances.load_chain(cur, row["branch_id"], row["project_asset_id"])]
