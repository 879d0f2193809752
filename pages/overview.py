"""Overview: the film at a glance — counts, the continuity matrix, open issues and
links into every scene. UI only: everything is read through Desk queries."""

from __future__ import annotations

import streamlit as st

from ui import dashboard as ui
from ui.context import page_context
from ui.widgets import project_line

ctx = page_context()
if ctx is None:
    st.title("Continuity Desk")
    st.info("No projects yet.")
    st.stop()
desk, project, branch = ctx.desk, ctx.project, ctx.branch

# One read of the branch for the whole page; the matrix filters are the widgets' values
# from the previous run (set before the widgets below are drawn again).
overview = desk.branch_overview(project.id, branch.id,
                                asset_types=st.session_state.get("matrix_types") or None,
                                tags=st.session_state.get("matrix_tags") or None)
scenes, summaries, instances = overview.scenes, overview.summaries, overview.instances
blockers, checks = overview.blockers, overview.issues
blocker_counts = dict(zip(summaries["scene_id"], summaries["blockers"], strict=True))
ids = {"project_id": project.id, "branch_id": branch.id}
dark = getattr(st.context.theme, "type", None) == "dark"

st.markdown(ui.css(dark), unsafe_allow_html=True)
st.title("Continuity Desk")
days = sorted({s.story_day for s in scenes if s.story_day is not None})
span = f" · story days {days[0]}–{days[-1]}" if len(days) > 1 else ""
st.caption(f"{project_line(project, branch)} · {len(scenes)} "
           f"scenes{span}")

# --- counts ----------------------------------------------------------------------
metrics = [
    ("Scenes", len(scenes)),
    ("Assets", len(overview.assets)),
    ("Instances", len(instances)),
    ("With images", int(summaries["with_images"].sum())),
    ("Stale images", int(summaries["stale"].sum())),
    ("Pending review", int(summaries["pending_review"].sum())),
    ("Upstream changed", int(summaries["upstream_changed"].sum())),
    ("Ready scenes", f"{int(summaries['ready'].sum())} / {len(scenes)}"),
]
widths = [max(len(label), 8) for label, _ in metrics]   # long labels get room
for col, (label, value) in zip(st.columns(widths), metrics, strict=True):
    col.metric(label, value)

if not scenes:
    st.info("This branch has no scenes yet. Import a screenplay or add scenes to start.")
    st.stop()

# --- the continuity matrix -----------------------------------------------------------
st.subheader("Continuity matrix")
tag_names = list(overview.tag_counts["tag"])
f_types, f_tags = st.columns([2, 3], vertical_alignment="bottom")
types = f_types.pills("Asset types", [t for t, _ in ui.TYPE_GROUPS],
                      selection_mode="multi", key="matrix_types",
                      format_func=lambda t: t.title() + "s")
tags = f_tags.multiselect("Assets with the tag", tag_names, key="matrix_tags",
                          placeholder="Any tag")
cells = overview.cells
if cells.empty and (types or tags):
    st.info("No asset matches these filters.")
elif cells.empty:
    st.info("No asset appears in any scene yet: open a scene in the editor and inherit "
            "or add its assets.")
else:
    stale = {i.id for i in instances if i.image_stale}
    st.markdown(ui.matrix_html(cells, scenes, blocker_counts, stale_images=stale, **ids),
                unsafe_allow_html=True)
    st.markdown(ui.LEGEND, unsafe_allow_html=True)

# --- open issues and scenes ---------------------------------------------------------------
IMAGE_KINDS = {"missing_image", "stale_image"}
# Open issues: carried tags awaiting review (R1) and the continuity checks (C1); images
# are summed up per scene below.
continuity = sorted(
    [b for b in blockers.itertuples(index=False) if b.kind == "pending_review"]
    + [i for i in checks if i.kind not in IMAGE_KINDS], key=lambda x: x.scene_number)
headings = {s.id: s.heading for s in scenes}
images = blockers[blockers["kind"].isin(IMAGE_KINDS)]
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(f"Open issues ({len(continuity)})")
    if not continuity:
        st.success("No continuity issues: nothing awaits review and nothing is flagged.",
                   icon=":material/check_circle:")
    else:
        items = []
        for b in continuity:
            scene_link = ui.link(ui.scenes_href(b.scene_id, **ids),
                                 f"Scene {ui.esc(b.scene_label)}",
                                 title=headings.get(b.scene_id, ""))
            target = ui.editor_href(b.scene_id, b.instance_id, **ids)
            fix = "Open in editor →" if b.instance_id else "Add it in the editor →"
            items.append(f"<li>{ui.ISSUE_ICONS.get(b.kind, '•')} {scene_link} · "
                         f"{ui.esc(b.message)} " + ui.link(target, fix) + "</li>")
        st.markdown('<ul class="cd-list">' + "".join(items) + "</ul>", unsafe_allow_html=True)
    if not images.empty:
        per_scene = []
        for (sid, label), group in images.groupby(["scene_id", "scene_label"], sort=False):
            missing = int((group["kind"] == "missing_image").sum())
            old = int((group["kind"] == "stale_image").sum())
            what = ", ".join(x for x in (f"{missing} missing" if missing else "",
                                         f"{old} stale" if old else "") if x)
            per_scene.append(ui.link(ui.scenes_href(sid, **ids), f"Scene {ui.esc(label)}")
                             + f" ({what})")
        st.markdown(f"<div style='margin-top:0.9rem'><b>Reference images to make "
                    f"({len(images)}):</b> " + " · ".join(per_scene) + "</div>",
                    unsafe_allow_html=True)
with right:
    st.subheader("Scenes")
    for s in scenes:
        n = blocker_counts.get(s.id, 0)
        state = "ready" if n == 0 else f"{n} blocker{'s' if n != 1 else ''}"
        st.page_link("pages/scenes.py", label=ui.esc(f"Scene {s.display_label} · {s.heading}"),
                     help=state, query_params={"scene": s.id},
                     icon=":material/check_circle:" if n == 0 else ":material/error:")
