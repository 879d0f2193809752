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
import unicodedata
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

FORMATS = ("fountain", "fdx")
MAX_BYTES = 5 * 1024 * 1024

_PREFIX = re.compile(
    r"^(INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|INT/EXT|I\s*/\s*E|INT|EXT|EST)(?:\.|\s)\s*",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"\s*(?:--+|[–—]|\s-\s|\s-$|^-\s)\s*")
_MARKER = re.compile(r"\(([^)]*)\)")
TIMES_OF_DAY = frozenset(
    """DAY NIGHT MORNING AFTERNOON EVENING DUSK DAWN SUNSET SUNRISE NOON MIDNIGHT
    CONTINUOUS LATER SAME MOMENTS-LATER MOMENTS-BEFORE SAME-TIME MAGIC-HOUR
    LATE-NIGHT EARLY-MORNING LATE-AFTERNOON EARLY-EVENING PRE-DAWN FIRST-LIGHT
    FLASHBACK PRESENT PRESENT-DAY DREAM FANTASY MOVING SIMULTANEOUS NEXT-DAY
    DAY-FOR-NIGHT NIGHT-FOR-DAY LATER-THAT-DAY LATER-THAT-NIGHT INTERCUT
    THE-NEXT-DAY THE-NEXT-MORNING A-FEW-MINUTES-LATER""".split()
)
# Capitalised words in action lines that are direction, not names.
_NOT_NAMES = frozenset(
    """I A AN THE AND OR OF TO IN ON AT WITH BY FOR OK OKAY TV POV V.O O.S O.C SFX FX AKA A.K.A
    VFX CGI INT EXT CONTINUOUS LATER CLOSE ANGLE INSERT BACK SCENE CUT FADE DISSOLVE
    SMASH MATCH WIDE SHOT END THE.END CREDITS TITLE TITLES SUPER MONTAGE SERIES
    FLASHBACK INTERCUT BEAT PAUSE BOOM BANG CRASH SLAM THUD NO YES HEY OH WOW DEAD
    STOP GO NOW THEN SFX: DAY NIGHT""".split()
)
_CAPS_RUN = re.compile(
    r"(?<![\w'’])([A-Z][A-Z0-9'’.\-]*[A-Z0-9]|[A-Z])"
    r"((?:[ \t]+(?:&[ \t]+)?(?:[A-Z][A-Z0-9'’.\-]*[A-Z0-9]|[A-Z]|#\d+))*)(?![\w'’])"
)
_CUE = re.compile(r"^(?P<name>[^(\^]+?)\s*(?P<ext>(?:\([^)]*\)\s*)*)\^?\s*$")
_CONTD = re.compile(r"\(\s*CONT[’']?D\.?\s*\)|\(\s*CONTINUED\s*\)|\(\s*MORE\s*\)",
                    re.IGNORECASE)
_EMPHASIS = re.compile(r"(\*{1,3}|_)(?=\S)(.+?)(?<=\S)\1")


# --- results -------------------------------------------------------------------------

@dataclass
class ParsedScene:
    index: int                        # 1-based position in the file
    heading: str                      # as printed, without the #label#
    label: str | None                 # forced scene number (#12A#)
    forced: bool                      # `.HEADING`
    location: str | None              # display name ("Harbour Office"), None without INT/EXT
    setting: str | None               # INT, EXT, INT/EXT, EST
    time_of_day: str | None
    markers: list[str]                # "(1985)"-style markers and other scene data
    excerpt: str                      # readable text of the scene body
    shots: list[str]                  # FDX Shot paragraphs
    cues: list[str]                   # character keys with dialogue, first-cue order
    action_text: str                  # action lines only (where characters are *seen*)
    caps: list[str]                   # names in capitals in action lines (keys)

    @property
    def location_key(self) -> str | None:
        return name_key(self.location) if self.location else None


@dataclass
class ParsedCharacter:
    key: str                          # "MARGOT"
    name: str                         # "Margot"
    variants: list[str]               # cue forms seen: "MARGOT (V.O.)", ...
    scenes: list[int]                 # scene indexes with a cue
    cue_count: int


