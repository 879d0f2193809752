"""Scene headings (N1) and place names (N2). Pure.

A heading is a prefix (`INT.`, `EXT.`, `INT./EXT.`, `EXT/INT.`, `I/E`, `EST.`), a
place, and scene data after separators (` - `, `--`, `–`, ` / `) or in brackets:
time of day (`DAY`, `MAGIC HOUR`, `MOMENTS LATER`) and qualifiers (`[FLASHBACK]`,
`(1973)`, `PRESENT`, `MOVING`). Scene data is never part of the place's name. What is
left is a path: `BLOOM HOUSE - KITCHEN` is the kitchen, a sub-location of Bloom House.
Places are matched by `place_key`, which ignores case, hyphens, punctuation and
spacing (`BIG TOP` = `Big-Top`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from core.intake.names import display_name
from core.intake.script_words import PLACE_ABBREVIATIONS, heading_word

PREFIX = re.compile(
    r"^(INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|INT\.?\s*-\s*EXT|EXT\.?\s*-\s*INT|INT/EXT|EXT/INT|"
    r"I\s*/\s*E|E\s*/\s*I|INT|EXT|EST)(?:\.|\s)\s*",
    re.IGNORECASE,
)
SETTINGS = ("INT", "EXT", "INT/EXT", "EST")
_SETTINGS = {"I/E": "INT/EXT", "E/I": "INT/EXT", "EXT/INT": "INT/EXT", "INT-EXT": "INT/EXT",
             "EXT-INT": "INT/EXT"}
_SEPARATOR = re.compile(r"\s*(?:--+|[–—]|\s-\s|\s-$|^-\s|\s/\s|(?<!\d)/(?!\d))\s*")
_BRACKETED = re.compile(r"\[([^\]]*)\]|\(([^)]*)\)")
_LABEL = re.compile(r"\s*#[^#\s]*#\s*$")


@dataclass
class Heading:
    location: str | None              # display name of the place ("Bloom House - Kitchen")
    setting: str | None               # INT, EXT, INT/EXT, EST
    time_of_day: str | None           # DAY, NIGHT, MOMENTS LATER, ...
    qualifiers: list[str] = field(default_factory=list)   # FLASHBACK, 1973, PRESENT, ...
    parent: str | None = None         # display name of the enclosing place ("Bloom House")

    @property
    def location_key(self) -> str | None:
        return place_key(self.location) if self.location else None

    @property
    def parent_key(self) -> str | None:
        return place_key(self.parent) if self.parent else None


def place_key(name: str) -> str:
    """`BIG-TOP` = `Big Top` = `big top.` = `The Big Top`; `Brick's Pool` = `BRICKS POOL`;
    `MAIN ST.` = `Main Street`."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"['’‘`]", "", text).replace("&", " and ")
    words = re.sub(r"[\W_]+", " ", text).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    if len(words) > 1 and words[-1] in PLACE_ABBREVIATIONS:       # MAIN ST. = MAIN STREET
        words[-1] = PLACE_ABBREVIATIONS[words[-1]]
    return " ".join(words)


def looks_like_heading(line: str) -> bool:
    """A line a writer meant as a scene heading: a prefix and something after it."""
    m = PREFIX.match(line.strip())
    return bool(m) and any(ch.isalpha() for ch in line.strip()[m.end():])


def split_heading(text: str) -> Heading:
    """Place, setting, time of day and qualifiers of a heading; no place without an
    INT./EXT.-style prefix (a forced `.SNIPER SCOPE POV` names none)."""
    text = _LABEL.sub("", " ".join(text.split()))
    m = PREFIX.match(text)
    setting = None
    rest = text
    if m:
        setting = re.sub(r"[\s.]", "", m.group(1)).upper()
        setting = _SETTINGS.get(setting, setting)
        rest = text[m.end():]
    data: list[tuple[int, str, str]] = []                # (position, kind, text)
    for b in _BRACKETED.finditer(rest):
        inner = " ".join((b.group(1) or b.group(2) or "").split()).strip(" .,;:")
        if inner:
            data.append((b.start(), heading_word(inner) or "qualifier", inner.upper()))
    rest = _BRACKETED.sub(lambda b: " " * len(b.group(0)), rest)
    parts = [(pos, seg) for pos, seg in _segments(rest) if seg]
    while parts:
        pos, seg = parts[-1]
        kind = heading_word(seg)
        if kind is None and len(seg.split()) > 1 and heading_word(seg.split()[-1]) == "time":
            word = seg.split()[-1]                        # `PARK DAY`: the time, then the park
            data.append((pos + len(seg) - len(word), "time", word.upper()))
            parts[-1] = (pos, seg[: -len(word)].strip(" .,;:"))
            break
        if kind is None:
            break
        data.append((pos, kind, " ".join(seg.upper().split())))
        parts.pop()
    data.sort()
    time = next((t for _, k, t in data if k == "time"), None) or \
        next((t for _, k, t in data if k == "relative"), None)
    qualifiers = []
    for _, _, t in data:
        if t != time and t not in qualifiers:
            qualifiers.append(t)
    names = [seg for _, seg in parts if seg]
    if not m or not names:
        return Heading(None, setting, time, qualifiers)
    return Heading(display_name(" - ".join(names)), setting, time, qualifiers,
                   display_name(" - ".join(names[:-1])) if len(names) > 1 else None)


def _segments(rest: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for sep in _SEPARATOR.finditer(rest):
        if sep.start() == sep.end():
            continue
        out.append((start, rest[start:sep.start()].strip(" .,;:")))
        start = sep.end()
    out.append((start, rest[start:].strip(" .,;:")))
    return out
