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

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from core.catalog.projects import resolve_branch
from core.catalog.scenes import list_scenes
from core.intake import detection
from core.models import Scene
from core.review.readiness import (
    flagged_fields,
    missing_image_message,
    stale_image_message,
    upstream_message,
)
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


class Issue(NamedTuple):
    """One finding (a tuple: a branch's findings can number 100,000)."""

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


def _records(cur, branch_id: str, instance_ids: set[str] | None = None,
             only: set[str] | None = None) -> dict[str, _Record]:
    """The tag-related history of the branch's instances (or of `instance_ids`), in one
    query; only the instances in `only` (None: all) are decoded. The time of a change
    is read as text: it only groups the rows of one write."""
    sql = ("SELECT instance_id, id, field, old_value, new_value, source, reason, "
           "CAST(changed_at AS VARCHAR) FROM instance_history "
           "WHERE branch_id = ? AND field = ANY(?::VARCHAR[])")
    params: list = [branch_id, list(TAG_FIELDS)]
    if instance_ids is not None:
        sql += " AND instance_id = ANY(?::VARCHAR[])"
        params.append(sorted(instance_ids))
    rows = cur.execute(sql + " ORDER BY instance_id, id", params).fetchall()
    if only is not None:
        rows = [r for r in rows if r[0] in only]
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
# They read the branch's light rows as columns (`read_model.branch_columns`, or
# `read_model.as_columns` of rows already read): an object is built only per finding.

_WEARS_OFF = frozenset(t.name for t in VOCABULARY if not t.persists)
"""T2: the vocabulary tags that normally wear off; a tag outside it persists."""


def _tag_findings(c, scenes: dict[str, Scene]):
    """(kind, previous appearance's row, row, tags) of each tag finding before the
    history is consulted (`_explained`), row by row: each row against its asset's
    previous one in the order given. Set tests only."""
    assets, scene_ids = c["project_asset_id"], c["scene_id"]
    tags, carry = c["status_tags"], c["carry_forward"]
    day = {sid: s.story_day for sid, s in scenes.items()}
    last: dict[str, int] = {}
    for j, asset in enumerate(assets):
        k = last.get(asset)
        last[asset] = j
        if k is None or not carry[k] or not tags[k]:
            continue        # a first appearance, or an explicit reset (I3) passes nothing on
        before, now = tags[k], tags[j]
        if day_step(day[scene_ids[k]], day[scene_ids[j]]) > 0:
            dropped = [t for t in before if t not in now and t not in _WEARS_OFF]
            kept = [t for t in now if t in _WEARS_OFF and t in before]
        elif before == now:
            continue
        else:
            dropped, kept = [t for t in before if t not in now], []
        if dropped:
            yield "tag_dropped", k, j, dropped
        if kept:
            yield "wear_off_survived", k, j, kept


def _explained(cur, branch_id: str, c, findings: list, instance_ids: set[str] | None):
    """The findings less the tags a recorded decision explains (a drop decided after
    the earlier appearance got the tag; a kept wear-off tag confirmed after it came).
    One query: the history of the branch (or of `instance_ids`), decoded only for the
    instances of a finding."""
    ids = c["id"]
    records = _records(cur, branch_id, instance_ids,
                       {ids[i] for _, k, j, _ in findings for i in (k, j)})
    for kind, k, j, tags in findings:
        rec = records.get(ids[j])
        if rec is not None:
            if kind == "tag_dropped":
                prec = records.get(ids[k], _NO_RECORD)
                tags = [t for t in tags if not rec.drop_explained(t, prec.arrived(t))]
            else:
                tags = [t for t in tags if not rec.keep_explained(t)]
        if tags:
            yield kind, k, j, tags


def _tag_issues(c, scenes: dict[str, Scene], findings, labels: dict[str, str]
                ) -> list[Issue]:
    ids, scene_ids, assets, names = (c["id"], c["scene_id"], c["project_asset_id"],
                                     c["asset_name"])
    out = []
    for kind, k, j, tags in findings:
        ps, cs = scenes[scene_ids[k]], scenes[scene_ids[j]]
        plabel, name = labels[ps.id], names[j]
        if kind == "tag_dropped":
            message = (f"{name} lost {_names(tags)} since scene {plabel}, which "
                       "carries forward, and no reason was recorded: edit the tags with a "
                       "reason, or turn carry-forward off in scene "
                       f"{plabel} for an explicit reset.")
        else:
            which = "it usually wears" if len(tags) == 1 else "these usually wear"
            message = (f"{name} is still {_names(tags)} on story day "
                       f"{cs.story_day}, carried from scene {plabel} (day {ps.story_day}); "
                       f"{which} off. Confirm with a reason or a tag review, or remove it.")
        out.append(Issue(kind, cs.id, cs.scene_number, labels[cs.id], assets[j], name,
                         ids[j], message, tuple(tags), ids[k], ps.scene_number))
    return out


