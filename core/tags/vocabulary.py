"""The tag vocabulary (rule T2): categories, colours, and whether a condition
normally persists or wears off between story days."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VocabularyTag:
    name: str
    category: str
    persists: bool


CATEGORY_COLOURS = {
    "condition": "#8d6e63",
    "damage": "#c62828",
    "temporal": "#1565c0",
    "appearance": "#2e7d32",
    "custom": "#616161",
}

_WEARS_OFF, _PERSISTS = False, True

VOCABULARY: tuple[VocabularyTag, ...] = (
    VocabularyTag("muddy", "condition", _WEARS_OFF),
    VocabularyTag("bloody", "condition", _WEARS_OFF),
    VocabularyTag("dirty", "condition", _WEARS_OFF),
    VocabularyTag("dusty", "condition", _WEARS_OFF),
    VocabularyTag("sweaty", "condition", _WEARS_OFF),
    VocabularyTag("torn", "damage", _PERSISTS),
    VocabularyTag("ripped", "damage", _PERSISTS),
    VocabularyTag("broken", "damage", _PERSISTS),
    VocabularyTag("cracked", "damage", _PERSISTS),
    VocabularyTag("shattered", "damage", _PERSISTS),
    VocabularyTag("wet", "temporal", _WEARS_OFF),
    VocabularyTag("dry", "temporal", _WEARS_OFF),
    VocabularyTag("aged", "temporal", _PERSISTS),
    VocabularyTag("weathered", "temporal", _PERSISTS),
    VocabularyTag("clean", "appearance", _WEARS_OFF),
    VocabularyTag("polished", "appearance", _WEARS_OFF),
    VocabularyTag("worn", "appearance", _PERSISTS),
    VocabularyTag("faded", "appearance", _PERSISTS),
)

_BY_NAME = {t.name: t for t in VOCABULARY}


def lookup(tag: str) -> VocabularyTag | None:
    return _BY_NAME.get(tag)


def category_of(tag: str) -> str:
    entry = _BY_NAME.get(tag)
    return entry.category if entry else "custom"


def colour_of(tag: str) -> str:
    return CATEGORY_COLOURS[category_of(tag)]


def suggestions(project_tags: list[str]) -> list[str]:
    """Autocomplete order: the project's tags in use first, then the vocabulary."""
    seen = list(dict.fromkeys(project_tags))
    return seen + [t.name for t in VOCABULARY if t.name not in seen]
