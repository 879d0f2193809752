"""Tag search (T4): the query box (kept in the URL as ?q=), tag chips, results with
links into the editor, CSV export, saved searches, and the per-asset timeline (C2).
UI only: everything is read and changed through Desk."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import core
from core.search.query import HELP, QueryError
from core.tags.vocabulary import CATEGORY_COLOURS, VOCABULARY
from ui import dashboard as ui
from ui import search as sui
from ui.context import page_context
from ui.feedback import attempt, flash, show_flash
from ui.sheets import file_stem, sheet_downloads
from ui.widgets import NO_VALUE, notice, project_line

SHOWN = 500          # rows in the table (the CSV has them all)
THUMBS = 200         # rows that get a thumbnail

ctx = page_context()
st.title("Tag search")
if ctx is None:
    st.info("No projects yet.")
    st.stop()
desk, project, branch = ctx.desk, ctx.project, ctx.branch
st.markdown(ui.css(getattr(st.context.theme, "type", None) == "dark"), unsafe_allow_html=True)
st.caption(f"{project_line(project, branch)} · find assets by their state across "
           "the film")
ids = {"project_id": project.id, "branch_id": branch.id}


@st.cache_data(show_spinner=False, max_entries=2000)
def _thumb(location: str, key: str, _desk) -> str | None:
    """A key's bytes never change (every image gets a new key, G5): cached by key."""
    return sui.thumbnail_uri(_desk.image_bytes(key))


def thumb(key: str | None) -> str | None:
    return _thumb(desk.image_root, key, desk) if key else None


# --- the query: a text box bound to ?q= ------------------------------------------------
def _add_chip(key: str) -> None:
    tag = st.session_state.get(key)
    st.session_state[key] = None
    if tag:
        st.session_state.q = sui.add_term(st.session_state.get("q") or "", f"tag:{tag}")


def _run_saved() -> None:
    chosen = st.session_state.get("saved_pick")
    for s in st.session_state.get("_saved_list", []):
        if s.id == chosen:
            st.session_state.q = s.query


query = st.text_input(
    "Search", key="q", bind="query-params", live="400ms", type="search",
    placeholder='tag:bloody -tag:clean type:character scene:3..7 "coat"',
    help="Terms AND together; `tag:a,b` means either; `-` negates a term.\n\n" + HELP,
) or ""

counts = desk.tag_counts(project.id, branch.id)
used = dict(zip(counts["tag"], counts["count"], strict=True))
if used:
    st.pills("Tags in this branch", list(used), key="chip_used",
             format_func=lambda t: ui.esc(f"{t} · {used[t]}"), on_change=_add_chip,
             args=("chip_used",), help="Add the tag to the search", wrap=True)
with st.expander("Vocabulary", expanded=not used):
    columns = st.columns(len(CATEGORY_COLOURS) - 1)
    for col, category in zip(columns, [c for c in CATEGORY_COLOURS if c != "custom"],
                             strict=True):
        tags = [t.name for t in VOCABULARY if t.category == category]
        col.pills(category.title(), tags, key=f"chip_{category}", on_change=_add_chip,
                  args=(f"chip_{category}",), wrap=True,
                  format_func=lambda t: ui.esc(f"{t} · {used[t]}" if t in used else t))
    st.caption("Conditions such as muddy, wet or sweaty wear off between story days; "
               "damage such as torn or cracked persists.")

# --- saved searches ----------------------------------------------------------------------
saved = desk.saved_searches(project.id)
st.session_state._saved_list = saved
by_id = {s.id: s for s in saved}
left, mid, right = st.columns([5, 2, 2], vertical_alignment="bottom")
with left:
    if saved:
        st.selectbox("Saved searches", list(by_id), index=None, key="saved_pick",
                     placeholder="Run a saved search…", on_change=_run_saved,
                     format_func=lambda i: f"{by_id[i].name} — {by_id[i].query}"
                     if i in by_id else str(i))
    else:
        st.caption("No saved searches yet: save the current query to reuse or share it.")
# Callbacks, not `if st.button(...)`: a click must survive page_context's rerun.
def _save(name: str) -> None:
    if attempt(lambda: desk.save_search(project.id, name, st.session_state.get("q") or "",
                                        actor=ctx.actor), "search.saved") is not None:
        flash("success", f"Saved “{name.strip()}”.", "search.saved")
        st.session_state.save_name = ""


