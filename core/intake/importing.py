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
from dataclasses import dataclass, field, replace

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
    place_key,
)
from core.models import Asset, scene_label
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
    time_of_day: str | None = None            # N1: the heading's scene data
    qualifiers: list[str] = field(default_factory=list)


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
    look_of: str | None = None    # N3: name of the character it is another look of
    parent: str | None = None     # N2: name of the enclosing location
    description_source: str | None = None   # N4: script | placeholder (new assets)


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
    origin: str                   # speaker | action | slugline | parent | candidate
    keys: list[str]               # keys it answers to (name first): name keys, place keys
    aliases: list[str]
    scenes: list[int]
    key: str = ""                 # the parser's key
    raw_keys: list[str] = field(default_factory=list)   # the parser's keys merged into it
    note: str = ""
    look_of: str | None = None    # parser key of the character it is a look of
    parent: str | None = None     # place key of the enclosing location
    description: str | None = None            # from the introduction line (N4)


def _accepted_proposals(parsed: ParsedScreenplay, merge_aliases) -> list[AliasProposal]:
    """The merges to make: every alias proposal when None is given (looks stay apart
    unless listed: N3), else exactly the listed (name, alias) pairs."""
    if merge_aliases is None:
        return [p for p in parsed.alias_proposals if p.kind == "alias"]
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
        planned[c.key] = _Planned(c.name, "character", "speaker" if c.speaks else "action",
                                  [name_key(c.key)], [], list(c.scenes), c.key, [c.key],
                                  c.reason)
    for p in proposals:
        target = planned.get(root(p.alias_key))
        if target is None:
            continue
        target.aliases.append(p.alias)
        target.keys.append(name_key(p.alias_key))
        target.raw_keys.append(p.alias_key)
        merged = parsed.character(p.alias_key)
        if merged:
            target.scenes = sorted(set(target.scenes) | set(merged.scenes))
    merged_pairs = {p.pair for p in proposals}
    for look in parsed.looks:
        if look.pair not in merged_pairs and look.alias_key in planned:
            base = root(look.name_key)
            if base in planned and base != look.alias_key:
                planned[look.alias_key].look_of = base
                planned[look.alias_key].note = look.reason
    for p in planned.values():
        intros = [parsed.introductions[k] for k in p.raw_keys if k in parsed.introductions]
        if intros:
            p.description = min(intros, key=lambda i: i.rank).sentence[: v.MAX_DESCRIPTION]
    out = list(planned.values())
    for loc in parsed.locations:
        out.append(_Planned(loc.name, "location", "slugline" if loc.scenes else "parent",
                            [loc.key], [], list(loc.scenes), loc.key, [loc.key],
                            parent=loc.parent_key))
    for cand in parsed.candidates:
        if cand.key in candidates:
            out.append(_Planned(cand.name, candidates[cand.key], "candidate",
                                [name_key(cand.key)], [], list(cand.scenes), cand.key,
                                [cand.key], cand.reason))
    return out


def _placeholder(p: _Planned, parsed: ParsedScreenplay) -> str:
    first = parsed.scenes[p.scenes[0] - 1] if p.scenes else None
    where = (f" First in scene {scene_label(first.label, first.index)}: {first.heading}."
             if first else "")
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


def _match_keys(asset: Asset) -> list[str]:
    """The keys an existing asset answers to: its names' keys, and for a location
    also their place keys (BIG-TOP = Big Top, N2)."""
    names = (asset.name, *asset.aliases)
    keys = [name_key(n) for n in names]
    if asset.asset_type == "location":
        keys += [place_key(n) for n in names]
    return keys


