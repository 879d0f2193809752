"""Small ones of issue 11 (item 9), driven by AppTest on a copy of the demo film without
images: Generate is disabled while the instance's image is being rendered, the bulk
confirmation says how many renders are new and how many reused, and a scene without a
story day shows an empty Day cell (never "None")."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
import streamlit as st
from dashboard_support import check, run_page, use_copy
from image_support import Offline, bare_template, inst, project, texts, the_desk, use_provider


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch):
    use_copy(bare_template(), tmp_path, monkeypatch)
    yield
    st.cache_resource.clear()


@pytest.fixture
def held():
    """Renders wait until the test releases them (jobs stay queued or running)."""
    gate = threading.Event()
    yield gate
    gate.set()


def test_generate_is_disabled_while_the_instances_image_is_being_rendered(held):
    at = run_page()
    use_provider(Offline(gate=held))
    brick = inst(1, "Brick")
    [job] = the_desk().request_images([brick.id], actor="bulk")      # e.g. a bulk run
    at.switch_page("pages/editor.py")
    at.query_params.update({"scene": brick.scene_id, "instance": brick.id})
    check(at.run())
    gen = at.button(key=f"ip_gen_{brick.id}")
    assert gen.disabled
    assert "being rendered" in gen.help
    held.set()
    the_desk().wait_for_jobs([job.id], timeout=30)
    check(at.run())
    assert not at.button(key=f"ip_gen_{brick.id}").disabled


def test_bulk_confirmation_counts_new_and_reused_renders(held):
    at = run_page("pages/bulk.py")
    use_provider(Offline(gate=held))
    the_desk().request_images([inst(1, "Brick").id], actor="ana")   # on its way: reused
    at.select_slider(key=f"bulk_scenes_{project().main_branch_id}").set_range(1, 1).run()
    check(at)
    at.button(key="bulk_generate").click().run()
    check(at)
    assert "6 images: 5 new renders, 1 reused (an image of the same state is already " \
           "rendered or on its way: free)." in texts(at)


def scene_without_a_day() -> None:
    """Scene 10 with no story day, Brick in it."""
    desk = the_desk()
    p = project()
    s = desk.add_scene(p.id, 10, "INT. NOWHERE - NIGHT")
    brick = next(a for a in desk.assets(p.id) if a.name == "Brick")
    desk.inherit_scene(s.id, [brick.id], actor="test")
    assert desk.get_scene(s.id).story_day is None


def test_scenes_table_shows_no_day_as_an_empty_cell():
    run_page()
    scene_without_a_day()
    at = run_page("pages/scenes.py")
    [df] = [d.value for d in at.dataframe]
    assert str(df["Day"].dtype) == "Int64"
    assert pd.isna(df["Day"].iloc[-1]) and df["Day"].iloc[0] == 1


def test_search_table_shows_no_day_as_an_empty_cell():
    run_page()
    scene_without_a_day()
    at = run_page("pages/search.py", q="asset:brick")
    [df] = [d.value for d in at.dataframe]
    assert str(df["Day"].dtype) == "Int64"
    assert df["Day"].isna().sum() == 1     # scene 10; every other scene has its day
