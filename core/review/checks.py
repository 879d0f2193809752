"""Continuity checks (C1): what a producer should look at before a scene goes out.

`continuity_issues(cur, project_id, branch_id)` returns one `Issue` per finding, in
scene order. Kinds:

- `tag_dropped`: a tag of an asset's previous appearance is gone, although that
  appearance carries forward, and no reason was recorded for dropping it.
- `wear_off_survived`: a condition that normally wears off (T2: muddy, wet, ...)
  is still there in a later story day, with no reason recorded for keeping it.
- `upstream_changed`: an earlier appearance changed and this one has its own value
  (P2, P4): take the new value or mark it reviewed.
- `locked_upstream_changed`: the same for a locked instance (E2).
- `named_not_in_scene`: the scene's text names an asset (D1, the deterministic
  detector) that is not in the scene.
- `missing_image`, `stale_image`: no reference image, or one of an earlier state (G7).

What counts as a recorded reason (the "decisions" below): a change of the
instance's tags, its tag review or its upstream flag made by a person (not by
inheritance or propagation) that either has a reason (`update_instance(...,
reason=...)`) or answers the carried-tag review (T3: `review_tags`, or any tag
edit while the review is pending) or the upstream flag (`mark_reviewed`,
`take_upstream`). A tag drop is explained by a decision made after the earlier
appearance got the tag, that left the tag out; a worn-off tag's survival by a
decision made after it arrived that kept it. The remedy for a drop is a reason,
or an explicit reset (`carry_forward = false` on the earlier appearance, I3):
a reset passes nothing on, so nothing can be dropped.

Story days (beyond the reference tools): between two appearances on different
story days (both known), a wear-off tag that disappears is not a break; one
that survives is flagged for review. A tag outside the vocabulary is treated as
persisting. With no story days, every drop without a reason is a break.

The rules for images and upstream flags are read from the instances (the light
projection of `read_model`); the image and upstream messages are the readiness
blockers' (`readiness.blockers`), so they read the same everywhere. The whole
branch is checked in a bounded number of queries: scenes, instances, history
rows and asset names, each read once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.intake import detection
from core.models import Scene
from core.review.readiness import blockers, branch_rows
from core.review.story_days import day_step
from core.store import history
from core.store.read_model import Summary
from core.tags.vocabulary import lookup

KINDS = ("tag_dropped", "wear_off_survived", "upstream_changed", "locked_upstream_changed",
         "named_not_in_scene", "missing_image", "stale_image")
BREAK_KINDS = ("tag_dropped", "wear_off_survived")
TAG_FIELDS = ("status_tags", "pending_review", "upstream_tags_changed")
_MACHINE_SOURCES = ("inheritance", "propagation")
KIND_TITLES = {
    "tag_dropped": "Tag dropped without a reason",
    "wear_off_survived": "Condition survives into a later day",
    "upstream_changed": "Earlier scene changed",
    "locked_upstream_changed": "Locked, earlier scene changed",
    "named_not_in_scene": "Named in the script, not in the scene",
    "missing_image": "No reference image",
    "stale_image": "Image shows an earlier state",
}


@dataclass(frozen=True)
class Issue:
    kind: str
    scene_id: str
    scene_number: int
    scene_label: str
    asset_id: str
    asset_name: str
    instance_id: str | None          # None: the asset is not in the scene
    message: str
    tags: tuple[str, ...] = ()
    previous_instance_id: str | None = None
    previous_scene_number: int | None = None


# --- what the history says -----------------------------------------------------------

@dataclass
class _Change:
    """One change of an instance's tag-related fields (rows of one write)."""

    id: int
    source: str
    tags_before: list[str]
    tags_after: list[str]
    decision: bool


@dataclass
class _Record:
    changes: list[_Change] = field(default_factory=list)

    def arrived(self, tag: str) -> int:
        """History id of the latest change that gave the instance `tag` (0: unknown)."""
        for c in reversed(self.changes):
            if tag in c.tags_after and tag not in c.tags_before:
                return c.id
        return 0

    def drop_explained(self, tag: str, since: int) -> bool:
        """Was leaving `tag` out decided after history id `since`? The last change
        that touched the tag or was a decision must be a decision without it."""
        for c in reversed(self.changes):
            if c.id <= since:
                break
            touched = (tag in c.tags_before) != (tag in c.tags_after)
            if touched or c.decision:
                return c.decision and tag not in c.tags_after
        return False

    def keep_explained(self, tag: str) -> bool:
        since = self.arrived(tag)
        return any(c.decision and c.id >= since and tag in c.tags_after
                   for c in self.changes)


