"""Word-level diff of history values (issue 11, item 8): core.editing.textdiff and its escaped
rendering in ui.textdiff."""

from __future__ import annotations

import pytest

from core.editing.textdiff import DELETED, INSERTED, SAME, around_change, side, word_diff
from ui.textdiff import diff_html, side_html

pytestmark = pytest.mark.engine_free   # opens no store (tests/conftest.py)

LONG = ("Long camel trench coat, belt knotted, collar up against the wind, buttons of "
        "dark horn, the left pocket torn at the seam and")


def test_a_change_at_the_end_of_a_long_text_is_found():
    old, new = LONG + " mended with grey thread.", LONG + " mended with red thread."
    assert word_diff(old, new) == [(SAME, LONG + " mended with"), (DELETED, "grey"),
                                   (INSERTED, "red"), (SAME, "thread.")]


def test_insert_delete_and_identical_texts():
    assert word_diff("a b c", "a x b c") == [(SAME, "a"), (INSERTED, "x"), (SAME, "b c")]
    assert word_diff("a b c", "a c") == [(SAME, "a"), (DELETED, "b"), (SAME, "c")]
    assert word_diff("same  text\n", "same text") == [(SAME, "same text")]
    assert word_diff(None, "new") == [(INSERTED, "new")]
    assert word_diff("old", None) == [(DELETED, "old")]
    assert word_diff("", "") == []


def test_side_keeps_one_text_with_its_changes_marked():
    segs = word_diff("a b c", "a x c")
    assert side(segs, DELETED) == [(SAME, "a"), (DELETED, "b"), (SAME, "c")]
    assert side(segs, INSERTED) == [(SAME, "a"), (INSERTED, "x"), (SAME, "c")]


def test_around_change_shows_the_words_that_differ_in_a_short_view():
    old, new = LONG + " mended with grey thread.", LONG + " mended with red thread."
    short_old, short_new = around_change(old, new, 60)
    assert short_old != short_new
    assert "grey" in short_old and "red" in short_new
    assert len(short_old) <= 60 and len(short_new) <= 60
    assert short_old.startswith("…")
    assert around_change("short one", "short two", 60) == ("short one", "short two")


def test_around_change_cuts_a_long_tail():
    old = "x " + "word " * 40
    new = "y " + "word " * 40
    a, b = around_change(old, new, 30)
    assert a.startswith("x ") and b.startswith("y ")
    assert a.endswith("…") and len(a) <= 30


def test_rendering_escapes_the_words_and_marks_the_change():
    html = diff_html("<b>bold</b> coat", "<b>bold</b> *cape*")
    assert "<b>" not in html and "*" not in html
    assert html.count("<del>") == 1 and html.count("<ins>") == 1
    assert side_html("a b", "a c", "old").endswith("<del>b</del>")
    assert side_html("a b", "a c", "new").endswith("<ins>c</ins>")
