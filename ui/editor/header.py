"""The editor's title, the link-to-another-project notice, the scene picker and the
scene's text with the previous scene's end state."""

from __future__ import annotations

import streamlit as st

from ui.editor import areas
from ui.editor.navigation import pick_scene, switch_to
from ui.editor.snapshot import Snapshot
from ui.feedback import show_flash
from ui.safe import esc

ss = st.session_state


def render_header(snap: Snapshot) -> None:
    desk, scenes, scene = snap.desk, snap.scenes, snap.scene
    st.markdown("## :material/edit_note: Asset editor")
    show_flash(areas.TOP)
    foreign = ss.get("ed_foreign")
    if foreign:
        fscene, finst = foreign
        other = desk.get_project(fscene.project_id)
        bname = {b.id: b.name for b in desk.branches(other.id)}.get(fscene.branch_id, "?")
        st.warning(f"The link opens scene {esc(fscene.display_label)} of "
                   f"**{esc(other.name)}** ({esc(bname)} branch), not the one chosen in "
                   "the sidebar.")
        st.button(esc(f"Switch to {other.name} · {bname}"), key="ed_switch",
                  on_click=switch_to,
                  args=(fscene.project_id, fscene.branch_id, fscene.id, finst))
    by_id = {s.id: s for s in scenes}
    st.selectbox("Scene", list(by_id), key="ed_scene_pick", on_change=pick_scene,
                 format_func=lambda i: f"Scene {by_id[i].display_label} · {by_id[i].heading}")
    pos = list(by_id).index(scene.id)
    with st.expander("Scene text and the previous scene's end state"):
        if pos > 0:
            prev = scenes[pos - 1]
            st.caption(f"SCENE {esc(prev.display_label)} ENDED")
            st.markdown(f"<div class='ed-quote'>{esc(prev.end_state_summary or '—')}</div>",
                        unsafe_allow_html=True)
        day = f" · story day {scene.story_day}" if scene.story_day is not None else ""
        st.caption(f"SCENE {esc(scene.display_label)}{day}")
        st.text(scene.script_excerpt or "(no script excerpt)")
