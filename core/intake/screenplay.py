"""Reading screenplays (Fountain and Final Draft `.fdx`) into scenes, characters,
locations and per-scene appearances. Pure: no database, no Streamlit.

Parser choice
-------------
Fountain is parsed with `screenplay-tools` (PyPI, MIT, maintained; pinned in
requirements.txt). On the sample `shared/samples/brick-and-steel.fountain` it
gets every element right: the multi-line title page, indented (tabbed)
dialogue and transitions, dual dialogue `^`, forced headings `.SNIPER SCOPE
POV`, centred text `> ... <`, forced transitions `> ...`, parentheticals and
`#12A#` scene numbers. What it lacks is added here, before and after it runs:

- notes `[[...]]` and boneyard `/* ... */` are removed before parsing (its own
  handling of a multi-line boneyard glues the following action onto the
  preceding dialogue); a line holding nothing but a note disappears whole, an
  unterminated `/*` or `[[` is kept as text with a warning;
- `FADE IN:` is not a scene heading (its heading pattern accepts it);
- scene data is split from names: `INT./EXT.`, time of day (`DAY`, `NIGHT`,
  `CONTINUOUS`, ...), `(1985)`-style markers and the separators `-`, `--`,
  `–` are not part of a location's name, so `INT. HARBOUR OFFICE - DAY` and
  `int. harbour office--night (1985)` are one location;
- cue variants (`MARGOT (V.O.)`, `MARGOT (CONT'D)`, `MARGOT (ON PHONE)`) are one
  character; longer forms (`DETECTIVE RAY` / `RAY`, and action introductions
  such as `BRICK BRADDOCK` for `BRICK`) are *proposed* as aliases, for the
  producer to confirm;
- names in capitals in action lines that are not speaking characters
  (`THE BOY BAND`, `PORSCHE`) are reported as candidates, never created unasked.

Its FDX reader is not used: it drops dual-dialogue paragraphs, scene numbers and
turns `Shot` paragraphs into scenes. Final Draft files are read here with
`defusedxml` (pinned; refuses entity expansion and external references) into the
same element classes, so both formats share everything after parsing. An FDX
`Shot` becomes a shot of the current scene.

A forced heading (`.SNIPER SCOPE POV`) is a scene, as the Fountain spec says;
without an INT./EXT. prefix it names no location (a warning says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from screenplay_tools.fountain.parser import Parser as FountainParser
from screenplay_tools.screenplay import (
    Action,
    Character,
    Dialogue,
    ElementType,
    Lyric,
    Parenthetical,
    SceneHeading,
    Transition,
)

from core import validation as v
from core.errors import ValidationError
from core.intake import cast
from core.intake.cast import AliasProposal, Candidate, Introduction, caps_runs, cue_parts
from core.intake.headings import looks_like_heading, place_key, split_heading
from core.intake.names import display_name, name_key
from core.models import scene_label

__all__ = ["AliasProposal", "Candidate", "Introduction", "ParsedCharacter", "ParsedLocation",
           "ParsedScene", "ParsedScreenplay", "caps_runs", "cue_parts", "display_name",
           "name_key", "parse_heading", "parse_screenplay", "place_key"]

FORMATS = ("fountain", "fdx")
MAX_BYTES = 5 * 1024 * 1024

_CUE = re.compile(r"^(?P<name>[^(\^]+?)\s*(?P<ext>(?:\([^)]*\)\s*)*)\^?\s*$")
_CONTD = re.compile(r"\(\s*CONT[’']?D\.?\s*\)|\(\s*CONTINUED\s*\)|\(\s*MORE\s*\)",
                    re.IGNORECASE)
_CONTD_EXT = re.compile(r"CONT[’']?D\.?|CONTINUED|MORE", re.IGNORECASE)
_EMPHASIS = re.compile(r"(\*{1,3}|_)(?=\S)((?:(?!\n\n).)+?)(?<=\S)\1", re.DOTALL)
PROLOGUE_HEADING = "PROLOGUE"
_LABEL_TAIL = re.compile(r"\s*#[^#]*#\s*$")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|#[^#]*#")
_LOWER_OUTSIDE_BRACKETS = re.compile(r"[a-z]")


# --- results -------------------------------------------------------------------------

@dataclass
class ParsedScene:
    index: int                        # 1-based position in the file
    heading: str                      # as printed, without the #label#
    label: str | None                 # forced scene number (#12A#)
    forced: bool                      # `.HEADING`
    location: str | None              # display name ("Harbour Office"), None without INT/EXT
    setting: str | None               # INT, EXT, INT/EXT, EST
    time_of_day: str | None           # DAY, NIGHT, MOMENTS LATER, ...
    qualifiers: list[str]             # FLASHBACK, 1985, PRESENT, MOVING, ...
    excerpt: str                      # readable text of the scene body
    shots: list[str]                  # FDX Shot paragraphs
    cues: list[str]                   # cue keys seen speaking (dual cues split), in cue order
    action_text: str                  # action lines only (where characters are *seen*)
    caps: list[str]                   # names in capitals in action lines (keys)
    parent_location: str | None = None    # "Bloom House" for "Bloom House - Kitchen"
    prologue: bool = False            # the text before the first heading, as a scene
    heard: list[str] = field(default_factory=list)   # cue keys only heard (V.O., O.S., ...)

    @property
    def location_key(self) -> str | None:
        return place_key(self.location) if self.location else None

    @property
    def parent_key(self) -> str | None:
        return place_key(self.parent_location) if self.parent_location else None


@dataclass
class ParsedCharacter:
    key: str                          # "MARGOT"
    name: str                         # "Margot"
    variants: list[str]               # cue forms seen: "MARGOT (V.O.)", ...
    scenes: list[int]                 # scene indexes with a cue (or, unspoken, a mention)
    cue_count: int
    speaks: bool = True
    reason: str = ""                  # why it is a character when it never speaks
    introduction: Introduction | None = None   # N4: where it first appears in capitals


@dataclass
class ParsedLocation:
    key: str                          # place_key
    name: str
    headings: list[str]
    scenes: list[int]
    parent_key: str | None = None     # the enclosing place (also a ParsedLocation)


@dataclass
class ParsedScreenplay:
    format: str
    title: str | None
    scenes: list[ParsedScene]
    characters: list[ParsedCharacter]
    locations: list[ParsedLocation]
    alias_proposals: list[AliasProposal]      # aliases (kind alias) and looks (kind look)
    candidates: list[Candidate]               # unticked: voices, crowds, props
    warnings: list[str] = field(default_factory=list)
    prologue: str = ""                        # text before the first heading
    introductions: dict[str, Introduction] = field(default_factory=dict)

    def character(self, key: str) -> ParsedCharacter | None:
        return next((c for c in self.characters if c.key == key), None)

    def location(self, key: str) -> ParsedLocation | None:
        return next((c for c in self.locations if c.key == key), None)

    @property
    def looks(self) -> list[AliasProposal]:
        return [p for p in self.alias_proposals if p.kind == "look"]

    @property
    def voice_candidates(self) -> list[Candidate]:
        return [c for c in self.candidates if c.kind != "prop"]

    @property
    def prop_candidates(self) -> list[Candidate]:
        return [c for c in self.candidates if c.kind == "prop"]

    @property
    def prologue_scene(self) -> ParsedScene | None:
        return next((s for s in self.scenes if s.prologue), None)


# --- names ---------------------------------------------------------------------------

def split_cue(text: str) -> tuple[str, list[str]]:
    """`MARGOT (V.O.) (CONT'D)` -> ("MARGOT", ["V.O."]); CONT'D / MORE are dropped."""
    text = _CONTD.sub("", text).strip().lstrip("@").strip()
    m = _CUE.match(text)
    if not m:
        return " ".join(text.split()), []
    exts = [e.strip() for e in re.findall(r"\(([^)]*)\)", m.group("ext")) if e.strip()]
    return " ".join(m.group("name").split()), exts


