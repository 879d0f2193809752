"""Cross-scene views of a branch: the continuity matrix and its cells (C2), the
rearview of a scene and its local context (R2). Readiness (R1) is `readiness`.

Each view reads the branch in a bounded number of queries, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.catalog.assets import list_assets
from core.catalog.projects import resolve_branch
from core.catalog.scenes import get_scene
from core.models import Asset, Scene
from core.review import checks, issue_groups, readiness
from core.review.readiness import branch_rows
from core.search import query
from core.store import instances, read_model


def _kept_assets(rows, asset_types, tags) -> set[str] | None:
    """C2 filters over (asset id, asset type, tags) rows: the assets of these types
    that carry one of these tags in some appearance of the branch (None: no filter)."""
    from core import validation as v
    from core.tags.normalize import normalize_tag

    if not asset_types and not tags:
        return None
    types = {v.asset_type(t) for t in asset_types} if asset_types else None
    wanted = {normalize_tag(t) for t in tags} if tags else None
    return {a for a, t, g in rows
            if (types is None or t in types) and (wanted is None or wanted.intersection(g))}


def filter_cells(cells: pd.DataFrame, *, asset_types=None, tags=None,
                 scene_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """`cells` (of a whole branch, unfiltered) with the C2 filters applied in memory:
    the assets of `asset_types` that carry one of `tags` somewhere in the branch, and
    only the scenes numbered within `scene_range` (first, last; inclusive)."""
    kept = _kept_assets(zip(cells["asset_id"], cells["asset_type"], cells["status_tags"],
                            strict=True), asset_types, tags)
    keep = pd.Series(True, index=cells.index)
    if kept is not None:
        keep &= cells["asset_id"].isin(kept)
    if scene_range is not None:
        first, last = scene_range
        numbers = cells["scene_number"].astype("int64")
        keep &= (numbers >= first) & (numbers <= last)
    return cells if keep.all() else cells[keep].reset_index(drop=True)


CELL_COLUMNS = [
    "instance_id", "scene_id", "scene_number", "asset_id", "asset_name", "asset_type",
    "status_tags", "effective_description", "locked", "pending_review",
    "upstream_changed", "tags_added", "tags_removed", "description_changed",
    "image_key", "image_stale", "breaks"]


def cells(cur, project_id: str, branch_id: str | None = None, *, asset_types=None,
          tags=None) -> pd.DataFrame:
    """One row per instance of the branch with what the matrix shows (C2): tags,
    whether the state changed from the asset's previous appearance, the image and
    whether it is stale, and `breaks`: the kinds of the continuity checks' tag
    findings (`checks.BREAK_KINDS`) on this instance. Filters: `asset_types`,
    `tags` (assets that carry any of them somewhere in the branch)."""
    with read_model.bulk():             # one pause for the rows and the cells
        return cells_from(cur, *branch_rows(cur, project_id, branch_id),
                          asset_types=asset_types, tags=tags)


def cells_from(cur, scenes, rows, *, asset_types=None, tags=None,
               issues=None) -> pd.DataFrame:
    """`cells` over a branch's scenes and light rows already read (one more query:
    the history rows the tag checks need, none when the branch's `issues` are given;
    the issues are not built for that).
    The rows keep their order: `branch_rows` gives them asset by asset in
    type-then-name order, each in scene order."""
    with read_model.bulk():
        return _cells(cur, scenes, rows, asset_types, tags, issues)


def _cells(cur, scenes, rows, asset_types, tags, issues) -> pd.DataFrame:
    kept = _kept_assets([(r.project_asset_id, r.asset_type, r.status_tags) for r in rows],
                        asset_types, tags)
    if kept is not None:
        rows = [r for r in rows if r.project_asset_id in kept]
    if issues is None:
        breaks = checks.break_kinds(cur, scenes, rows)
    else:
        breaks = {}
        for issue in issues:
            if issue.kind in checks.BREAK_KINDS:
                breaks.setdefault(issue.instance_id, []).append(issue.kind)
    by_id = {r.id: r for r in rows}
    added, removed, changed = [], [], []
    for r in rows:
        if r.inherited_from_instance_id is None:
            added.append([])
            removed.append([])
            changed.append(False)
            continue
        prev = by_id.get(r.inherited_from_instance_id)
        before = prev.status_tags if prev else []
        added.append([t for t in r.status_tags if t not in before])
        removed.append([t for t in before if t not in r.status_tags])
        changed.append(r.effective_description
                       != (prev.effective_description if prev else None))
    data = dict(zip(read_model.Summary._fields, zip(*rows, strict=True), strict=False))
    ids = data.get("id", ())
    columns = {
        "instance_id": ids, "asset_id": data.get("project_asset_id", ()),
        "upstream_changed": [d or t for d, t in zip(
            data.get("upstream_description_changed", ()), data.get("upstream_tags_changed", ()),
            strict=True)],
        "tags_added": added, "tags_removed": removed, "description_changed": changed,
        "breaks": [breaks.get(i, []) for i in ids]}
    return pd.DataFrame({c: pd.Series(columns[c] if c in columns else data.get(c, ()),
                                      dtype=object) for c in CELL_COLUMNS},
                        columns=CELL_COLUMNS)


def matrix(cur, project_id: str, branch_id: str | None = None, *, asset_types=None,
           tags=None) -> pd.DataFrame:
    """Assets × scene numbers; a cell holds the instance's tags (a list), or None
    where the asset does not appear. Rows in type-then-name order; the filters are
    those of `cells`. Two set-based queries; tags travel as joined strings (fast)."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    numbers = [r[0] for r in cur.execute(
        "SELECT scene_number FROM scenes WHERE branch_id = ? ORDER BY scene_number",
        [branch_id]).fetchall()]
    got = (cur.execute(
        f"""
        SELECT a.id, a.name, a.asset_type, s.scene_number,
               array_to_string(i.status_tags, chr(31)) AS tags
        FROM scene_asset_instances i
        JOIN scenes s ON s.id = i.scene_id
        JOIN project_assets a ON a.id = i.project_asset_id
        WHERE i.branch_id = ?
        ORDER BY {read_model.CHAIN_ORDER}
        """, [branch_id]).columns())
    tag_lists = [read_model.split_tags(t) for t in got["tags"]]
    kept = _kept_assets(zip(got["id"], got["asset_type"], tag_lists, strict=True),
                        asset_types, tags)
    keep = [kept is None or a in kept for a in got["id"]]
    names = list(dict.fromkeys(n for n, k in zip(got["name"], keep, strict=True) if k))
    row_of = {n: k for k, n in enumerate(names)}
    col_of = {n: k for k, n in enumerate(numbers)}
    grid = [[None] * len(numbers) for _ in names]
    for name, number, tag_list, k in zip(got["name"], got["scene_number"], tag_lists, keep,
                                         strict=True):
        if k:
            grid[row_of[name]][col_of[number]] = tag_list
    return pd.DataFrame(grid, index=pd.Index(names, name="asset"),
                        columns=pd.Index(numbers, name="scene"), dtype=object)


