"""Checks for text and numbers a person, file or model gives us (S4), shared by the
Desk and every importer. Each raises ValidationError naming the field and the
problem; a bad character is shown as its code point (U+200B), never raw."""

from __future__ import annotations

import math
import re
import unicodedata

from core.errors import ValidationError

ASSET_TYPES = ("character", "location", "prop")
MAX_NAME = 120
MAX_LABEL = 20
MAX_HEADING = 300
MAX_DESCRIPTION = 4000
MAX_SCRIPT = 50_000
MAX_REASON = 500
MAX_ACTOR = 80
MAX_ALIASES = 20
MAX_FILE_NAME = 255
# Far beyond a film (100–300 scenes), and far below INT32: inserting and renumbering
# (scene_number + 1, and the negative detour of scenes._shift) can never overflow.
MAX_SCENE_NUMBER = 100_000
MAX_STORY_DAY = 100_000

# Bidi embeddings, overrides and isolates reorder what is shown (U+202A–202E,
# U+2066–2069): refused in every text. Other C0/C1 controls too; prose keeps \n and \t.
_PROSE_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ASCII_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# Names also refuse every invisible format character (Cf: zero-width, U+200E/F,
# U+061C, U+2060, U+FEFF, ...) and the line and paragraph separators.
_NAME_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _given(value: object) -> str:
    """What was given, for a message: short, and hidden characters escaped (repr)."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:40]) + "…"
    if isinstance(value, (bool, float)) or (isinstance(value, int) and abs(value) < 10**30):
        return repr(value)
    return "a number that large" if isinstance(value, int) else f"a {type(value).__name__}"


def describe(ch: str) -> str:
    """A bad character in words, with its code point."""
    code = f"U+{ord(ch):04X}"
    if unicodedata.category(ch) == "Cs":
        return f"a lone surrogate ({code}), which is not valid Unicode"
    if unicodedata.category(ch) == "Cc":
        return f"a control character ({code})"
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" or ch in "\u200e\u200f\u061c":
        return f"a bidirectional control character ({code})"
    return f"an invisible character ({code})"


def shown(value: str, limit: int = 60) -> str:
    """Text quoted in a message: hidden characters as code points, cut at `limit`."""
    out = "".join(ch if ch.isprintable() else f"<U+{ord(ch):04X}>" for ch in value[:limit])
    return out + ("…" if len(value) > limit else "")


def strip_invisible(value: str) -> tuple[str, int, str | None]:
    """Messy text from a file, cleaned: control and invisible format characters
    removed (\\n and \\t kept; line and paragraph separators become \\n). Returns the
    text, how many characters went, and the first of them described."""
    if value.isascii():
        cleaned = _ASCII_BAD.sub("", value)
    else:
        value = value.replace("\u2028", "\n").replace("\u2029", "\n")
        cleaned = "".join(ch for ch in value if ch in "\n\t"
                          or unicodedata.category(ch) not in ("Cc", "Cf"))
    if len(cleaned) == len(value):
        return value, 0, None
    first = next(ch for ch in value if ch not in "\n\t"
                 and unicodedata.category(ch) in ("Cc", "Cf"))
    return cleaned, len(value) - len(cleaned), describe(first)


def _refuse(field: str, value: str, index: int) -> None:
    raise ValidationError(
        f"{field} contains {describe(value[index])} at position {index + 1}; remove it.")


def encodable(value: str, field: str) -> str:
    """The text, if it can be stored (UTF-8); lone surrogates are refused."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            f"{field} is not valid Unicode text: it contains a lone surrogate "
            f"(U+{ord(value[exc.start]):04X}) at position {exc.start + 1}.") from exc
    return value


def text(value: object, field: str, max_length: int, *, required: bool = True,
         multiline: bool = True) -> str:
    """Trimmed text of at most `max_length` characters. Refuses lone surrogates,
    control characters (multi-line text keeps \\n and \\t; \\r\\n becomes \\n) and
    bidi overrides."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.")
    encodable(value, field)
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise ValidationError(f"{field} cannot be empty.")
    if len(value) > max_length:
        raise ValidationError(
            f"{field} is too long: {len(value)} characters, at most {max_length}."
        )
    bad = (_PROSE_BAD if multiline else _LINE_BAD).search(value)
    if bad:
        _refuse(field, value, bad.start())
    return value


def optional_text(value: object, field: str, max_length: int, *,
                  multiline: bool = True) -> str | None:
    if value is None:
        return None
    cleaned = text(value, field, max_length, required=False, multiline=multiline)
    return cleaned or None


def name(value: object, field: str = "Name", max_length: int = MAX_NAME, *,
         required: bool = True) -> str:
    """A name, label, alias or actor: one line without control or invisible characters."""
    value = text(value, field, max_length, required=required, multiline=False)
    for i, ch in enumerate(value):
        if unicodedata.category(ch) in _NAME_BAD_CATEGORIES:
            _refuse(field, value, i)
    return value


_name = name


def optional_name(value: object, field: str, max_length: int = MAX_NAME) -> str | None:
    if value is None:
        return None
    return name(value, field, max_length, required=False) or None


def actor(value: object) -> str:
    return name(value, "Actor", MAX_ACTOR)


def asset_type(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in ASSET_TYPES:
        raise ValidationError(
            f"Unknown asset type {_given(value)}: use one of {', '.join(ASSET_TYPES)}."
        )
    return value.strip().lower()


DESCRIPTION_SOURCES = ("script", "placeholder")


def description_source(value: object) -> str | None:
    """Where a master description came from (N4): 'script', 'placeholder' or None (a
    person wrote it)."""
    if value is not None and value not in DESCRIPTION_SOURCES:
        raise ValidationError(f"Unknown description source {_given(value)}: use one of "
                              f"{', '.join(DESCRIPTION_SOURCES)}, or none.")
    return value


def aliases(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValidationError("Aliases must be given as a list.")
    out: list[str] = []
    for item in value:
        alias = _name(item, "Alias", MAX_NAME)
        if alias.casefold() != name.casefold() and alias.casefold() not in {
            a.casefold() for a in out
        }:
            out.append(alias)
    if len(out) > MAX_ALIASES:
        raise ValidationError(f"At most {MAX_ALIASES} aliases per asset.")
    return out




def integer(value: object, field: str, low: int, high: int) -> int:
    """A whole number in [low, high] (never a bool, a float or anything else)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            f"{field} must be a whole number from {low} to {high:,}, not {_given(value)}.")
    return value


def scene_number(value: object) -> int:
    return integer(value, "Scene number", 1, MAX_SCENE_NUMBER)


def story_day(value: object) -> int | None:
    if value is None:
        return None
    return integer(value, "Story day", 1, MAX_STORY_DAY)


def budget(value: object) -> float | None:
    """A project budget: None (no limit) or a finite amount of 0 or more."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not (isinstance(value, float) or abs(value) < 10**30) \
            or not math.isfinite(value) or value < 0:
        raise ValidationError(
            f"The budget must be a finite amount of 0 or more, not {_given(value)}.")
    return float(value)


def flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false, not {_given(value)}.")
    return value