@dataclass
class ParsedLocation:
    key: str
    name: str
    headings: list[str]
    scenes: list[int]


@dataclass
class AliasProposal:
    name_key: str                     # the character it would belong to
    alias: str                        # display form of the alias
    alias_key: str
    reason: str
    speaks: bool                      # the alias is a cue of its own
    owner: str = ""                   # display name of the character it would belong to

    @property
    def pair(self) -> tuple[str, str]:
        return (self.name_key, self.alias_key)


@dataclass
class Candidate:
    key: str                          # "THE BOY BAND"
    name: str                         # "The Boy Band"
    scenes: list[int]
    count: int


@dataclass
class ParsedScreenplay:
    format: str
    title: str | None
    scenes: list[ParsedScene]
    characters: list[ParsedCharacter]
    locations: list[ParsedLocation]
    alias_proposals: list[AliasProposal]
    candidates: list[Candidate]
    warnings: list[str] = field(default_factory=list)

    def character(self, key: str) -> ParsedCharacter | None:
        return next((c for c in self.characters if c.key == key), None)


# --- names ---------------------------------------------------------------------------

def name_key(name: str) -> str:
    """Case- and spacing-insensitive key of a name (curly apostrophes folded)."""
    text = unicodedata.normalize("NFC", name).replace("’", "'").replace("‘", "'")
    return " ".join(text.split()).casefold()


def display_name(raw: str) -> str:
    """`BRICK'S PATIO` -> `Brick's Patio`; text that already has lower case stays."""
    raw = " ".join(raw.split())
    if any(ch.islower() for ch in raw) and any(ch.isupper() for ch in raw):
        return raw      # McCLANE, "Harbour Office": the writer's own casing

    def word(w: str) -> str:
        parts = re.split(r"([\-/])", w.lower())
        out = []
        for p in parts:
            m = re.match(r"^([^a-zà-ÿ]*)([a-zà-ÿ])(.*)$", p)
            if not m:
                out.append(p)
                continue
            rest = m.group(3)
            # O'BRIEN -> O'Brien, but BRICK'S -> Brick's
            rest = re.sub(r"^(['’])([a-z])(?=[a-z]{2})",
                          lambda x: x.group(1) + x.group(2).upper(), rest)
            out.append(m.group(1) + m.group(2).upper() + rest)
        return "".join(out)

    return " ".join(word(w) for w in raw.split(" "))


def split_cue(text: str) -> tuple[str, list[str]]:
    """`MARGOT (V.O.) (CONT'D)` -> ("MARGOT", ["V.O."]); CONT'D / MORE are dropped."""
    text = _CONTD.sub("", text).strip().lstrip("@").strip()
    m = _CUE.match(text)
    if not m:
        return " ".join(text.split()), []
    exts = [e.strip() for e in re.findall(r"\(([^)]*)\)", m.group("ext")) if e.strip()]
    return " ".join(m.group("name").split()), exts


def parse_heading(text: str) -> tuple[str | None, str | None, str | None, list[str]]:
    """(location, setting, time of day, markers) of a slugline; location None when the
    heading has no INT./EXT.-style prefix."""
    m = _PREFIX.match(text)
    if not m:
        return None, None, None, []
    setting = re.sub(r"[\s.]", "", m.group(1)).upper()
    setting = {"I/E": "INT/EXT", "EXT/INT": "INT/EXT"}.get(setting, setting)
    rest = text[m.end():]
    markers = [f"({x.strip()})" for x in _MARKER.findall(rest) if x.strip()]
    rest = _MARKER.sub(" ", rest)
    segments = [s.strip(" .,;:") for s in _SEPARATOR.split(rest)]
    segments = [s for s in segments if s]
    time = None
    while len(segments) > 1:
        tail = "-".join(segments[-1].upper().split())
        if tail in TIMES_OF_DAY or re.fullmatch(r"\d{2,4}S?", tail):
            if tail in TIMES_OF_DAY and time is None:
                time = segments[-1].upper()
            else:
                markers.append(segments[-1])
            segments.pop()
        else:
            break
    if len(segments) == 1 and "-".join(segments[0].upper().split()) in TIMES_OF_DAY:
        segments = []
    location = display_name(" - ".join(segments)) if segments else None
    return location, setting, time, markers


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
    parser.add_text(_strip_hidden(text, warnings))
    title = None
    for entry in parser.script.titleEntries:
        if entry.key.strip().casefold() == "title":
            title = " ".join(strip_emphasis(entry.text).split()) or None
    elements = [e for e in parser.script.elements
                if not (e.type == ElementType.HEADING
                        and re.fullmatch(r"FADE IN:?", e.text.strip(), re.IGNORECASE))]
    return title, elements


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
    scenes = _scenes(elements, warnings)
    if not scenes:
        raise ValidationError(
            f"{what} has no scene headings (lines such as `INT. HOUSE - DAY` or "
            "`EXT. ROOFTOP - NIGHT`), so there is nothing to import.")
    characters = _characters(scenes, elements)
    locations = _locations(scenes)
    proposals = _alias_proposals(scenes, characters)
    candidates = _candidates(scenes, characters, proposals)
    return ParsedScreenplay(format, title, scenes, characters, locations, proposals,
                            candidates, warnings)


