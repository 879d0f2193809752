"""Breakdown: the branch's assets (rows, grouped by type) against its scenes (columns,
a window of them at a time), a tick per appearance, Kitsu-style. Ticks are collected
across windows and filters, summarised, then applied in one change
(`Desk.place_assets`). UI only: what a tick does, and which appearances stay, is core's."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from core.editing.editor_queries import asset_matches
from ui.context import page_context
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc
from ui.widgets import notice, project_line

AREA = "breakdown"
WINDOW = 14                      # scenes shown at first; the range control widens it
GROUPS = {"character": "Characters", "location": "Locations", "prop": "Props"}
ROW_PX, HEAD_PX, MAX_PX = 35, 38, 460
ss = st.session_state

ctx = page_context()
st.title("Breakdown")
if ctx is None:
    st.info("No projects yet.")
    st.stop()
desk, project, branch, actor = ctx.desk, ctx.project, ctx.branch, ctx.actor
grid = desk.breakdown(project.id, branch.id)
st.caption(f"{project_line(project, branch)} · {len(grid.assets)} assets × "
           f"{len(grid.scenes)} scenes · tick where an asset appears")
if not grid.scenes or not grid.assets:
    st.info("This branch needs scenes and the project needs assets before there is a "
            "breakdown: import a screenplay or add them in the Library.")
    st.stop()

PENDING, GEN, RANGE = f"bd_pending_{branch.id}", f"bd_gen_{branch.id}", f"bd_window_{branch.id}"
pending: dict[tuple[str, str], bool] = ss.setdefault(PENDING, {})
ss.setdefault(GEN, 0)
for cell, wanted in list(pending.items()):       # done meanwhile (here or elsewhere)
    if (cell in grid.cells) == wanted or cell[0] not in grid.scenes_of:
        del pending[cell]
scenes = grid.scenes
numbers = [s.scene_number for s in scenes]
label = {s.scene_number: s.display_label for s in scenes}


# --- actions (widget callbacks: they run before the page is drawn again) ----------------
def _reset_grid() -> None:
    ss[GEN] += 1                  # new editor keys: the grids redraw from the ticks kept


def _shift(step: int) -> None:
    first, last = ss[RANGE]
    i, j = numbers.index(first), numbers.index(last)
    width = j - i
    i = max(0, min(len(numbers) - 1 - width, i + step * (width + 1)))
    ss[RANGE] = (numbers[i], numbers[i + width])
    ss.bd_range_n = ss.get("bd_range_n", 0) + 1     # the slider starts again from it


def _fill(ticked: bool, scene_ids: list[str]) -> None:
    for aid in ss.get("bd_fill_assets") or []:
        for sid in scene_ids:
            if ((aid, sid) in grid.cells) == ticked:
                pending.pop((aid, sid), None)
            else:
                pending[(aid, sid)] = ticked
    _reset_grid()


def _discard() -> None:
    pending.clear()
    _reset_grid()


def _apply(add, remove, marker) -> None:
    out = attempt(lambda: desk.place_assets(branch.id, add, remove, actor=actor,
                                            expected=marker), AREA)
    if out is None:
        return                    # the message says why; the ticks stay for another try
    pending.clear()
    _reset_grid()
    made, gone = len(out.created), len(out.removed)
    flash("success", f"Placed {made} appearance{'s' if made != 1 else ''} and removed {gone}. "
                     "New appearances inherit from each asset's previous one.", AREA)


# --- controls -------------------------------------------------------------------------
c_search, c_types, c_only = st.columns([2.2, 2.6, 1.6], vertical_alignment="bottom")
query = c_search.text_input("Search assets", key="bd_q", placeholder="Name or alias")
types = c_types.pills("Asset types", list(GROUPS), format_func=GROUPS.get,
                      selection_mode="multi", default=list(GROUPS), key="bd_types")
only_here = c_only.toggle("Only assets in these scenes", key="bd_only",
                          help="Hide the assets that appear in none of the scenes shown")
if ss.get(RANGE) is None or any(n not in label for n in ss[RANGE]):
    ss[RANGE] = (numbers[0], numbers[min(WINDOW, len(numbers)) - 1])
c_prev, c_range, c_next = st.columns([1, 8, 1], vertical_alignment="bottom")
c_prev.button("← Earlier", key="bd_prev", on_click=_shift, args=(-1,), width="stretch",
              disabled=ss[RANGE][0] == numbers[0])
if len(numbers) > 1:
    first, last = c_range.select_slider(
        "Scenes shown", numbers, value=ss[RANGE], format_func=lambda n: f"Scene {esc(label[n])}",
        key=f"bd_range_{branch.id}_{ss.get('bd_range_n', 0)}",
        help="A window of scenes; ticks outside it are kept until you apply or discard.")
    ss[RANGE] = (first, last)
else:
    first = last = numbers[0]
c_next.button("Later →", key="bd_next", on_click=_shift, args=(1,), width="stretch",
              disabled=ss[RANGE][1] == numbers[-1])
shown = [s for s in scenes if first <= s.scene_number <= last]
shown_ids = [s.id for s in shown]

# filled once the grids have taken this run's ticks; it stays in view while scrolling
summary = st.container(key="bd_summary")
dark = getattr(st.context.theme, "type", None) == "dark"
st.markdown(f"<style>.st-key-bd_summary{{position:sticky;top:3.6rem;z-index:20;"
            f"background:{'#0e1117' if dark else '#ffffff'};padding:0.3rem 0}}</style>",
            unsafe_allow_html=True)


# --- the grids, one per asset type ----------------------------------------------------
def _ticked(aid: str, sid: str) -> bool:
    return pending.get((aid, sid), (aid, sid) in grid.cells)


def _tick(aid: str, sid: str, wanted: bool) -> None:
    if wanted == ((aid, sid) in grid.cells):
        pending.pop((aid, sid), None)
    else:
        pending[(aid, sid)] = wanted


def _pending_of(aid: str) -> str:
    """The asset's ticks not applied yet, in every scene ("+2 −1")."""
    plus = sum(1 for (a, _), w in pending.items() if a == aid and w)
    minus = sum(1 for (a, _), w in pending.items() if a == aid and not w)
    return " ".join(t for t in (plus and f"+{plus}", minus and f"−{minus}") if t)


