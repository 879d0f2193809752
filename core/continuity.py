"""Cross-scene views of a branch: the continuity matrix (C2) and scene
readiness (R1, without images until the images module exists)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from . import instances
from .db import utcnow
from .errors import ValidationError
from .projects import new_id, resolve_branch
from .scenes import get_scene, list_scenes


def _asset_filter(cur, branch_id: str, asset_types, tags) -> tuple[str, list]:
    """C2 filters: only assets of these types; only assets that carry one of these
    tags in some appearance of the branch."""
    from . import validation as v
    from .tags import normalize_tag

    where, params = "", []
    if asset_types:
        where += " AND a.asset_type = ANY(?::VARCHAR[])"
        params.append([v.asset_type(t) for t in asset_types])
    if tags:
        where += (" AND a.id IN (SELECT project_asset_id FROM scene_asset_instances "
                  "WHERE branch_id = ? AND status_tags && ?::VARCHAR[])")
        params += [branch_id, [normalize_tag(t) for t in tags]]
    return where, params


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
    from . import checks
    from .search import columns, is_stale, split_tags

    branch_id = resolve_branch(cur, project_id, branch_id)
    where, params = _asset_filter(cur, branch_id, asset_types, tags)
    c = columns(cur.execute(
        f"""
        SELECT i.id, i.scene_id, s.scene_number, a.id AS asset_id, a.name, a.asset_type,
               array_to_string(i.status_tags, chr(31)) AS tags, i.effective_description,
               i.locked, i.pending_review,
               i.upstream_description_changed OR i.upstream_tags_changed AS upstream,
               i.inherited_from_instance_id, p.effective_description AS prev_description,
               array_to_string(p.status_tags, chr(31)) AS prev_tags,
               att.image_key, att.state_hash, a.master_image_hash, pr.visual_style
        FROM scene_asset_instances i
        JOIN scenes s ON s.id = i.scene_id
        JOIN project_assets a ON a.id = i.project_asset_id
        JOIN projects pr ON pr.id = i.project_id
        LEFT JOIN scene_asset_instances p ON p.id = i.inherited_from_instance_id
        LEFT JOIN image_attempts att ON att.instance_id = i.id AND att.selected
        WHERE i.branch_id = ?{where}
        ORDER BY CASE a.asset_type WHEN 'character' THEN 0 WHEN 'location' THEN 1 ELSE 2 END,
                 lower(a.name), s.scene_number
        """,
        [branch_id, *params],
    ))
    breaks: dict[str, list[str]] = {}
    if c["id"]:
        for issue in checks.continuity_issues(cur, project_id, branch_id,
                                              kinds=checks.BREAK_KINDS):
            breaks.setdefault(issue.instance_id, []).append(issue.kind)
    out = []
    for k, iid in enumerate(c["id"]):
        tags = split_tags(c["tags"][k])
        linked = c["inherited_from_instance_id"][k] is not None
        prev_tags = split_tags(c["prev_tags"][k]) if linked else None
        out.append([
            iid, c["scene_id"][k], c["scene_number"][k], c["asset_id"][k], c["name"][k],
            c["asset_type"][k], tags, c["effective_description"][k], c["locked"][k],
            c["pending_review"][k], c["upstream"][k],
            [t for t in tags if prev_tags is not None and t not in prev_tags],
            [t for t in (prev_tags or []) if t not in tags],
            linked and c["effective_description"][k] != c["prev_description"][k],
            c["image_key"][k],
            is_stale(c["state_hash"][k], c["name"][k], c["asset_type"][k],
                     c["effective_description"][k], tags, c["master_image_hash"][k],
                     c["visual_style"][k]),
            breaks.get(iid, [])])
    return pd.DataFrame(out, columns=CELL_COLUMNS, dtype=object)


def matrix(cur, project_id: str, branch_id: str | None = None, *, asset_types=None,
           tags=None) -> pd.DataFrame:
    """Assets × scene numbers; a cell holds the instance's tags (a list), or None
    where the asset does not appear. Rows in type-then-name order; the filters are
    those of `cells`. One set-based query; tags travel as joined strings (fast)."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    numbers = [r[0] for r in cur.execute(
        "SELECT scene_number FROM scenes WHERE branch_id = ? ORDER BY scene_number",
        [branch_id]).fetchall()]
    where, params = _asset_filter(cur, branch_id, asset_types, tags)
    names = [r[0] for r in cur.execute(
        f"""
        SELECT a.name FROM project_assets a
        WHERE a.id IN (SELECT project_asset_id FROM scene_asset_instances WHERE branch_id = ?)
        {where}
        ORDER BY CASE a.asset_type WHEN 'character' THEN 0 WHEN 'location' THEN 1 ELSE 2 END,
                 lower(a.name), a.id
        """, [branch_id, *params]).fetchall()]
    names = list(dict.fromkeys(names))
    row_of = {n: k for k, n in enumerate(names)}
    col_of = {n: k for k, n in enumerate(numbers)}
    from .search import columns, split_tags

    got = columns(cur.execute(
        f"""
        SELECT a.name, s.scene_number, array_to_string(i.status_tags, chr(31)) AS tags
        FROM scene_asset_instances i
        JOIN scenes s ON s.id = i.scene_id
        JOIN project_assets a ON a.id = i.project_asset_id
        WHERE i.branch_id = ?{where}
        """, [branch_id, *params]))
    grid = [[None] * len(numbers) for _ in names]
    for name, number, joined in zip(got["name"], got["scene_number"], got["tags"],
                                    strict=True):
        grid[row_of[name]][col_of[number]] = split_tags(joined)
    return pd.DataFrame(grid, index=pd.Index(names, name="asset"),
                        columns=pd.Index(numbers, name="scene"), dtype=object)


