"""Tag normalization (rule T1)."""

from __future__ import annotations

import re
import unicodedata

from core.errors import ValidationError
from core.validation import describe

MAX_TAG_LENGTH = 32
MAX_TAGS = 20
_SEPARATORS = re.compile(r"[\s_\-]+")


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd"


def _quoted(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def _shown(ch: str) -> str:
    """A bad character as typed, or by its code point when it cannot be seen."""
    return repr(ch) if ch.isprintable() else describe(ch)


def normalize_tag(raw: object) -> str:
    """NFC, trimmed, case-folded, separator runs -> '-'; 1–32 letters/marks/digits
    with single inner hyphens. Anything else raises ValidationError naming the tag."""
    if not isinstance(raw, str):
        raise ValidationError(f"Tag {raw!r} is not text.")
    tag = unicodedata.normalize("NFC", raw).strip()
    tag = unicodedata.normalize("NFC", tag.casefold())
    tag = _SEPARATORS.sub("-", tag)
    if not tag:
        raise ValidationError("An empty tag is not allowed.")
    if len(tag) > MAX_TAG_LENGTH:
        raise ValidationError(
            f"Tag {_quoted(raw)} is too long: at most {MAX_TAG_LENGTH} characters."
        )
    words = tag.split("-")
    if any(not w for w in words):
        raise ValidationError(
            f"Tag {_quoted(raw)} may not start or end with a hyphen, space or underscore."
        )
    for word in words:
        for ch in word:
            if not _is_word_char(ch):
                raise ValidationError(
                    f"Tag {_quoted(raw)} contains {_shown(ch)}: use letters, digits and "
                    "hyphens only."
                )
    return tag


def normalize_tags(raw: object) -> list[str]:
    """Normalize a list of tags: duplicates dropped, order of addition kept, at most 20."""
    if isinstance(raw, str) or not isinstance(raw, (list, tuple)):
        raise ValidationError("Tags must be given as a list.")
    out: list[str] = []
    for item in raw:
        tag = normalize_tag(item)
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise ValidationError(f"At most {MAX_TAGS} tags per asset in a scene; got {len(out)}.")
    return out