def _names(tags: list[str]) -> str:
    quoted = [f"“{t}”" for t in tags]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _state_issues(c, scenes: dict[str, Scene], labels: dict[str, str], wanted: set[str],
                  scene_id: str | None) -> list[Issue]:
    """Image and upstream findings, with the readiness blockers' messages; only the
    instances that have one build anything."""
    out = []
    for j, (key, stale, up_desc, up_tags) in enumerate(zip(
            c["image_key"], c["image_stale"], c["upstream_description_changed"],
            c["upstream_tags_changed"], strict=True)):
        if key is not None and not stale and not up_desc and not up_tags:
            continue
        sid = c["scene_id"][j]
        if scene_id is not None and sid != scene_id:
            continue
        scene, name = scenes[sid], c["asset_name"][j]
        found = []
        if key is None:
            found.append(("missing_image", missing_image_message(name)))
        elif stale:
            found.append(("stale_image", stale_image_message(name)))
        if up_desc or up_tags:
            fields = flagged_fields(up_desc, up_tags)
            if c["locked"][j]:
                found.append((
                    "locked_upstream_changed",
                    f"{name} is locked, and the earlier scene changed its "
                    f"{' and '.join(fields)}: unlock it to take the new value, or unlock "
                    "and mark it reviewed to keep this one."))
            else:
                found.append(("upstream_changed", upstream_message(name, fields)))
        out += [Issue(kind, sid, scene.scene_number, labels[sid], c["project_asset_id"][j],
                      name, c["id"][j], message)
                for kind, message in found if kind in wanted]
    return out


def _named_issues(cur, project_id: str, scenes: list[Scene], c, asset_id: str | None,
                  labels: dict[str, str]) -> list[Issue]:
    """D1 over the scenes' text, skipping the scenes where every asset that could be
    reported (all, or `asset_id`) is already present: a scene with as many instances
    as the project has assets has them all (one instance per asset and scene)."""
    from core.intake.suggestions import asset_refs

    refs = asset_refs(cur, project_id)
    if not refs:
        return []
    if asset_id is None:
        counts = Counter(c["scene_id"])
        scenes = [s for s in scenes if counts[s.id] < len(refs)]
    else:
        has = {sid for sid, a in zip(c["scene_id"], c["project_asset_id"], strict=True)
               if a == asset_id}
        scenes = [s for s in scenes if s.id not in has]
    wanted = {s.id for s in scenes}
    present: dict[str, set[str]] = {}
    if wanted:
        for sid, asset in zip(c["scene_id"], c["project_asset_id"], strict=True):
            if sid in wanted:
                present.setdefault(sid, set()).add(asset)
    matcher = _matcher(tuple(refs)) if scenes else None
    out = []
    for scene in scenes:
        here = present.get(scene.id, set())
        for d in _named_in(matcher, scene.heading, scene.script_excerpt, tuple(scene.shots)):
            if d.asset_id in here or (asset_id is not None and d.asset_id != asset_id):
                continue
            where = "; ".join(d.reasons[:2])
            out.append(Issue(
                "named_not_in_scene", scene.id, scene.scene_number, labels[scene.id],
                d.asset_id, d.name, None,
                f"{d.name} is named in scene {labels[scene.id]} ({where}) but is not in "
                "it: add it in the editor, or check the script."))
    return out


@lru_cache(maxsize=4)
def _matcher(refs: tuple[detection.AssetRef, ...]) -> detection.Matcher:
    """The project's asset names compiled once, while they stay the same."""
    return detection.Matcher(list(refs))


@lru_cache(maxsize=1 << 13)
def _named_in(matcher: detection.Matcher, heading: str, excerpt: str,
              shots: tuple[str, ...]) -> tuple[detection.DetectedAsset, ...]:
    """Every asset D1 finds in a scene's text, in its order, remembered by the text and
    the names (`_matcher`): the Overview reruns the checks, and the script rarely
    changes between two runs. The results are read, never changed."""
    refs = list(matcher.assets.values())
    return tuple(detection.detect("", heading, excerpt, list(shots), refs, set(),
                                  matcher=matcher).relevant)


