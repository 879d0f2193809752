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
from core.review.readiness import branch_rows, image_blocker, upstream_blocker, upstream_fields
from core.review.story_days import day_step
from core.store import history, read_model
from core.store.read_model import Summary
from core.tags.vocabulary import VOCABULARY

KINDS = ("tag_dropped", "wear_off_survived", "upstream_changed", "locked_upstream_changed",
         "named_not_in_scene", "missing_image", "stale_image")
BREAK_KINDS = ("tag_dropped", "wear_off_survived")
STATE_KINDS = frozenset(("missing_image", "stale_image", "upstream_changed",
                         "locked_upstream_changed"))
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


_NO_RECORD = _Record()


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

_WEARS_OFF = frozenset(t.name for t in VOCABULARY if not t.persists)
"""T2: the vocabulary tags that normally wear off; a tag outside it persists."""


def _tag_findings(chains: dict[str, list[Summary]], scenes: dict[str, Scene],
                  records: dict[str, _Record]):
    """(kind, previous appearance, instance, tags) of each tag finding, chain by chain.
    Only instances with history rows consult them; the rest need set tests only."""
    for chain in chains.values():
        for prev, inst in zip(chain, chain[1:], strict=False):
            if not prev.carry_forward or not prev.status_tags:
                continue        # an explicit reset (I3) passes nothing on
            tags = inst.status_tags
            new_day = day_step(scenes[prev.scene_id].story_day,
                               scenes[inst.scene_id].story_day) > 0
            dropped = [t for t in prev.status_tags if t not in tags
                       and not (new_day and t in _WEARS_OFF)]
            kept = ([t for t in tags if t in _WEARS_OFF and t in prev.status_tags]
                    if new_day else [])
            rec = records.get(inst.id)
            if rec is not None:
                prec = records.get(prev.id, _NO_RECORD)
                dropped = [t for t in dropped if not rec.drop_explained(t, prec.arrived(t))]
                kept = [t for t in kept if not rec.keep_explained(t)]
            if dropped:
                yield "tag_dropped", prev, inst, dropped
            if kept:
                yield "wear_off_survived", prev, inst, kept


def _tag_issues(chains: dict[str, list[Summary]], scenes: dict[str, Scene],
                records: dict[str, _Record], labels: dict[str, str]) -> list[Issue]:
    out = []
    for kind, prev, inst, tags in _tag_findings(chains, scenes, records):
        ps, cs = scenes[prev.scene_id], scenes[inst.scene_id]
        plabel = labels[ps.id]
        if kind == "tag_dropped":
            message = (f"{inst.asset_name} lost {_names(tags)} since scene {plabel}, which "
                       "carries forward, and no reason was recorded: edit the tags with a "
                       "reason, or turn carry-forward off in scene "
                       f"{plabel} for an explicit reset.")
        else:
            which = "it usually wears" if len(tags) == 1 else "these usually wear"
            message = (f"{inst.asset_name} is still {_names(tags)} on story day "
                       f"{cs.story_day}, carried from scene {plabel} (day {ps.story_day}); "
                       f"{which} off. Confirm with a reason or a tag review, or remove it.")
        out.append(_issue(kind, cs, labels, inst, message, tags, prev, ps))
    return out


def _names(tags: list[str]) -> str:
    quoted = [f"“{t}”" for t in tags]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _issue(kind: str, scene: Scene, labels: dict[str, str], inst: Summary, message: str,
           tags=(), prev=None, prev_scene: Scene | None = None) -> Issue:
    return Issue(kind, scene.id, scene.scene_number, labels[scene.id],
                 inst.project_asset_id, inst.asset_name, inst.id, message, tuple(tags),
                 prev.id if prev else None, prev_scene.scene_number if prev_scene else None)


def _state_issues(rows: list[Summary], scenes: dict[str, Scene],
                  labels: dict[str, str]) -> list[Issue]:
    """Image and upstream findings, with the readiness blockers' messages; only the
    instances that have one build anything."""
    out = []
    for inst in rows:
        if inst.image_key is not None and not inst.image_stale and not inst.upstream_changed:
            continue
        scene = scenes[inst.scene_id]
        image = image_blocker(inst)
        if image is not None:
            out.append(_issue(image.kind, scene, labels, inst, image.message))
        if not inst.upstream_changed:
            continue
        if inst.locked:
            fields = " and ".join(upstream_fields(inst))
            out.append(_issue(
                "locked_upstream_changed", scene, labels, inst,
                f"{inst.asset_name} is locked, and the earlier scene changed its "
                f"{fields}: unlock it to take the new value, or unlock and "
                "mark it reviewed to keep this one."))
        else:
            out.append(_issue("upstream_changed", scene, labels, inst,
                              upstream_blocker(inst).message))
    return out


