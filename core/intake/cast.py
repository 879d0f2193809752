"""Who and what a screenplay puts on screen (N3-N5), from its cues and the names it
writes in capitals in action lines. Pure.

- A dual cue (`A AND B`, `A & B`, `A/B`) is both characters (`cue_parts`).
- Voice and crowd cues (`VOICE`, `A MAN'S VOICE`, `THE CROWD`, a character only
  ever heard `(V.O.)` and never seen) are candidates, not characters; each cue is its
  own candidate, so different voices never become one "Voice".
- Looks: `YOUNG EDWARD`, `EDWARD (10)` are characters of their own, *suggested* as
  looks of Edward (never merged unless the producer asks). A generic noun is
  nobody in particular: `LITTLE GIRL` and `PRETTY GIRL` are not looks or aliases of
  `GIRL`.
- A name in capitals in an action line is a character when it is introduced as
  one (an age, an appositive, or a person, group or animal noun: `SEVEN
  CHIHUAHUAS, all age 5`, `COGNITO, the criminal mastermind`), a prop candidate
  when the writer marks a thing (`Mom's PORSCHE`, `the SCREEN DOOR`), and nothing
  when it is a camera direction, a transition, a sound, emphasis or on-screen text
  (quoted, or after `SUPER:`); see `script_words`.
- The introduction of a name is the action sentence where it first appears in
  capitals (N4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.intake import script_words as w

_CAPS_RUN = re.compile(
    r"(?<![\w'’])([A-Z][A-Z0-9'’.\-]*[A-Z0-9]|[A-Z])"
    r"((?:[ \t]+(?:&[ \t]+)?(?:[A-Z][A-Z0-9'’.\-]*[A-Z0-9]|[A-Z]|#\d+))*)(?![\w'’])"
)
_DUAL = re.compile(r"\s+(?:AND|&)\s+|\s*/\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“(]?[A-Z])")
_ABBREV = re.compile(r"(?:\b(?:MR|MRS|MS|DR|ST|JR|SR|VS|NO|MT|LT|SGT|CAPT|COL|GEN|PROF|"
                     r"A\.K\.A|E\.G|I\.E)|\b[A-Z])\.$", re.IGNORECASE)


# --- results -------------------------------------------------------------------------

@dataclass
class Mention:
    """A name in capitals in an action line."""
    key: str                    # "SEVEN CHIHUAHUAS"
    scene: int                  # scene index
    sentence: str               # the action sentence it is in
    before: str                 # the text just before it (quoted text blanked)
    after: str                  # the text just after it


@dataclass
class Introduction:
    scene: int
    sentence: str
    order: int = 0              # position among all mentions of the script
    introducing: bool = False   # an age or a description follows the name

    @property
    def rank(self) -> tuple[bool, int]:
        """Earlier is better; a mention that introduces beats a bare one."""
        return (not self.introducing, self.order)


@dataclass
class Candidate:
    key: str                          # "PORSCHE", "A MAN'S VOICE"
    name: str                         # "Porsche"
    scenes: list[int]
    count: int
    kind: str = "prop"                # prop | voice | crowd
    reason: str = ""

    @property
    def suggested_type(self) -> str:
        return "prop" if self.kind == "prop" else "character"


@dataclass
class AliasProposal:
    name_key: str                     # the character it would belong to
    alias: str                        # display form of the alias
    alias_key: str
    reason: str
    speaks: bool                      # the alias is a cue of its own
    owner: str = ""                   # display name of the character it would belong to
    kind: str = "alias"               # alias (merged unless refused) | look (kept apart)

    @property
    def pair(self) -> tuple[str, str]:
        return (self.name_key, self.alias_key)


@dataclass
class Cue:
    """What the scenes say about one cue key."""
    key: str
    raw: str                                  # the name as first written
    variants: list[str] = field(default_factory=list)
    extensions: set[str] = field(default_factory=set)
    scenes: list[int] = field(default_factory=list)          # seen speaking there
    heard_scenes: list[int] = field(default_factory=list)    # only heard (V.O., O.S.)
    count: int = 0
    seen_plain: bool = False                  # a cue without V.O./O.S.-style extension


# --- cues --------------------------------------------------------------------------------

def cue_parts(name: str) -> list[str]:
    """`EDWARD AND WILL` -> [EDWARD, WILL]; `BOB/CYBER BOB` -> [BOB, CYBER BOB]."""
    parts = [" ".join(p.split()) for p in _DUAL.split(name)]
    if len(parts) > 1 and all(sum(ch.isalpha() for ch in p) >= 2 for p in parts):
        return parts
    return [" ".join(name.split())]


def age_extension(ext: str | None) -> bool:
    """`EDWARD (10)`: the extension is an age, so part of who speaks."""
    return bool(ext) and bool(w.LOOK_SUFFIX.match(f"X ({ext.strip().upper()})"))


def heard_only(ext: str) -> bool:
    """`V.O.`, `O.S.`, `ON PHONE`: the speaker is heard, not seen."""
    text = re.sub(r"\.\s+", ".", " ".join(ext.upper().replace("-", " ").split()))
    return text in w.HEARD_ONLY


def _content_words(key: str) -> list[str]:
    words = key.split()
    while len(words) > 1 and words[0] in w.ARTICLES:
        words = words[1:]
    return words


def voice_kind(cue: Cue, seen_in_action: bool) -> tuple[str, str] | None:
    """('voice' | 'crowd', reason) for a cue that is heard, not a character seen."""
    words = _content_words(cue.key)
    if any(x in w.VOICE_WORDS or x.rstrip("'S") in w.VOICE_WORDS for x in words):
        return "voice", f"cue {cue.key} is a voice"
    if words[-1] in w.DEVICE_WORDS:
        return "voice", f"cue {cue.key} is heard through a device"
    if " ".join(words) in w.CROWD_WORDS or words[-1] in w.CROWD_WORDS:
        return "crowd", f"cue {cue.key} is a crowd or several speakers"
    if not cue.seen_plain and not seen_in_action and cue.extensions:
        heard = ", ".join(sorted(cue.extensions))
        return "voice", f"{cue.key} is only heard ({heard}), never seen"
    return None


# --- names in capitals -------------------------------------------------------------------

def _blank(text: str) -> str:
    """Quoted and on-screen text replaced by spaces (positions kept)."""
    def spaces(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return w.QUOTED.sub(spaces, w.ON_SCREEN.sub(spaces, text))


def _trim(run: str) -> str:
    words = run.split(" ")
    while words and words[0] in ("&", "AND"):
        words.pop(0)
    while words and (words[-1] in w.NOT_NAMES or words[-1] == "&"):
        words.pop()
    while words and words[0] in w.NOT_NAMES - {"THE"}:
        words.pop(0)
    run = " ".join(words).strip(" .'’-")
    letters = sum(ch.isalpha() for ch in run)
    if letters < 2 or len(words) > 4 or run in w.NOT_NAMES:
        return ""
    if all(x in w.NOT_NAMES for x in words):
        return ""
    if any(x in w.SOUND_WORDS or x in w.CAMERA_WORDS - {"UP", "DOWN", "ON", "OFF", "OVER",
                                                          "INTO", "ACROSS", "AROUND", "BACK"}
           for x in words):
        return ""
    if len(words) == 1 and re.search(r"(ED|ING|LY)$", run):   # SLAMMED, RUNNING
        return ""
    if re.search(r"([A-Z])\1\1", run):                          # WWWOOOW: a sound
        return ""
    return run


def mentions(text: str, scene: int) -> list[Mention]:
    """Every name in capitals in action text, with its sentence and surroundings."""
    out: list[Mention] = []
    clean = _blank(text)
    for m in _CAPS_RUN.finditer(clean):
        raw = m.group(1) + m.group(2)
        run = _trim(" ".join(raw.split()))
        if not run:
            continue
        words = run.split(" ")
        start = m.start() + raw.find(words[0])
        end = m.start() + raw.rfind(words[-1]) + len(words[-1])
        out.append(Mention(run, scene, _sentence(text, start), clean[max(0, start - 40):start],
                           clean[end:end + 60]))
    return out


def caps_runs(text: str) -> list[str]:
    """Names written in capitals in action text, e.g. `BRICK BRADDOCK`, `THE BOY BAND`."""
    out: list[str] = []
    for m in mentions(text, 0):
        if m.key not in out:
            out.append(m.key)
    return out


def _sentence(text: str, at: int) -> str:
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    stop = text.find("\n\n", at)
    stop = len(text) if stop < 0 else stop
    para = text[start:stop]
    pos = at - start
    lo, hi = 0, len(para)
    for b in _SENTENCE_END.finditer(para):
        if _ABBREV.search(para[:b.start()]):
            continue
        if b.end() <= pos:
            lo = b.end()
        elif b.start() >= pos:
            hi = b.start()
            break
    return " ".join(para[lo:hi].split())


def introduces(m: Mention) -> bool:
    """An age or a description follows the name: `EDWARD BLOOM, 40's and handsome`."""
    return bool(w.AGE_AFTER.match(m.after) or w.APPOSITIVE_AFTER.match(m.after))


def is_being(m: Mention) -> bool:
    """Introduced as a person, a group or an animal: a person, group or animal noun,
    an age, or (not after a determiner, which marks a thing) a description."""
    last = m.key.split()[-1]
    if last in w.BEING_NOUNS or w.BEING_ENDING.search(last) or w.AGE_AFTER.match(m.after) \
            or w.WHO_AFTER.match(m.after):
        return True
    return introduces(m) and opens_clause(m) and not marks_thing(m)


def opens_clause(m: Mention) -> bool:
    """The name starts a sentence, a line or a clause (`... and MARGARET, ...`), as
    introductions do; emphasis (`going to be BAD, really`) does not."""
    before = m.before.rstrip(" \t")
    return (not before or before[-1] in ".!?:;\n" or
            re.search(r"(?:^|\s)(?:and|&|meet|meets|enter|enters|there's|there\s+(?:is|are))$",
                      before, re.IGNORECASE) is not None)


def marks_thing(m: Mention) -> bool:
    """`Mom's PORSCHE`, `the SCREEN DOOR`, `two cold BEERS`: a determiner or a
    possessive just before, at most one word between."""
    words = re.findall(r"[\w'’]+|[^\w\s]", m.before)[-2:]
    following = re.findall(r"[\w'’]+|[^\w\s]", m.after)[:1]
    if not words or (following and following[0] in w.OBJECT_WORDS):
        return False                                   # `SMACKS him`, `FILLS the scope`
    if words[-1].lower() in w.DETERMINERS or re.fullmatch(r"\w+['’]s", words[-1]):
        return True
    return (len(words) == 2 and words[-1].islower() and words[-1].isalpha()
            and words[0].lower() in w.DETERMINERS)


def is_heard(m: Mention) -> bool:
    """`We HEAR a CAR HORN`, `the sound of BELLS`: a sound, not a prop."""
    return bool(w.HEARD_BEFORE.search(m.before))


def is_exclaimed(m: Mention) -> bool:
    return m.after.lstrip().startswith("!")


# --- looks and aliases -------------------------------------------------------------------

def look_split(key: str) -> tuple[str, str] | None:
    """(base, what makes the look) of `YOUNG EDWARD` (EDWARD, young) or `EDWARD (10)`
    (EDWARD, 10); None for a generic noun (LITTLE GIRL is not a look of GIRL)."""
    suffix = w.LOOK_SUFFIX.match(key)
    if suffix:
        base, what = suffix.group("base"), suffix.group("look").lower()
    else:
        words = key.split()
        lead = []
        while len(words) > 1 and words[0] in w.LOOK_WORDS:
            lead.append(words.pop(0))
        if not lead:
            return None
        base, what = " ".join(words), " ".join(lead).lower()
    if base in w.PEOPLE_NOUNS or base.split()[-1] in w.PEOPLE_NOUNS:
        return None
    return base, what


def look_base(key: str, known: set[str]) -> tuple[str, str] | None:
    """(base key, reason) when `key` is another look of a known character:
    `YOUNG EDWARD`, `EDWARD (10)` of EDWARD; never of a generic noun (GIRL)."""
    split = look_split(key)
    if split is None or split[0] not in known:
        return None
    base, what = split
    if what[:1].isdigit():
        return base, f"{key} is {base} at another age ({what})"
    return base, f"{key} is {base} described as {what}"


def is_part(short: str, long: str) -> bool:
    """`RAY` is a whole-word prefix or suffix of `DETECTIVE RAY`; numbered extras
    (`COP` / `COP #2`) are different people, and so are variants of a generic noun
    (`GIRL` / `LITTLE GIRL`)."""
    s, ln = short.split(" "), long.split(" ")
    if len(s) >= len(ln) or short in w.PEOPLE_NOUNS:
        return False
    if ln[: len(s)] == s:
        rest = ln[len(s):]
    elif ln[-len(s):] == s:
        rest = ln[: -len(s)]
    else:
        return False
    return not any(re.fullmatch(r"#?\d+|[IVX]+|\(.*\)", x) for x in rest)


def introductions(all_mentions: list[Mention]) -> dict[str, Introduction]:
    """name -> its introduction: the first sentence that introduces it (an age or an
    appositive after the name), else the first where it is written in capitals."""
    out: dict[str, Introduction] = {}
    for n, m in enumerate(all_mentions):
        intro = Introduction(m.scene, m.sentence, n, introduces(m))
        if m.key not in out or intro.rank < out[m.key].rank:
            out[m.key] = intro
    return out
