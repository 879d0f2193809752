"""The editor's centre: the selected instance's form — upstream changes, the master
reference, description, tags, carry forward, the propagation preview before saving,
lock / remove / undo, then its images, inheritance chain and history."""

from __future__ import annotations

from functools import cache, partial

import streamlit as st

import core
from ui.editor import areas, edit_actions
from ui.editor.form import (
    act,
    clear_override,
    discard,
    form_changes,
    k,
    load_current,
    load_form,
    normalize_tags,
    save,
    signature,
)
from ui.editor.history import render_chain, render_history
from ui.editor.left import remove
from ui.editor.phrases import badges, reach, short
from ui.editor.snapshot import Snapshot
from ui.editor.style import TYPE_ICON
from ui.feedback import show_flash
from ui.image_panel import render_image_panel
from ui.safe import esc
from ui.widgets import notice, show_error, tag_chips

ss = st.session_state


def render_conflict(iid: str, rows: list[core.HistoryRow]) -> None:
    conflict = ss.get(k("conflict", iid))
    if not conflict:
        return
    cur = conflict["current"]
    with st.container(border=True):
        st.error("**Not saved — someone else changed this asset here first.** Your unsaved "
                 "edits are still in the form below; nothing you typed is lost.")
        if cur is None:
            st.caption(esc(conflict["message"]))
            return
        last = rows[-1] if rows else None
        who = (f" · changed last by **{esc(last.actor)}** ({esc(last.source)}, "
               f"{last.at:%Y-%m-%d %H:%M} UTC)") if last else ""
        st.markdown(f"Current state · version {cur.version}"
                    f"{' · :material/lock: locked' if cur.locked else ''}{who}")
        st.markdown(f"<div class='ed-quote'>{esc(cur.effective_description)}</div>"
                    f"<div style='margin-bottom:0.6rem'>{tag_chips(cur.status_tags)} · "
                    f"carry forward {'on' if cur.carry_forward else 'off'}</div>",
                    unsafe_allow_html=True)
        with st.container(horizontal=True, gap="xsmall"):
            st.button("Load current version", key=k("load_current", iid), type="primary",
                      on_click=load_current, args=(iid, False),
                      help="Replace the form with the current state (your text stays "
                           "available to copy).")
            st.button("Keep my edits on top of it", key=k("rebase", iid),
                      on_click=load_current, args=(iid, True),
                      help="Take the current version as the base and keep the fields you "
                           "changed; saving then replaces the other change.")


def _upstream(snap: Snapshot, inst: core.Instance, fallback, do) -> None:
    with st.container(border=True):
        st.markdown(":material/warning: **The earlier scene changed**")
        if inst.upstream_description_changed:
            st.markdown("*Description* — this scene keeps its own. Upstream now passes "
                        f"on (from {esc(fallback.source)}):")
            st.markdown(f"<div class='ed-quote'>{esc(fallback.description)}</div>",
                        unsafe_allow_html=True)
        if inst.upstream_tags_changed:
            st.markdown(f"*Tags* — upstream now passes on {tag_chips(inst.inherited_tags)}"
                        f" · here {tag_chips(inst.status_tags)}", unsafe_allow_html=True)
        edit_actions.take_upstream(snap.desk, snap.actor, inst, do)


def _save_buttons(snap: Snapshot, iid: str) -> None:
    with st.container(horizontal=True, gap="xsmall"):
        st.button("Save", key=k("save", iid), type="primary",
                  on_click=save, args=(snap.desk, snap.actor, iid, snap.labels))
        st.button("Discard changes", key=k("discard", iid), on_click=discard,
                  args=(snap.desk, iid))


def _fields(snap: Snapshot, inst: core.Instance, fallback, frozen: bool) -> None:
    """Description (with clear override), tags, carry forward and the reason."""
    desk, iid = snap.desk, inst.id
    if inst.description_override is not None:
        follows = "Own description for this scene (an override)."
    elif inst.inherited_description is not None:
        follows = f"Follows scene {inst.source_scene_number}; editing saves an override."
    else:
        follows = "Follows the master description live; editing saves an override."
    st.text_area("Description at the start of this scene", key=k("desc", iid), height=120,
                 disabled=frozen)
    st.caption(follows)
    if inst.description_override is not None and fallback is not None:
        with st.container(border=True, gap="xsmall"):
            st.caption(esc(f"Clearing the override falls back to {fallback.source}: "
                           f"“{short(fallback.description, 180)}”"))
            st.button("Clear override", key=k("clear", iid), disabled=inst.locked,
                      icon=":material/undo:", on_click=clear_override,
                      args=(desk, snap.actor, iid, snap.labels))

    tags_now = list(ss.get(k("tags", iid)) or [])
    options = list(dict.fromkeys([*tags_now, *inst.status_tags, *snap.tag_suggestions]))
    st.multiselect("Condition tags", options, key=k("tags", iid), accept_new_options=True,
                   disabled=frozen, placeholder="Add a condition (muddy, torn, …)",
                   on_change=normalize_tags, args=(desk, iid),
                   help="Pick from the vocabulary and the project's tags, or type a new one.")
    if ss.get(k("tagerr", iid)):
        notice("error", ss[k("tagerr", iid)])
    st.toggle("Carry this state forward to the asset's next appearance", key=k("cf", iid),
              disabled=frozen,
              help="Off: the next appearance starts again from the master (for example "
                   "after a costume change).")
    st.text_input("Reason (optional, saved in the history)", key=k("reason", iid),
                  disabled=frozen, placeholder="e.g. after the fight in scene 4")


