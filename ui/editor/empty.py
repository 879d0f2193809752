"""The editor's centre when the scene has no assets: inherit, detect, or add manually."""

from __future__ import annotations

import streamlit as st

from ui.editor import areas
from ui.editor.drawer import render_detection
from ui.editor.left import render_inherit
from ui.editor.snapshot import Snapshot
from ui.feedback import show_flash


def render_empty(snap: Snapshot) -> None:
    area = areas.empty(snap.scene.id)
    with st.container(border=True):
        st.markdown("#### No assets in this scene yet")
        st.markdown(
            "- **Inherit from earlier scenes**: each asset starts in the state it was left "
            "in at its latest earlier appearance (or from its master).\n"
            "- **Add manually** from the asset drawer on the right: press *Add*, drag an "
            "asset into the drop box, clone one from the global library, or create a new "
            "asset.")
        show_flash(area)
        render_inherit(snap, "empty", area, expanded=True)
        render_detection(snap, "empty", area)