def continuity_issues(cur, project_id: str, branch_id: str | None = None, *,
                      kinds: tuple[str, ...] | None = None, scene_id: str | None = None,
                      asset_id: str | None = None) -> list[Issue]:
    """C1 over a branch (default Main), in scene order; optionally only some kinds,
    one scene or one asset (the tag checks still read the asset's whole chain).
    Reads the images only when an image or upstream kind is asked for."""
    wanted = set(KINDS if kinds is None else kinds)
    with read_model.bulk():             # one pause for the rows and the issues
        branch_id = resolve_branch(cur, project_id, branch_id)
        scenes = list_scenes(cur, project_id, branch_id)
        where, params = "i.branch_id = ?", [branch_id]
        if asset_id is not None:
            where, params = where + " AND i.project_asset_id = ?", [branch_id, asset_id]
        columns = read_model.branch_columns(cur, project_id, branch_id, where, params,
                                            scenes=scenes, images=bool(wanted & STATE_KINDS))
        return _issues(cur, project_id, scenes, columns, wanted, scene_id, asset_id)


def issues_from(cur, project_id: str, scene_list: list[Scene], rows: list[Summary], *,
                kinds: tuple[str, ...] | None = None, scene_id: str | None = None,
                asset_id: str | None = None) -> list[Issue]:
    """`continuity_issues` over a branch's scenes and light rows already read (each
    asset's appearances in scene order; whole chains of the assets checked). Reads the
    history rows and, for `named_not_in_scene`, the project's asset names: two
    queries at most."""
    with read_model.bulk():
        return _issues(cur, project_id, scene_list, read_model.as_columns(rows),
                       set(KINDS if kinds is None else kinds), scene_id, asset_id)


_KIND_ORDER = {k: n for n, k in enumerate(KINDS)}


def _issues(cur, project_id: str, scene_list: list[Scene], c: dict, wanted: set[str],
            scene_id: str | None, asset_id: str | None) -> list[Issue]:
    scenes = {s.id: s for s in scene_list}
    labels = {s.id: s.display_label for s in scene_list}
    chosen = [s for s in scene_list if scene_id is None or s.id == scene_id]

    issues: list[Issue] = []
    if wanted & set(BREAK_KINDS) and c["id"]:
        found = [f for f in _tag_findings(c, scenes) if f[0] in wanted]
        explained = _explained(cur, scene_list[0].branch_id, c, found,
                               None if asset_id is None else set(c["id"]))
        issues += _tag_issues(c, scenes, explained, labels)
    if wanted & STATE_KINDS:
        issues += _state_issues(c, scenes, labels, wanted, scene_id)
    if "named_not_in_scene" in wanted:
        issues += _named_issues(cur, project_id, chosen, c, asset_id, labels)
    if scene_id is not None:
        issues = [i for i in issues if i.scene_id == scene_id]
    return _in_order(issues)


def _in_order(issues: list[Issue]) -> list[Issue]:
    """Sorted by scene number, kind (`KINDS`), then asset name ignoring case; stable.
    The key is one integer per issue (a tuple per issue sorts several times slower)."""
    folds = sorted({i.asset_name.casefold() for i in issues})
    rank = {f: n for n, f in enumerate(folds)}
    of_name = {name: rank[name.casefold()] for name in {i.asset_name for i in issues}}
    width = len(folds) + 1
    return sorted(issues, key=lambda i: (i.scene_number * 8 + _KIND_ORDER[i.kind]) * width
                  + of_name[i.asset_name])


def break_kinds(cur, scene_list: list[Scene], rows: list[Summary]) -> dict[str, list[str]]:
    """Instance id -> the kinds of its tag findings (`BREAK_KINDS`), without building
    the issues: what the matrix marks (C2). One query (the history rows)."""
    out: dict[str, list[str]] = {}
    if not rows:
        return out
    c = read_model.as_columns(rows)
    ids = c["id"]
    found = list(_tag_findings(c, {s.id: s for s in scene_list}))
    for kind, _, j, _ in _explained(cur, scene_list[0].branch_id, c, found, None):
        out.setdefault(ids[j], []).append(kind)
    return out
