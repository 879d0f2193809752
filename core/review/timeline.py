"""Per-asset timeline (C2): one asset's state across every scene of a branch where it
appears — tags, description changes, images, resets, gaps, and the continuity
checks' findings (C1) as breaks."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.catalog.assets import get_asset
from core.catalog.projects import resolve_branch
from core.errors import ValidationError
from core.review import checks
from core.review.readiness import branch_rows
from core.review.story_days import day_step
from core.store import instances

COLUMNS = [
    "instance_id", "scene_id", "scene_number", "scene_label", "heading", "story_day",
    "status_tags", "tags_added", "tags_removed", "effective_description",
    "description_changed", "own_description", "carry_forward", "reset", "locked",
    "pending_review", "upstream_changed", "image_key", "image_stale", "skipped_scenes",
    "issues",
]


@dataclass(frozen=True)
class Timeline:
    asset_id: str
    asset_name: str
    asset_type: str
    master_description: str
    branch_id: str
    appearances: pd.DataFrame      # one row per appearance, in scene order (COLUMNS)
    issues: list                   # checks.Issue of this asset, incl. scenes naming it
    scene_numbers: list[int]       # every scene of the branch, for the axis
    story_days: dict[int, int | None]   # scene number -> story day

    def tag_points(self) -> pd.DataFrame:
        """Long form for a chart: one row per (appearance, tag)."""
        data = [[r.scene_number, r.scene_label, t, r.story_day]
                for r in self.appearances.itertuples(index=False) for t in r.status_tags]
        return pd.DataFrame(data, columns=["scene_number", "scene_label", "tag", "story_day"])

    def day_boundaries(self) -> list[tuple[int, int, int]]:
        """(scene before, scene after, the new story day) wherever the story day changes
        between neighbouring scenes of the branch, a flashback included."""
        days, nums = self.story_days, self.scene_numbers
        return [(a, b, days[b]) for a, b in zip(nums, nums[1:], strict=False)
                if day_step(days[a], days[b])]


def asset_timeline(cur, project_id: str, asset_id: str,
                   branch_id: str | None = None) -> Timeline:
    branch_id = resolve_branch(cur, project_id, branch_id)
    asset = get_asset(cur, asset_id)
    if asset.project_id != project_id:
        raise ValidationError("That asset belongs to another project.")
    scenes, rows = branch_rows(cur, project_id, branch_id, asset_id)
    position = {s.scene_number: k for k, s in enumerate(scenes)}
    by_number = {s.scene_number: s for s in scenes}
    issues = checks.issues_from(cur, project_id, scenes, rows, asset_id=asset_id)
    per_instance: dict[str, list[str]] = {}
    for issue in issues:
        if issue.instance_id:
            per_instance.setdefault(issue.instance_id, []).append(issue.kind)
    rows = []
    prev = None
    for r in instances.load_chain(cur, branch_id, asset_id):
        scene = by_number[r["scene_number"]]
        tags = list(r["status_tags"])
        before = list(prev["status_tags"]) if prev else None
        rows.append([
            r["id"], r["scene_id"], r["scene_number"], scene.display_label, scene.heading,
            scene.story_day, tags,
            [t for t in tags if before is not None and t not in before],
            [t for t in (before or []) if t not in tags],
            r["effective_description"],
            prev is not None and prev["effective_description"] != r["effective_description"],
            r["description_override"] is not None,
            r["carry_forward"],
            prev is not None and not prev["carry_forward"],
            r["locked"], r["pending_review"],
            r["upstream_description_changed"] or r["upstream_tags_changed"],
            r["image_key"], r["image_stale"],
            0 if prev is None else position[r["scene_number"]] - position[prev["scene_number"]] - 1,
            per_instance.get(r["id"], []),
        ])
        prev = r
    return Timeline(
        asset_id=asset.id, asset_name=asset.name, asset_type=asset.asset_type,
        master_description=asset.description, branch_id=branch_id,
        appearances=pd.DataFrame(rows, columns=COLUMNS, dtype=object),
        issues=issues, scene_numbers=[s.scene_number for s in scenes],
        story_days={s.scene_number: s.story_day for s in scenes},
    )
