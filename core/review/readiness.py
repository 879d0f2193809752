"""Scene readiness (R1): what blocks a scene, per scene or for every scene of a
branch at once, and the audited sign-off that lapses when the scene changes.

Every function reads the instances in one light query (`read_model.light`), so the
cost stays flat however many scenes and instances the branch has.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from core.catalog.projects import new_id, resolve_branch
from core.catalog.scenes import get_scene, list_scenes
from core.errors import ValidationError
from core.store import read_model
from core.store.db import utcnow


@dataclass(frozen=True)
class Blocker:
    kind: str          # no_instances | missing_image | stale_image | pending_review | ...
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


def missing_image_message(asset_name: str) -> str:
    return f"{asset_name}: no reference image yet."


def stale_image_message(asset_name: str) -> str:
    return f"{asset_name}: the image shows an earlier state; generate a new one."


def upstream_message(asset_name: str, fields: list[str]) -> str:
    """The `upstream_changed` blocker's message, `fields` from `flagged_fields`."""
    return (f"{asset_name}: the earlier scene changed its {' and '.join(fields)}; "
            "take the new value or mark it reviewed.")


def flagged_fields(description: bool, tags: bool) -> list[str]:
    """The names of the fields flagged `upstream_changed` (P4)."""
    return [n for n, f in (("description", description), ("tags", tags)) if f]


def image_blocker(inst) -> Blocker | None:
    """`missing_image` or `stale_image` of one instance (G7), or None."""
    if inst.image_key is None:
        return Blocker("missing_image", inst.id, missing_image_message(inst.asset_name))
    if inst.image_stale:
        return Blocker("stale_image", inst.id, stale_image_message(inst.asset_name))
    return None


def upstream_fields(inst) -> list[str]:
    """The fields flagged `upstream_changed` (P4), by name."""
    return flagged_fields(inst.upstream_description_changed, inst.upstream_tags_changed)


def upstream_blocker(inst) -> Blocker:
    """The `upstream_changed` blocker of a flagged instance."""
    return Blocker("upstream_changed", inst.id,
                   upstream_message(inst.asset_name, upstream_fields(inst)))


def blockers(scene, found) -> list[Blocker]:
    """R1 for one scene and its instances (`models.Instance` or `read_model.Summary`)."""
    out = []
    if not found:
        out.append(Blocker("no_instances", None,
                           f"Scene {scene.display_label} has no assets yet."))
    for inst in found:
        image = image_blocker(inst)
        if image is not None:
            out.append(image)
        if inst.pending_review:
            out.append(Blocker(
                "pending_review", inst.id,
                f"{inst.asset_name}: carried conditions ({', '.join(inst.status_tags)}) "
                "await review."))
        if inst.upstream_changed:
            out.append(upstream_blocker(inst))
    return out


def _fingerprint(found) -> str:
    text = "|".join(f"{i.id}:{i.version}:{i.image_key}" for i in sorted(found, key=lambda i: i.id))
    return hashlib.sha256(text.encode()).hexdigest()


def _scene_instances(cur, scene_id: str) -> list[read_model.Summary]:
    return read_model.light(cur, "i.scene_id = ?", [scene_id])


def by_scene(rows) -> dict[str, list]:
    """Instances (in the order given) grouped by scene id."""
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r.scene_id, []).append(r)
    return out


def readiness(cur, scene_id: str) -> Readiness:
    scene = get_scene(cur, scene_id)
    return readiness_of(cur, scene, _scene_instances(cur, scene_id))


def readiness_of(cur, scene, found) -> Readiness:
    """R1 of `scene` and its instances `found` as the caller read them (`models.Instance`
    or `read_model.Summary`, in type and name order): reads only the last sign-off."""
    found_blockers = blockers(scene, found)
    last = cur.execute(
        "SELECT fingerprint, actor, signed_at FROM scene_signoffs WHERE scene_id = ? "
        "ORDER BY signed_at DESC LIMIT 1", [scene.id]).fetchone()
    valid = last is not None and not found_blockers and last[0] == _fingerprint(found)
    return Readiness(scene.id, not found_blockers, found_blockers,
                     SignOff(last[1], last[2]) if valid else None,
                     lapsed=last is not None and not valid)


def mark_ready(cur, scene_id: str, actor: str) -> Readiness:
    """R1: an audited sign-off of the scene's current state; refused while anything
    blocks. It lapses as soon as the scene's state or images change."""
    scene = get_scene(cur, scene_id)
    found = _scene_instances(cur, scene_id)
    found_blockers = blockers(scene, found)
    if found_blockers:
        raise ValidationError(
            f"Scene {scene.display_label} is not ready: "
            + "; ".join(b.message for b in found_blockers[:5])
            + (f" (and {len(found_blockers) - 5} more)" if len(found_blockers) > 5 else ""))
    cur.execute("INSERT INTO scene_signoffs VALUES (?, ?, ?, ?, ?)",
                [new_id(), scene_id, _fingerprint(found), actor, utcnow()])
    return readiness(cur, scene_id)


SUMMARY_COLUMNS = [
    "scene_id", "scene_number", "label", "heading", "story_day", "assets", "with_images",
    "stale", "pending_review", "upstream_changed", "locked", "blockers", "ready"]
BLOCKER_COLUMNS = ["scene_id", "scene_number", "scene_label", "heading", "kind",
                   "instance_id", "message"]


def summaries_from(scenes, rows) -> pd.DataFrame:
    """One row per scene (in the order given) with its status counts and readiness,
    from the branch's light rows."""
    grouped = by_scene(rows)
    data = []
    for scene in scenes:
        found = grouped.get(scene.id, [])
        n = len(blockers(scene, found))
        data.append([
            scene.id, scene.scene_number, scene.label, scene.heading, scene.story_day,
            len(found), sum(i.image_key is not None for i in found),
            sum(i.image_stale for i in found), sum(i.pending_review for i in found),
            sum(i.upstream_changed for i in found), sum(i.locked for i in found),
            n, not n])
    return pd.DataFrame(data, columns=SUMMARY_COLUMNS)


def blockers_from(scenes, rows) -> pd.DataFrame:
    """Every blocker of every scene (in the order given), from the branch's light rows."""
    grouped = by_scene(rows)
    data = [[scene.id, scene.scene_number, scene.display_label, scene.heading,
             b.kind, b.instance_id, b.message]
            for scene in scenes for b in blockers(scene, grouped.get(scene.id, []))]
    return pd.DataFrame(data, columns=BLOCKER_COLUMNS, dtype=object)


def branch_rows(cur, project_id: str, branch_id: str | None, asset_id: str | None = None):
    """(scenes in order, light rows) of a branch (default Main), optionally of one
    asset only: a bounded number of reads. The rows come asset by asset (type, then
    name), each asset's appearances in scene order (`read_model.CHAIN_ORDER`)."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    scenes = list_scenes(cur, project_id, branch_id)
    return scenes, read_model.branch_light(cur, project_id, branch_id, scenes,
                                           asset_id=asset_id)


def scene_summaries(cur, project_id: str, branch_id: str | None = None) -> pd.DataFrame:
    """One row per scene with its status counts and readiness (R1)."""
    return summaries_from(*branch_rows(cur, project_id, branch_id))


def branch_blockers(cur, project_id: str, branch_id: str | None = None) -> pd.DataFrame:
    """Every readiness blocker (R1) of every scene of the branch, in scene order: the
    dashboard's open issues."""
    return blockers_from(*branch_rows(cur, project_id, branch_id))