digest = hashlib.sha1(f"{query}|{sorted(types or [])}|{only_here}".encode()).hexdigest()[:8]
columns = {
    "Asset": st.column_config.TextColumn("Asset", width=150, pinned=True),
    "In film": st.column_config.NumberColumn(
        "In film", width=54, help="Scenes of the branch it appears in now"),
    "Pending": st.column_config.TextColumn(
        "Pending", width=64, help="Ticks (+) and unticks (−) not applied yet, in any scene"),
    **{s.id: st.column_config.CheckboxColumn(
        s.display_label, width=46, help=esc(f"Scene {s.display_label} · {s.heading}"))
       for s in shown},
}
by_id = {a.id: a for a in grid.assets}
row_sets: dict[str, list[str]] = ss.setdefault("bd_rows", {})
drawn_keys, drawn = [], 0
for kind in types or []:
    group = [a for a in grid.assets if a.asset_type == kind]
    key = f"bd_grid_{ss[GEN]}_{branch.id}_{kind}_{first}_{last}_{digest}"
    kept_rows = row_sets.get(key)
    if kept_rows is not None and all(a in by_id for a in kept_rows):
        rows = [by_id[a] for a in kept_rows]      # rows stay put while ticking in a view
        for pos, changes in ((ss.get(key) or {}).get("edited_rows") or {}).items():
            for sid, value in changes.items():    # this run's tick, before drawing it
                if sid in shown_ids and int(pos) < len(rows):
                    _tick(rows[int(pos)].id, sid, bool(value))
    else:
        rows = [a for a in group if asset_matches(a, query or "", None)]
        if only_here:
            rows = [a for a in rows if any(_ticked(a.id, sid) for sid in shown_ids)]
    row_sets[key] = [a.id for a in rows]
    drawn_keys.append(key)
    head = f"**{GROUPS[kind]}** · {len(rows)}" + (f" of {len(group)}" if len(rows) != len(group)
                                                  else "")
    st.markdown(head)
    if not rows:
        st.caption("No asset of this type matches." if group else "None in this project.")
        continue
    drawn += len(rows)
    table = pd.DataFrame(
        {"Asset": [a.name for a in rows],
         "In film": [len(grid.scenes_of.get(a.id, [])) for a in rows],
         "Pending": [_pending_of(a.id) for a in rows],
         **{sid: [_ticked(a.id, sid) for a in rows] for sid in shown_ids}},
        index=[a.id for a in rows])
    edited = st.data_editor(
        table, key=key, hide_index=True, disabled=["Asset", "In film", "Pending"],
        column_config=columns, num_rows="fixed", width="content",
        height=min(HEAD_PX + ROW_PX * len(rows) + 2, MAX_PX))
    for aid in edited.index:
        for sid in shown_ids:
            _tick(aid, sid, bool(edited.at[aid, sid]))
