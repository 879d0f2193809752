"""Small display helpers."""

from __future__ import annotations

import html

import streamlit as st

import core
from core.vocabulary import colour_of


def tag_chips(tags: list[str]) -> str:
    """HTML chips coloured by vocabulary category (T2); use with unsafe_allow_html."""
    if not tags:
        return "<span style='color:#888'>no tags</span>"
    return " ".join(
        f"<span style='background:{colour_of(t)};color:white;border-radius:0.8em;"
        f"padding:0.1em 0.6em;font-size:0.85em;white-space:nowrap'>{html.escape(t)}</span>"
        for t in tags
    )


def show_error(exc: core.DeskError) -> None:
    st.error(str(exc))


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