@dataclass(frozen=True)
class Blocker:
    kind: str          # no_instances | pending_review | upstream_changed | ...
    instance_id: str | None
    message: str


@dataclass(frozen=True)
class SignOff:
    actor: str
    signed_at: object


@dataclass(frozen=True)
class Readiness:
    scene_id: str
    ready: bool
    blockers: list[Blocker]
    signed_off: SignOff | None = None   # a sign-off of the current state (R1)
    lapsed: bool = False                # signed once, but the state changed since


def _blockers(scene, found) -> list[Blocker]:
    blockers = []
    if not found:
        blockers.append(Blocker("no_instances", None,
                                f"Scene {scene.display_label} has no assets yet."))
    for inst in found:
        if inst.image_key is None:
            blockers.append(Blocker("missing_image", inst.id,
                                    f"{inst.asset_name}: no reference image yet."))
        elif inst.image_stale:
            blockers.append(Blocker(
                "stale_image", inst.id,
                f"{inst.asset_name}: the image shows an earlier state; generate a new one."))
        if inst.pending_review:
            blockers.append(Blocker(
                "pending_review", inst.id,
                f"{inst.asset_name}: carried conditions ({', '.join(inst.status_tags)}) "
                "await review."))
        if inst.upstream_changed:
            fields = [n for n, f in (("description", inst.upstream_description_changed),
                                     ("tags", inst.upstream_tags_changed)) if f]
            blockers.append(Blocker(
                "upstream_changed", inst.id,
                f"{inst.asset_name}: the earlier scene changed its {' and '.join(fields)}; "
                "take the new value or mark it reviewed."))
    return blockers


def _fingerprint(found) -> str:
    text = "|".join(f"{i.id}:{i.version}:{i.image_key}" for i in sorted(found, key=lambda i: i.id))
    return hashlib.sha256(text.encode()).hexdigest()


def readiness(cur, scene_id: str) -> Readiness:
    scene = get_scene(cur, scene_id)
    found = instances.for_scene(cur, scene_id)
    blockers = _blockers(scene, found)
    last = cur.execute(
        "SELECT fingerprint, actor, signed_at FROM scene_signoffs WHERE scene_id = ? "
        "ORDER BY signed_at DESC LIMIT 1", [scene_id]).fetchone()
    valid = last is not None and not blockers and last[0] == _fingerprint(found)
    return Readiness(scene_id, not blockers, blockers,
                     SignOff(last[1], last[2]) if valid else None,
                     lapsed=last is not None and not valid)


def mark_ready(cur, scene_id: str, actor: str) -> Readiness:
    """R1: an audited sign-off of the scene's current state; refused while anything
    blocks. It lapses as soon as the scene's state or images change."""
    scene = get_scene(cur, scene_id)
    found = instances.for_scene(cur, scene_id)
    blockers = _blockers(scene, found)
    if blockers:
        raise ValidationError(
            f"Scene {scene.display_label} is not ready: "
            + "; ".join(b.message for b in blockers[:5])
            + (f" (and {len(blockers) - 5} more)" if len(blockers) > 5 else ""))
    cur.execute("INSERT INTO scene_signoffs VALUES (?, ?, ?, ?, ?)",
                [new_id(), scene_id, _fingerprint(found), actor, utcnow()])
    return readiness(cur, scene_id)


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


def scene_summaries(cur, project_id: str, branch_id: str | None = None) -> pd.DataFrame:
    """One row per scene with its status counts and readiness (R1)."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    by_scene: dict[str, list] = {}
    for inst in instances.for_branch(cur, branch_id):
        by_scene.setdefault(inst.scene_id, []).append(inst)
    data = []
    for scene in list_scenes(cur, project_id, branch_id):
        found = by_scene.get(scene.id, [])
        blockers = _blockers(scene, found)
        data.append([
            scene.id, scene.scene_number, scene.label, scene.heading, scene.story_day,
            len(found), sum(i.image_key is not None for i in found),
            sum(i.image_stale for i in found), sum(i.pending_review for i in found),
            sum(i.upstream_changed for i in found), sum(i.locked for i in found),
            len(blockers), not blockers])
    return pd.DataFrame(data, columns=[
        "scene_id", "scene_number", "label", "heading", "story_day", "assets", "with_images",
        "stale", "pending_review", "upstream_changed", "locked", "blockers", "ready"])


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
    changes = []
    for inst in instances.for_scene(cur, scene_id):
        src = (instances.get(cur, inst.inherited_from_instance_id)
               if inst.inherited_from_instance_id else None)
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


BLOCKER_COLUMNS = ["scene_id", "scene_number", "scene_label", "heading", "kind",
                   "instance_id", "message"]


def branch_blockers(cur, project_id: str, branch_id: str | None = None) -> pd.DataFrame:
    """Every readiness blocker (R1) of every scene of the branch, in scene order: the
    dashboard's open issues. Uses `readiness` per scene, so the rule stays in one place."""
    rows = []
    for scene in list_scenes(cur, project_id, branch_id):
        for b in readiness(cur, scene.id).blockers:
            rows.append([scene.id, scene.scene_number, scene.display_label, scene.heading,
                         b.kind, b.instance_id, b.message])
    return pd.DataFrame(rows, columns=BLOCKER_COLUMNS, dtype=object)
