"""Small display helpers."""

from __future__ import annotations

import streamlit as st

import core
from core.tags.vocabulary import colour_of
from ui.safe import esc

# What a read-only table shows in a cell with no value (a scene without a story day):
# st.dataframe's own default is a grey "None". Pass as `placeholder=NO_VALUE`.
NO_VALUE = "—"


def tag_chips(tags: list[str]) -> str:
    """HTML chips coloured by vocabulary category (T2); use with unsafe_allow_html."""
    if not tags:
        return "<span style='color:#888'>no tags</span>"
    return " ".join(
        f"<span style='background:{colour_of(t)};color:white;border-radius:0.8em;"
        f"padding:0.1em 0.6em;font-size:0.85em;white-space:nowrap'>{esc(t)}</span>"
        for t in tags
    )


def notice(kind: str, text: str, **kwargs) -> None:
    """`st.success` / `info` / `warning` / `error` of a plain-text message (S1: the
    names and values it quotes are shown as typed, never as Markdown)."""
    getattr(st, kind)(esc(text), **kwargs)


def show_error(exc: core.DeskError) -> None:
    notice("error", str(exc))


FIELD_LABELS = {
    "description_override": "Own description",
    "effective_description": "Description",
    "inherited_description": "Inherited description",
    "status_tags": "Tags",
    "inherited_tags": "Inherited tags",
    "carry_forward": "Carry forward",
    "inherited_from_instance_id": "Inherits from",
    "locked": "Locked",
    "pending_review": "Pending review",
    "upstream_description_changed": "Upstream description changed",
    "upstream_tags_changed": "Upstream tags changed",
    "image": "Image",
}
"""Readable names of the history's fields, for every page that shows history."""


def project_line(project: core.Project, branch: core.Branch) -> str:
    """"**Film** · Main branch" for a page's caption (Markdown, names escaped)."""
    return f"**{esc(project.name)}** · {esc(branch.name)} branch"
