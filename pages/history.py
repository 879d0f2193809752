"""History: the project-wide audit log (A1) with filters and links into the editor.
UI only: rows come from `Desk.project_history`, filtered in the query."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from core.editing.textdiff import around_change
from core.store.history import SOURCES
from ui import dashboard as ui
from ui.context import page_context
from ui.widgets import FIELD_LABELS, NO_VALUE, project_line

LIMIT = 1000
BOOKKEEPING = {"inherited_description", "inherited_tags", "inherited_from_instance_id"}
TEXT_FIELDS = {"description_override", "effective_description", "inherited_description"}

ctx = page_context()
st.title("History")
if ctx is None:
    st.info("No projects yet.")
    st.stop()
desk, project, branch = ctx.desk, ctx.project, ctx.branch
st.markdown(ui.css(getattr(st.context.theme, "type", None) == "dark"), unsafe_allow_html=True)
st.caption(f"{project_line(project, branch)} · every change to every asset "
           "instance, newest first")

assets = {a.id: a for a in desk.assets(project.id)}
scenes = {s.id: s for s in desk.scenes(project.id, branch.id)}
actors = desk.history_actors(project.id)

c_asset, c_scene, c_actor, c_source, c_dates = st.columns([3, 3, 2, 2, 3])
ALL = ""   # the "no filter" choice
asset_id = c_asset.selectbox(
    "Asset", [ALL, *sorted(assets, key=lambda i: assets[i].name.casefold())],
    format_func=lambda i: "All assets" if i == ALL else
    f"{assets[i].name} ({assets[i].asset_type})", key="history_asset") or None
scene_id = c_scene.selectbox(
    "Scene", [ALL, *scenes],
    format_func=lambda i: "All scenes" if i == ALL else
    f"Scene {scenes[i].display_label} · {scenes[i].heading}", key="history_scene") or None
actor = c_actor.selectbox("Who", [ALL, *actors],
                          format_func=lambda a: "Everyone" if a == ALL else a,
                          key="history_actor") or None
source = c_source.selectbox("Source", [ALL, *SOURCES],
                            format_func=lambda s: "All" if s == ALL else s,
                            key="history_source") or None
dates = c_dates.date_input("Dates (UTC)", value=(), format="YYYY-MM-DD", key="history_dates")
dates = tuple(dates) if isinstance(dates, (list, tuple)) else (dates,)
since = datetime.combine(dates[0], time.min, tzinfo=UTC) if dates else None
until = (datetime.combine(dates[-1] + timedelta(days=1), time.min, tzinfo=UTC)
         if dates else None)
bookkeeping = st.toggle("Show inheritance bookkeeping (inherited description, tags and "
                        "source instance)", value=False, key="history_bookkeeping")

log = desk.project_history(project.id, branch.id, asset_id=asset_id, scene_id=scene_id,
                           actor=actor, source=source, since=since, until=until, limit=LIMIT)
if not bookkeeping:
    log = log[~log["field"].isin(BOOKKEEPING)]

if log.empty:
    st.info("No changes match these filters.")
    st.stop()

# Source instances are shown by their scene: read only when the bookkeeping shows them.
where = ({i.id: i.scene_number for i in desk.branch_instances(project.id, branch.id)}
         if (log["field"] == "inherited_from_instance_id").any() else {})


def _value(field: str, value, limit: int | None) -> str:
    if field == "inherited_from_instance_id" and value is not None:
        return f"scene {where[value]}" if value in where else "a removed instance"
    return ui.compact(value, limit=limit)


def _change(field: str, old, new) -> str:
    """before → after in one line; long text cut around its first change (item 8)."""
    if field in TEXT_FIELDS and isinstance(old, str) and isinstance(new, str):
        return " → ".join(around_change(old, new, 60))
    return f"{_value(field, old, 60)} → {_value(field, new, 60)}"


table = pd.DataFrame({
    "Open": [ui.editor_href(s, i, project_id=project.id, branch_id=branch.id)
             if s in scenes else None
             for s, i in zip(log["scene_id"], log["instance_id"], strict=True)],
    "When": pd.to_datetime(log["at"], utc=True),
    "Who": log["actor"],
    "Source": log["source"],
    "Scene": [label if label is not None else "(deleted)" for label in log["scene_label"]],
    "Asset": log["asset_name"].fillna("(deleted asset)"),
    "Field": [FIELD_LABELS.get(f, f) for f in log["field"]],
    "Change": [_change(f, o, n) for f, o, n in
               zip(log["field"], log["old_value"], log["new_value"], strict=True)],
    "Reason": log["reason"].fillna(""),
})
more = " (the latest; narrow the filters to see older ones)" if len(log) >= LIMIT else ""
st.caption(f"{len(table)} change{'s' if len(table) != 1 else ''}{more} · select a row to "
           "see the full values")
event = st.dataframe(
    table, placeholder=NO_VALUE, hide_index=True, width="stretch",
    height=min(38 + 35 * len(table), 520), key="history_table", on_select="rerun",
    selection_mode="single-row",
    column_config={
        "Open": st.column_config.LinkColumn(display_text="Open ↗", width=50,
                                            help="Open this instance in the editor"),
        "When": st.column_config.DatetimeColumn(format="D MMM, HH:mm", width=96,
                                                help="UTC; select a row for the exact time"),
        "Who": st.column_config.TextColumn(width=64),
        "Source": st.column_config.TextColumn(width=80),
        "Scene": st.column_config.TextColumn(width=48),
        "Asset": st.column_config.TextColumn(width=100),
        "Field": st.column_config.TextColumn(width=110),
        "Change": st.column_config.TextColumn(width=180, help="before → after"),
        "Reason": st.column_config.TextColumn(width=180),
    },
)

# --- the selected change in full ------------------------------------------------------
picked = event.selection.rows
if picked and picked[0] < len(log):
    row = log.iloc[picked[0]]
    where_label = (f"scene {ui.esc(row['scene_label'])}" if row["scene_label"] is not None
                   else "a deleted scene")
    st.markdown(f"**{ui.esc(row['asset_name'] or '(deleted asset)')}** in {where_label} · "
                f"{ui.esc(FIELD_LABELS.get(row['field'], row['field']))} · "
                f"{ui.esc(row['source'])} by "
                f"{ui.esc(row['actor'])} · {row['at']:%Y-%m-%d %H:%M:%S} UTC"
                + (f" — *{ui.esc(row['reason'])}*" if row["reason"] else ""),
                unsafe_allow_html=True)
    before, after = st.columns(2)
    old, new = row["old_value"], row["new_value"]
    with before:
        st.caption("Before")
        st.markdown(ui.value_html(_value(row["field"], old, None), old, new, side="old"),
                    unsafe_allow_html=True)
    with after:
        st.caption("After")
        st.markdown(ui.value_html(_value(row["field"], new, None), new, old, side="new"),
                    unsafe_allow_html=True)
