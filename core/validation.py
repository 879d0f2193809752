"""Checks for text a person, file or model gives us. Each raises ValidationError
naming the field and the problem."""

from __future__ import annotations

from .errors import ValidationError

ASSET_TYPES = ("character", "location", "prop")
MAX_NAME = 120
MAX_HEADING = 300
MAX_DESCRIPTION = 4000
MAX_SCRIPT = 50_000
MAX_REASON = 500
MAX_ACTOR = 80
MAX_ALIASES = 20


def text(value: object, field: str, max_length: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.")
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} cannot be empty.")
    if len(value) > max_length:
        raise ValidationError(
            f"{field} is too long: {len(value)} characters, at most {max_length}."
        )
    return value


def optional_text(value: object, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    cleaned = text(value, field, max_length, required=False)
    return cleaned or None


def actor(value: object) -> str:
    return text(value, "Actor", MAX_ACTOR)


def asset_type(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in ASSET_TYPES:
        raise ValidationError(
            f"Unknown asset type {value!r}: use one of {', '.join(ASSET_TYPES)}."
        )
    return value.strip().lower()


def aliases(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValidationError("Aliases must be given as a list.")
    out: list[str] = []
    for item in value:
        alias = text(item, "Alias", MAX_NAME)
        if alias.casefold() != name.casefold() and alias.casefold() not in {
            a.casefold() for a in out
        }:
            out.append(alias)
    if len(out) > MAX_ALIASES:
        raise ValidationError(f"At most {MAX_ALIASES} aliases per asset.")
    return out


def scene_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"Scene number must be a whole number of 1 or more, not {value!r}.")
    return value


def story_day(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"Story day must be a whole number of 1 or more, not {value!r}.")
    return value


def flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false, not {value!r}.")
    return value