for old in [k for k in row_sets if k not in drawn_keys]:
    del row_sets[old]

with st.expander("Tick or untick whole rows in the scenes shown"):
    st.multiselect("Assets", list(by_id), key="bd_fill_assets",
                   format_func=lambda i: f"{by_id[i].name} ({by_id[i].asset_type})",
                   placeholder="Choose assets")
    f1, f2 = st.columns(2)
    span = f"scenes {label[first]}–{label[last]}" if first != last else f"scene {label[first]}"
    f1.button(f"Tick in {esc(span)}", key="bd_fill_tick", on_click=_fill,
              args=(True, shown_ids), width="stretch")
    f2.button(f"Untick in {esc(span)}", key="bd_fill_untick", on_click=_fill,
              args=(False, shown_ids), width="stretch")


# --- the summary and the one apply ----------------------------------------------------
def _names(cells) -> str:
    by_id, labels = {a.id: a.name for a in grid.assets}, {s.id: s.display_label for s in scenes}
    listed = [f"{by_id[a]} in scene {labels[s]}" for a, s in cells[:6]]
    return "; ".join(listed) + (f"; and {len(cells) - 6} more" if len(cells) > 6 else "")


with summary:
    show_flash(AREA)
    plan = desk.plan_placement(grid, [c for c, w in pending.items() if w],
                               [c for c, w in pending.items() if not w])
    if plan.empty and not plan.kept:
        st.caption("Nothing is saved until you apply: tick or untick cells, check the summary "
                   "here, then apply them all at once.")
    else:
        with st.container(border=True):
            adds, removes = len(plan.add), len(plan.remove)
            text = (f"Adds {adds} appearance{'s' if adds != 1 else ''} in {plan.scenes} "
                    f"scene{'s' if plan.scenes != 1 else ''}, removes {removes}.")
            if plan.relink:
                text += (f" {plan.relink} later appearance{'s' if plan.relink != 1 else ''} "
                         "will inherit from a new previous one (its state may change).")
            st.markdown(f"**{esc(text)}**")
            if plan.add or plan.remove:
                st.caption(esc(" · ".join(
                    part for part in (plan.add and f"Adds: {_names(plan.add)}",
                                      plan.remove and f"Removes: {_names(plan.remove)}")
                    if part)))
            if plan.kept:
                notice("warning", f"{len(plan.kept)} unticked appearance"
                       f"{'s stay' if len(plan.kept) != 1 else ' stays'}: they have work of "
                       "their own (remove them in the asset editor if you really mean it). "
                       + "; ".join(f"{_names([c])} {why}" for c, why in plan.kept[:6])
                       + (f"; and {len(plan.kept) - 6} more" if len(plan.kept) > 6 else ""))
            b1, b2, _ = st.columns([2, 1.2, 4])
            b1.button(f"Apply {adds + removes} change{'s' if adds + removes != 1 else ''}",
                      key="bd_apply", type="primary", disabled=plan.empty, width="stretch",
                      on_click=_apply, args=(plan.add, plan.remove, grid.marker))
            b2.button("Discard ticks", key="bd_discard", on_click=_discard, width="stretch")
if not drawn:
    st.info("No asset matches the search and filters.")
