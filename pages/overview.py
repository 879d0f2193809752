"""Overview: the film at a glance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

ctx = st.session_state.ctx
st.title("Continuity Desk")
if ctx is None:
    st.info("No projects yet.")
    st.stop()
desk, project = ctx.desk, ctx.project
scenes = desk.scenes(project.id, ctx.branch.id)
instances = desk.branch_instances(project.id, ctx.branch.id)
st.caption(f"**{project.name}** · {ctx.branch.name} branch · {len(scenes)} scenes · "
           f"{len(instances)} asset instances")
for scene in scenes:
    rows = [i for i in instances if i.scene_id == scene.id]
    with st.expander(f"Scene {scene.display_label} · {scene.heading}", expanded=True):
        st.table(pd.DataFrame(
            [{"Asset": i.asset_name, "Type": i.asset_type,
              "Description": i.effective_description, "Tags": ", ".join(i.status_tags),
              "Source": i.source_label} for i in rows],
            columns=["Asset", "Type", "Description", "Tags", "Source"]), hide_index=True)
