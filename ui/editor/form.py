"""One instance's edit form: its state in session (kept per instance, with the version
it was loaded from, A4) and the actions on it (save with its preview, discard, clear
the override, resolve a conflict, one-click changes)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import core
from core.editing.merge_notes import merged_with
from ui.editor import areas
from ui.editor.phrases import reach
from ui.feedback import attempt, flash

ss = st.session_state


def k(name: str, iid: str) -> str:
    """Session-state key of one instance's editor state."""
    return f"ed_{name}_{iid}"


def load_form(inst: core.Instance, *, keep_dirty: bool = False) -> None:
    """Fill the form from `inst` and remember the version it was loaded with (A4).
    With keep_dirty, fields the producer has changed keep the producer's value."""
    iid = inst.id
    new = {"version": inst.version, "desc": inst.effective_description,
           "tags": list(inst.status_tags), "cf": inst.carry_forward}
    old = ss.get(k("base", iid))
    for field in ("desc", "tags", "cf"):
        key = k(field, iid)
        if keep_dirty and old is not None and key in ss and ss[key] != old[field]:
            continue
        ss[key] = new[field]
    ss[k("base", iid)] = new
    ss.pop(k("conflict", iid), None)
    ss.pop(k("tagerr", iid), None)


def form_changes(iid: str) -> dict:
    """What the form would change, as update_instance keyword arguments."""
    base = ss.get(k("base", iid))
    if base is None:
        return {}
    changes: dict = {}
    desc = ss.get(k("desc", iid))
    if desc is not None and desc.strip() != base["desc"].strip():
        changes["description_override"] = desc.strip()
    tags = list(ss.get(k("tags", iid)) or [])
    if tags != base["tags"]:
        changes["status_tags"] = tags
    cf = ss.get(k("cf", iid))
    if cf is not None and cf != base["cf"]:
        changes["carry_forward"] = cf
    return changes


def signature(changes: dict) -> str:
    return repr(sorted((key, repr(val)) for key, val in changes.items()))


def refresh_form(inst: core.Instance, *, keep_dirty: bool = True) -> None:
    """Reload an open form after a change (the producer's unsaved fields stay)."""
    if k("base", inst.id) in ss:
        load_form(inst, keep_dirty=keep_dirty)


def after_change(result) -> None:
    if result is not None and result.instance is not None:
        refresh_form(result.instance)


def forget(iid: str) -> None:
    """Close the notice of a vanished instance: its kept edits go, no asset is chosen."""
    for name in ("lost", "base", "desc", "tags", "cf", "reason", "conflict", "seen"):
        ss.pop(k(name, iid), None)
    ss.ed_instance = None


# --- actions (widget callbacks) --------------------------------------------------------
def _update(desk: core.Desk, actor: str, iid: str, version: int, **fields):
    """update_instance; a conflict is kept for the form's conflict panel, not flashed."""
    try:
        return desk.update_instance(iid, expected_version=version, actor=actor, **fields)
    except core.ConflictError as exc:
        ss[k("conflict", iid)] = {"message": str(exc), "current": exc.current}
        return None


def _reason(iid: str) -> str | None:
    return (ss.get(k("reason", iid)) or "").strip() or None


def save(desk: core.Desk, actor: str, iid: str, labels: dict[str, str]) -> None:
    area = areas.centre(iid)
    changes = form_changes(iid)
    if not changes:
        flash("info", "Nothing to save: the form matches the saved state.", area)
        return
    base = ss[k("base", iid)]
    if ss.get(k("seen", iid)) != signature(changes):
        # P3: a change that reaches other scenes is shown before it is saved.
        pv = attempt(lambda: desk.preview_update(iid, **changes), area)
        if pv is None:
            return
        if pv.propagated or pv.flagged:
            flash("warning", "Check where this change goes (see the preview), then press "
                             "Save again.", area)
            return
    result = attempt(lambda: _update(desk, actor, iid, base["version"], reason=_reason(iid),
                                     **changes), area)
    if result is None:
        return
    load_form(result.instance)
    ss[k("reason", iid)] = ""
    ss.pop(k("seen", iid), None)
    merged = ""
    if result.instance.version > base["version"] + 1:      # others saved meanwhile (A6)
        merged = merged_with(desk.history(iid), base["version"], result.change_id)
    ss.ed_last_save = (iid, result.change_id)              # for "Undo this save" (A3)
    flash("success", (f"Saved, merged with {merged}. " if merged else "Saved. ")
          + reach(result, labels, done=True), area)


def discard(desk: core.Desk, iid: str) -> None:
    inst = attempt(lambda: desk.get_instance(iid), areas.centre(iid))
    if inst is not None:
        load_form(inst)
        ss[k("reason", iid)] = ""


def load_current(iid: str, keep_mine: bool) -> None:
    conflict = ss.get(k("conflict", iid))
    if not conflict or conflict["current"] is None:
        return
    if not keep_mine:
        ss[k("stash", iid)] = ss.get(k("desc", iid))
    load_form(conflict["current"], keep_dirty=keep_mine)


def clear_override(desk: core.Desk, actor: str, iid: str, labels: dict[str, str]) -> None:
    area = areas.centre(iid)
    base = ss[k("base", iid)]
    result = attempt(lambda: _update(desk, actor, iid, base["version"], reason=_reason(iid),
                                     description_override=None), area)
    if result is None:
        return
    ss[k("desc", iid)] = result.instance.effective_description
    after_change(result)
    flash("success", "Override cleared: the description follows "
                     + ("the master again. " if result.instance.inherited_description is None
                        else f"scene {result.instance.source_scene_number} again. ")
                     + reach(result, labels, done=True), area)


def act(iid: str, desk_call: Callable, done: str) -> None:
    """One change of the instance from a button: its outcome shows in its form."""
    result = attempt(desk_call, areas.centre(iid))
    if result is not None:
        after_change(result)
        flash("success", done, areas.centre(iid))


def normalize_tags(desk: core.Desk, iid: str) -> None:
    key = k("tags", iid)
    try:
        ss[key] = desk.normalize_tags(list(ss.get(key) or []))
        ss.pop(k("tagerr", iid), None)
    except core.ValidationError as exc:
        ss[k("tagerr", iid)] = str(exc)
