"""Continuity Desk: the Streamlit entry point.

A first, read-only view (the full dashboard of DESIGN §5 comes later): pick a
project, see each scene's asset instances. The page holds no SQL and no rules;
everything goes through `core.Desk`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import core
from core.config import from_env
from core.demo import seed_demo

st.set_page_config(page_title="Continuity Desk", page_icon="🎬", layout="wide")


@st.cache_resource(show_spinner="Opening the continuity database…",
                   on_release=lambda desk: desk.close())
def open_core(db_path: str, image_root: str, provider: str) -> core.Desk:
    """One Desk per process and database. Seeds the demo film only into an empty
    *configured* database (DESIGN §4: `open_desk` itself never creates demo data)."""
    desk = core.open_desk(db_path=db_path, image_root=image_root, provider=provider)
    if not desk.projects():
        seed_demo(desk)
    return desk


NBSP = "\u00a0"


def one_line(text: str) -> str:
    """Keep a short cell on one line so the description gets the room to wrap."""
    return text.replace(" ", NBSP)


def instance_table(instances: list, source_labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Asset": one_line(i.asset_name),
                "Type": i.asset_type,
                "Description": i.effective_description,
                "Tags": ", ".join(i.status_tags),
                "Carry forward": "✓" if i.carry_forward else one_line("✗ resets next"),
                "Pending review": one_line("⚠ review tags") if i.pending_review else "",
                "Source": one_line(source_labels.get(i.id, "Master")),
            }
            for i in instances
        ],
        columns=["Asset", "Type", "Description", "Tags", "Carry forward", "Pending review",
                 "Source"],
    )


def source_labels(by_scene: dict[str, list], scene_labels: dict[str, str]) -> dict[str, str]:
    """Instance id -> where its starting state came from: "Master", "Scene N", or
    "Master (reset after Scene N)" when the earlier appearance does not carry forward."""
    every = {i.id: i for instances in by_scene.values() for i in instances}
    out = {}
    for inst in every.values():
        src = every.get(inst.inherited_from_instance_id)
        if src is None:
            out[inst.id] = "Master"
        elif not src.carry_forward:
            out[inst.id] = f"Master (reset after Scene {scene_labels[src.scene_id]})"
        else:
            out[inst.id] = f"Scene {scene_labels[src.scene_id]}"
    return out


def main() -> None:
    settings = from_env()
    try:
        desk = open_core(settings.db_path, settings.image_root, settings.provider)
    except core.DeskError as exc:
        st.error(str(exc))
        st.stop()

    st.title("Continuity Desk")
    try:
        projects = desk.projects()
        if not projects:
            st.info("No projects yet.")
            return
        project = st.sidebar.selectbox(
            "Project", projects, format_func=lambda p: p.name, key="project"
        )
        scenes = desk.scenes(project.id)
        by_scene = {s.id: desk.scene_instances(s.id) for s in scenes}
    except core.DeskError as exc:
        st.error(str(exc))
        return

    n_instances = sum(len(v) for v in by_scene.values())
    n_pending = sum(i.pending_review for v in by_scene.values() for i in v)
    st.caption(
        f"**{project.name}** · Main branch · {len(scenes)} scenes · "
        f"{n_instances} asset instances · {n_pending} awaiting tag review — "
        "each scene's assets in their state at the start of the scene."
    )
    if not scenes:
        st.info("This project has no scenes yet.")
        return

    labels = {s.id: s.display_label for s in scenes}
    sources = source_labels(by_scene, labels)
    for scene in scenes:
        instances = by_scene[scene.id]
        label = f"Scene {scene.display_label} · {scene.heading}"
        if scene.story_day:
            label += f" · Day {scene.story_day}"
        pending = sum(i.pending_review for i in instances)
        if pending:
            label += f" · :orange[{pending} awaiting tag review]"
        with st.expander(label, expanded=True):
            if scene.end_state_summary:
                st.caption(f"End of scene: {scene.end_state_summary}")
            if instances:
                st.table(instance_table(instances, sources), hide_index=True,
                         border="horizontal")
            else:
                st.info("No assets in this scene yet.")


main()
