"""Continuity review on the dashboard (AppTest): C1 issues on the Overview and per scene
on Scenes, with links to fix them; C2 matrix filters and break marks."""

from __future__ import annotations

import re
from html import unescape

import pytest
import streamlit as st
from dashboard_support import demo_template, html_of, open_desk, run_page, use_copy


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    yield path
    st.cache_resource.clear()


def cells(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="[^"]*/editor\?[^"]+" target="_self" class="([^"]+)" '
                      r'title="([^"]*)">', html)


def test_matrix_filters_by_type_and_tag(db):
    at = run_page()
    assert len(cells(html_of(at))) == 42
    at.pills(key="matrix_types").set_value(["prop"]).run()
    html = html_of(at)
    assert "Props (3)" in html and "Characters (" not in html
    assert len(cells(html)) == 14
    at.multiselect(key="matrix_tags").set_value(["cracked"]).run()
    found = cells(html_of(at))
    assert len(found) == 3 and all(unescape(t).startswith("Brass Lantern") for _, t in found)
    at.pills(key="matrix_types").set_value(["character"]).run()
    assert any("No asset matches these filters" in i.value for i in at.info)


def test_a_silently_dropped_tag_is_marked_as_a_break_and_listed(db):
    desk = open_desk(db)
    try:
        project = desk.projects()[0]
        lantern = {i.scene_number: i for i in desk.branch_instances(project.id)
                   if i.asset_name == "Brass Lantern"}
        # Worn from scene 1 on; scene 3 confirms it in review, then drops it silently.
        one = lantern[1]
        desk.update_instance(one.id, expected_version=one.version, actor="ana",
                             status_tags=["worn"])
        three = desk.get_instance(lantern[3].id)
        desk.review_tags(three.id, ["worn"], expected_version=three.version, actor="ana")
        three = desk.get_instance(lantern[3].id)
        desk.update_instance(three.id, expected_version=three.version, actor="ana",
                             status_tags=[])
        scene3 = three.scene_id
    finally:
        desk.close()
    at = run_page()
    html = html_of(at)
    broken = [(c, t) for c, t in cells(html) if "cd-break" in c]
    lantern_breaks = [t for _, t in broken if unescape(t).startswith("Brass Lantern")]
    assert len(lantern_breaks) == 1 and "scene 3" in lantern_breaks[0]
    assert "Continuity break: tag dropped without a reason" in unescape(lantern_breaks[0])
    text = unescape(html)
    assert "Brass Lantern lost “worn” since scene 1" in text
    assert 'aria-label="continuity break"' in html

    at = run_page("pages/scenes.py", scene=scene3)
    html = unescape(html_of(at))
    assert "Continuity checks (1)" in html and "lost “worn” since scene 1" in html
    assert f"./editor?scene={scene3}&instance=" in unescape(html_of(at))


def test_scenes_page_lists_the_scene_checks(db):
    desk = open_desk(db)
    try:
        project = desk.projects()[0]
        scene4 = next(s for s in desk.scenes(project.id) if s.scene_number == 4)
        scene1 = next(s for s in desk.scenes(project.id) if s.scene_number == 1)
    finally:
        desk.close()
    at = run_page("pages/scenes.py", scene=scene4.id)
    html = unescape(html_of(at))
    assert "Continuity checks (2)" in html
    assert "Gull Point Marsh is named in scene 4" in html and "Add it in the editor →" in html
    at = run_page("pages/scenes.py", scene=scene1.id)
    assert "Continuity checks" not in html_of(at)
