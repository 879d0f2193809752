"""Scenes: the scene list with status, and for the chosen scene the *rearview mirror*:
the previous scene's end state and what changed per asset since its previous
appearance. UI only: everything is read through Desk queries."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import dashboard as ui
from ui.context import page_context
from ui.feedback import attempt, flash, show_flash
from ui.sheets import file_stem, sheet_downloads
from ui.widgets import NO_VALUE, project_line

ctx = page_context()
st.title("Scenes")
if ctx is None:
    st.info("No projects yet.")
    st.stop()
desk, project, branch = ctx.desk, ctx.project, ctx.branch
dark = getattr(st.context.theme, "type", None) == "dark"
st.markdown(ui.css(dark), unsafe_allow_html=True)

scenes = desk.scenes(project.id, branch.id)
if not scenes:
    st.caption(project_line(project, branch))
    st.info("This branch has no scenes yet. Import a screenplay or add scenes to start.")
    st.stop()
summaries = desk.scene_summaries(project.id, branch.id)
blocker_counts = dict(zip(summaries["scene_id"], summaries["blockers"], strict=True))
st.caption(f"{project_line(project, branch)} · {len(scenes)} scenes · "
           f"{int(summaries['ready'].sum())} ready")


# --- "Fill from script" (I7): the scenes the script names assets in, still empty ------
def _fill_from_script() -> None:
    done = attempt(lambda: desk.fill_from_script(project.id, branch.id, actor=ctx.actor),
                   "scenes.fill")
    if done is not None:
        flash("success", f"Filled {len(done.scene_ids)} scene(s) from the script: "
              f"{len(done.instance_ids)} instance(s) created.", "scenes.fill")


show_flash("scenes.fill")
fill = desk.script_fill_plan(project.id, branch.id)
if fill.instance_count:
    say, act = st.columns([5, 1.3], vertical_alignment="center")
    say.info(f"{fill.scene_count} scene(s) have assets the script names but no instances "
             f"yet. Filling them creates {fill.instance_count} instance(s), scene by scene "
             "in story order, each from its previous appearance (or its master).",
             icon=":material/playlist_add:")
    act.button("Fill from script", key="fill_from_script", icon=":material/auto_fix_high:",
               on_click=_fill_from_script, width="stretch")

if project.script_prologue:                   # N1: the script's text before scene 1
    with st.expander("Prologue: the screenplay's text before its first scene"):
        st.text(project.script_prologue)

# --- the scene list; the chosen scene lives in the query param `scene` --------------
ids = [s.id for s in scenes]
by_id = {s.id: s for s in scenes}
table_key = f"scene_table_{branch.id}"


def _choose(scene_id: str) -> None:
    """Move the table's selection (prev/next buttons); the rerun syncs the URL."""
    st.session_state[table_key] = {"selection": {"rows": [ids.index(scene_id)],
                                                 "columns": [], "cells": []}}


def _open_editor(scene_id: str) -> None:
    # A callback (not `if st.button(...)`) so the click survives page_context's rerun.
    st.session_state.scenes_open_editor = scene_id


if (target := st.session_state.pop("scenes_open_editor", None)) in ids:
    st.switch_page("pages/editor.py", query_params={"scene": target})

wanted = st.query_params.get("scene")
default_row = ids.index(wanted) if wanted in ids else 0
status = pd.DataFrame({
    "Scene": [s.display_label for s in scenes],
    "Heading": [s.heading for s in scenes],
    "Time": [s.time_of_day or "" for s in scenes],                   # N1: the heading's data
    "Qualifiers": [", ".join(s.qualifiers) for s in scenes],
    "Day": pd.array([s.story_day for s in scenes], dtype="Int64"),   # no day: NO_VALUE
    "Assets": list(summaries["assets"]),
    "Images": [f"{w} / {n}" for w, n in zip(summaries["with_images"], summaries["assets"],
                                             strict=True)],
    "Stale": list(summaries["stale"]),
    "Pending review": list(summaries["pending_review"]),
    "Upstream changed": list(summaries["upstream_changed"]),
    "Locked": list(summaries["locked"]),
    "Status": ["✓ ready" if ready else f"{n} blocker{'s' if n > 1 else ''}"
               for ready, n in zip(summaries["ready"], summaries["blockers"], strict=True)],
})
event = st.dataframe(
    status, placeholder=NO_VALUE, key=table_key, hide_index=True, width="stretch",
    height=min(38 + 35 * len(scenes), 320),
    on_select="rerun", selection_mode="single-row-required",
    selection_default={"selection": {"rows": [default_row]}},
    column_config={
        "Scene": st.column_config.TextColumn(width=54),
        "Heading": st.column_config.TextColumn(width=235),
        "Time": st.column_config.TextColumn(width=70, help="Time of day from the heading"),
        "Qualifiers": st.column_config.TextColumn(
            width=90, help="Era, flashback and other scene data from the heading"),
        "Day": st.column_config.NumberColumn(width=44, format="%d"),
        "Assets": st.column_config.NumberColumn(width=58),
        "Images": st.column_config.TextColumn(width=62, help="Instances with a reference image"),
        "Stale": st.column_config.NumberColumn(
            width=52, help="Selected images that show an earlier state"),
        "Pending review": st.column_config.NumberColumn(
            width=106, help="Instances whose carried conditions await review"),
        "Upstream changed": st.column_config.NumberColumn(
            width=122, help="Instances flagged because an earlier scene changed"),
        "Locked": st.column_config.NumberColumn(width=54),
        "Status": st.column_config.TextColumn(
            width=82, help="Readiness: what blocks the scene's hand-off"),
    },
)
rows = event.selection.rows
index = rows[0] if rows and rows[0] < len(scenes) else default_row
scene = scenes[index]
if st.query_params.get("scene") != scene.id:
    st.query_params["scene"] = scene.id

