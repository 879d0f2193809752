"""The selected instance's history (with revert, A3/A5) and its inheritance chain."""

from __future__ import annotations

import streamlit as st

import core
from core.editing.editor_queries import revert_choice
from core.editing.edits import REVERTABLE_FIELDS
from ui.editor import edit_actions
from ui.editor.edit_actions import Act, Describe
from ui.editor.form import k
from ui.editor.phrases import compact, short
from ui.safe import esc
from ui.textdiff import diff_html
from ui.widgets import FIELD_LABELS, tag_chips

ss = st.session_state

PRODUCER_FIELDS = (REVERTABLE_FIELDS - {"inherited_description", "inherited_tags"}) | {
    "locked", "pending_review"}
HISTORY_PAGE = 20   # changes drawn at first and per "older" click: a run's cost stays flat
                    # however long an instance's history grows


def _show_older(iid: str) -> None:
    ss[k("hist_n", iid)] = ss.get(k("hist_n", iid), HISTORY_PAGE) + HISTORY_PAGE


def _change(h: core.HistoryRow) -> str:
    if isinstance(h.old_value, str) or isinstance(h.new_value, str):
        return f"<span class='cd-diff'>{diff_html(h.old_value, h.new_value)}</span>"
    return f"{esc(compact(h.old_value))} → <b>{esc(compact(h.new_value))}</b>"


def render_history(desk: core.Desk, actor: str, inst: core.Instance,
                   rows: list[core.HistoryRow], describe: Describe, act: Act) -> None:
    with st.expander(f"History · {len(rows)} change{'s' if len(rows) != 1 else ''}"):
        show_all = st.toggle("Show every field", key=k("hist_all", inst.id),
                             help="Also show inheritance links and upstream flags.")
        shown = [h for h in reversed(rows) if show_all or h.field in PRODUCER_FIELDS]
        edit_actions.revert_confirm(desk, actor, inst, describe, act)
        drawn = shown[:ss.get(k("hist_n", inst.id), HISTORY_PAGE)]
        box = st.container(height=320) if len(drawn) > 8 else st.container()
        with box:
            for h in drawn:
                c1, c2 = st.columns([4.6, 1.9], vertical_alignment="center")
                reason = f" · “{esc(short(h.reason, 80))}”" if h.reason else ""
                c1.markdown(
                    f"<div class='ed-hist'><b>{esc(FIELD_LABELS.get(h.field, h.field))}</b> "
                    f"{_change(h)}<br>"
                    f"<span class='ed-muted'>#{h.id} · {esc(h.actor)} · {esc(h.source)} · "
                    f"{h.at:%Y-%m-%d %H:%M}{reason}</span></div>", unsafe_allow_html=True)
                choice = revert_choice(inst, h)
                if choice == "revert":
                    c2.button("Revert", key=k(f"revert_{h.id}", inst.id), type="tertiary",
                              disabled=inst.locked,
                              help="Make this the value again (an ordinary, audited edit); "
                                   "you see what it does before it is saved",
                              on_click=edit_actions.ask_revert, args=(inst.id, h.id, False))
                elif choice == "before":
                    c2.button("Restore before", key=k(f"before_{h.id}", inst.id),
                              type="tertiary", disabled=inst.locked,
                              help="This is the current value: restore the value before "
                                   "this change (previewed first)",
                              on_click=edit_actions.ask_revert, args=(inst.id, h.id, True))
                elif choice == "current":
                    c2.caption("current")
            if not shown:
                st.caption("No changes to show.")
            if len(drawn) < len(shown):
                older = len(shown) - len(drawn)
                st.caption(f"The newest {len(drawn)} of {len(shown)} changes.")
                st.button(f"Show {min(HISTORY_PAGE, older)} older", key=k("hist_more", inst.id),
                          type="tertiary", on_click=_show_older, args=(inst.id,))


def render_chain(desk: core.Desk, inst: core.Instance, labels: dict[str, str],
                 appearances: list[core.Instance]) -> None:
    """I6: `inst`'s lineage, from its asset's `appearances` (the run's read)."""
    chain = desk.lineage(appearances, inst.id)
    title = " → ".join(labels.get(c.scene_id, str(c.scene_number)) for c in chain)
    with st.expander(f"Inheritance chain · scene {esc(title)}"):
        for step in chain:
            here = " (this scene)" if step.id == inst.id else ""
            cf = "" if step.carry_forward else " · carry forward off"
            number = labels.get(step.scene_id, step.scene_number)
            st.markdown(
                f"<div class='ed-chain'><b>Scene {esc(number)}</b>{here} "
                f"<span class='ed-muted'>· {esc(step.source_label)}{cf}</span><br>"
                f"{esc(short(step.effective_description, 220))}<br>"
                f"{tag_chips(step.status_tags)}</div>", unsafe_allow_html=True)
