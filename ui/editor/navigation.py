"""Placing the editor: the scene and instance it shows, kept in session state and
synced with the URL (?scene=…&instance=…)."""

from __future__ import annotations

import streamlit as st

import core
from ui.editor import areas
from ui.feedback import flash

ss = st.session_state


def select(iid: str | None) -> None:
    ss.ed_instance = iid


def pick_scene() -> None:
    ss.ed_scene_id = ss.ed_scene_pick
    ss.ed_instance = None
    ss.pop("ed_foreign", None)


def switch_to(project_id: str, branch_id: str, scene_id: str, instance_id: str | None) -> None:
    ss.project_id, ss.branch_id = project_id, branch_id
    ss.ed_scene_id, ss.ed_instance = scene_id, instance_id
    ss.pop("ed_foreign", None)


def choose_scene(desk: core.Desk, scenes: list[core.Scene]) -> core.Scene:
    """The scene to show: the URL's when it changed, else the one chosen, else the first."""
    by_id = {s.id: s for s in scenes}
    sync_from_url(desk, list(by_id))
    if ss.get("ed_scene_id") not in by_id:
        ss.ed_scene_id, ss.ed_instance = scenes[0].id, None
    ss.ed_scene_pick = ss.ed_scene_id
    return by_id[ss.ed_scene_id]


def choose_instance(scene_id: str, insts: list[core.Instance]) -> str | None:
    """The instance to show (it may have vanished meanwhile: never another one then, A6)."""
    if ss.get("ed_instance") is None and insts:
        ss.ed_instance = insts[0].id
    sync_to_url(scene_id, ss.ed_instance)
    return ss.ed_instance


def sync_from_url(desk: core.Desk, scene_ids: list[str]) -> None:
    """Apply the URL when it changed outside this page (a link, a reload, back/forward)."""
    wanted = (st.query_params.get("scene"), st.query_params.get("instance"))
    if wanted == ss.get("_ed_url"):
        return
    ss._ed_url = wanted
    scene_id, instance_id = wanted
    if instance_id and not scene_id:
        try:
            scene_id = desk.get_instance(instance_id).scene_id
        except core.DeskError:
            return
    if not scene_id:
        return
    if scene_id in scene_ids:
        ss.ed_scene_id, ss.ed_instance = scene_id, instance_id
        return
    try:
        ss.ed_foreign = (desk.get_scene(scene_id), instance_id)
    except core.DeskError:
        flash("warning", "The linked scene no longer exists; showing this branch's scenes.",
              areas.TOP)


def sync_to_url(scene_id: str, instance_id: str | None) -> None:
    ss._ed_url = (scene_id, instance_id)
    if st.query_params.get("scene") != scene_id:
        st.query_params["scene"] = scene_id
    if instance_id and st.query_params.get("instance") != instance_id:
        st.query_params["instance"] = instance_id
    elif not instance_id and "instance" in st.query_params:
        del st.query_params["instance"]
