"""Screenplay import: a parsed screenplay (core.intake.screenplay) becomes scenes,
project assets and the scene-asset mapping (I5), in one transaction of a bounded
number of statements whatever the screenplay's size: the project's assets and the
branch's scenes are read once, matched and placed in Python (with the Desk's own
validation), and written set by set.

- **Preview and apply are one code path.** `dry_run=True` runs the whole import
  and rolls the transaction back, so the preview shows exactly what applying
  would do (its ids are not kept).
- **Merging, not duplicating.** A character, location or accepted candidate whose
  name or one of its aliases equals (case-insensitively) a name or alias of an
  existing project asset is that asset; new aliases are added to it. A name that
  belongs to an asset of another type is reported, not mapped.
- **Aliases are confirmed.** The parser proposes aliases (`DETECTIVE RAY` for
  `RAY`, `BRICK BRADDOCK` for `BRICK`); `merge_aliases` lists the accepted
  (name key, alias key) pairs. None accepts every proposal the preview showed
  (the page asks per proposal); an unaccepted speaking variant stays a character
  of its own.
- **Candidates are never created unasked.** Names in capitals in action lines
  (`PORSCHE`) are created only when listed in `create_candidates` (key -> type).
- **Revised drafts.** Scenes are matched by label (a forced `#12A#` number, when
  the location is the same: labels of hand-made scenes are just their numbers),
  then by heading, in order (difflib alignment, so repeated headings pair up in
  story order). Matched scenes get the new heading, text and shots; new scenes
  are placed after their predecessor in the draft, in a free scene number, or by
  renumbering later scenes only when none of those has instances (else they go
  to the end, with a warning). Existing scenes missing from the draft are
  reported, never deleted. Importing the same file again changes nothing.
- New assets are not approved (their master description is a placeholder for
  the producer to write); the mapping (source `import`) is what inheritance
  offers for each scene.
- **Populated (I7).** With `populate` (the default) the scenes the import creates get
  their mapped assets' instances in the same transaction, scene by scene in story
  order (core.intake.populate); scenes that already exist are never populated here
  (a warning names the matched ones left without instances: "Fill from script").
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
from dataclasses import dataclass, field

from core import validation as v
from core.catalog import asset_bulk, scenes
from core.catalog import assets as assets_mod
from core.catalog.projects import get_project, new_id, resolve_branch
from core.chain import inheritance
from core.errors import ValidationError
from core.intake import detection
from core.intake import populate as populating
from core.intake.screenplay import (
    AliasProposal,
    Candidate,
    ParsedScene,
    ParsedScreenplay,
    heading_key,
    name_key,
    parse_heading,
)
from core.models import Asset
from core.store.db import utcnow

MAPPING_SOURCE = "import"


@dataclass
class SceneOutcome:
    index: int                    # position in the file
    label: str | None             # as in the file
    heading: str
    action: str                   # create | update | unchanged
    scene_id: str
    scene_number: int
    matched_by: str | None        # label | heading | None (new)
    assets: list[str]             # names of the assets mapped to it
    new_mappings: list[str]       # of those, the ones this import adds


@dataclass
class AssetOutcome:
    name: str
    asset_type: str
    action: str                   # create | match | skip
    asset_id: str | None
    origin: str                   # speaker | slugline | candidate
    aliases: list[str]
    aliases_added: list[str]
    scenes: list[int]             # file positions where the script has it
    note: str = ""


@dataclass
class MissingScene:
    scene_id: str
    scene_number: int
    label: str | None
    heading: str
    instance_count: int


@dataclass
class ImportReport:
    dry_run: bool
    format: str
    title: str | None
    project_id: str
    branch_id: str
    scenes: list[SceneOutcome]
    assets: list[AssetOutcome]
    alias_proposals: list[tuple[AliasProposal, bool]]
    candidates: list[tuple[Candidate, str | None]]
    missing_scenes: list[MissingScene]
    mappings_created: int
    warnings: list[str] = field(default_factory=list)
    import_id: str | None = None
    instances_created: list[str] = field(default_factory=list)   # ids, story order (I7)
    populated_scenes: list[str] = field(default_factory=list)    # the scenes they are in

    @property
    def scenes_created(self) -> list[str]:
        return [s.scene_id for s in self.scenes if s.action == "create"]

    @property
    def scenes_updated(self) -> list[str]:
        return [s.scene_id for s in self.scenes if s.action == "update"]

    @property
    def assets_created(self) -> list[str]:
        return [a.asset_id for a in self.assets if a.action == "create"]

    @property
    def assets_matched(self) -> list[str]:
        return [a.asset_id for a in self.assets if a.action == "match"]

    @property
    def aliases_added(self) -> dict[str, list[str]]:
        return {a.name: a.aliases_added for a in self.assets if a.aliases_added}

    @property
    def changed(self) -> bool:
        return bool(self.scenes_created or self.scenes_updated or self.assets_created
                    or self.aliases_added or self.mappings_created or self.instances_created)


class DryRun(Exception):
    """Raised inside the transaction to roll a preview back; carries the report."""

    def __init__(self, report: ImportReport):
        super().__init__("dry run")
        self.report = report


# --- planning the assets ---------------------------------------------------------------

@dataclass
class _Planned:
    name: str
    asset_type: str
    origin: str
    keys: list[str]               # name keys it answers to (name first)
    aliases: list[str]
    scenes: list[int]


def _accepted_proposals(parsed: ParsedScreenplay, merge_aliases) -> list[AliasProposal]:
    if merge_aliases is None:
        return list(parsed.alias_proposals)
    if isinstance(merge_aliases, (str, bytes)) or not isinstance(
            merge_aliases, (list, tuple, set, frozenset)):
        raise ValidationError("merge_aliases must be a list of (name, alias) pairs.")
    wanted = set()
    for pair in merge_aliases:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValidationError("merge_aliases must be a list of (name, alias) pairs.")
        wanted.add((str(pair[0]).upper(), str(pair[1]).upper()))
    known = {p.pair for p in parsed.alias_proposals}
    unknown = wanted - known
    if unknown:
        a, b = sorted(unknown)[0]
        raise ValidationError(f"{b} is not a proposed alias of {a} in this screenplay.")
    return [p for p in parsed.alias_proposals if p.pair in wanted]


def _accepted_candidates(parsed: ParsedScreenplay, create_candidates) -> dict[str, str]:
    if not create_candidates:
        return {}
    if not isinstance(create_candidates, dict):
        raise ValidationError("create_candidates must map candidate names to asset types.")
    keys = {c.key: c for c in parsed.candidates}
    out = {}
    for key, kind in create_candidates.items():
        k = str(key).upper()
        if k not in keys:
            raise ValidationError(f"{key!r} is not a candidate found in this screenplay.")
        out[k] = v.asset_type(kind)
    return out


def _plan(parsed: ParsedScreenplay, proposals: list[AliasProposal],
          candidates: dict[str, str]) -> list[_Planned]:
    owner = {p.alias_key: p.name_key for p in proposals}

    def root(key: str) -> str:
        seen = set()
        while key in owner and key not in seen:
            seen.add(key)
            key = owner[key]
        return key

    planned: dict[str, _Planned] = {}
    for c in parsed.characters:
        if c.key in owner:
            continue
        planned[c.key] = _Planned(c.name, "character", "speaker", [name_key(c.key)], [],
                                  list(c.scenes))
    for p in proposals:
        target = planned.get(root(p.alias_key))
        if target is None:
            continue
        target.aliases.append(p.alias)
        target.keys.append(name_key(p.alias_key))
        spoken = parsed.character(p.alias_key)
        if spoken:
            target.scenes = sorted(set(target.scenes) | set(spoken.scenes))
    out = list(planned.values())
    for loc in parsed.locations:
        out.append(_Planned(loc.name, "location", "slugline", [loc.key], [], list(loc.scenes)))
    for cand in parsed.candidates:
        if cand.key in candidates:
            out.append(_Planned(cand.name, candidates[cand.key], "candidate",
                                [name_key(cand.key)], [], list(cand.scenes)))
    return out


def _placeholder(p: _Planned, parsed: ParsedScreenplay) -> str:
    first = parsed.scenes[p.scenes[0] - 1] if p.scenes else None
    where = f" First in scene {first.label or first.index}: {first.heading}." if first else ""
    return (f"{p.name} ({p.asset_type}) from the screenplay.{where} "
            "Placeholder: write the master description.")


# --- applying -------------------------------------------------------------------------

def import_screenplay(cur, project_id: str, parsed: ParsedScreenplay, branch_id: str | None,
                      actor: str, *, raw: bytes | str, merge_aliases=None,
                      create_candidates=None, dry_run: bool = False,
                      populate: bool = True) -> ImportReport:
    get_project(cur, project_id)
    branch_id = resolve_branch(cur, project_id, branch_id)
    actor = v.actor(actor)
    proposals = _accepted_proposals(parsed, merge_aliases)
    cands = _accepted_candidates(parsed, create_candidates)
    warnings = list(parsed.warnings)

    outcomes = _apply_assets(cur, project_id, parsed, _plan(parsed, proposals, cands),
                             warnings)
    scene_outcomes, missing = _apply_scenes(cur, project_id, branch_id, parsed, warnings)
    mappings = _apply_mapping(cur, project_id, parsed, scene_outcomes)
    filled = populating.Filled([], [])
    if populate:
        filled = populating.populate_import(
            cur, branch_id, [o.scene_id for o in scene_outcomes if o.action == "create"],
            [o.scene_id for o in scene_outcomes if o.action != "create"], actor, warnings)

    accepted_pairs = {p.pair for p in proposals}
    report = ImportReport(
        dry_run=dry_run, format=parsed.format, title=parsed.title, project_id=project_id,
        branch_id=branch_id, scenes=scene_outcomes, assets=outcomes,
        alias_proposals=[(p, p.pair in accepted_pairs) for p in parsed.alias_proposals],
        candidates=[(c, cands.get(c.key)) for c in parsed.candidates],
        missing_scenes=missing, mappings_created=mappings, warnings=warnings,
        instances_created=filled.instance_ids, populated_scenes=filled.scene_ids)
    if dry_run:
        raise DryRun(report)
    if report.changed:
        report.import_id = new_id()
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        cur.execute(
            "INSERT INTO screenplay_imports (id, project_id, branch_id, format, title, "
            "file_sha256, actor, scenes_created, scenes_updated, assets_created, "
            "mappings_created, warnings, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [report.import_id, project_id, branch_id, parsed.format, parsed.title,
             hashlib.sha256(data).hexdigest(), actor, len(report.scenes_created),
             len(report.scenes_updated), len(report.assets_created), mappings, warnings,
             utcnow()])
    return report


def _apply_assets(cur, project_id, parsed, planned: list[_Planned],
                  warnings: list[str]) -> list[AssetOutcome]:
    """Match the planned assets against the project's (read once), in order; new ones
    in one INSERT, added aliases in one UPDATE."""
    by_id = {a.id: a for a in assets_mod.list_assets(cur, project_id)}
    names = asset_bulk.by_lower_name(by_id.values())
    by_key: dict[str, str] = {}
    for a in by_id.values():
        for name in (a.name, *a.aliases):
            by_key.setdefault(name_key(name), a.id)
    created: dict[str, Asset] = {}
    changed: dict[str, Asset] = {}
    out: list[AssetOutcome] = []
    for p in planned:
        match = next((by_key[k] for k in p.keys if k in by_key), None)
        if match is None:
            asset = asset_bulk.new_asset(project_id, p.name, p.asset_type,
                                         _placeholder(p, parsed), aliases=p.aliases,
                                         approved=False)
            asset_bulk.check_unique_name(names, asset.name)
            created[asset.id] = by_id[asset.id] = names[asset.name.lower()] = asset
            out.append(AssetOutcome(p.name, p.asset_type, "create", asset.id, p.origin,
                                    asset.aliases, [], p.scenes))
        else:
            asset = by_id[match]
            if asset.asset_type != p.asset_type:
                note = (f"The script's {p.asset_type} {p.name!r} has the name of the project's "
                        f"{asset.asset_type} {asset.name!r}, so no {p.asset_type} was created; "
                        "rename one of them if they are different things.")
                warnings.append(note)
                out.append(AssetOutcome(p.name, p.asset_type, "skip", None, p.origin,
                                        p.aliases, [], p.scenes, note))
                continue
            have = {name_key(x) for x in (asset.name, *asset.aliases)}
            added = [a for a in p.aliases if name_key(a) not in have]
            if added:
                asset = asset_bulk.edited(asset, aliases=[*asset.aliases, *added])
                (created if asset.id in created else changed)[asset.id] = asset
                by_id[asset.id] = asset
            out.append(AssetOutcome(asset.name, asset.asset_type, "match", asset.id, p.origin,
                                    asset.aliases, added, p.scenes))
        for name in (asset.name, *asset.aliases):
            by_key.setdefault(name_key(name), asset.id)
    asset_bulk.insert(cur, list(created.values()))
    asset_bulk.update(cur, list(changed.values()))
    return out


def _instance_counts(cur, branch_id: str) -> dict[str, int]:
    return dict(cur.execute(
        "SELECT scene_id, count(*) FROM scene_asset_instances WHERE branch_id = ? "
        "GROUP BY scene_id", [branch_id]).fetchall())


def _align(parsed_scenes: list[ParsedScene], existing) -> dict[int, tuple[str, str]]:
    """file index -> (existing scene id, matched_by)."""
    matched: dict[int, tuple[str, str]] = {}
    used: set[str] = set()
    by_label: dict[str, list] = {}
    for s in existing:
        if s.label:
            by_label.setdefault(s.label.casefold(), []).append(s)
    for p in parsed_scenes:
        if p.label:
            for s in by_label.get(p.label.casefold(), []):
                if s.id not in used and _same_place(p, s.heading):
                    matched[p.index] = (s.id, "label")
                    used.add(s.id)
                    break
    rest_p = [p for p in parsed_scenes if p.index not in matched]
    rest_e = [s for s in existing if s.id not in used]
    sm = difflib.SequenceMatcher(a=[heading_key(p.heading) for p in rest_p],
                                 b=[heading_key(s.heading) for s in rest_e], autojunk=False)
    for block in sm.get_matching_blocks():
        for k in range(block.size):
            matched[rest_p[block.a + k].index] = (rest_e[block.b + k].id, "heading")
    return matched


def _same_place(p: ParsedScene, heading: str) -> bool:
    """A label match also needs the same location (or, without one, the same heading):
    labels of scenes made by hand are just their numbers, and must not pull in
    an unrelated scene of the draft."""
    if heading_key(heading) == heading_key(p.heading):
        return True
    location = parse_heading(heading)[0]
    return bool(location and p.location and name_key(location) == p.location_key)


def _excerpt(p: ParsedScene, warnings: list[str]) -> str:
    if len(p.excerpt) > v.MAX_SCRIPT:
        warnings.append(f"Scene {p.label or p.index}'s text is longer than {v.MAX_SCRIPT} "
                        "characters and was cut.")
        return p.excerpt[: v.MAX_SCRIPT]
    return p.excerpt


def _heading(p: ParsedScene, warnings: list[str]) -> str:
    if len(p.heading) > v.MAX_HEADING:
        warnings.append(f"Scene {p.label or p.index}'s heading was cut to {v.MAX_HEADING} "
                        "characters.")
        return p.heading[: v.MAX_HEADING]
    return p.heading


def _apply_scenes(cur, project_id, branch_id, parsed: ParsedScreenplay, warnings):
    """Place the draft's scenes as if one at a time (see the module docstring), in
    Python over one read of the branch; then write them in a bounded number of
    statements (renumbering, new scenes, changed texts, shots)."""
    existing = scenes.list_scenes(cur, project_id, branch_id)
    counts = _instance_counts(cur, branch_id)
    matched = _align(parsed.scenes, existing)
    by_id = {s.id: s for s in existing}
    number = {s.id: s.scene_number for s in existing}       # as the scenes are placed
    taken = sorted(number.values())
    fixed = max((number[sid] for sid in counts if sid in number), default=None)
    outcomes: list[SceneOutcome] = []
    late: list[tuple[SceneOutcome, int]] = []
    new_rows: list[tuple[str, str, dict]] = []              # (id, label, fields)
    texts: list[tuple[str, dict, bool]] = []                # (id, fields, shots changed)
    prev_number = 0
    for p in parsed.scenes:
        heading, excerpt = _heading(p, warnings), _excerpt(p, warnings)
        label = p.label if p.label and len(p.label) <= 20 else None
        if p.index in matched:
            sid, how = matched[p.index]
            cur_scene = by_id[sid]
            changed = (cur_scene.heading != heading or cur_scene.script_excerpt != excerpt
                       or (p.shots and cur_scene.shots != p.shots))
            if changed:
                f = scenes._fields(heading, excerpt, cur_scene.label,
                                   cur_scene.end_state_summary, cur_scene.story_day,
                                   p.shots if p.shots else cur_scene.shots)
                texts.append((sid, f, bool(p.shots) and f["shots"] != cur_scene.shots))
            outcomes.append(SceneOutcome(p.index, p.label, heading,
                                         "update" if changed else "unchanged", sid,
                                         number[sid], how, [], []))
            prev_number = number[sid]
            continue
        at, at_end = _free_number(prev_number, taken, fixed)
        f = scenes._fields(heading, excerpt, label, "", None, p.shots)
        if at is None:                  # insert, moving later scenes (none has instances)
            at = v.scene_number(prev_number + 1)
            if taken[-1] + 1 > v.MAX_SCENE_NUMBER:
                raise ValidationError(
                    f"Inserting here would renumber scene {taken[-1]} to {taken[-1] + 1}, past "
                    f"the last allowed scene number {v.MAX_SCENE_NUMBER:,}; move or delete "
                    "scenes at the end first.")
            for sid, n in number.items():
                if n >= at:
                    number[sid] = n + 1
            first = bisect.bisect_left(taken, at)
            taken[first:] = [n + 1 for n in taken[first:]]
        else:
            at = v.scene_number(at)
        bisect.insort(taken, at)
        sid = new_id()
        number[sid] = at
        new_rows.append((sid, f["label"] or str(at), f))
        outcomes.append(SceneOutcome(p.index, p.label, heading, "create", sid, at, None, [],
                                     []))
        if at_end:
            late.append((outcomes[-1], prev_number))
        prev_number = at
    _write_scenes(cur, project_id, branch_id,
                  {sid: n for sid, n in number.items()
                   if sid in by_id and n != by_id[sid].scene_number},
                  [(sid, number[sid], label, f) for sid, label, f in new_rows], texts)
    for o in outcomes:                  # inserts may have renumbered scenes without instances
        o.scene_number = number[o.scene_id]
    for o, after in late:
        warnings.append(
            f"New scene {o.label or o.index} “{o.heading}” belongs after scene {after}, but "
            "making room would renumber scenes that have instances; it was added at the end "
            f"as scene {o.scene_number}. Move it into place when you are ready.")
    used = {sid for sid, _ in matched.values()}
    missing = [MissingScene(s.id, number[s.id], s.label, s.heading, counts.get(s.id, 0))
               for s in existing if s.id not in used]
    if existing and missing:
        warnings.append(
            f"{len(missing)} existing scene(s) are not in this draft; they were kept: "
            + ", ".join(f"{m.label or m.scene_number}" for m in missing[:20])
            + ("…" if len(missing) > 20 else "") + ".")
    return outcomes, missing


def _free_number(prev_number, taken: list[int], fixed: int | None) -> tuple[int | None, bool]:
    """A scene number right after `prev_number` that renumbers no scene with instances:
    (the next number, False) if free; (None, False) to insert there, shifting later
    scenes that have no instances; else (the end of the branch, True). `taken` holds
    the branch's scene numbers, sorted; `fixed` the last one of a scene with instances."""
    i = bisect.bisect_right(taken, prev_number)
    nxt = taken[i] if i < len(taken) else None
    if nxt is None or nxt > prev_number + 1:
        return prev_number + 1, False
    if fixed is None or fixed < nxt:
        return None, False
    return taken[-1] + 1, True


