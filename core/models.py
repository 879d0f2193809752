"""Values that cross the core boundary: str ids, list tags, UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""Marks an omitted keyword argument (None means "clear")."""


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    main_branch_id: str
    visual_style: str
    budget: float | None
    version: int
    created_at: datetime
    script_prologue: str | None = None      # a screenplay's text before its first heading


@dataclass(frozen=True)
class Branch:
    id: str
    project_id: str
    name: str
    parent_branch_id: str | None
    forked_at_scene_number: int | None


def scene_label(label: str | None, number: int) -> str:
    """How a scene is named to a person: its label ("12A"), else its number."""
    return label or str(number)


@dataclass(frozen=True)
class Scene:
    id: str
    project_id: str
    branch_id: str
    scene_number: int
    label: str | None
    heading: str
    script_excerpt: str
    end_state_summary: str
    story_day: int | None
    setting: str | None = None              # INT, EXT, INT/EXT, EST (N1)
    time_of_day: str | None = None          # DAY, NIGHT, MOMENTS LATER, ... (N1)
    qualifiers: list[str] = field(default_factory=list)   # FLASHBACK, 1973, ... (N1)
    shots: list[str] = field(default_factory=list)

    @property
    def display_label(self) -> str:
        return scene_label(self.label, self.scene_number)


@dataclass(frozen=True)
class Asset:
    id: str
    project_id: str
    name: str
    aliases: list[str]
    asset_type: str
    description: str
    master_image_key: str | None
    approved: bool
    version: int
    global_asset_id: str | None = None
    parent_asset_id: str | None = None      # a sub-location's enclosing place (N2)
    look_of_asset_id: str | None = None     # the character this is another look of (N3)
    description_source: str | None = None   # script | placeholder | None: a person's (N4)


@dataclass(frozen=True)
class GlobalAsset:
    id: str
    name: str
    aliases: list[str]
    asset_type: str
    description: str
    master_image_key: str | None


@dataclass(frozen=True)
class Instance:
    id: str
    project_id: str
    branch_id: str
    scene_id: str
    scene_number: int
    project_asset_id: str
    asset_name: str
    asset_type: str
    description_override: str | None
    inherited_description: str | None
    effective_description: str
    inherited_tags: list[str]
    status_tags: list[str]
    carry_forward: bool
    inherited_from_instance_id: str | None
    locked: bool
    pending_review: bool
    upstream_description_changed: bool
    upstream_tags_changed: bool
    version: int
    modification_count: int
    last_modified_field: str | None
    modification_reason: str | None
    created_at: datetime
    updated_at: datetime
    source_scene_number: int | None = None
    source_carry_forward: bool | None = None
    image_key: str | None = None      # the selected attempt's file (G6)
    image_stale: bool = False         # it shows another state than the current one (G7)
    state_hash: str | None = None
    seen_upstream_description: str | None = None   # A5: what a flagged field last saw
    seen_upstream_tags: list[str] | None = None

    @property
    def source_label(self) -> str:
        """Where the starting state came from: the master, or an earlier scene (I2, I3)."""
        if self.source_scene_number is None:
            return "Master"
        if not self.source_carry_forward:
            return f"Master (reset after scene {self.source_scene_number})"
        return f"Scene {self.source_scene_number}"

    @property
    def upstream_changed(self) -> bool:
        return self.upstream_description_changed or self.upstream_tags_changed

    @property
    def edited(self) -> bool:
        """It has a state of its own: a description override or tags other than it inherited."""
        return (self.description_override is not None
                or set(self.status_tags) != set(self.inherited_tags))

    @property
    def follows_master(self) -> bool:
        """First appearance or reset (E1): shows the master description live."""
        return self.description_override is None and self.inherited_description is None


@dataclass(frozen=True)
class HistoryRow:
    id: int
    instance_id: str
    scene_id: str
    project_asset_id: str
    field: str
    old_value: Any
    new_value: Any
    actor: str
    source: str
    reason: str | None
    at: datetime
    change_id: str | None = None          # shared by the rows of one change (A3 undo)
    instance_version: int | None = None   # the instance's version after the change (A6)


@dataclass(frozen=True)
class TagConflict:
    """T5: a later instance keeps its own tags while the tags passed on to it change."""

    instance_id: str
    scene_number: int
    asset_name: str
    kept: list[str]
    adds: list[str]
    removes: list[str]

    @property
    def message(self) -> str:
        parts = [f"adds {', '.join(self.adds)}"] if self.adds else []
        if self.removes:
            parts.append(f"removes {', '.join(self.removes)}")
        news = "; ".join(parts) or "passes on other tags"
        kept = ", ".join(self.kept) or "no tags"
        return (f"scene {self.scene_number} keeps its own tags ({kept}) and will be "
                f"flagged: upstream {news}")


@dataclass(frozen=True)
class Reached:
    """Where a later instance that an edit changed or flagged is (P3)."""

    scene_id: str
    scene_number: int
    locked: bool


@dataclass(frozen=True)
class UpdateResult:
    """What an edit did: `propagated` = later instances whose state changed,
    `flagged` = instances newly flagged upstream-changed; disjoint, in scene order;
    `reached` says where each of them is. `conflicts` names the instances that keep
    their own tags against new upstream tags (T5); `change_id` identifies the save for
    `undo_change` (None in previews and no-ops)."""

    instance: Instance | None
    propagated: list[str]
    flagged: list[str]
    conflicts: list[TagConflict] = field(default_factory=list)
    change_id: str | None = None
    reached: dict[str, Reached] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeMarker:
    """A6: a cheap fingerprint of a project's changes, for open pages to poll."""

    history_id: int
    assets_changed_at: datetime | None


@dataclass(frozen=True)
class Change:
    """One instance changed by one change (or, with no scene, a master definition)."""

    actor: str | None
    source: str | None
    asset_name: str
    instance_id: str | None
    scene_id: str | None
    scene_number: int | None
    branch_id: str | None
    fields: list[str]
    at: datetime

    @property
    def message(self) -> str:
        if self.instance_id is None:
            return f"{self.asset_name}'s master definition was changed"
        how = " (propagated)" if self.source == "propagation" else ""
        if self.scene_number is None:
            return f"{self.asset_name}'s state in a deleted scene was changed by {self.actor}{how}"
        return (f"{self.asset_name}'s scene {self.scene_number} state was changed by "
                f"{self.actor}{how}")
