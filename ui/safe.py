"""Untrusted text (names, descriptions, labels, messages) shown as plain text (S1).

`esc` turns every character HTML or Markdown could read as syntax into a numeric
character reference. Both parsers decode a reference to the literal character and
never to syntax, so the same output is safe in raw HTML (`unsafe_allow_html`), in
attributes, in Markdown (`st.markdown`, captions, headings, alerts, toasts) and in
widget labels, options and help. Plain-text contexts (`st.text`, `st.code`, tables,
selectbox options, input values) show text as it is: never pass them `esc` output."""

from __future__ import annotations

import re

# HTML specials, the Markdown / GFM / KaTeX / Streamlit-directive specials, and line
# breaks (a blank line would end a raw-HTML block and start Markdown again).
SPECIAL = "&<>\"'\\`*_{}[]()#+-.!|~$:=^@%\n\r\t"
_TABLE = {ord(c): f"&#{ord(c)};" for c in SPECIAL}
WORD_JOINER = "\u2060"
# GFM links bare URLs and e-mail addresses *after* decoding references, so an invisible
# word joiner breaks the patterns it looks for: `://`, `www.` and `@`.
_LINKISH = re.compile(r"(?<=:)(?=/)|(?<=@)|(?<=www)(?=\.)", re.IGNORECASE)


def esc(value) -> str:
    """`value` as text for any markup context; None is the empty string."""
    text = "" if value is None else str(value)
    if ":" in text or "@" in text or "." in text:
        text = _LINKISH.sub(WORD_JOINER, text)
    body = text.lstrip(" ")       # leading spaces would indent a Markdown code block
    return "&#32;" * (len(text) - len(body)) + body.translate(_TABLE)