def _write_scenes(cur, project_id, branch_id, moved: dict[str, int],
                  new: list[tuple[str, int, str, dict]],
                  texts: list[tuple[str, dict, bool]]) -> None:
    """Renumber, add and rewrite scenes: a bounded number of statements."""
    if moved:       # through negative numbers: DuckDB checks the unique key row by row
        cur.execute("UPDATE scenes SET scene_number = -u.n FROM (SELECT UNNEST(?::VARCHAR[]) "
                    "AS id, UNNEST(?::INTEGER[]) AS n) u WHERE scenes.id = u.id",
                    [list(moved), list(moved.values())])
        cur.execute("UPDATE scenes SET scene_number = -scene_number WHERE branch_id = ? AND "
                    "scene_number < 0", [branch_id])
    if new:
        cur.execute(
            "INSERT INTO scenes (id, project_id, branch_id, scene_number, label, heading, "
            "script_excerpt, end_state_summary, story_day, created_at) SELECT "
            "UNNEST(?::VARCHAR[]), ?, ?, UNNEST(?::INTEGER[]), UNNEST(?::VARCHAR[]), "
            "UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), '', NULL, ?",
            [[r[0] for r in new], project_id, branch_id, [r[1] for r in new],
             [r[2] for r in new], [r[3]["heading"] for r in new],
             [r[3]["script_excerpt"] for r in new], utcnow()])
    if texts:
        cur.execute("UPDATE scenes SET heading = u.h, script_excerpt = u.x FROM (SELECT "
                    "UNNEST(?::VARCHAR[]) AS id, UNNEST(?::VARCHAR[]) AS h, "
                    "UNNEST(?::VARCHAR[]) AS x) u WHERE scenes.id = u.id",
                    [[t[0] for t in texts], [t[1]["heading"] for t in texts],
                     [t[1]["script_excerpt"] for t in texts]])
    reshot = [t[0] for t in texts if t[2]]
    if reshot:
        cur.execute("DELETE FROM shots WHERE scene_id = ANY(?::VARCHAR[])", [reshot])
    shots = [(sid, pos, desc) for sid, _, _, f in new
             for pos, desc in enumerate(f["shots"], start=1)]
    shots += [(sid, pos, desc) for sid, f, again in texts if again
              for pos, desc in enumerate(f["shots"], start=1)]
    if shots:
        cur.execute("INSERT INTO shots (id, scene_id, position, description) SELECT "
                    "UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), UNNEST(?::INTEGER[]), "
                    "UNNEST(?::VARCHAR[])",
                    [[new_id() for _ in shots], [x[0] for x in shots], [x[1] for x in shots],
                     [x[2] for x in shots]])