def _delete(search_id: str) -> None:
    attempt(lambda: desk.delete_search(search_id, actor=ctx.actor), "search.saved")
    st.session_state.saved_pick = None


with mid, st.popover("Save search", icon=":material/bookmark_add:", width="stretch",
                     disabled=not query.strip()):
    name = st.text_input("Name", key="save_name", max_chars=80)
    st.button("Save", key="save_search", type="primary", disabled=not name.strip(),
              on_click=_save, args=(name,))
with right:
    pick = st.session_state.get("saved_pick")
    st.button("Delete saved", key="delete_search", icon=":material/delete:",
              width="stretch", disabled=pick not in by_id, on_click=_delete, args=(pick,))
show_flash("search.saved")

# --- results --------------------------------------------------------------------------
try:
    found = desk.search(project.id, query, branch.id)
except QueryError as exc:
    notice("error", str(exc), icon=":material/error:")
    if exc.position:
        st.code(query + "\n" + " " * (exc.position - 1) + "^" * max(len(exc.term), 1),
                language=None)
    st.stop()
except core.DeskError as exc:
    notice("error", str(exc), icon=":material/error:")
    st.stop()

n = len(found)
head, export = st.columns([6, 2], vertical_alignment="bottom")
head.subheader(f"{n} result{'s' if n != 1 else ''}", anchor=False)
export.download_button(
    "Export CSV", data=lambda: desk.search_csv(project.id, query, branch.id),
    file_name="tag-search.csv", mime="text/csv", icon=":material/download:",
    disabled=n == 0, width="stretch", key="export_csv")

current = None
if n:
    shown = found.head(SHOWN)
    images = [thumb(k) if pos < THUMBS else None
              for pos, k in enumerate(shown["image_key"])]
    table = pd.DataFrame({
        "Open": [ui.editor_href(s, i, **ids)
                 for s, i in zip(shown["scene_id"], shown["instance_id"], strict=True)],
        "Image": images,
        "Scene": [core.scene_label(label, num) for label, num in
                  zip(shown["scene_label"], shown["scene_number"], strict=True)],
        "Day": pd.array(list(shown["story_day"]), dtype="Int64"),   # no day: NO_VALUE
        "Asset": shown["asset_name"],
        "Type": shown["asset_type"],
        "Tags": shown["status_tags"],
        "Description": shown["effective_description"],
        "Flags": [sui.flags(r) for r in shown.itertuples(index=False)],
    })
    has_images = any(images)
    event = st.dataframe(
        table, placeholder=NO_VALUE, hide_index=True, width="stretch", key="results",
        height=min(38 + (58 if has_images else 35) * len(table), 560),
        row_height=56 if has_images else None,
        on_select="rerun", selection_mode="single-row",
        column_order=[c for c in table.columns if c != "Image" or has_images],
        column_config={
            "Open": st.column_config.LinkColumn(display_text="Open ↗", width=56,
                                                help="Open this instance in the editor"),
            "Image": st.column_config.ImageColumn(width=64, help="The selected reference "
                                                  "image"),
            "Scene": st.column_config.TextColumn(width=50),
            "Day": st.column_config.NumberColumn(width=40, format="%d"),
            "Asset": st.column_config.TextColumn(width=100),
            "Type": st.column_config.TextColumn(width=70),
            "Tags": st.column_config.ListColumn(width=130),
            "Description": st.column_config.TextColumn(width=230 if has_images else 294),
            "Flags": st.column_config.TextColumn(width=118),
        },
    )
    if n > SHOWN:
        st.caption(f"Showing the first {SHOWN} of {n}; the CSV export has them all.")
    rows = event.selection.rows
    current = shown.iloc[rows[0] if rows and rows[0] < len(shown) else 0]
    label = current["scene_label"] or current["scene_number"]
    c1, c2 = st.columns([3, 5], vertical_alignment="center")
    c1.page_link("pages/editor.py",
                 label=ui.esc(f"Open {current['asset_name']} in scene {label} in the editor"),
                 icon=":material/edit:",
                 query_params={"scene": current["scene_id"],
                               "instance": current["instance_id"], "project": project.id,
                               "branch": branch.id})
    c2.caption("Select a row to open it or to see its asset's timeline below.")
