"""The gatekeeper (R1): what blocks the scene, each blocker opening its asset, and
"Mark scene ready" once nothing does."""

from __future__ import annotations

import streamlit as st

import core
from ui.editor import areas
from ui.editor.navigation import select
from ui.editor.snapshot import Snapshot
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc

BLOCKER_TITLES = {
    "no_instances": "No assets",
    "pending_review": "Carried conditions to review",
    "upstream_changed": "Upstream changed",
    "missing_image": "No reference image",
    "stale_image": "Stale image",
}


def mark_ready(desk: core.Desk, actor: str, scene_id: str) -> None:
    if attempt(lambda: desk.mark_scene_ready(scene_id, actor=actor), areas.GATE) is not None:
        flash("success", "Signed off: the scene is ready for the next stage.", areas.GATE)


def render_readiness(snap: Snapshot) -> None:
    rd = snap.desk.scene_readiness_of(snap.scene, snap.insts)
    names = {i.id: i.asset_name for i in snap.insts}
    with st.container(border=True):
        n = len(rd.blockers)
        badge = (":green-badge[:material/check: Ready]" if rd.ready else
                 f":red-badge[{n} blocker{'s' if n != 1 else ''}]")
        st.markdown(f"**Scene readiness** · {badge}")
        show_flash(areas.GATE)
        if rd.lapsed:
            st.caption("An earlier sign-off lapsed: the scene changed since.")
        if rd.ready:
            if rd.signed_off:
                st.caption(f"Signed off by {esc(rd.signed_off.actor)} · "
                           f"{rd.signed_off.signed_at:%Y-%m-%d %H:%M} UTC.")
            else:
                st.caption("Nothing blocks this scene.")
                st.button("Mark scene ready", key="ed_mark_ready", type="primary",
                          icon=":material/verified:", on_click=mark_ready,
                          args=(snap.desk, snap.actor, snap.scene.id))
            return
        kinds = list(dict.fromkeys([*BLOCKER_TITLES, *(b.kind for b in rd.blockers)]))
        with st.container(height=190) if n > 5 else st.container():
            for kind in kinds:
                group = [b for b in rd.blockers if b.kind == kind]
                if not group:
                    continue
                st.caption(f"{BLOCKER_TITLES.get(kind, kind).upper()} · {len(group)}")
                for b in group:
                    if not b.instance_id:
                        st.markdown(f"<div class='ed-hist'>{esc(b.message)}</div>",
                                    unsafe_allow_html=True)
                        continue
                    st.button(esc(b.message), key=f"ed_block_{kind}_{b.instance_id}",
                              type="tertiary", on_click=select, args=(b.instance_id,),
                              help=esc(f"Open {names.get(b.instance_id, 'this asset')} in "
                                       "the editor"))
