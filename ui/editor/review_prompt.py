"""The carry-forward review prompt (T3): which carried conditions really carry into
the scene."""

from __future__ import annotations

import streamlit as st

import core
from ui.editor import areas
from ui.editor.form import after_change
from ui.editor.navigation import select
from ui.editor.snapshot import Snapshot
from ui.editor.style import TYPE_ICON
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc

ss = st.session_state


def review(desk: core.Desk, actor: str, inst: core.Instance, mode: str) -> None:
    if mode == "all":
        keep = list(inst.status_tags)
    elif mode == "none":
        keep = []
    else:
        keep = [t for t in inst.status_tags if ss.get(f"ed_keep_{inst.id}_{t}", True)]
    dropped = [t for t in inst.status_tags if t not in keep]
    result = attempt(lambda: desk.review_tags(inst.id, keep, expected_version=inst.version,
                                              actor=actor), areas.REVIEW)
    if result is not None:
        after_change(result)
        flash("success", f"{inst.asset_name}: kept {', '.join(keep) or 'no conditions'}"
                         + (f", dropped {', '.join(dropped)}." if dropped else "."),
              areas.REVIEW)


def render_review_prompt(snap: Snapshot) -> None:
    """The prompt while some unlocked instance has carried conditions to review; else
    only the answer that closed it."""
    pending = [i for i in snap.insts if i.pending_review and not i.locked]
    if not pending:
        show_flash(areas.REVIEW)
        return
    desk, actor = snap.desk, snap.actor
    with st.container(border=True):
        st.markdown("**Carried conditions to review** — which conditions really carry into "
                    "this scene? Untick what has worn off, then save the choice.")
        show_flash(areas.REVIEW)
        for inst in pending:
            c1, c2, c3 = st.columns([1.3, 3, 2.6], vertical_alignment="center")
            c1.button(esc(inst.asset_name), icon=TYPE_ICON.get(inst.asset_type),
                      key=f"ed_rv_pick_{inst.id}", type="tertiary", on_click=select,
                      args=(inst.id,), help="Open in the editor")
            with c2.container(horizontal=True, gap="small"):
                for tag in inst.status_tags:
                    st.checkbox(esc(tag), value=True, key=f"ed_keep_{inst.id}_{tag}")
            with c3.container(horizontal=True, gap="xsmall"):
                st.button("Keep all", key=f"ed_rv_all_{inst.id}", on_click=review,
                          args=(desk, actor, inst, "all"))
                st.button("Keep none", key=f"ed_rv_none_{inst.id}", on_click=review,
                          args=(desk, actor, inst, "none"))
                st.button("Save choice", key=f"ed_rv_save_{inst.id}", type="primary",
                          on_click=review, args=(desk, actor, inst, "pick"))
