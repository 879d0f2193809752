"""Overview: the film at a glance — counts, the continuity matrix, open issues and
links into every scene. UI only: everything is read through Desk queries."""

from __future__ import annotations

import streamlit as st

from core.review.issue_groups import images_to_make
from ui import dashboard as ui
from ui.context import page_context
from ui.matrix_view import matrix_section
from ui.safe import esc
from ui.widgets import project_line

OPEN_UP_TO = 8              # a group of at most this many issues starts expanded
SCENE_LIST_HEIGHT = 560     # px: a long scene list scrolls in its own box
GROUP_ICONS = {"tag_dropped": ":material/link_off:", "wear_off_survived": ":material/event:",
               "pending_review": ":material/hourglass_top:",
               "upstream_changed": ":material/warning:",
               "locked_upstream_changed": ":material/lock:",
               "named_not_in_scene": ":material/description:"}

ctx = page_context()
if ctx is None:
    st.title("Continuity Desk")
    st.info("No projects yet.")
    st.stop()
desk, project, branch = ctx.desk, ctx.project, ctx.branch

# One read of the branch for the whole page; the matrix filters apply to what it read
# (ui.matrix_view reruns alone when they change).
overview = desk.branch_overview(project.id, branch.id)
scenes, summaries, instances = overview.scenes, overview.summaries, overview.instances
blockers = overview.blockers
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
matrix_section(overview, project.id, branch.id)

# --- open issues and scenes ---------------------------------------------------------------
# Open issues (carried tags awaiting review, R1, and the continuity checks, C1) by kind
# and asset; images are summed up per scene below.
groups = overview.grouped_issues()
headings = {s.id: s.heading for s in scenes}
images = images_to_make(blockers)
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(f"Open issues ({sum(g.count for g in groups)})")
    if not groups:
        st.success("No continuity issues: nothing awaits review and nothing is flagged.",
                   icon=":material/check_circle:")
    for group in groups:
        assets = len(group.assets)
        label = (f"{group.title} · {group.count} in {group.scene_count} "
                 f"scene{'s' if group.scene_count != 1 else ''}"
                 + (f" · {assets} assets" if assets > 1 else ""))
        with st.expander(esc(label), expanded=group.count <= OPEN_UP_TO,
                         icon=GROUP_ICONS.get(group.kind)):
            st.markdown(ui.issue_group_html(group, headings=headings, **ids),
                        unsafe_allow_html=True)
    if images:
        per_scene = []
        for scene in images:
            what = ", ".join(x for x in (f"{scene.missing} missing" if scene.missing else "",
                                         f"{scene.stale} stale" if scene.stale else "") if x)
            per_scene.append(ui.link(ui.scenes_href(scene.scene_id, **ids),
                                     f"Scene {ui.esc(scene.scene_label)}") + f" ({what})")
        total = sum(s.missing + s.stale for s in images)
        with st.expander(f"Reference images to make · {total} in {len(per_scene)} "
                         f"scene{'s' if len(per_scene) != 1 else ''}",
                         icon=":material/image:"):
            st.markdown(" · ".join(per_scene), unsafe_allow_html=True)
with right:
    st.subheader("Scenes")
    with st.container(height=SCENE_LIST_HEIGHT if len(scenes) > 12 else "content",
                      border=False):
        st.markdown(ui.scene_list_html(scenes, blocker_counts, **ids), unsafe_allow_html=True)