def parse_heading(text: str) -> tuple[str | None, str | None, str | None, list[str]]:
    """(location, setting, time of day, qualifiers) of a slugline (headings.split_heading);
    location None when the heading has no INT./EXT.-style prefix."""
    h = split_heading(text)
    return h.location, h.setting, h.time_of_day, h.qualifiers


def heading_key(heading: str) -> str:
    """Key for matching scenes of a revised draft by heading."""
    text = re.sub(r"\s*(?:--+|[–—]|\s-\s)\s*", " - ", heading)
    return name_key(text.rstrip(" ."))


def strip_emphasis(text: str) -> str:
    for _ in range(3):
        text = _EMPHASIS.sub(r"\2", text)
    return text.replace("\\*", "*").replace("\\_", "_")


# --- decoding and pre-processing --------------------------------------------------------

def decode(data: bytes | str, what: str) -> str:
    """Text of an uploaded file, or ValidationError naming the problem."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_BYTES:
            raise ValidationError(f"{what} is {len(data) / 1024 / 1024:.1f} MB; "
                                  f"at most {MAX_BYTES // 1024 // 1024} MB is accepted.")
        head = bytes(data[:8])
        if head.startswith(b"%PDF"):
            raise ValidationError(f"{what} is a PDF; export the script as Fountain or "
                                  "Final Draft (.fdx) and import that.")
        if head.startswith(b"PK\x03\x04"):
            raise ValidationError(f"{what} is a zip archive (e.g. a Word or .highland "
                                  "file), not a Fountain or Final Draft file.")
        if b"\x00" in data[:65536]:
            raise ValidationError(f"{what} looks like a binary file, not a screenplay text.")
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{what} is not UTF-8 text (bad byte at position {exc.start}); "
                "save it as UTF-8 and try again.") from exc
    if not isinstance(data, str):
        raise ValidationError(f"{what} must be text.")
    v.encodable(data, what)
    if len(data) > MAX_BYTES:
        raise ValidationError(f"{what} is too long; at most {MAX_BYTES // 1024 // 1024} MB.")
    if "\x00" in data:
        raise ValidationError(f"{what} looks like a binary file, not a screenplay text.")
    if not data.strip():
        raise ValidationError(f"{what} is empty.")
    return data.replace("\r\n", "\n").replace("\r", "\n")


_HIDDEN = re.compile(r"/\*.*?\*/|\[\[.*?\]\]", re.DOTALL)
_GONE = "\x00"


def _strip_hidden(text: str, warnings: list[str]) -> str:
    """Remove boneyard and notes; drop lines that held nothing else."""
    text = _HIDDEN.sub(_GONE, text)
    for opener, what in (("/*", "boneyard /*"), ("[[", "note [[")):
        if opener in text:
            line = text[: text.index(opener)].count("\n") + 1
            warnings.append(f"Unterminated {what} on line {line}: kept as script text.")
            text = text.replace(opener, "")
    lines = []
    for line in text.split("\n"):
        if _GONE in line:
            if not line.replace(_GONE, "").strip():
                continue
            line = line.replace(_GONE, "")
        lines.append(line)
    return "\n".join(lines)


# --- Fountain -----------------------------------------------------------------------------

def _fountain_elements(text: str, warnings: list[str]):
    if text.lstrip().startswith(("<?xml", "<FinalDraft")):
        raise ValidationError("This file is Final Draft XML; import it as .fdx (Final Draft).")
    parser = FountainParser()
    text, unforced = _force_headings(_strip_hidden(text, warnings))
    parser.add_text(text)
    title = None
    for entry in parser.script.titleEntries:
        if entry.key.strip().casefold() == "title":
            title = " ".join(strip_emphasis(entry.text).split()) or None
    elements = [e for e in parser.script.elements
                if not (e.type == ElementType.HEADING
                        and re.fullmatch(r"FADE IN:?", e.text.strip(), re.IGNORECASE))]
    for e in elements:
        if e.type == ElementType.HEADING and " ".join(e.text.split()) in unforced:
            e.forced = False
    return title, elements


def _force_headings(text: str) -> tuple[str, set[str]]:
    """Mark every line that starts a scene (a blank line before, an N1 prefix:
    `EXT/INT.` too, which the Fountain library misses; in capitals, so that action
    such as `Est. 1920` stays action) as a forced heading, so no scene is merged
    into the one before; returns the lines so marked."""
    lines = text.split("\n")
    marked: set[str] = set()
    for i, line in enumerate(lines):
        bare = line.strip()
        if (i == 0 or not lines[i - 1].strip()) and not bare.startswith(".") \
                and looks_like_heading(bare) and not _LOWER_OUTSIDE_BRACKETS.search(
                    _BRACKETS.sub("", bare)):
            lines[i] = "." + bare
            marked.add(" ".join(_LABEL_TAIL.sub("", bare).split()))
    return "\n".join(lines), marked


# --- Final Draft --------------------------------------------------------------------------

def _fdx_elements(text: str, warnings: list[str]):
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.fromstring(text.encode("utf-8") if text.lstrip().startswith("<?xml")
                              else text)
    except DefusedXmlException as exc:
        raise ValidationError(
            "The Final Draft file declares XML entities or external references, which "
            "are refused for safety.") from exc
    except ParseError as exc:
        raise ValidationError(f"The Final Draft file is not well-formed XML ({exc}).") from exc
    if root.tag != "FinalDraft":
        raise ValidationError(
            f"This XML file is not a Final Draft screenplay (its root is <{root.tag}>).")
    content = root.find("Content")
    if content is None:
        raise ValidationError("The Final Draft file has no <Content> section.")
    hidden = [0, None]          # characters removed from the resolved XML text, one of them

    def clean(text: str) -> str:
        text, removed, example = v.strip_invisible(text)
        hidden[0], hidden[1] = hidden[0] + removed, hidden[1] or example
        return text

    def text_of(p) -> str:
        return clean(_fdx_text(p))

    title = None
    for p in root.iter("Paragraph"):
        if p.get("Type") == "Title":
            title = text_of(p) or title
    elements = []

    def add(p) -> None:
        kind = p.get("Type", "Action")
        body = text_of(p)
        if kind in ("Scene Heading", "Scene Heading (Top of Page)"):
            number = clean(p.get("Number") or "").strip()
            elements.append(SceneHeading(body.strip(), scene_number=number or None))
        elif kind == "Shot":
            el = Action(body)
            el.fdx_shot = True
            elements.append(el)
        elif kind == "Character":
            name, exts = split_cue(body)
            elements.append(Character(name, " ".join(exts) or None))
        elif kind == "Parenthetical":
            elements.append(Parenthetical(body.strip().strip("()").strip()))
        elif kind == "Dialogue":
            elements.append(Dialogue(body))
        elif kind == "Lyrics":
            elements.append(Lyric(body))
        elif kind == "Transition":
            elements.append(Transition(body))
        else:
            elements.append(Action(body))

    for p in content.findall("Paragraph"):
        dual = p.find("DualDialogue")
        if dual is not None:
            for inner in dual.findall("Paragraph"):
                add(inner)
        else:
            add(p)
    _note_hidden(warnings, *hidden)
    return title, elements


def _fdx_text(p) -> str:
    return "".join("".join(t.itertext()) for t in p.findall("Text"))


def _note_hidden(warnings: list[str], removed: int, example: str | None) -> None:
    if removed:
        warnings.append(f"{removed} control or invisible character(s), such as {example}, "
                        "were removed from the script text.")


# --- turning elements into scenes -----------------------------------------------------------

def parse_screenplay(data: bytes | str, format: str = "fountain") -> ParsedScreenplay:
    """Parse a screenplay; ValidationError (naming the problem) for anything unusable."""
    if format not in FORMATS:
        raise ValidationError(f"Unknown screenplay format {format!r}: use fountain or fdx.")
    what = "The Final Draft file" if format == "fdx" else "The screenplay"
    text, removed, example = v.strip_invisible(decode(data, what))
    warnings: list[str] = []
    _note_hidden(warnings, removed, example)
    if format == "fdx":
        title, elements = _fdx_elements(text, warnings)
    else:
        title, elements = _fountain_elements(text, warnings)
    built, prologue = _scenes(elements, warnings)
    if not any(not s.prologue for s, _, _ in built):
        raise ValidationError(
            f"{what} has no scene headings (lines such as `INT. HOUSE - DAY` or "
            "`EXT. ROOFTOP - NIGHT`), so there is nothing to import.")
    scenes = [s for s, _, _ in built]
    cues = _collect_cues(built)
    said = [m for _, _, mentions in built for m in mentions]
    locations = _locations(scenes)
    characters, proposals, candidates = _cast(scenes, cues, said, locations)
    return ParsedScreenplay(format, title, scenes, characters, locations, proposals,
                            candidates, warnings, prologue, cast.introductions(said))


class _Builder:
    def __init__(self, index: int, heading: str, label: str | None = None,
                 forced: bool = False, prologue: bool = False):
        self.index = index
        self.heading = " ".join(strip_emphasis(heading).split())
        self.label = label
        self.forced = forced
        self.prologue = prologue
        self.blocks: list[str] = []
        self.action: list[str] = []
        self.shots: list[str] = []
        self.cues: list[str] = []
        self.heard: list[str] = []
        # (key, cue as written, extension, the name in the writer's case)
        self.cue_forms: list[tuple[str, str, str | None, str]] = []
        self._speech: list[str] | None = None

    @classmethod
    def of(cls, index: int, heading: SceneHeading) -> _Builder:
        return cls(index, heading.text, (heading.scene_number or "").strip() or None,
                   bool(getattr(heading, "forced", False)))

    def close_speech(self) -> None:
        if self._speech:
            self.blocks.append("\n".join(self._speech))
        self._speech = None

    def add(self, el) -> None:
        kind = el.type
        if kind == ElementType.CHARACTER:
            self.close_speech()
            raw = " ".join(el.name.split()).lstrip("@").strip()
            name = raw.upper()
            ext = (el.extension or "").strip()
            ext = "" if _CONTD_EXT.fullmatch(ext) else ext
            if cast.age_extension(ext):                 # EDWARD (10) is a look of its own
                raw = name = f"{name} ({ext.upper()})"
                ext = ""
            if name:
                written = name + (f" ({ext})" if ext else "")
                parts = cue_parts(name)
                heard = bool(ext) and cast.heard_only(ext)
                for key in parts:
                    seen = self.heard if heard else self.cues     # V.O.: heard, not seen
                    if key not in seen:
                        seen.append(key)
                    self.cue_forms.append((key, written, ext or None,
                                           raw if len(parts) == 1 else key))
                self._speech = [written]
            return
        if kind in (ElementType.PARENTHETICAL, ElementType.DIALOGUE, ElementType.LYRIC):
            body = strip_emphasis(el.text).strip()
            if kind == ElementType.PARENTHETICAL:
                body = f"({body})"
            lines = [ln.strip() for ln in body.split("\n")]
            if self._speech is None:
                self._speech = []
            self._speech.extend(ln for ln in lines if ln)
            return
        self.close_speech()
        if kind == ElementType.ACTION:
            body = "\n".join(ln.strip() for ln in strip_emphasis(el.text).split("\n")).strip()
            if not body:
                return
            if getattr(el, "fdx_shot", False):
                self.shots.append(body)
                return
            if getattr(el, "centered", False):   # on-screen titles, not action
                self.blocks.append("\n".join(f"> {ln} <" for ln in body.split("\n")))
            else:
                self.blocks.append(body)
                self.action.append(body)

    @property
    def has_people(self) -> bool:
        """A prologue is a scene when someone speaks or is introduced in it."""
        return bool(self.cues or self.heard) or any(cast.is_being(m) for m in
                                      cast.mentions("\n\n".join(self.action), 0))

    def build(self) -> ParsedScene:
        self.close_speech()
        h = split_heading(self.heading)
        action = "\n\n".join(self.action)
        self.mentions = cast.mentions(action, self.index)
        return ParsedScene(
            index=self.index, heading=self.heading, label=self.label, forced=self.forced,
            location=h.location, setting=h.setting, time_of_day=h.time_of_day,
            qualifiers=h.qualifiers, excerpt="\n\n".join(self.blocks), shots=self.shots,
            cues=self.cues, action_text=action,
            caps=list(dict.fromkeys(m.key for m in self.mentions)),
            parent_location=h.parent, prologue=self.prologue,
            heard=[k for k in self.heard if k not in self.cues])


def _scenes(elements, warnings: list[str]):
    """[(scene, its cue forms, its names in capitals)] and the prologue's text. The
    text before the first heading is a scene of its own (heading PROLOGUE) when
    someone speaks or is introduced in it; else it is only returned, as the film's
    prologue text."""
    before = _Builder(0, PROLOGUE_HEADING, forced=True, prologue=True)
    builders: list[_Builder] = []
    current = before
    for el in elements:
        if el.type == ElementType.HEADING:
            current = _Builder.of(len(builders) + 1, el)
            builders.append(current)
        else:
            current.add(el)
    before.close_speech()
    prologue = "\n\n".join(before.blocks)
    if prologue and before.has_people:
        builders.insert(0, before)
    built = []
    for n, b in enumerate(builders, start=1):
        b.index = n
        built.append((b.build(), b.cue_forms, b.mentions))
    for s, _, _ in built:
        if s.location is None and not s.prologue:
            warnings.append(f"Scene {scene_label(s.label, s.index)} “{s.heading}” has no INT./EXT. "
                            "prefix, so no location was taken from it.")
    labels = [s.label for s, _, _ in built if s.label]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        warnings.append("Scene numbers used twice in the file: " + ", ".join(dupes) + ".")
    return built, prologue


def _collect_cues(built) -> dict[str, cast.Cue]:
    cues: dict[str, cast.Cue] = {}
    for scene, forms, _ in built:
        for key, written, ext, raw in forms:
            cue = cues.setdefault(key, cast.Cue(key, raw))
            if written not in cue.variants:
                cue.variants.append(written)
            cue.count += 1
            heard = bool(ext) and cast.heard_only(ext)
            where = cue.heard_scenes if heard else cue.scenes
            if scene.index not in where:
                where.append(scene.index)
            if heard:
                cue.extensions.add(ext.upper())
            else:
                cue.seen_plain = True
    return cues


def _locations(scenes: list[ParsedScene]) -> list[ParsedLocation]:
    out: dict[str, ParsedLocation] = {}
    for s in scenes:
        if not s.location:
            continue
        key = s.location_key
        loc = out.setdefault(key, ParsedLocation(key, s.location, [], [], s.parent_key))
        if s.heading not in loc.headings:
            loc.headings.append(s.heading)
        loc.scenes.append(s.index)
    for loc in list(out.values()):         # every enclosing place is a location too
        name = loc.name
        while " - " in name:
            name = name.rsplit(" - ", 1)[0]
            key = place_key(name)
            parent = place_key(name.rsplit(" - ", 1)[0]) if " - " in name else None
            if key not in out:
                out[key] = ParsedLocation(key, name, [], [], parent)
    return list(out.values())


def _cast(scenes, cues: dict[str, cast.Cue], said: list[cast.Mention],
          locations: list[ParsedLocation]):
    """Characters, alias and look proposals, and candidates (voices, crowds, props)."""
    label = {s.index: scene_label(s.label, s.index) for s in scenes}
    mentioned = {m.key for m in said}
    voices = {k: vk for k, c in cues.items() if (vk := cast.voice_kind(c, k in mentioned))}
    chars: dict[str, ParsedCharacter] = {
        k: ParsedCharacter(k, display_name(c.raw if c.raw.upper() == k else k), c.variants,
                           list(c.scenes), c.count)
        for k, c in cues.items() if k not in voices}
    speaking = list(chars)
    proposals: list[AliasProposal] = []
    claimed: set[str] = set()
    for long in sorted(speaking, key=lambda k: -len(k)):     # DETECTIVE RAY -> RAY
        look = cast.look_base(long, set(speaking) - {long})
        if look:
            proposals.append(AliasProposal(look[0], chars[long].name, long, look[1], True,
                                           chars[look[0]].name, "look"))
            continue
        owners = [k for k in speaking if cast.is_part(k, long)]
        if len(owners) == 1 and long not in claimed:
            proposals.append(AliasProposal(owners[0], chars[long].name, long,
                                           f"cue {long} and cue {owners[0]}", True,
                                           chars[owners[0]].name))
            claimed.add(long)
    places = {loc.key for loc in locations}
    props: dict[str, Candidate] = {}
    for m in said:
        k, where = m.key, label[m.scene]
        if k in chars:                                 # seen in this scene
            if m.scene not in chars[k].scenes:
                chars[k].scenes.append(m.scene)
                chars[k].scenes.sort()
            continue
        if k in cues:
            continue
        if k in claimed or place_key(k) in places:
            continue
        look = cast.look_base(k, set(chars))
        owners = [c for c in speaking if cast.is_part(c, k) and c not in claimed]
        if not look and len(owners) == 1:              # BRICK BRADDOCK (action) -> BRICK
            proposals.append(AliasProposal(owners[0], display_name(k), k,
                                           f"introduced as {k} in scene {where}", False,
                                           chars[owners[0]].name))
            claimed.add(k)
            continue
        if look or (not cast.is_exclaimed(m) and cast.is_being(m)):
            chars[k] = ParsedCharacter(
                k, display_name(k), [], [m.scene], 0, speaks=False,
                reason=f"introduced in capitals in scene {where}, never speaks")
            if look:
                proposals.append(AliasProposal(look[0], display_name(k), k, look[1], False,
                                               chars[look[0]].name, "look"))
            continue
        if not cast.is_exclaimed(m) and not cast.is_heard(m) and cast.marks_thing(m):
            c = props.setdefault(k, Candidate(
                k, display_name(k), [], 0, "prop",
                f"written in capitals in an action line of scene {where}: “{m.sentence}”"))
            c.count += 1
            if m.scene not in c.scenes:
                c.scenes.append(m.scene)
    _sibling_looks(chars, proposals, claimed)
    intros = cast.introductions(said)
    for c in chars.values():
        c.introduction = intros.get(c.key)
    candidates = [Candidate(k, display_name(k), sorted({*cues[k].scenes, *cues[k].heard_scenes}),
                            cues[k].count, kind, reason) for k, (kind, reason) in voices.items()]
    return list(chars.values()), proposals, candidates + list(props.values())


def _sibling_looks(chars: dict[str, ParsedCharacter], proposals: list[AliasProposal],
                   claimed: set[str]) -> None:
    """Looks of a character the script never names plainly (`YOUNG JENNY`, `JENNY (OLD)`,
    no `JENNY`): the later ones are suggested as looks of the first."""
    linked = {p.alias_key for p in proposals} | claimed
    groups: dict[str, list[str]] = {}
    for key in chars:
        split = cast.look_split(key)
        if split and split[0] not in chars and key not in linked:
            groups.setdefault(split[0], []).append(key)
    for base, keys in groups.items():
        for key in keys[1:]:
            proposals.append(AliasProposal(keys[0], chars[key].name, key,
                                           f"{key} and {keys[0]} are both {base}",
                                           chars[key].speaks, chars[keys[0]].name, "look"))