def _apply_mapping(cur, project_id, parsed: ParsedScreenplay,
                   outcomes: list[SceneOutcome]) -> int:
    refs = [detection.AssetRef(a.id, a.name, a.asset_type, tuple(a.aliases))
            for a in assets_mod.list_assets(cur, project_id)]
    names = {r.id: r.name for r in refs}
    matcher = detection.Matcher(refs)
    have: set[tuple[str, str]] = set()
    ids = [o.scene_id for o in outcomes]
    if ids:
        have = {(r[0], r[1]) for r in cur.execute(
            "SELECT scene_id, project_asset_id FROM scene_assets "
            "WHERE scene_id = ANY(?::VARCHAR[])", [ids]).fetchall()}
    pairs: list[tuple[str, str]] = []
    for o in outcomes:
        p = parsed.scenes[o.index - 1]
        found = detection.detect(o.scene_id, p.heading, p.excerpt, p.shots, refs, set(),
                                 matcher=matcher).relevant_asset_ids
        new = [i for i in found if (o.scene_id, i) not in have]
        pairs += [(o.scene_id, i) for i in new]
        o.assets = [names[i] for i in found]
        o.new_mappings = [names[i] for i in new]
    return inheritance.map_assets_bulk(cur, project_id, pairs, MAPPING_SOURCE)