def local_context(cur, scene_id: str) -> dict:
    """R2: what the next pipeline stage (prompt writing) needs, JSON-serialisable."""
    scene = get_scene(cur, scene_id)
    prev = cur.execute(
        "SELECT id FROM scenes WHERE branch_id = ? AND scene_number < ? "
        "ORDER BY scene_number DESC LIMIT 1", [scene.branch_id, scene.scene_number]).fetchone()
    prev_scene = get_scene(cur, prev[0]) if prev else None
    return {
        "scene": {"id": scene.id, "number": scene.scene_number, "label": scene.display_label,
                  "heading": scene.heading, "story_day": scene.story_day,
                  "script_excerpt": scene.script_excerpt, "shots": scene.shots,
                  "end_state_summary": scene.end_state_summary},
        "previous_scene": None if prev_scene is None else {
            "id": prev_scene.id, "number": prev_scene.scene_number,
            "heading": prev_scene.heading, "end_state_summary": prev_scene.end_state_summary},
        "assets": [
            {"instance_id": i.id, "asset_id": i.project_asset_id, "name": i.asset_name,
             "type": i.asset_type, "description": i.effective_description,
             "tags": list(i.status_tags), "image_key": i.image_key,
             "image_stale": i.image_stale, "source": i.source_label}
            for i in instances.for_scene(cur, scene_id)],
    }