def _preview(snap: Snapshot, inst: core.Instance, describe) -> None:
    """What saving will do (P3), with Save / Discard; a locked form only offers them."""
    iid = inst.id
    changes = form_changes(iid)
    if changes and not inst.locked:
        with st.container(border=True):
            st.markdown("**Preview** — what saving will do")
            try:
                pv = snap.desk.preview_update(iid, **changes)
            except core.DeskError as exc:
                show_error(exc)
            else:
                notice("info", describe(pv))
                edit_actions.conflict_notes(pv)
                ss[k("seen", iid)] = signature(changes)
            _save_buttons(snap, iid)
    elif changes:
        _save_buttons(snap, iid)
    else:
        st.caption("No unsaved changes.")


def _instance_actions(snap: Snapshot, inst: core.Instance, describe, do) -> None:
    """Lock / unlock, remove from the scene, undo the session's last save."""
    desk, actor, iid = snap.desk, snap.actor, inst.id
    with st.container(horizontal=True, gap="xsmall", vertical_alignment="center"):
        if inst.locked:
            st.button("Unlock", icon=":material/lock_open:", key=k("unlock", iid),
                      on_click=do, args=(
                lambda: desk.unlock_instance(iid, expected_version=inst.version, actor=actor),
                f"Unlocked {inst.asset_name}: it follows its upstream again."))
        else:
            st.button("Lock", icon=":material/lock:", key=k("lock", iid),
                      on_click=do, args=(
                lambda: desk.lock_instance(iid, expected_version=inst.version, actor=actor),
                f"Locked {inst.asset_name}: its state is frozen here."),
                help="Freeze this state: edits and upstream changes will not alter it.")
        with st.popover("Remove from scene"):
            st.caption(esc(f"Remove {inst.asset_name} from this scene? Its history is kept "
                           "and its next appearance re-links to the previous one."))
            st.button("Remove", key=k("remove", iid), type="primary", on_click=remove,
                      args=(desk, actor, iid, inst.version, inst.asset_name))
        edit_actions.undo_button(inst)
    edit_actions.undo_confirm(desk, actor, inst, describe, do)


def render_centre(snap: Snapshot, inst: core.Instance) -> None:
    desk, iid = snap.desk, inst.id
    base = ss.get(k("base", iid))
    fresh = (base is None or k("desc", iid) not in ss
             or (base["version"] != inst.version and not form_changes(iid)
                 and k("conflict", iid) not in ss))
    if fresh:
        load_form(inst)
    # A form with unsaved edits is never disabled: Streamlit drops a disabled widget's
    # incoming value, which would lose text typed before a lock made elsewhere (A4).
    frozen = inst.locked and not form_changes(iid)
    appearances = cache(lambda: desk.asset_appearances(iid))     # read once a run

    def describe(result: core.UpdateResult) -> str:
        return reach(result, snap.labels, done=False)

    do = partial(act, iid)
    rows = desk.history(iid)

    st.subheader(f"{TYPE_ICON.get(inst.asset_type, '')} {esc(inst.asset_name)}", anchor=False)
    st.markdown(f"{badges(inst)} <span class='ed-muted'>· {esc(inst.asset_type)} · scene "
                f"{esc(snap.labels.get(inst.scene_id, inst.scene_number))} · version "
                f"{inst.version}</span>", unsafe_allow_html=True)
    show_flash(areas.centre(iid))
    render_conflict(iid, rows)
    stash = ss.pop(k("stash", iid), None)
    if stash:
        st.caption("Your unsaved text, to copy back if you still want it:")
        st.code(stash, language=None, wrap_lines=True)
    if frozen:
        st.info("**Locked** — this state is frozen; edits, tag review and revert are "
                "refused until you unlock it.", icon=":material/lock:")
    elif inst.locked:
        st.warning("**Locked** since you started editing. Your unsaved edits are kept "
                   "below: unlock to save them, or discard them.", icon=":material/lock:")

    asset = snap.asset_by_id[inst.project_asset_id]
    fallback = None
    if inst.description_override is not None or inst.upstream_description_changed:
        fallback = desk.fallback_of(inst, asset)
    if inst.upstream_changed:
        _upstream(snap, inst, fallback, do)

    with st.container(border=True):
        st.caption("MASTER DESCRIPTION (reference)")
        st.markdown(f"<div style='font-size:0.88rem;padding-bottom:0.35rem'>"
                    f"{esc(asset.description)}</div>",
                    unsafe_allow_html=True)
    _fields(snap, inst, fallback, frozen)
    _preview(snap, inst, describe)
    _instance_actions(snap, inst, describe, do)

    render_image_panel(desk, snap.actor, inst, asset)
    render_chain(desk, inst, snap.labels, appearances())
    render_history(desk, snap.actor, inst, rows, describe, do)
