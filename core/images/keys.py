"""The rule for image keys and key prefixes (G5, S4), one for both backends of the
image store (core.images.store, core.images.bucket)."""

from __future__ import annotations

from core.errors import ValidationError

MAX_KEY_LENGTH = 1024
BUCKET_SCHEME = "s3://"


def check_key(key) -> str:
    """The key itself, if it is one: plain printable text (no NUL, controls or lone
    surrogates), relative, made of "/"-separated names, none empty, "." or "..";
    ValidationError otherwise. One rule for both backends."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH \
            or not key.isprintable() or key.startswith(("/", "\\")) or "\\" in key \
            or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValidationError(f"Refused an unsafe image key {str(key)[:80]!r}.")
    return key


def check_prefix(prefix) -> str:
    """A key prefix ("" for every key, "project_" or "project_1/" …): what a key may
    start with, under the same rule."""
    if prefix == "":
        return prefix
    check_key(prefix[:-1] if isinstance(prefix, str) and prefix.endswith("/") else prefix)
    return prefix