# --- the chosen scene ------------------------------------------------------------
st.header(ui.esc(f"Scene {scene.display_label} · {scene.heading}"), anchor=False)
head, nav = st.columns([5, 4], vertical_alignment="center")
with head:
    day = f"Story day {scene.story_day} · " if scene.story_day is not None else ""
    data = " · ".join(x for x in (scene.setting, scene.time_of_day,
                                  ", ".join(scene.qualifiers)) if x)
    current = {i.id: i for i in desk.scene_instances(scene.id)}
    count = len(current)
    st.caption(ui.esc(f"{data} · " if data else "") + f"{day}scene number {scene.scene_number}"
               f" · {count} asset{'s' if count != 1 else ''}")
with nav:
    b1, b2, b3 = st.columns([1, 1, 1.3])
    prev_id = ids[index - 1] if index > 0 else None
    next_id = ids[index + 1] if index + 1 < len(ids) else None
    b1.button(f"← Scene {ui.esc(by_id[prev_id].display_label)}" if prev_id else "← Previous",
              disabled=prev_id is None, on_click=_choose, args=(prev_id,), width="stretch",
              key="prev_scene")
    b2.button(f"Scene {ui.esc(by_id[next_id].display_label)} →" if next_id else "Next →",
              disabled=next_id is None, on_click=_choose, args=(next_id,), width="stretch",
              key="next_scene")
    b3.button("Open in editor", type="primary", icon=":material/edit:", width="stretch",
              on_click=_open_editor, args=(scene.id,), key="open_editor")

readiness = desk.scene_readiness_of(scene, list(current.values()))   # R1 of what is shown
signed = readiness.signed_off
if readiness.ready:
    st.success("Ready: every asset is reviewed, up to date and has a current image."
               + (f" Signed off by {ui.esc(signed.actor)} ({signed.signed_at:%Y-%m-%d %H:%M} UTC)."
                  if signed else " Not signed off yet (the editor's gate)."),
               icon=":material/check_circle:")
else:
    n = len(readiness.blockers)
    names = {i.id: i.asset_name for i in current.values()}
    lines = [f"- {ui.esc(b.message)}" for b in readiness.blockers
             if b.kind not in ("missing_image", "stale_image")]
    for kind, text in (("missing_image", "No reference image yet"),
                       ("stale_image", "Image shows an earlier state")):
        who = [names.get(b.instance_id, "?") for b in readiness.blockers if b.kind == kind]
        if who:
            lines.append(f"- {text}: {ui.esc(', '.join(who))}")
    lapsed = " The earlier sign-off has lapsed." if readiness.lapsed else ""
    st.warning(f"**Not ready — {n} blocker{'s' if n > 1 else ''}.**{lapsed}\n\n"
               + "\n".join(lines), icon=":material/block:")

# Continuity checks (C1) of this scene that readiness does not list already.
checks = [i for i in desk.continuity_issues(project.id, branch.id, scene_id=scene.id)
          if i.kind in ("tag_dropped", "wear_off_survived", "named_not_in_scene")]
if checks:
    items = "".join(
        f"<li>{ui.ISSUE_ICONS.get(i.kind, '•')} {ui.esc(i.message)} "
        + ui.link(ui.editor_href(scene.id, i.instance_id, project_id=project.id,
                                 branch_id=branch.id),
                  "Open in editor →" if i.instance_id else "Add it in the editor →")
        + "</li>" for i in checks)
    st.markdown(f"<b>Continuity checks ({len(checks)})</b><ul class='cd-list'>{items}</ul>",
                unsafe_allow_html=True)