elif query.strip():
    st.info("Nothing matches this search in this branch.")
else:
    st.info("This branch has no assets in any scene yet.")

# --- the per-asset timeline ------------------------------------------------------------
st.divider()
assets = {a.id: a for a in desk.assets(project.id)}
if not assets:
    st.stop()
if current is not None and st.session_state.get("_timeline_row") != current["instance_id"]:
    # A newly selected result shows its asset's timeline.
    if st.session_state.get("_timeline_row") is not None or "asset" not in st.query_params:
        st.session_state.asset = current["asset_id"]
    st.session_state._timeline_row = current["instance_id"]
order = sorted(assets, key=lambda i: ({"character": 0, "location": 1}.get(
    assets[i].asset_type, 2), assets[i].name.casefold()))
head, pick = st.columns([4, 3], vertical_alignment="bottom")
asset_id = pick.selectbox("Asset", order, key="asset", bind="query-params",
                          format_func=lambda i: f"{assets[i].name} ({assets[i].asset_type})")
if asset_id not in assets:
    st.stop()
tl = desk.asset_timeline(project.id, asset_id, branch.id)
head.subheader(ui.esc(f"Timeline · {tl.asset_name}"), anchor=False)
apps = tl.appearances
if apps.empty:
    notice("info", f"{tl.asset_name} does not appear in any scene of this branch.")
    st.stop()
gaps = int((apps["skipped_scenes"] > 0).sum())
st.caption(f"{ui.esc(tl.asset_type)} · in {len(apps)} of {len(tl.scene_numbers)} scenes"
           + (f" · skips scenes {gaps} time{'s' if gaps != 1 else ''}" if gaps else "")
           + " · red lines: continuity breaks · dashed: a new story day")
st.altair_chart(sui.timeline_chart(tl), width="stretch", height=sui.timeline_height(tl))
sheet_downloads(desk, project.id, "asset", asset_id, branch.id, title="Continuity sheet",
                stem=f"{file_stem(tl.asset_name, 'asset')}-continuity")

breaks = [i for i in tl.issues if i.kind in sui.TIMELINE_BREAK_KINDS]
if breaks:
    st.markdown(f"**Breaks ({len(breaks)})**")
    items = []
    for i in breaks:
        where = ui.link(ui.editor_href(i.scene_id, i.instance_id, **ids),
                        f"Scene {ui.esc(i.scene_label)}")
        items.append(f"<li>{ui.ISSUE_ICONS.get(i.kind, '•')} {where} · "
                     f"{ui.esc(i.message)}</li>")
    st.markdown('<ul class="cd-list">' + "".join(items) + "</ul>", unsafe_allow_html=True)

strip = []
pngs = desk.image_bytes_many(r.image_key for r in apps.itertuples(index=False))
for r in apps.itertuples(index=False):
    if r.image_key in pngs:
        strip.append((pngs[r.image_key], f"Scene {r.scene_label}" + (" · stale" if r.image_stale
                                                              else "")))
missing = [str(r.scene_label) for r in apps.itertuples(index=False) if not r.image_key]
st.markdown("**Images**")
if strip:
    st.image([p for p, _ in strip], caption=[ui.esc(c) for _, c in strip], width=84)
    if missing:
        st.caption("No image yet in scene " + ui.esc(", ".join(missing)) + ".")
else:
    st.caption("No reference images yet.")

st.markdown("**Description changes**")
previous = None
blocks = []
for r in apps.itertuples(index=False):
    if previous is None or r.description_changed or r.reset:
        note = " · reset to master" if r.reset else ""
        day = f" · day {r.story_day}" if r.story_day is not None else ""
        body = (ui.value_html(r.effective_description, r.effective_description, previous,
                              side="new") if previous is not None
                else f'<div class="cd-value">{ui.esc(r.effective_description)}</div>')
        blocks.append(f"<div style='margin:0.5rem 0 0.2rem 0'><b>Scene "
                      f"{ui.esc(r.scene_label)}</b><span class='cd-muted'>{day}{note}"
                      f"</span></div>{body}")
    previous = r.effective_description
st.markdown("".join(blocks), unsafe_allow_html=True)
if len(blocks) == 1 and len(apps) > 1:
    st.caption("The description stays the same in every later appearance.")
