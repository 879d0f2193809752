"""S1: `ui.safe.esc` shows untrusted text as text in HTML and in Markdown.

Properties over arbitrary text: the output holds no character that HTML, Markdown,
KaTeX or Streamlit's directives read as syntax (only numeric character references),
and decoding those references gives back the text (with invisible word joiners that
break bare URLs and e-mail addresses). What browsers make of it is checked in
Chromium by tests/e2e/test_hostile_text.py."""

from __future__ import annotations

import re
from html import unescape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui import dashboard
from ui.safe import SPECIAL, WORD_JOINER, esc
from ui.widgets import tag_chips

pytestmark = pytest.mark.engine_free   # opens no store (tests/conftest.py)

REFERENCE = re.compile(r"&#\d+;")
# The characters a Markdown or HTML parser could act on, and the URL-ish ones.
SYNTAX = "<>&\"'`*_[]()!$#{}|~\\:+-.=^@%\n\r\t"
HOSTILE = ["<img src=http://evil.example/x.png>", '<iframe srcdoc="<script>x</script>">',
           "<base href=http://evil.example/>", "**bold**", "[link](http://evil.example)",
           "![img](http://evil.example/i.png)", "$x^2$", "# heading", ":red[red] :smile:",
           "www.evil.example", "a@evil.example", "1. item", "    code", "a\n\n# b",
           "&amp; &#42;", "`code`", "~~gone~~", "| a | b |"]
text_with_syntax = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(SYNTAX))


def _bare(s: str) -> str:
    return s.replace(WORD_JOINER, "")


@given(text_with_syntax)
def test_output_has_no_syntax_characters_outside_references(text):
    out = esc(text)
    rest = REFERENCE.sub("", out)
    assert not set(rest) & set(SYNTAX), rest
    assert not out.startswith(" ")              # no indented code block


@given(text_with_syntax)
def test_decoding_the_references_gives_back_the_text(text):
    assert _bare(unescape(esc(text))) == _bare(text)


@given(text_with_syntax)
def test_bare_urls_and_addresses_are_broken_up(text):
    shown = unescape(esc(text))
    assert not re.search(r"://|www\.|@[-\w]", shown, flags=re.IGNORECASE | re.ASCII)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_samples(hostile):
    out = esc(hostile)
    assert not set(REFERENCE.sub("", out)) & set(SYNTAX)
    assert _bare(unescape(out)) == hostile


def test_every_special_is_a_reference_and_none_is_empty():
    assert esc(None) == ""
    assert esc(SPECIAL.replace("@", "")) == "".join(
        f"&#{ord(c)};" for c in SPECIAL.replace("@", ""))
    assert esc("a@b") == f"a&#64;{WORD_JOINER}b"
    assert esc("Brick") == "Brick" and esc(12) == "12"


def test_chips_and_badges_escape_their_text():
    assert "<b>" not in tag_chips(["<b>x</b>"]) and "&#60;b&#62;" in tag_chips(["<b>x</b>"])
    assert "**" not in dashboard.chip("**x**")
    badge = dashboard.badge("[a](http://evil.example)", "#000", title='" onmouseover="x')
    assert "[" not in badge and '" onmouseover' not in badge


def test_links_are_in_app_only_and_escape_their_title():
    href = dashboard.editor_href("s1", "i1", project_id="p&q")
    assert href.startswith("./editor?") and "p%26q" in href
    html = dashboard.link(href, "text", title='"><img src=x>')
    assert "<img" not in html and '"><' not in html
    for bad in ("http://evil.example", "javascript:alert(1)", "//evil.example", "data:,x"):
        with pytest.raises(ValueError):
            dashboard.link(bad, "text")
