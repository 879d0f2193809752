"""The editor's left column: the scene's instances grouped by type with their badges
and tags, bulk lock / unlock / remove, and "Inherit from earlier scenes" (also shown in
the empty state)."""

from __future__ import annotations

import streamlit as st

import core
from ui.editor import areas
from ui.editor.form import refresh_form
from ui.editor.navigation import select
from ui.editor.phrases import badges
from ui.editor.snapshot import Snapshot
from ui.editor.style import TYPE_ICON
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc
from ui.widgets import tag_chips

ss = st.session_state
TYPE_GROUPS = (("character", "Characters"), ("location", "Locations"), ("prop", "Props"))


# --- actions (widget callbacks) --------------------------------------------------------
def remove(desk: core.Desk, actor: str, iid: str, version: int, name: str) -> None:
    result = attempt(lambda: desk.remove_instance(iid, expected_version=version, actor=actor),
                     areas.LEFT)
    if result is not None:
        ss.ed_instance = None
        flash("success", f"Removed {name} from the scene (its history is kept).", areas.LEFT)


def bulk(desk: core.Desk, actor: str, scene_id: str, action: str) -> None:
    """Lock, unlock or remove the chosen instances at their current versions: one
    transaction, all or nothing."""
    chosen = set(ss.get(f"ed_bulk_{scene_id}") or [])
    insts = attempt(lambda: desk.scene_instances(scene_id), areas.LEFT) or []
    items = [(i.id, i.version) for i in insts if i.id in chosen]
    names = {i.id: i.asset_name for i in insts}
    call = {"lock": desk.lock_instances, "unlock": desk.unlock_instances,
            "remove": desk.remove_instances}[action]
    result = attempt(lambda: call(items, actor=actor), areas.LEFT)
    if result is None:
        return
    for inst in result.instances:
        refresh_form(inst)
    done = [names[i] for i, _ in items if i not in set(result.skipped)]
    verb = {"lock": "Locked", "unlock": "Unlocked", "remove": "Removed"}[action]
    if done:
        flash("success", f"{verb}: {', '.join(done)}.", areas.LEFT)
    else:
        flash("info", f"Nothing to do: the chosen assets are already {action}ed.", areas.LEFT)
    if action == "remove" and ss.get("ed_instance") in chosen:
        ss.ed_instance = None
    ss[f"ed_bulk_{scene_id}"] = []


def inherit(desk: core.Desk, actor: str, scene_id: str, candidates: list[str],
            area: str) -> None:
    wanted = [aid for aid in candidates if ss.get(f"ed_inh_{scene_id}_{aid}", True)]
    if not wanted:
        flash("info", "Tick at least one asset to inherit.", area)
        return
    made = attempt(lambda: desk.inherit_scene(scene_id, wanted, actor=actor), area)
    if made is None:
        return
    if made:
        ss.ed_instance = made[0].id
        flash("success", f"Added {len(made)} asset(s): "
                         + ", ".join(f"{i.asset_name} ({i.source_label})" for i in made) + ".",
              areas.LEFT)
    else:
        flash("info", "Nothing new: those assets are already in the scene.", areas.LEFT)


# --- rendering -------------------------------------------------------------------------
def render_inherit(snap: Snapshot, place: str, area: str, expanded: bool) -> None:
    """The inherit expander; `place` ("left", "empty") names its button, `area` its
    messages."""
    scene = snap.scene
    candidates = snap.desk.inherit_candidates_of(scene, snap.insts)
    title = f"Inherit from earlier scenes ({len(candidates)})" if candidates else \
        "Inherit from earlier scenes"
    with st.expander(title, expanded=expanded):
        if not candidates:
            st.caption("Nothing to inherit: every asset the script maps to this scene (or "
                       "that the previous scene has) is already here. Add others from the "
                       "drawer.")
            return
        st.caption("Each asset starts from its latest earlier appearance (or its master).")
        for aid in candidates:
            st.checkbox(esc(snap.asset_names.get(aid, aid)), value=True,
                        key=f"ed_inh_{scene.id}_{aid}")
        st.button(f"Add the ticked assets to scene {esc(scene.display_label)}",
                  key=f"ed_inherit_{scene.id}_{place}", type="primary",
                  on_click=inherit, args=(snap.desk, snap.actor, scene.id, candidates, area))


def render_left(snap: Snapshot, selected: str | None) -> None:
    desk, actor, scene, insts = snap.desk, snap.actor, snap.scene, snap.insts
    st.markdown(f"**In this scene** · {len(insts)} asset{'s' if len(insts) != 1 else ''}")
    show_flash(areas.LEFT)
    if not insts:
        st.caption("No assets yet.")
        return
    for asset_type, title in TYPE_GROUPS:
        group = [i for i in insts if i.asset_type == asset_type]
        if not group:
            continue
        st.caption(f"{title.upper()} · {len(group)}")
        for inst in group:
            with st.container(gap="xxsmall"):
                st.button(esc(inst.asset_name), key=f"ed_pick_{inst.id}", on_click=select,
                          args=(inst.id,), icon=TYPE_ICON.get(inst.asset_type),
                          type="secondary" if inst.id == selected else "tertiary")
                st.markdown(f"<div class='ed-row'>\n\n{badges(inst)} "
                            f"{tag_chips(inst.status_tags)}\n\n</div>", unsafe_allow_html=True)
    with st.expander("Bulk actions"):
        by_id = {i.id: i for i in insts}
        st.multiselect("Choose assets", list(by_id), key=f"ed_bulk_{scene.id}",
                       format_func=lambda i: by_id[i].asset_name if i in by_id else i,
                       placeholder="Choose assets")
        with st.container(horizontal=True, gap="xsmall"):
            st.button("Lock", icon=":material/lock:", key="ed_bulk_lock", on_click=bulk,
                      args=(desk, actor, scene.id, "lock"))
            st.button("Unlock", icon=":material/lock_open:", key="ed_bulk_unlock", on_click=bulk,
                      args=(desk, actor, scene.id, "unlock"))
            st.button("Remove from scene", key="ed_bulk_remove", on_click=bulk,
                      args=(desk, actor, scene.id, "remove"))
    render_inherit(snap, "left", areas.LEFT, expanded=False)