with st.expander("Script excerpt", expanded=False):
    if scene.script_excerpt:
        st.markdown(ui.screenplay_html(scene.script_excerpt), unsafe_allow_html=True)
    else:
        st.caption("No script excerpt.")
    if scene.shots:
        st.markdown("**Shots**\n\n" + "\n".join(f"1. {ui.esc(s)}" for s in scene.shots))
    if scene.end_state_summary:
        st.markdown(f"**End of this scene:** {ui.esc(scene.end_state_summary)}")

# --- the scene's breakdown sheet (PDF, CSV), made only when asked -----------------
sheet_downloads(desk, project.id, "scene", scene.id, branch.id, extra=scene,
                title="Breakdown sheet",
                stem=f"scene-{file_stem(scene.display_label, 'x')}-breakdown")

# --- the rearview mirror ----------------------------------------------------------
view = desk.rearview(scene.id)
st.subheader("Rearview mirror", anchor=False)
back, now = st.columns(2, gap="large")
with back:
    if view.previous_scene_id is None:
        st.markdown("**Before this scene**")
        st.info("This is the first scene of the branch: every asset starts from its master "
                "definition.")
    else:
        prev = desk.get_scene(view.previous_scene_id)
        st.markdown(
            "**Where we left off — "
            + ui.link(ui.scenes_href(prev.id, project_id=project.id, branch_id=branch.id),
                      f"Scene {ui.esc(prev.display_label)}")
            + f" · {ui.esc(prev.heading)}**", unsafe_allow_html=True)
        end_state = ui.esc(view.previous_end_state) or "<i>No end-state summary.</i>"
        st.markdown(f'<div class="cd-endstate">{end_state}</div>', unsafe_allow_html=True)
        rows_html = "".join(
            f"<tr><td class='cd-name'>{ui.esc(i.asset_name)}"
            f"<span class='cd-type'>{ui.esc(i.asset_type)}</span></td>"
            f"<td>{ui.chips(i.status_tags)}</td>"
            f"<td class='cd-desc'>{ui.esc(i.effective_description)}</td></tr>"
            for i in view.previous_instances)
        st.markdown(
            "<table class='cd-rear'><thead><tr><th>Asset</th><th>Tags</th>"
            f"<th>State at the start of scene {ui.esc(prev.display_label)}</th></tr></thead>"
            f"<tbody>{rows_html}</tbody></table>" if rows_html
            else "<span class='cd-muted'>No assets in that scene.</span>",
            unsafe_allow_html=True)
        pngs = desk.image_bytes_many(i.image_key for i in view.previous_instances)
        images = [(i.asset_name, pngs[i.image_key]) for i in view.previous_instances
                  if i.image_key in pngs]
        if images:
            st.caption(f"Reference images of scene {ui.esc(prev.display_label)}")
            st.image([p for _, p in images], caption=[ui.esc(n) for n, _ in images],
                     width=110)
with now:
    st.markdown(f"**What changed for this scene's assets** ({len(view.changes)})")
    if not view.changes:
        st.info("No assets in this scene yet: open it in the editor to inherit or add them.")
    else:
        items = []
        for c in view.changes:
            href = ui.editor_href(scene.id, c.instance_id, project_id=project.id,
                                  branch_id=branch.id)
            if c.previous_scene_number is None:
                since = ui.badge("first appearance", "#1565c0",
                                 title="No earlier appearance: starts from the master")
            else:
                since = (f"<span class='cd-muted' style='white-space:nowrap'>since scene "
                         f"{c.previous_scene_number}</span>")
            what = [ui.change_chips(c.tags_added, c.tags_removed)]
            inst = current.get(c.instance_id)
            if c.description_changed:
                what.append(ui.badge("description changed", ui.CHANGE_COLOUR,
                                     title=inst.effective_description if inst else ""))
            if c.reset:
                what.append(ui.badge("reset to master", "#6d4c41",
                                     title="The previous appearance does not carry forward"))
            detail = " ".join(w for w in what if w)
            if not detail and c.previous_scene_number is not None:
                detail = "<span class='cd-muted'>unchanged</span>"
            items.append(
                f"<tr><td class='cd-name'>{ui.link(href, ui.esc(c.asset_name))}"
                f"<span class='cd-type'>{ui.esc(c.asset_type)}</span></td>"
                f"<td>{since}</td><td>{detail}</td>"
                f"<td>{ui.chips(inst.status_tags if inst else [])}</td></tr>")
        st.markdown("<table class='cd-rear'><thead><tr><th>Asset</th><th>Previous</th>"
                    "<th>Change</th><th>Tags now</th></tr></thead><tbody>" + "".join(items)
                    + "</tbody></table>", unsafe_allow_html=True)
