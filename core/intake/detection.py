"""Deterministic asset detection (D1): which project assets a scene needs, from
its heading, script excerpt and shots. Free, instant, offline.

How a name is found
-------------------
- Every asset name and alias is matched case-insensitively on word boundaries,
  with possessives and plurals (`BRICK'S`, `Brick’s`, `Porsches`, `lanterns'`),
  any run of spaces or a line break between the words of a name. Where matches
  overlap the longest wins, so `EXT. BRICK'S PATIO` is the location *Brick's
  Patio*, not the character Brick.
- **`Mark` the name versus "mark" the verb.** A *character* whose name or alias
  is also a common English word (mark, will, jack, rose, brick, steel, dot, ...,
  see `COMMON_WORDS`) is only found where it is written as a name: with a capital
  first letter (`Mark`, `MARK`, `Mark's`). "He hits his mark" does not put Mark
  in the scene. Characters with other names (`Minion`, `Handsome Man`) and all
  locations and props match in any case ("the minion", "a porsche"). The price:
  a sentence that *starts* with such a word ("Mark the spot.") still matches.
- Characters also come from dialogue cues (`STEEL`; both of `EDWARD AND WILL`): the
  excerpt is read as Fountain, as the importer writes it. A cue only heard
  (`MARGOT (V.O.)`, `(O.S.)`, `(ON PHONE)`) does not put its speaker in the scene.
- Locations come from the slugline: the heading is searched for location names
  (`INT. GULL POINT MARSH - NIGHT` names *Marsh*).
- A character named only inside dialogue ("What do you want, DICK?") is
  reported as `mentioned_only`, not as relevant: being talked about is not
  being in the scene.

`new_assets_required` are speakers with no asset and a slugline location with no
asset; other names in capitals are listed in `capitalized` for the producer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from screenplay_tools.fountain.parser import Parser as FountainParser
from screenplay_tools.screenplay import ElementType

from core.intake.cast import cue_parts, heard_only
from core.intake.screenplay import caps_runs, display_name, name_key, parse_heading

COMMON_WORDS = frozenset(
    """mark will bill frank rose jack grace hope faith joy ray sue rob pat dawn art max bob
    penny ruby chase drew hunter miles victor june may april august summer autumn winter
    sky river stone brick steel crystal iris lily violet holly ivy heather daisy amber jade
    pearl ginger candy sandy rusty buddy duke king prince earl don guy dot pike carol gene
    jean sterling cash chuck nick jay robin wren crow fox wolf bear buck hawk drake finch
    lark swift storm rain gale blaze flint cliff glen dale heath forest wood woods brook
    lake field marsh moss reed rock sage basil olive cherry berry honey sugar star angel
    page carter cook baker mason miller smith taylor porter fisher archer parker walker
    banks price rich young long short little white black brown green gray grey bishop
    lance bolt colt dash ace beau bond case cross dean doc kid boss chief judge major
    sparrow scorpio sunny misty stormy harley gus tank moose bull tiger lion ash birch
    oak pine hazel willow clay sandy shepherd knight lord sir madam miss cole""".split()
)


@dataclass(frozen=True)
class AssetRef:
    id: str
    name: str
    asset_type: str
    aliases: tuple[str, ...]


@dataclass
class DetectedAsset:
    asset_id: str
    name: str
    asset_type: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class NewAssetNeeded:
    name: str
    asset_type: str
    description: str
    reason: str


@dataclass
class DetectionResult:
    scene_id: str
    method: str                                  # deterministic | gemini
    relevant: list[DetectedAsset]                # not yet in the scene
    already_present: list[DetectedAsset]         # found, but the scene already has them
    mentioned_only: list[DetectedAsset]          # named only in dialogue
    new_assets_required: list[NewAssetNeeded]
    capitalized: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suggestion_ids: list[str] = field(default_factory=list)   # persisted (D3)
    mapped_ids: list[str] = field(default_factory=list)       # newly mapped (I5)

    @property
    def relevant_asset_ids(self) -> list[str]:
        return [a.asset_id for a in self.relevant]

    @property
    def already_present_ids(self) -> list[str]:
        return [a.asset_id for a in self.already_present]


# --- matching ------------------------------------------------------------------------

def _variant_pattern(variant: str) -> str:
    words = [w for w in re.split(r"\s+", variant.strip()) if w]
    parts = []
    for w in words:
        w = re.escape(w.replace("’", "'")).replace("'", "['’]")
        parts.append(w)
    body = r"\s+".join(parts)
    # possessive / plural: Brick's Brick’s Bricks' Porsches
    return rf"(?<![\w'’]){body}(?:(?:es|s)?['’]s?|es|s)?(?![\w])"


class Matcher:
    """All names of a set of assets, compiled once; `find` gives leftmost-longest,
    non-overlapping matches."""

    def __init__(self, assets: list[AssetRef]):
        self.assets = {a.id: a for a in assets}
        self._variants: list[tuple[str, str, bool]] = []   # (asset id, variant, needs capital)
        seen: set[tuple[str, str]] = set()
        for a in assets:
            for v in (a.name, *a.aliases):
                key = name_key(v)
                if not key or (a.id, key) in seen:
                    continue
                seen.add((a.id, key))
                needs_capital = a.asset_type == "character" and key in COMMON_WORDS
                self._variants.append((a.id, v, needs_capital))
        self._variants.sort(key=lambda t: -len(t[1]))
        self._compiled = [re.compile(_variant_pattern(v), re.IGNORECASE)
                          for _, v, _ in self._variants]

    def find(self, text: str, types: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
        """[(asset id, matched text)] in text order."""
        if not text:
            return []
        found: list[tuple[int, int, str, str]] = []
        for (aid, _, needs_capital), regex in zip(self._variants, self._compiled, strict=True):
            if types and self.assets[aid].asset_type not in types:
                continue
            for m in regex.finditer(text):
                if needs_capital and not m.group(0)[0].isupper():
                    continue
                found.append((m.start(), m.end(), aid, m.group(0)))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        out: list[tuple[str, str]] = []
        end = -1
        for start, stop, aid, txt in found:
            if start >= end:
                out.append((aid, txt))
                end = stop
        return out

    def by_key(self, name: str, types: tuple[str, ...] | None = None) -> str | None:
        """The asset whose name or alias equals `name` (case-insensitive)."""
        key = name_key(name)
        for aid, v, _ in self._variants:
            if name_key(v) == key and (not types or self.assets[aid].asset_type in types):
                return aid
        return None


# --- reading a scene -------------------------------------------------------------------

@dataclass
class SceneText:
    heading: str
    action: str
    dialogue: str
    shots: list[str]
    cues: list[str]


def split_excerpt(heading: str, excerpt: str, shots: list[str]) -> SceneText:
    """Read the excerpt as Fountain: cues, dialogue and action apart."""
    parser = FountainParser()
    parser.add_text("\n" + (excerpt or ""))
    action, dialogue, cues = [], [], []
    for el in parser.script.elements:
        if el.type == ElementType.CHARACTER:
            if el.extension and heard_only(el.extension):     # V.O., O.S.: not seen here
                continue
            for name in cue_parts(" ".join(el.name.split()).lstrip("@")):   # A AND B
                if name and name not in cues:
                    cues.append(name)
        elif el.type in (ElementType.DIALOGUE, ElementType.PARENTHETICAL, ElementType.LYRIC):
            dialogue.append(el.text)
        elif el.type in (ElementType.ACTION, ElementType.HEADING) and not getattr(
                el, "centered", False):
            action.append(el.text)
    return SceneText(heading, "\n\n".join(action), "\n\n".join(dialogue), list(shots), cues)


def detect(scene_id: str, heading: str, excerpt: str, shots: list[str],
           assets: list[AssetRef], present_ids: set[str], *,
           matcher: Matcher | None = None) -> DetectionResult:
    """D1 for one scene. Pure: the caller reads the scene and assets and writes results."""
    matcher = matcher or Matcher(assets)
    text = split_excerpt(heading, excerpt, shots)
    found: dict[str, list[str]] = {}

    def note(aid: str, reason: str) -> None:
        reasons = found.setdefault(aid, [])
        if reason not in reasons:
            reasons.append(reason)

    new: list[NewAssetNeeded] = []
    location, _, _, _ = parse_heading(heading)
    slug_hits = matcher.find(heading, ("location", "prop"))
    for aid, txt in slug_hits:
        note(aid, f"slugline: {txt}")
    if location and not any(matcher.assets[a].asset_type == "location" for a, _ in slug_hits):
        new.append(NewAssetNeeded(location, "location", f"Location of “{heading}”.",
                                  f"slugline {heading}"))
    for cue in text.cues:
        aid = matcher.by_key(cue, ("character",))
        if aid:
            note(aid, f"dialogue cue {cue.upper()}")
        elif matcher.by_key(cue) is None and not any(
                name_key(n.name) == name_key(cue) for n in new):
            new.append(NewAssetNeeded(display_name(cue), "character",
                                      f"{display_name(cue)}, who speaks in this scene.",
                                      f"dialogue cue {cue.upper()}"))
    for aid, txt in matcher.find(text.action):
        note(aid, f"action: {txt}")
    for n, shot in enumerate(text.shots, start=1):
        for aid, txt in matcher.find(shot):
            note(aid, f"shot {n}: {txt}")
    mentioned: dict[str, list[str]] = {}
    for aid, txt in matcher.find(text.dialogue):
        if aid not in found:
            mentioned.setdefault(aid, [])
            if f"dialogue: {txt}" not in mentioned[aid]:
                mentioned[aid].append(f"dialogue: {txt}")

    def made(aid: str, reasons: list[str]) -> DetectedAsset:
        a = matcher.assets[aid]
        return DetectedAsset(aid, a.name, a.asset_type, reasons)

    order = {a.id: i for i, a in enumerate(sorted(
        assets, key=lambda a: ({"character": 0, "location": 1}.get(a.asset_type, 2),
                               a.name.casefold())))}
    relevant = [made(a, r) for a, r in sorted(found.items(), key=lambda kv: order[kv[0]])]
    known_keys = {name_key(v) for a in assets for v in (a.name, *a.aliases)}
    caps = [c for c in caps_runs(text.action)
            if name_key(c) not in known_keys
            and not any(name_key(c) == name_key(n.name) for n in new)]
    return DetectionResult(
        scene_id=scene_id, method="deterministic",
        relevant=[d for d in relevant if d.asset_id not in present_ids],
        already_present=[d for d in relevant if d.asset_id in present_ids],
        mentioned_only=[made(a, r) for a, r in sorted(mentioned.items(),
                                                       key=lambda kv: order[kv[0]])],
        new_assets_required=new, capitalized=caps)


def mentions(text: str, assets: list[AssetRef], types: tuple[str, ...] | None = None
             ) -> list[str]:
    """Ids of the assets named in `text` (first-match order, no repeats)."""
    out: list[str] = []
    for aid, _ in Matcher(assets).find(text, types):
        if aid not in out:
            out.append(aid)
    return out