@dataclass(frozen=True)
class BranchOverview:
    """Everything the Overview page shows of a branch, each read once."""

    scenes: list[Scene]
    assets: list[Asset]
    instances: list[read_model.Summary]     # every instance of the branch (light)
    summaries: pd.DataFrame                 # `readiness.scene_summaries`
    blockers: pd.DataFrame                  # `readiness.branch_blockers`
    issues: list                            # `checks.continuity_issues`
    cells: pd.DataFrame                     # `cells`, with the filters given
    tag_counts: pd.DataFrame                # `search.tag_counts`

    def matrix_cells(self, *, asset_types=None, tags=None,
                     scene_range: tuple[int, int] | None = None) -> pd.DataFrame:
        """The cells with the matrix filters applied to what was read (`filter_cells`;
        the read's own filters, if any, still hold): filtering reads nothing again."""
        return filter_cells(self.cells, asset_types=asset_types, tags=tags,
                            scene_range=scene_range)

    def open_issues(self) -> list:
        """The open issues (`issue_groups.open_issues`), in scene order."""
        return issue_groups.open_issues(self.issues, self.blockers, self.instances)

    def grouped_issues(self) -> list[issue_groups.IssueGroup]:
        """The open issues by kind and asset, with counts (`issue_groups.group_issues`)."""
        return issue_groups.group_issues(self.open_issues())


def branch_overview(cur, project_id: str, branch_id: str | None = None, *,
                    asset_types=None, tags=None) -> BranchOverview:
    """The Overview of a branch (default Main) from one read of its scenes and
    instances: the same values as the separate calls, in a bounded number of queries."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    with read_model.bulk():             # one pause for every part
        scenes, rows = branch_rows(cur, project_id, branch_id)
        issues = checks.issues_from(cur, project_id, scenes, rows)
        return BranchOverview(
            scenes=scenes, assets=list_assets(cur, project_id), instances=rows,
            summaries=readiness.summaries_from(scenes, rows),
            blockers=readiness.blockers_from(scenes, rows), issues=issues,
            cells=cells_from(cur, scenes, rows, asset_types=asset_types, tags=tags,
                             issues=issues),
            tag_counts=query.tag_counts(cur, project_id, branch_id))


@dataclass(frozen=True)
class AssetChange:
    instance_id: str
    asset_name: str
    asset_type: str
    previous_scene_number: int | None   # None: first appearance
    tags_added: list[str]
    tags_removed: list[str]
    description_changed: bool
    reset: bool                           # the previous appearance did not carry forward


@dataclass(frozen=True)
class Rearview:
    scene_id: str
    previous_scene_id: str | None
    previous_end_state: str
    previous_instances: list
    changes: list[AssetChange]


def rearview(cur, scene_id: str) -> Rearview:
    """The previous scene's end state and instances, and per asset of this scene
    what changed since its previous appearance."""
    scene = get_scene(cur, scene_id)
    prev = cur.execute(
        "SELECT id FROM scenes WHERE branch_id = ? AND scene_number < ? "
        "ORDER BY scene_number DESC LIMIT 1",
        [scene.branch_id, scene.scene_number],
    ).fetchone()
    prev_scene = get_scene(cur, prev[0]) if prev else None
    found = read_model.light(cur, "i.scene_id = ?", [scene_id], read_model.BY_TYPE_AND_NAME)
    sources = {r.id: r for r in read_model.light(
        cur, "i.id = ANY(?::VARCHAR[])",
        [[i.inherited_from_instance_id for i in found if i.inherited_from_instance_id]])}
    changes = []
    for inst in found:
        src = sources.get(inst.inherited_from_instance_id)
        before_tags = src.status_tags if src else []
        changes.append(AssetChange(
            instance_id=inst.id, asset_name=inst.asset_name, asset_type=inst.asset_type,
            previous_scene_number=src.scene_number if src else None,
            tags_added=[t for t in inst.status_tags if t not in before_tags],
            tags_removed=[t for t in before_tags if t not in inst.status_tags],
            description_changed=src is not None
            and src.effective_description != inst.effective_description,
            reset=src is not None and not src.carry_forward,
        ))
    return Rearview(
        scene_id=scene_id,
        previous_scene_id=prev_scene.id if prev_scene else None,
        previous_end_state=prev_scene.end_state_summary if prev_scene else "",
        previous_instances=instances.for_scene(cur, prev_scene.id) if prev_scene else [],
        changes=changes,
    )
