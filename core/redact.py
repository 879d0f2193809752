"""The one scrubber for API keys in text (S4): every message a provider builds
passes through `scrub` before it reaches an exception, a log line or the database."""

from __future__ import annotations

import re
from typing import TypeVar

E = TypeVar("E", bound=BaseException)
MASK = "***"

_PATTERNS = (
    re.compile(r"AIza[0-9A-Za-z_-]{35}"),                                  # a Google API key
    re.compile(r"(?i)(?<![0-9a-z])((?:api[_-]?)?key=)[^&\s'\"<>]+"),      # ?key=... parameter
    re.compile(r"(?i)(x-goog-api-key['\"]?\s*[:=]\s*['\"]?)[^\s'\",;}]+"),  # the header
)


def scrub(text, *secrets: str | None) -> str:
    """`text` with each given secret, anything shaped like a Google API key, every
    `key=` query parameter and every `x-goog-api-key` value replaced by ***."""
    text = str(text)
    for secret in sorted({s.strip() for s in secrets if s and s.strip()}, key=len,
                         reverse=True):
        text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + MASK, text)
    return text


def scrubbed(exc: E, *secrets: str | None) -> E:
    """`exc` with its message scrubbed and nothing chained to it (no cause, no context,
    no traceback): raise it *outside* the except block that caught it, so Python
    does not chain the original (key-bearing) exception again."""
    exc.args = tuple(scrub(a, *secrets) if isinstance(a, str) else a for a in exc.args)
    if isinstance(getattr(exc, "message", None), str):
        exc.message = scrub(exc.message, *secrets)
    exc.__cause__ = exc.__context__ = None
    return exc.with_traceback(None)
