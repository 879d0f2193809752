"""Word-level differences between two texts, for showing a change in full (history).

Pure functions: words are runs of non-space characters; runs of whitespace count
as one space, so a diff never reports a change that is only line breaks."""

from __future__ import annotations

import difflib

SAME, DELETED, INSERTED = "same", "del", "ins"


def word_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """The segments that turn `old` into `new`, in reading order: (SAME | DELETED |
    INSERTED, words joined by single spaces). Deleted words come before the words
    that replace them; nothing empty is returned."""
    a, b = (old or "").split(), (new or "").split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append((SAME, " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append((DELETED, " ".join(a[i1:i2])))
        if j2 > j1:
            out.append((INSERTED, " ".join(b[j1:j2])))
    return out


def side(segments: list[tuple[str, str]], which: str) -> list[tuple[str, str]]:
    """One side of a diff: the old text (`DELETED`) or the new one (`INSERTED`), its
    changed words marked and the other side's words left out."""
    other = INSERTED if which == DELETED else DELETED
    return [(kind, words) for kind, words in segments if kind != other]


def around_change(old: str | None, new: str | None, limit: int) -> tuple[str, str]:
    """Both texts in at most about `limit` characters each, cut to a window that starts
    shortly before their first differing word, so a short view still shows what changed
    ("…" marks a cut)."""
    a, b = (old or "").split(), (new or "").split()
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                 min(len(a), len(b)))
    return _window(a, first, limit), _window(b, first, limit)


def _window(words: list[str], first: int, limit: int) -> str:
    text = " ".join(words)
    if len(text) <= limit:
        return text
    start = max(0, first - 3)             # a little context before the change
    head = "…" if start else ""
    body = " ".join(words[start:])
    room = limit - len(head)
    if len(body) > room:
        body = body[: max(room - 1, 1)].rstrip() + "…"
    return head + body
