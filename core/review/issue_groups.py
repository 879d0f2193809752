"""The Overview's open issues, grouped (issue 13 item 7): by kind, then by asset, with
counts, so hundreds of findings read as a few groups instead of a flat list.

Open issues are the carried tags awaiting review (R1's `pending_review` blockers) and
the continuity checks (C1) other than images; missing and stale images are summed up
per scene elsewhere. Pure functions over what the branch read returned: no queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.review.checks import KIND_TITLES, Issue

IMAGE_KINDS = frozenset(("missing_image", "stale_image"))
# The order the groups are shown in: breaks first, then what awaits a decision.
GROUP_ORDER = ("tag_dropped", "wear_off_survived", "pending_review", "upstream_changed",
               "locked_upstream_changed", "named_not_in_scene")
GROUP_TITLES = {**KIND_TITLES, "pending_review": "Carried conditions await review"}


@dataclass(frozen=True)
class AssetIssues:
    """One asset's issues of one kind, in scene order."""

    asset_id: str
    asset_name: str
    issues: tuple[Issue, ...]

    @property
    def count(self) -> int:
        return len(self.issues)

    @property
    def scene_numbers(self) -> list[int]:
        return [i.scene_number for i in self.issues]


@dataclass(frozen=True)
class IssueGroup:
    """Every open issue of one kind, per asset (most issues first, then by name)."""

    kind: str
    title: str
    assets: tuple[AssetIssues, ...]

    @property
    def count(self) -> int:
        return sum(a.count for a in self.assets)

    @property
    def scene_count(self) -> int:
        return len({i.scene_id for a in self.assets for i in a.issues})


def open_issues(issues: Iterable[Issue], blockers, instances) -> list[Issue]:
    """The open issues of a branch in scene order: its `pending_review` blockers (a
    `readiness.blockers_from` frame, as `Issue`s of the instances' assets) and its C1
    `issues` other than images (`instances`: the branch's light rows)."""
    by_id = {i.id: i for i in instances}
    pending = blockers[blockers["kind"] == "pending_review"]
    out = [Issue("pending_review", b.scene_id, int(b.scene_number), b.scene_label,
                 by_id[b.instance_id].project_asset_id, by_id[b.instance_id].asset_name,
                 b.instance_id, b.message)
           for b in pending.itertuples(index=False)]
    out += [i for i in issues if i.kind not in IMAGE_KINDS]
    return sorted(out, key=lambda i: i.scene_number)      # stable: kinds keep their order


@dataclass(frozen=True)
class SceneImages:
    """The reference images a scene still needs: missing and stale ones (R1)."""

    scene_id: str
    scene_label: str
    missing: int
    stale: int


def images_to_make(blockers) -> list[SceneImages]:
    """Missing and stale images per scene, in the blockers' order (a
    `readiness.blockers_from` frame): one pass over its columns."""
    found: dict[tuple[str, str], list[int]] = {}
    for sid, label, kind in zip(blockers["scene_id"], blockers["scene_label"],
                                blockers["kind"], strict=True):
        if kind in IMAGE_KINDS:
            found.setdefault((sid, label), [0, 0])[kind == "stale_image"] += 1
    return [SceneImages(sid, label, missing, stale)
            for (sid, label), (missing, stale) in found.items()]


def group_issues(issues: Iterable[Issue]) -> list[IssueGroup]:
    """`issues` by kind (in `GROUP_ORDER`, unknown kinds after, by name), and within a
    kind by asset: the assets with the most issues first, then by name; each asset's
    issues in scene order."""
    by_kind: dict[str, dict[str, list[Issue]]] = {}
    for issue in issues:
        by_kind.setdefault(issue.kind, {}).setdefault(issue.asset_id, []).append(issue)
    rank = {k: n for n, k in enumerate(GROUP_ORDER)}
    groups = []
    for kind in sorted(by_kind, key=lambda k: (rank.get(k, len(rank)), k)):
        assets = [AssetIssues(found[0].asset_id, found[0].asset_name,
                              tuple(sorted(found, key=lambda i: i.scene_number)))
                  for found in by_kind[kind].values()]
        assets.sort(key=lambda a: (-a.count, a.asset_name.casefold(), a.asset_id))
        groups.append(IssueGroup(kind, GROUP_TITLES.get(kind, kind), tuple(assets)))
    return groups