def _records(cur, branch_id: str, instance_ids: set[str] | None = None) -> dict[str, _Record]:
    sql = ("SELECT instance_id, id, field, old_value, new_value, source, reason, changed_at "
           "FROM instance_history WHERE branch_id = ? AND field = ANY(?::VARCHAR[])")
    params: list = [branch_id, list(TAG_FIELDS)]
    if instance_ids is not None:
        sql += " AND instance_id = ANY(?::VARCHAR[])"
        params.append(sorted(instance_ids))
    rows = cur.execute(sql + " ORDER BY instance_id, id", params).fetchall()
    out: dict[str, _Record] = {}
    group: list = []

    def close():
        if not group:
            return
        rec = out.setdefault(group[0][0], _Record())
        before = rec.changes[-1].tags_after if rec.changes else []
        after = before
        decision = False
        for _, _, fld, old, new, _source, reason, _ in group:
            old, new = history.decode(old), history.decode(new)
            if fld == "status_tags":
                after = list(new or [])
            elif old is True and not new:      # the review or the upstream flag answered
                decision = True
            if reason:
                decision = True
        source = group[0][5]
        rec.changes.append(_Change(group[0][1], source, list(before), list(after),
                                   decision and source not in _MACHINE_SOURCES))
        group.clear()

    for r in rows:
        if group and (r[0], r[5], r[7]) != (group[0][0], group[0][5], group[0][7]):
            close()
        group.append(r)
    close()
    return out


# --- the checks ----------------------------------------------------------------------

def _wears_off(tag: str) -> bool:
    entry = lookup(tag)
    return entry is not None and not entry.persists


def _tag_issues(chains: dict[str, list[Summary]], scenes: dict[str, Scene],
                records: dict[str, _Record]) -> list[Issue]:
    out = []
    empty = _Record()
    for chain in chains.values():
        for prev, inst in zip(chain, chain[1:], strict=False):
            if not prev.carry_forward:
                continue        # an explicit reset (I3) passes nothing on
            ps, cs = scenes[prev.scene_id], scenes[inst.scene_id]
            new_day = day_step(ps.story_day, cs.story_day) > 0
            rec, prec = records.get(inst.id, empty), records.get(prev.id, empty)
            dropped = [t for t in prev.status_tags if t not in inst.status_tags
                       and not (new_day and _wears_off(t))
                       and not rec.drop_explained(t, prec.arrived(t))]
            if dropped:
                out.append(_issue(
                    "tag_dropped", cs, inst,
                    f"{inst.asset_name} lost {_names(dropped)} since scene "
                    f"{ps.display_label}, which carries forward, and no reason was "
                    "recorded: edit the tags with a reason, or turn carry-forward off in "
                    f"scene {ps.display_label} for an explicit reset.",
                    dropped, prev, ps))
            if new_day:
                kept = [t for t in inst.status_tags if t in prev.status_tags
                        and _wears_off(t) and not rec.keep_explained(t)]
                if kept:
                    which = "it usually wears" if len(kept) == 1 else "these usually wear"
                    out.append(_issue(
                        "wear_off_survived", cs, inst,
                        f"{inst.asset_name} is still {_names(kept)} on story day "
                        f"{cs.story_day}, carried from scene {ps.display_label} (day "
                        f"{ps.story_day}); {which} off. Confirm with a reason or a tag "
                        "review, or remove it.", kept, prev, ps))
    return out


def _names(tags: list[str]) -> str:
    quoted = [f"“{t}”" for t in tags]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _issue(kind: str, scene: Scene, inst: Summary, message: str, tags=(), prev=None,
           prev_scene: Scene | None = None) -> Issue:
    return Issue(kind, scene.id, scene.scene_number, scene.display_label,
                 inst.project_asset_id, inst.asset_name, inst.id, message, tuple(tags),
                 prev.id if prev else None, prev_scene.scene_number if prev_scene else None)


