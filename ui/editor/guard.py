"""The editor's instance vanished while it was open (A6, issue 11 item 1): say what
happened and who did it, keep what the producer typed, and never switch the form to
another asset. The page renders the instance's form inside `form_box(iid)`, so the
browser remounts the widgets whenever the instance changes (a text area of another
instance never inherits the typed text)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import core
from ui.safe import esc

ss = st.session_state


def form_box(iid: str):
    """A container keyed by the instance: its widgets belong to this instance only."""
    return st.container(key=f"ed_form_{iid}")


def removal_message(desk: core.Desk, iid: str) -> str:
    """"Trench Coat was removed from scene 8 by ana at 12:03 UTC", from the history the
    removal kept (A1)."""
    rows = desk.history(iid)
    if not rows:
        return "This asset is no longer in the scene."
    last = rows[-1]
    try:
        name = desk.get_asset(last.project_asset_id).name
    except core.NotFoundError:
        name = "This asset"
    try:
        where = f"scene {desk.get_scene(last.scene_id).display_label}"
    except core.NotFoundError:
        where = "a scene that was deleted"
    return f"{name} was removed from {where} by {last.actor} at {last.at:%H:%M} UTC"


def render_gone(desk: core.Desk, iid: str, unsaved: dict, close: Callable[[], None]) -> None:
    """The notice in place of the form. `unsaved` is what the form would have saved;
    the first one seen is kept (the form's widgets are gone after this run)."""
    kept = ss.get(f"ed_lost_{iid}") or unsaved
    ss[f"ed_lost_{iid}"] = kept
    with st.container(border=True):
        message = removal_message(desk, iid)
        text = kept.get("description_override")
        tags = kept.get("status_tags")
        if not kept:
            st.warning(esc(f"{message}. There were no unsaved changes."),
                       icon=":material/info:")
        else:
            st.warning(esc(f"{message}. Nothing was saved — not here, and not to any other "
                           "asset. Your unsaved edits are below."), icon=":material/info:")
        if text:
            st.caption("Your unsaved text (copy it with the button at its top right):")
            st.code(text, language=None, wrap_lines=True)
        if tags is not None:
            st.caption("Your unsaved tags:")
            st.code(", ".join(tags) or "(none)", language=None)
        if "carry_forward" in kept:
            st.caption(f"Your unsaved carry-forward: {'on' if kept['carry_forward'] else 'off'}")
        st.button("Close", key=f"ed_lost_close_{iid}", on_click=close,
                  help="Forget these edits and choose an asset on the left.")