def _apply_assets(cur, project_id, parsed, planned: list[_Planned],
                  warnings: list[str]) -> list[AssetOutcome]:
    """Match the planned assets against the project's (read once), in order; new ones
    in one INSERT, added aliases and links in one UPDATE. A new character's master
    description is its introduction line when the script has one (N4); a look links
    to its character (N3), a sub-location to its enclosing place (N2)."""
    by_id = {a.id: a for a in assets_mod.list_assets(cur, project_id)}
    names = asset_bulk.by_lower_name(by_id.values())
    by_key: dict[str, str] = {}
    for a in by_id.values():
        for k in _match_keys(a):
            by_key.setdefault(k, a.id)
    created: dict[str, Asset] = {}
    changed: dict[str, Asset] = {}
    out: list[AssetOutcome] = []
    placed: dict[tuple[str, str], str] = {}          # (type, parser key) -> asset id
    for p in planned:
        match = next((by_key[k] for k in p.keys if k in by_key), None)
        if match is None:
            source = "script" if p.description else "placeholder"
            asset = asset_bulk.new_asset(project_id, p.name, p.asset_type,
                                         p.description or _placeholder(p, parsed),
                                         aliases=p.aliases, approved=False,
                                         description_source=source)
            asset_bulk.check_unique_name(names, asset.name)
            created[asset.id] = by_id[asset.id] = names[asset.name.lower()] = asset
            out.append(AssetOutcome(p.name, p.asset_type, "create", asset.id, p.origin,
                                    asset.aliases, [], p.scenes, p.note,
                                    description_source=source))
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
                                    asset.aliases, added, p.scenes, p.note))
        placed[(p.asset_type, p.key)] = asset.id
        for k in _match_keys(asset):
            by_key.setdefault(k, asset.id)
    _link(planned, out, placed, by_id, created, changed)
    asset_bulk.insert(cur, list(created.values()))
    asset_bulk.update(cur, list(changed.values()))
    return out


def _link(planned: list[_Planned], out: list[AssetOutcome], placed, by_id, created,
          changed) -> None:
    """Looks to their character, sub-locations to their place: set where the asset
    has no such link yet (a producer's own link is kept)."""
    for p, o in zip(planned, out, strict=True):
        if o.asset_id is None:
            continue
        target, field_name = None, None
        if p.look_of:
            target, field_name = placed.get(("character", p.look_of)), "look_of_asset_id"
        elif p.parent:
            target, field_name = placed.get(("location", p.parent)), "parent_asset_id"
        if target is None or target == o.asset_id:
            continue
        asset = by_id[o.asset_id]
        if field_name == "look_of_asset_id":
            o.look_of = by_id[target].name
        else:
            o.parent = by_id[target].name
        if getattr(asset, field_name) is not None:
            continue
        if asset.id in created:
            asset = replace(asset, **{field_name: target})
            created[asset.id] = asset
        else:
            asset = replace(asset, version=asset.version + (asset.id not in changed),
                            **{field_name: target})
            changed[asset.id] = asset
        by_id[asset.id] = asset


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
    return bool(location and p.location and place_key(location) == p.location_key)


def _excerpt(p: ParsedScene, warnings: list[str]) -> str:
    if len(p.excerpt) > v.MAX_SCRIPT:
        warnings.append(f"Scene {scene_label(p.label, p.index)}'s text is longer than "
                        f"{v.MAX_SCRIPT} characters and was cut.")
        return p.excerpt[: v.MAX_SCRIPT]
    return p.excerpt


def _heading(p: ParsedScene, warnings: list[str]) -> str:
    if len(p.heading) > v.MAX_HEADING:
        warnings.append(f"Scene {scene_label(p.label, p.index)}'s heading was cut to "
                        f"{v.MAX_HEADING} characters.")
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
            f = scenes._fields(heading, excerpt, cur_scene.label, cur_scene.end_state_summary,
                               cur_scene.story_day, p.shots if p.shots else cur_scene.shots)
            changed = (cur_scene.heading != heading or cur_scene.script_excerpt != excerpt
                       or (p.shots and cur_scene.shots != p.shots)
                       or _scene_data(cur_scene) != _scene_data(f))
            if changed:
                texts.append((sid, f, bool(p.shots) and f["shots"] != cur_scene.shots))
            outcomes.append(SceneOutcome(p.index, p.label, heading,
                                         "update" if changed else "unchanged", sid,
                                         number[sid], how, [], [], f["time_of_day"],
                                         f["qualifiers"]))
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
                                     [], f["time_of_day"], f["qualifiers"]))
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
            f"New scene {scene_label(o.label, o.index)} “{o.heading}” belongs after scene "
            f"{after}, but making room would renumber scenes that have instances; it was added "
            f"at the end as scene {o.scene_number}. Move it into place when you are ready.")
    used = {sid for sid, _ in matched.values()}
    missing = [MissingScene(s.id, number[s.id], s.label, s.heading, counts.get(s.id, 0))
               for s in existing if s.id not in used]
    if existing and missing:
        warnings.append(
            f"{len(missing)} existing scene(s) are not in this draft; they were kept: "
            + ", ".join(f"{scene_label(m.label, m.scene_number)}" for m in missing[:20])
            + ("…" if len(missing) > 20 else "") + ".")
    _keep_prologue(cur, project_id, parsed, warnings)
    return outcomes, missing


