"""The asset drawer (right column): project assets and the global library with search
(name or alias) and type filter, add to the scene (button or drag and drop), clone,
create an asset, and the detection panel (ui/detection.py). Project assets are grouped
by type with counts, those already in the scene set apart, so 200 assets stay usable;
it draws from the run's Snapshot (no read per asset)."""

from __future__ import annotations

import streamlit as st

import core
from core.catalog.assets import split_aliases
from core.editing.editor_queries import asset_matches, project_copy
from ui import dragdrop
from ui.detection import detection_panel
from ui.editor import areas
from ui.editor.phrases import short
from ui.editor.snapshot import Snapshot
from ui.editor.style import TYPE_ICON
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc

ss = st.session_state
TYPE_FILTER = {"All": None, "Characters": "character", "Locations": "location", "Props": "prop"}
GROUPS = {"character": "Characters", "location": "Locations", "prop": "Props"}
DRAWER_LIMIT = 40                   # Add buttons per group; the search narrows the rest
DRAG_LIMIT = 24                     # at most this many names in the drag-and-drop box
LIST_ROWS, LIST_HEIGHT = 8, 420     # a longer list scrolls in a box of this height (px)


# --- actions (widget callbacks) --------------------------------------------------------
def add_to_scene(desk: core.Desk, actor: str, scene_id: str, asset_ids: list[str]) -> None:
    made = attempt(lambda: desk.inherit_scene(scene_id, asset_ids, actor=actor), areas.DRAWER)
    if made:
        ss.ed_instance = made[0].id
        flash("success", "Added to the scene: " + ", ".join(
            f"{i.asset_name} ({i.source_label})" for i in made) + ".", areas.DRAWER)
    elif made is not None:
        flash("info", "Already in the scene.", areas.DRAWER)


def clone(desk: core.Desk, actor: str, project_id: str, global_id: str, name: str) -> None:
    asset = attempt(lambda: desk.clone_global_asset(project_id, global_id, actor=actor),
                    areas.DRAWER)
    if asset is not None:
        flash("success", f"{name} is now a project asset: add it to the scene from the "
                         "Project tab.", areas.DRAWER)


def create_asset(desk: core.Desk, actor: str, project_id: str, scene_id: str) -> None:
    name = (ss.get("ed_new_name") or "").strip()
    aliases = split_aliases(ss.get("ed_new_aliases"))
    asset = attempt(lambda: desk.add_asset(
        project_id, name, ss.get("ed_new_type") or "character",
        (ss.get("ed_new_desc") or "").strip(), aliases=aliases), areas.DRAWER)
    if asset is None:
        return  # the message names the problem; the form keeps what was typed
    for key in ("ed_new_name", "ed_new_aliases", "ed_new_desc"):
        ss[key] = ""
    if ss.get("ed_new_add", True):
        add_to_scene(desk, actor, scene_id, [asset.id])
    else:
        flash("success", f"Created {asset.name}.", areas.DRAWER)


# --- rendering -------------------------------------------------------------------------
def _asset_row(snap: Snapshot, a: core.Asset) -> None:
    c1, c2 = st.columns([5, 3], vertical_alignment="center")
    aliases = f" <span class='ed-muted'>({esc(', '.join(a.aliases))})</span>" if a.aliases else ""
    c1.markdown(f"{TYPE_ICON.get(a.asset_type, '')} {esc(a.name)}{aliases}"
                + ("" if a.approved else " <span class='ed-muted'>(not approved)</span>"),
                unsafe_allow_html=True)
    c2.button("Add", key=f"ed_add_{a.id}", type="tertiary", icon=":material/add:",
              on_click=add_to_scene, args=(snap.desk, snap.actor, snap.scene.id, [a.id]),
              help=esc(f"Add {a.name} to scene {snap.scene.display_label}"))


def _group(snap: Snapshot, title: str, everyone: list[core.Asset], shown: list[core.Asset],
           open_: bool) -> None:
    """One asset type: its matching assets to add (Add buttons), then those already in
    the scene, set apart; the label counts them."""
    here = [a for a in shown if a.id in snap.in_scene]
    available = [a for a in shown if a.id not in snap.in_scene]
    label = f"{title} · {len(shown)}" + (f" of {len(everyone)}" if len(shown) != len(everyone)
                                         else "")
    label += f" · {len(here)} in scene" if here else ""
    with st.expander(label, expanded=open_ and bool(shown)):
        listed = available[:DRAWER_LIMIT]
        with st.container(height=LIST_HEIGHT) if len(listed) > LIST_ROWS else st.container():
            for a in listed:
                _asset_row(snap, a)
        if len(available) > DRAWER_LIMIT:
            st.caption(f"…and {len(available) - DRAWER_LIMIT} more: refine the search.")
        if not shown:
            st.caption("None matches.")
        elif not available:
            st.caption("Every match is in the scene already.")
        if here:
            st.markdown("<span class='ed-muted'>In this scene: "
                        + esc(", ".join(a.name for a in here)) + "</span>",
                        unsafe_allow_html=True)