class _Builder:
    def __init__(self, index: int, heading: SceneHeading):
        self.index = index
        raw = " ".join(strip_emphasis(heading.text).split())
        self.heading = raw.rstrip()
        self.label = (heading.scene_number or "").strip() or None
        self.forced = bool(getattr(heading, "forced", False))
        self.blocks: list[str] = []
        self.action: list[str] = []
        self.shots: list[str] = []
        self.cues: list[str] = []
        self._speech: list[str] | None = None

    def close_speech(self) -> None:
        if self._speech:
            self.blocks.append("\n".join(self._speech))
        self._speech = None

    def add(self, el) -> None:
        kind = el.type
        if kind == ElementType.CHARACTER:
            self.close_speech()
            key = " ".join(el.name.split()).upper().lstrip("@")
            if key:
                if key not in self.cues:
                    self.cues.append(key)
                self._speech = [key + (f" ({el.extension})" if el.extension else "")]
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

    def build(self) -> ParsedScene:
        self.close_speech()
        location, setting, time, markers = parse_heading(self.heading)
        action = "\n\n".join(self.action)
        return ParsedScene(
            index=self.index, heading=self.heading, label=self.label, forced=self.forced,
            location=location, setting=setting, time_of_day=time, markers=markers,
            excerpt="\n\n".join(self.blocks), shots=self.shots, cues=self.cues,
            action_text=action, caps=caps_runs(action))


def _scenes(elements, warnings: list[str]) -> list[ParsedScene]:
    scenes: list[ParsedScene] = []
    current: _Builder | None = None
    before = 0
    for el in elements:
        if el.type == ElementType.HEADING:
            if current:
                scenes.append(current.build())
            current = _Builder(len(scenes) + 1, el)
            continue
        if current is None:
            if el.type in (ElementType.ACTION, ElementType.CHARACTER, ElementType.DIALOGUE) \
                    and el.text.strip():
                before += 1
            continue
        current.add(el)
    if current:
        scenes.append(current.build())
    if before:
        warnings.append(f"{before} element(s) before the first scene heading were not "
                        "imported (only scenes are).")
    for s in scenes:
        if s.location is None:
            warnings.append(f"Scene {s.label or s.index} “{s.heading}” has no INT./EXT. "
                            "prefix, so no location was taken from it.")
    labels = [s.label for s in scenes if s.label]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        warnings.append("Scene numbers used twice in the file: " + ", ".join(dupes) + ".")
    return scenes


def caps_runs(text: str) -> list[str]:
    """Names written in capitals in action text, e.g. `BRICK BRADDOCK`, `THE BOY BAND`."""
    out: list[str] = []
    for m in _CAPS_RUN.finditer(text):
        run = " ".join((m.group(1) + m.group(2)).split())
        words = run.split(" ")
        while words and words[0] in ("&", "AND"):
            words.pop(0)
        while words and (words[-1] in _NOT_NAMES or words[-1] == "&"):
            words.pop()
        while words and words[0] in _NOT_NAMES - {"THE"}:
            words.pop(0)
        run = " ".join(words).strip(" .'’-")
        letters = sum(ch.isalpha() for ch in run)
        if letters < 2 or len(words) > 4 or run in _NOT_NAMES:
            continue
        if all(w in _NOT_NAMES for w in words):
            continue
        if len(words) == 1 and re.search(r"(ED|ING|LY)$", run):   # SLAMMED, RUNNING
            continue
        if run not in out:
            out.append(run)
    return out