def _named_issues(cur, project_id: str, scenes: list[Scene],
                  by_scene: dict[str, set[str]], asset_id: str | None,
                  labels: dict[str, str]) -> list[Issue]:
    """D1 over the scenes' text, skipping the scenes where every asset that could be
    reported (all, or `asset_id`) is already present."""
    from core.intake.suggestions import asset_refs

    refs = asset_refs(cur, project_id)
    if not refs:
        return []
    reportable = {r.id for r in refs} if asset_id is None else {asset_id}
    scenes = [s for s in scenes if not reportable <= by_scene.get(s.id, set())]
    matcher = detection.Matcher(refs) if scenes else None
    out = []
    for scene in scenes:
        found = detection.detect(scene.id, scene.heading, scene.script_excerpt, scene.shots,
                                 refs, by_scene.get(scene.id, set()), matcher=matcher)
        for d in found.relevant:
            if asset_id is not None and d.asset_id != asset_id:
                continue
            where = "; ".join(d.reasons[:2])
            out.append(Issue(
                "named_not_in_scene", scene.id, scene.scene_number, labels[scene.id],
                d.asset_id, d.name, None,
                f"{d.name} is named in scene {labels[scene.id]} ({where}) but is not in "
                "it: add it in the editor, or check the script."))
    return out


def continuity_issues(cur, project_id: str, branch_id: str | None = None, *,
                      kinds: tuple[str, ...] | None = None, scene_id: str | None = None,
                      asset_id: str | None = None) -> list[Issue]:
    """C1 over a branch (default Main), in scene order; optionally only some kinds,
    one scene or one asset (the tag checks still read the asset's whole chain)."""
    with read_model.bulk():             # one pause for the rows and the issues
        scenes, rows = branch_rows(cur, project_id, branch_id, asset_id)
        return issues_from(cur, project_id, scenes, rows, kinds=kinds, scene_id=scene_id,
                           asset_id=asset_id)


def issues_from(cur, project_id: str, scene_list: list[Scene], rows: list[Summary], *,
                kinds: tuple[str, ...] | None = None, scene_id: str | None = None,
                asset_id: str | None = None) -> list[Issue]:
    """`continuity_issues` over a branch's scenes and light rows already read (each
    asset's appearances in scene order; whole chains of the assets checked). Reads the
    history rows and, for `named_not_in_scene`, the project's asset names: two
    queries at most."""
    with read_model.bulk():
        return _issues(cur, project_id, scene_list, rows, set(KINDS if kinds is None
                                                              else kinds), scene_id, asset_id)


def _issues(cur, project_id: str, scene_list: list[Scene], rows: list[Summary],
            wanted: set[str], scene_id: str | None, asset_id: str | None) -> list[Issue]:
    scenes = {s.id: s for s in scene_list}
    labels = {s.id: s.display_label for s in scene_list}
    chosen = [s for s in scene_list if scene_id is None or s.id == scene_id]

    issues: list[Issue] = []
    if wanted & set(BREAK_KINDS) and rows:
        ids = None if asset_id is None else {i.id for i in rows}
        records = _records(cur, scene_list[0].branch_id, ids)
        issues += [i for i in _tag_issues(_chains(rows), scenes, records, labels)
                   if i.kind in wanted]
    if wanted & STATE_KINDS:
        picked = rows if scene_id is None else [i for i in rows if i.scene_id == scene_id]
        issues += [i for i in _state_issues(picked, scenes, labels) if i.kind in wanted]
    if "named_not_in_scene" in wanted:
        present: dict[str, set[str]] = {}
        for inst in rows:
            present.setdefault(inst.scene_id, set()).add(inst.project_asset_id)
        issues += _named_issues(cur, project_id, chosen, present, asset_id, labels)
    if scene_id is not None:
        issues = [i for i in issues if i.scene_id == scene_id]
    order = {k: n for n, k in enumerate(KINDS)}
    folded = {i.asset_name: i.asset_name.casefold() for i in issues}
    return sorted(issues, key=lambda i: (i.scene_number, order[i.kind], folded[i.asset_name]))


def _chains(rows: list[Summary]) -> dict[str, list[Summary]]:
    """Each asset's appearances, in the order given."""
    chains: dict[str, list[Summary]] = {}
    for inst in rows:
        chains.setdefault(inst.project_asset_id, []).append(inst)
    return chains


def break_kinds(cur, scene_list: list[Scene], rows: list[Summary]) -> dict[str, list[str]]:
    """Instance id -> the kinds of its tag findings (`BREAK_KINDS`), without building
    the issues: what the matrix marks (C2). One query (the history rows)."""
    out: dict[str, list[str]] = {}
    if not rows:
        return out
    records = _records(cur, scene_list[0].branch_id)
    for kind, _, inst, _ in _tag_findings(_chains(rows), {s.id: s for s in scene_list},
                                          records):
        out.setdefault(inst.id, []).append(kind)
    return out