def _scene_data(scene) -> tuple:
    """A scene's heading data (N1), from a Scene or from `scenes._fields`."""
    get = scene.get if isinstance(scene, dict) else lambda k: getattr(scene, k)
    return get("setting"), get("time_of_day"), list(get("qualifiers") or [])


def _keep_prologue(cur, project_id: str, parsed: ParsedScreenplay, warnings) -> None:
    """N1: the text before the first heading. With someone in it, it is the scene
    PROLOGUE (the parser made it); else it is kept as the project's prologue text."""
    if not parsed.prologue or parsed.prologue_scene is not None:
        return
    text = v.text(parsed.prologue[: v.MAX_SCRIPT], "Script prologue", v.MAX_SCRIPT,
                  required=False)
    if get_project(cur, project_id).script_prologue == text:
        return
    cur.execute("UPDATE projects SET script_prologue = ? WHERE id = ?", [text, project_id])
    warnings.append(f"The text before the first scene heading ({len(text):,} characters, "
                    "nobody in it) is kept as the project's prologue, not as a scene.")


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
    data = [("setting", "text"), ("time_of_day", "text"), ("qualifiers", "text[]")]
    if new:
        sql, params = cur.dialect.rows(
            [("id", "text"), ("scene_number", "int"), ("label", "text"), ("heading", "text"),
             ("script_excerpt", "text"), *data],
            [[r[0] for r in new], [r[1] for r in new], [r[2] for r in new],
             [r[3]["heading"] for r in new], [r[3]["script_excerpt"] for r in new],
             *([r[3][k] for r in new] for k, _ in data)])
        cur.execute(
            "INSERT INTO scenes (id, project_id, branch_id, scene_number, label, heading, "
            "script_excerpt, end_state_summary, story_day, setting, time_of_day, qualifiers, "
            "created_at) SELECT r.id, ?, ?, r.scene_number, r.label, r.heading, "
            f"r.script_excerpt, '', NULL, r.setting, r.time_of_day, r.qualifiers, ? FROM ({sql}) r",
            [project_id, branch_id, utcnow(), *params])
    if texts:
        sql, params = cur.dialect.rows(
            [("id", "text"), ("heading", "text"), ("script_excerpt", "text"), *data],
            [[t[0] for t in texts], [t[1]["heading"] for t in texts],
             [t[1]["script_excerpt"] for t in texts],
             *([t[1][k] for t in texts] for k, _ in data)])
        cur.execute("UPDATE scenes SET heading = u.heading, script_excerpt = u.script_excerpt, "
                    "setting = u.setting, time_of_day = u.time_of_day, qualifiers = "
                    f"u.qualifiers FROM ({sql}) u WHERE scenes.id = u.id", params)
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
    assets = assets_mod.list_assets(cur, project_id)
    refs = [detection.AssetRef(a.id, a.name, a.asset_type, tuple(a.aliases)) for a in assets]
    names = {r.id: r.name for r in refs}
    script = _script_assets(parsed, assets)
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
        found = _without_parents(
            [*found, *(i for i in script.get(p.index, []) if i not in found)], assets)
        new = [i for i in found if (o.scene_id, i) not in have]
        pairs += [(o.scene_id, i) for i in new]
        o.assets = [names[i] for i in found]
        o.new_mappings = [names[i] for i in new]
    return inheritance.map_assets_bulk(cur, project_id, pairs, MAPPING_SOURCE)


def _script_assets(parsed: ParsedScreenplay, assets: list[Asset]) -> dict[int, list[str]]:
    """scene index -> ids of the assets the parser placed there: its location (by place
    key, so `BIG-TOP` is Big Top), its speakers (each of a dual cue) and the names it
    writes in capitals. Detection adds what it finds by name on top."""
    names: dict[str, str] = {}
    places: dict[str, str] = {}
    for a in assets:
        for n in (a.name, *a.aliases):
            names.setdefault(name_key(n), a.id)
            if a.asset_type == "location":
                places.setdefault(place_key(n), a.id)
    out: dict[int, list[str]] = {}
    for s in parsed.scenes:
        ids = [places.get(s.location_key)] if s.location_key else []
        ids += [names.get(name_key(k)) for k in (*s.cues, *s.caps)]
        out[s.index] = list(dict.fromkeys(i for i in ids if i))
    return out


def _without_parents(ids: list[str], assets: list[Asset]) -> list[str]:
    """A scene in the kitchen is not also in the house: an enclosing location is left
    out where one of its sub-locations is mapped (N2)."""
    parents = {a.parent_asset_id for a in assets if a.id in set(ids) and a.parent_asset_id}
    return [i for i in ids if i not in parents]