def _characters(scenes: list[ParsedScene], elements) -> list[ParsedCharacter]:
    chars: dict[str, ParsedCharacter] = {}
    variants: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    raw: dict[str, str] = {}
    for el in elements:
        if el.type == ElementType.CHARACTER:
            key = " ".join(el.name.split()).upper().lstrip("@")
            if not key:
                continue
            raw.setdefault(key, " ".join(el.name.split()).lstrip("@"))
            cue = key + (f" ({el.extension})" if el.extension else "")
            variants.setdefault(key, [])
            if cue not in variants[key]:
                variants[key].append(cue)
            counts[key] = counts.get(key, 0) + 1
    for s in scenes:
        for key in s.cues:
            if key not in chars:
                chars[key] = ParsedCharacter(key, display_name(raw.get(key, key)),
                                             variants.get(key, [key]),
                                             [], counts.get(key, 0))
            chars[key].scenes.append(s.index)
    return list(chars.values())


def _locations(scenes: list[ParsedScene]) -> list[ParsedLocation]:
    out: dict[str, ParsedLocation] = {}
    for s in scenes:
        if not s.location:
            continue
        key = s.location_key
        loc = out.setdefault(key, ParsedLocation(key, s.location, [], []))
        if s.heading not in loc.headings:
            loc.headings.append(s.heading)
        loc.scenes.append(s.index)
    return list(out.values())


def _words(key: str) -> list[str]:
    return key.split(" ")


def _is_part(short: str, long: str) -> bool:
    """`RAY` is a whole-word prefix or suffix of `DETECTIVE RAY`; numbered extras
    (`COP` / `COP #2`) are different people."""
    s, ln = _words(short), _words(long)
    if len(s) >= len(ln):
        return False
    if ln[: len(s)] == s:
        rest = ln[len(s):]
    elif ln[-len(s):] == s:
        rest = ln[: -len(s)]
    else:
        return False
    return not any(re.fullmatch(r"#?\d+|[IVX]+", w) for w in rest)


def _alias_proposals(scenes, characters: list[ParsedCharacter]) -> list[AliasProposal]:
    keys = [c.key for c in characters]
    names = {c.key: c.name for c in characters}
    proposals: list[AliasProposal] = []
    seen: set[str] = set()
    # cue variants: DETECTIVE RAY -> RAY (the shortest speaking form is the name)
    for long in sorted(keys, key=lambda k: -len(k)):
        owners = [k for k in keys if _is_part(k, long)]
        if len(owners) == 1 and long not in seen:
            owner = owners[0]
            proposals.append(AliasProposal(owner, display_name(long), long,
                                           f"cue {long} and cue {owner}", True,
                                           names.get(owner, owner)))
            seen.add(long)
    # action introductions: BRICK BRADDOCK (action) -> BRICK (cue)
    for s in scenes:
        for run in s.caps:
            if run in keys or run in seen:
                continue
            owners = [k for k in keys if _is_part(k, run) and k not in seen]
            if len(owners) == 1:
                proposals.append(AliasProposal(owners[0], display_name(run), run,
                                               f"introduced as {run} in scene "
                                               f"{s.label or s.index}", False,
                                               names.get(owners[0], owners[0])))
                seen.add(run)
    return proposals


def _candidates(scenes, characters, proposals) -> list[Candidate]:
    known = {c.key for c in characters} | {p.alias_key for p in proposals}
    out: dict[str, Candidate] = {}
    for s in scenes:
        for run in s.caps:
            if run in known:
                continue
            c = out.setdefault(run, Candidate(run, display_name(run), [], 0))
            c.count += 1
            if s.index not in c.scenes:
                c.scenes.append(s.index)
    return list(out.values())
