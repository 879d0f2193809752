"""What one run of the editor reads, once, for every part of the page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import core


@dataclass(frozen=True)
class Snapshot:
    """The chosen scene of the sidebar's branch, its instances and the project's assets.
    Callbacks receive the snapshot of the run that drew their widget; they read anything
    that may have changed since (versions) afresh."""

    desk: core.Desk
    actor: str
    project: core.Project
    scenes: list[core.Scene]
    scene: core.Scene
    insts: list[core.Instance]
    assets: list[core.Asset]

    @cached_property
    def labels(self) -> dict[str, str]:
        """Scene id -> the label producers see ("4", "4A")."""
        return {s.id: s.display_label for s in self.scenes}

    @cached_property
    def asset_by_id(self) -> dict[str, core.Asset]:
        return {a.id: a for a in self.assets}

    @cached_property
    def asset_names(self) -> dict[str, str]:
        return {a.id: a.name for a in self.assets}

    @cached_property
    def in_scene(self) -> set[str]:
        """The project asset ids that appear in the scene."""
        return {i.project_asset_id for i in self.insts}

    @cached_property
    def tag_suggestions(self) -> list[str]:
        return self.desk.tag_suggestions(self.project.id)
