"""Editor actions that show what they will do first (issue 11 items 2, 3 and 7): undo a
whole save (A3), revert a history row or restore the value before it (A3, A5), take the
upstream state replacing or merging tags (T5), and the tag-conflict notes of a preview.

`describe(result)` puts a preview's reach into words (the page's P3 sentence) and
`act(desk_call, done)` runs one change the page's way (errors shown, form reloaded)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import core
from ui.safe import esc

ss = st.session_state
Describe = Callable[[core.UpdateResult], str]
Act = Callable[[Callable, str], None]


def conflict_notes(result: core.UpdateResult) -> None:
    """T5: "scene 4 keeps its own tags (muddy) and will be flagged: upstream adds torn"."""
    for c in result.conflicts:
        st.caption(esc(c.message[0].upper() + c.message[1:] + "."))


def _preview(call: Callable[[], core.UpdateResult], describe: Describe) -> bool:
    try:
        result = call()
    except core.DeskError as exc:
        st.error(esc(str(exc)))
        return False
    st.info(esc(describe(result)))
    conflict_notes(result)
    return True


# --- item 7: undo the session's last save -------------------------------------------------
def _last_save(inst: core.Instance) -> str | None:
    """The change id of the session's last save, when it was of this instance."""
    last = ss.get("ed_last_save")
    return last[1] if last and last[0] == inst.id and last[1] else None


def undo_button(inst: core.Instance) -> None:
    """"Undo this save" for the session's last save of this instance: it asks first
    (`undo_confirm` then shows the preview; it is read only when asked)."""
    change_id = _last_save(inst)
    if change_id and ss.get("ed_undo_ask") != (inst.id, change_id):
        st.button("Undo this save", key=f"ed_undo_ask_{inst.id}", icon=":material/undo:",
                  help="Restores every field your last save changed here, as one audited "
                       "change. Shows what it will do first.",
                  on_click=ss.__setitem__, args=("ed_undo_ask", (inst.id, change_id)))


def undo_confirm(desk: core.Desk, actor: str, inst: core.Instance, describe: Describe,
                 act: Act) -> None:
    """The asked undo's preview with Confirm / Cancel."""
    change_id = _last_save(inst)
    if not change_id or ss.get("ed_undo_ask") != (inst.id, change_id):
        return
    with st.container(border=True):
        st.markdown("**Undo your last save?**")
        st.caption("Restores every field your last save changed here, as one audited change.")
        ok = _preview(lambda: desk.preview_undo(inst.id, change_id), describe)
        with st.container(horizontal=True, gap="xsmall"):
            if ok:
                st.button("Undo this save", key=f"ed_undo_{inst.id}", type="primary",
                          on_click=_undo, args=(desk, actor, inst, change_id, act))
            st.button("Cancel", key=f"ed_undo_cancel_{inst.id}",
                      on_click=ss.pop, args=("ed_undo_ask", None))


def _undo(desk: core.Desk, actor: str, inst: core.Instance, change_id: str, act: Act) -> None:
    ss.pop("ed_last_save", None)
    ss.pop("ed_undo_ask", None)
    act(lambda: desk.undo_change(inst.id, change_id, expected_version=inst.version,
                                 actor=actor),
        f"Undid your last save of {inst.asset_name}.")


# --- item 3: revert with its preview ------------------------------------------------------
def ask_key(iid: str) -> str:
    return f"ed_revert_ask_{iid}"


def ask_revert(iid: str, history_id: int, before: bool) -> None:
    ss[ask_key(iid)] = (history_id, before)


def revert_confirm(desk: core.Desk, actor: str, inst: core.Instance, describe: Describe,
                   act: Act) -> None:
    """The asked revert's preview with Confirm / Cancel (A5: a revert settles like an
    edit; the preview names the scenes that follow and those flagged)."""
    ask = ss.get(ask_key(inst.id))
    if not ask:
        return
    history_id, before = ask
    what = (f"Restore the value before change #{history_id}" if before
            else f"Revert to change #{history_id}")
    with st.container(border=True):
        st.markdown(f"**{what}?**")
        ok = _preview(lambda: desk.preview_revert(inst.id, history_id, before=before),
                      describe)
        with st.container(horizontal=True, gap="xsmall"):
            if ok:
                st.button("Confirm", key=f"ed_revert_confirm_{inst.id}", type="primary",
                          on_click=_revert, args=(desk, actor, inst, history_id, before, act))
            st.button("Cancel", key=f"ed_revert_cancel_{inst.id}",
                      on_click=ss.pop, args=(ask_key(inst.id), None))


def _revert(desk: core.Desk, actor: str, inst: core.Instance, history_id: int, before: bool,
            act: Act) -> None:
    ss.pop(ask_key(inst.id), None)
    act(lambda: desk.revert_instance(inst.id, history_id, expected_version=inst.version,
                                     actor=actor, before=before),
        (f"Restored the value before history #{history_id}." if before
         else f"Reverted to history #{history_id}."))


# --- item 2: take upstream, replacing or merging tags -------------------------------------
def take_upstream(desk: core.Desk, actor: str, inst: core.Instance, act: Act) -> None:
    """"Take upstream" (replace) and, when the tags are flagged, "merge tags" (own
    first), each saying which tags the instance will have."""
    iid, locked = inst.id, inst.locked
    ways = [(False, "Take upstream", "take", "replace")]
    if inst.upstream_tags_changed:
        ways.append((True, "Take upstream, merge tags", "take_merge", "merge"))
    outcomes = []
    with st.container(horizontal=True, gap="xsmall"):
        for merge, label, name, word in ways:
            try:
                tags = desk.preview_take_upstream(iid, merge_tags=merge).instance.status_tags
                outcomes.append(f"{word}: tags become {', '.join(tags) or 'none'}")
            except core.DeskError as exc:
                outcomes.append(f"{word}: {exc}")
            st.button(label, key=f"ed_{name}_{iid}", disabled=locked, on_click=act, args=(
                lambda merge=merge: desk.take_upstream(iid, expected_version=inst.version,
                                                       actor=actor, merge_tags=merge),
                "Took the upstream state, merging the tags (own first)." if merge
                else "Took the upstream state."))
        st.button("Mark reviewed (keep mine)", key=f"ed_reviewed_{iid}", disabled=locked,
                  on_click=act, args=(
                      lambda: desk.mark_reviewed(iid, expected_version=inst.version,
                                                 actor=actor),
                      "Marked reviewed: this scene keeps its own state."))
    if inst.upstream_tags_changed:
        text = "; ".join(outcomes)
        st.caption(esc(text[0].upper() + text[1:] + " (merge keeps this scene's tags first)."))