def _project_tab(snap: Snapshot, shown: list[core.Asset], searching: bool) -> None:
    desk, actor, project, scene = snap.desk, snap.actor, snap.project, snap.scene
    available = [a for a in shown if a.id not in snap.in_scene]
    if len(available) > DRAG_LIMIT:
        st.caption(f"{len(available)} assets to add: search to narrow them to {DRAG_LIMIT} or "
                   "fewer to drag and drop, or use Add in the groups below.")
    elif available:
        st.caption("Drag an asset into the drop box to add it to this scene.")
        ss.setdefault("ed_dnd_n", 0)
        dropped = dragdrop.drop_assets([a.name for a in available],
                                       key=f"ed_dnd_{scene.id}_{ss.ed_dnd_n}")
        if dropped:
            by_name = {a.name: a.id for a in available}
            ss.ed_dnd_n += 1
            add_to_scene(desk, actor, scene.id, [by_name[n] for n in dropped if n in by_name])
            st.rerun()
    if not shown:
        st.caption("No project asset matches.")
    kinds = {a.asset_type for a in shown}
    for kind, title in GROUPS.items():
        everyone = [a for a in snap.assets if a.asset_type == kind]
        mine = [a for a in shown if a.asset_type == kind]
        if everyone and (mine or not searching):         # a search hides empty groups
            _group(snap, title, everyone, mine,
                   open_=searching or len(kinds) == 1 or len(mine) <= LIST_ROWS)
    with st.expander("New project asset", icon=":material/add:"):
        st.text_input("Name", key="ed_new_name")
        st.selectbox("Type", ["character", "location", "prop"], key="ed_new_type")
        st.text_area("Master description", key="ed_new_desc", height=90)
        st.text_input("Aliases (separated by ;)", key="ed_new_aliases")
        st.checkbox(f"Add it to scene {esc(scene.display_label)}", value=True,
                    key="ed_new_add")
        st.button("Create asset", key="ed_new_create", type="primary",
                  on_click=create_asset, args=(desk, actor, project.id, scene.id))


def _library_tab(snap: Snapshot, query: str, kind: str | None) -> None:
    desk, actor, project, scene = snap.desk, snap.actor, snap.project, snap.scene
    globals_ = [g for g in desk.global_assets() if asset_matches(g, query, kind)]
    if not globals_:
        st.caption("No library asset matches.")
    with st.container(height=LIST_HEIGHT) if len(globals_) > LIST_ROWS else st.container():
        for g in globals_:
            c1, c2 = st.columns([5, 3], vertical_alignment="center")
            c1.markdown(f"{TYPE_ICON.get(g.asset_type, '')} {esc(g.name)}<br>"
                        f"<span class='ed-muted'>{esc(short(g.description, 80))}</span>",
                        unsafe_allow_html=True)
            mine = project_copy(g, snap.assets)
            if mine is None:
                c2.button("Clone", key=f"ed_clone_{g.id}", on_click=clone, type="tertiary",
                          args=(desk, actor, project.id, g.id, g.name),
                          help="Copy into this project as a project asset")
            elif mine.id in snap.in_scene:
                c2.caption("in scene")
            else:
                c2.button("Add", key=f"ed_gadd_{g.id}", on_click=add_to_scene, type="tertiary",
                          args=(desk, actor, scene.id, [mine.id]),
                          help=esc(f"Already in the project: add {g.name} to this scene"))


def render_drawer(snap: Snapshot) -> None:
    st.markdown("**Asset drawer**")
    show_flash(areas.DRAWER)
    c1, c2 = st.columns([2.2, 1])
    query = c1.text_input("Search", key="ed_q", placeholder="Search name or alias",
                          label_visibility="collapsed")
    kind = TYPE_FILTER[c2.selectbox("Type", list(TYPE_FILTER), key="ed_kind",
                                    label_visibility="collapsed")]
    shown = [a for a in snap.assets if asset_matches(a, query, kind)]
    tab_p, tab_g = st.tabs([f"Project · {len(snap.assets)}", "Global library"])
    with tab_p:
        _project_tab(snap, shown, bool(query.strip()))
    with tab_g:
        _library_tab(snap, query, kind)


def render_detection(snap: Snapshot, place: str, area: str) -> None:
    """Asset detection (D1–D3) in the drawer, with the suggestions, or in the empty
    state (`place` names its widgets, `area` its messages)."""
    detection_panel(snap.desk, snap.actor, snap.scene, snap.insts, place=place, area=area,
                    suggestions=place == "drawer")
