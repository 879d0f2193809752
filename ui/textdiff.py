"""A text change in full as escaped HTML: deleted words in <del>, inserted in <ins> (S1).
Style it with the `.cd-diff` rules of `DIFF_CSS` (also set by ui.dashboard's `.cd-value`)."""

from __future__ import annotations

from core.editing.textdiff import DELETED, INSERTED, side, word_diff
from ui.safe import esc

DIFF_CSS = (".cd-diff ins{background:rgba(46,125,50,0.18);text-decoration:none;"
            "border-radius:0.2em}"
            ".cd-diff del{background:rgba(198,40,40,0.15);border-radius:0.2em}")
_TAG = {DELETED: "del", INSERTED: "ins"}


def _html(segments: list[tuple[str, str]]) -> str:
    return " ".join(f"<{_TAG[kind]}>{esc(words)}</{_TAG[kind]}>" if kind in _TAG
                    else esc(words) for kind, words in segments)


def diff_html(old: str | None, new: str | None) -> str:
    """Old and new text in one line of words, what changed marked."""
    return _html(word_diff(old, new))


def side_html(old: str | None, new: str | None, which: str) -> str:
    """Only the old side (`which="old"`, deletions marked) or the new one (insertions)."""
    return _html(side(word_diff(old, new), DELETED if which == "old" else INSERTED))