def _state_issues(scene: Scene, found: list[Summary]) -> list[Issue]:
    by_id = {i.id: i for i in found}
    out = []
    for b in blockers(scene, found):
        if b.kind not in ("missing_image", "stale_image", "upstream_changed"):
            continue
        inst = by_id[b.instance_id]
        if b.kind == "upstream_changed" and inst.locked:
            fields = [n for n, f in (("description", inst.upstream_description_changed),
                                     ("tags", inst.upstream_tags_changed)) if f]
            out.append(_issue(
                "locked_upstream_changed", scene, inst,
                f"{inst.asset_name} is locked, and the earlier scene changed its "
                f"{' and '.join(fields)}: unlock it to take the new value, or unlock and "
                "mark it reviewed to keep this one."))
        else:
            out.append(_issue(b.kind, scene, inst, b.message))
    return out


def _named_issues(cur, project_id: str, scenes: list[Scene],
                  by_scene: dict[str, list[Summary]], asset_id: str | None) -> list[Issue]:
    from core.intake.suggestions import asset_refs

    refs = asset_refs(cur, project_id)
    if not refs:
        return []
    matcher = detection.Matcher(refs)
    out = []
    for scene in scenes:
        present = {i.project_asset_id for i in by_scene.get(scene.id, [])}
        found = detection.detect(scene.id, scene.heading, scene.script_excerpt, scene.shots,
                                 refs, present, matcher=matcher)
        for d in found.relevant:
            if asset_id is not None and d.asset_id != asset_id:
                continue
            where = "; ".join(d.reasons[:2])
            out.append(Issue(
                "named_not_in_scene", scene.id, scene.scene_number, scene.display_label,
                d.asset_id, d.name, None,
                f"{d.name} is named in scene {scene.display_label} ({where}) but is not in "
                "it: add it in the editor, or check the script."))
    return out


def continuity_issues(cur, project_id: str, branch_id: str | None = None, *,
                      kinds: tuple[str, ...] | None = None, scene_id: str | None = None,
                      asset_id: str | None = None) -> list[Issue]:
    """C1 over a branch (default Main), in scene order; optionally only some kinds,
    one scene or one asset (the tag checks still read the asset's whole chain)."""
    scenes, rows = branch_rows(cur, project_id, branch_id, asset_id)
    return issues_from(cur, project_id, scenes, rows, kinds=kinds, scene_id=scene_id,
                       asset_id=asset_id)


def issues_from(cur, project_id: str, scene_list: list[Scene], rows: list[Summary], *,
                kinds: tuple[str, ...] | None = None, scene_id: str | None = None,
                asset_id: str | None = None) -> list[Issue]:
    """`continuity_issues` over a branch's scenes and light rows already read (in scene
    order; whole chains of the assets checked). Reads the history rows and, for
    `named_not_in_scene`, the project's asset names: two queries at most."""
    wanted = set(KINDS if kinds is None else kinds)
    scenes = {s.id: s for s in scene_list}
    by_scene: dict[str, list[Summary]] = {}
    chains: dict[str, list[Summary]] = {}
    for inst in rows:                       # in scene order
        by_scene.setdefault(inst.scene_id, []).append(inst)
        chains.setdefault(inst.project_asset_id, []).append(inst)
    chosen = [s for s in scene_list if scene_id is None or s.id == scene_id]

    issues: list[Issue] = []
    if wanted & set(BREAK_KINDS) and rows:
        branch_id = scene_list[0].branch_id
        ids = None if asset_id is None else {i.id for i in rows}
        issues += [i for i in _tag_issues(chains, scenes, _records(cur, branch_id, ids))
                   if i.kind in wanted]
    if wanted & {"missing_image", "stale_image", "upstream_changed",
                 "locked_upstream_changed"}:
        for scene in chosen:
            issues += [i for i in _state_issues(scene, by_scene.get(scene.id, []))
                       if i.kind in wanted]
    if "named_not_in_scene" in wanted:
        issues += _named_issues(cur, project_id, chosen, by_scene, asset_id)
    if scene_id is not None:
        issues = [i for i in issues if i.scene_id == scene_id]
    order = {k: n for n, k in enumerate(KINDS)}
    return sorted(issues, key=lambda i: (i.scene_number, order[i.kind], i.asset_name.casefold()))
