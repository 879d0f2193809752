"""Asset editor: one scene's visual definition (DESIGN §5).

Left: the scene's instances; centre: the selected instance; right: the asset drawer;
the parts live in ui/editor/. This page reads the run's data once (a Snapshot) and
lays out the columns. Actions run as widget callbacks (before the script reruns), so
the page always renders the saved state.
"""

from __future__ import annotations

import logging

import streamlit as st

import core
from ui.context import page_context
from ui.editor import areas, guard, navigation
from ui.editor.centre import render_centre
from ui.editor.drawer import render_detection, render_drawer
from ui.editor.empty import render_empty
from ui.editor.form import forget, form_changes
from ui.editor.gatekeeper import render_readiness
from ui.editor.header import render_header
from ui.editor.left import render_left
from ui.editor.review_prompt import render_review_prompt
from ui.editor.snapshot import Snapshot
from ui.editor.style import CSS
from ui.safe import esc
from ui.widgets import show_error

log = logging.getLogger(__name__)


def main() -> None:
    ctx = page_context()      # also hands a deep link that ran without app.py back to it
    st.markdown(CSS, unsafe_allow_html=True)
    if ctx is None:
        st.title("Asset editor")
        st.info("No projects yet.")
        return
    desk, project = ctx.desk, ctx.project
    scenes = desk.scenes(project.id, ctx.branch.id)
    if not scenes:
        st.title("Asset editor")
        st.info(f"The {esc(ctx.branch.name)} branch has no scenes yet: import a screenplay or "
                "add scenes first.")
        return
    scene = navigation.choose_scene(desk, scenes)
    insts = desk.scene_instances(scene.id)
    selected = navigation.choose_instance(scene.id, insts)
    snap = Snapshot(desk, ctx.actor, project, scenes, scene, insts, desk.assets(project.id))

    top_l, top_r = st.columns([3, 2], gap="medium")
    with top_l:
        render_header(snap)
    with top_r:
        render_readiness(snap)
    render_review_prompt(snap)

    left, centre, right = st.columns([1.15, 2.15, 1.25], gap="medium")
    with left:
        render_left(snap, selected)
    with centre:
        if selected is not None and selected not in {i.id for i in insts}:
            guard.render_gone(desk, selected, form_changes(selected),
                              close=lambda: forget(selected))
        elif not insts:
            render_empty(snap)
        else:
            inst = next(i for i in insts if i.id == selected)
            with guard.form_box(inst.id):
                render_centre(snap, inst)
    with right:
        render_drawer(snap)
        render_detection(snap, "drawer", areas.DRAWER)


try:
    main()
except core.DeskError as exc:  # e.g. the instance was removed in another tab meanwhile
    show_error(exc)
except Exception:  # noqa: BLE001 - never a raw traceback on screen
    log.exception("asset editor failed")
    st.error("The asset editor hit an unexpected problem; the details are in the server log.")
