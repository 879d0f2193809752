"""Scenes page (AppTest): the scene list with status, the chosen scene (query param
`scene`), its readiness and script, and the rearview mirror."""

from __future__ import annotations

from html import unescape

import pytest
import streamlit as st
from dashboard_support import check, demo_template, html_of, open_desk, run_page, use_copy

from ui.safe import esc
from ui.widgets import NO_VALUE

PAGE = "pages/scenes.py"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        project = desk.projects()[0]
        scenes = {s.scene_number: s.id for s in desk.scenes(project.id)}
    finally:
        desk.close()
    yield scenes
    st.cache_resource.clear()


def header(at) -> str:
    return unescape(at.header[0].value)


def test_scene_list_with_status(db):
    at = run_page(PAGE)
    [table] = [d.value for d in at.dataframe]
    assert list(table["Scene"]) == ["1", "2", "3", "4", "5", "7", "8", "9"]
    row8 = table[table["Scene"] == "8"].iloc[0]
    assert row8["Pending review"] == 1 and row8["Status"] == "1 blocker"
    assert (table[table["Scene"] != "8"]["Status"] == "✓ ready").all()
    assert list(table["Assets"]) == [6, 5, 6, 5, 5, 4, 6, 5]
    # No scene in the URL: the first one is chosen and written to the URL.
    assert header(at) == "Scene 1 · EXT. BRICK'S PATIO - DAY"
    assert at.query_params["scene"] == db[1]
    assert any("first scene of the branch" in i.value for i in at.info)


def test_a_scene_without_a_story_day_shows_no_value_not_none(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        desk.add_scene(desk.projects()[0].id, 10, "EXT. DOCK - NIGHT")    # no story day
    finally:
        desk.close()
    at = run_page(PAGE)
    [frame] = at.dataframe
    table = frame.value
    assert table[table["Scene"] == "10"]["Day"].isna().all()
    assert table[table["Scene"] != "10"]["Day"].notna().all()
    assert frame.proto.placeholder == NO_VALUE          # the grid's own default is "None"
    st.cache_resource.clear()


def test_rearview_shows_what_changed_for_brick_in_scene_5(db):
    at = run_page(PAGE, scene=db[5])
    assert header(at) == "Scene 5 · INT. DOT'S PICKUP - MOVING - NIGHT"
    html = unescape(html_of(at))
    # The previous scene's end state and its assets' states.
    assert "Brick's left eyebrow is split and bleeding" in html
    assert "State at the start of scene 4" in html
    assert ">muddy</span>" in html and ">wet</span>" in html
    # Per asset of this scene: what changed since its previous appearance.
    brick = html[html.index(">Brick</a>"):]
    brick = brick[:brick.index("</tr>")]
    assert ">+bloody</span>" in brick and "description changed" in brick
    assert "since scene 4" in brick
    coat = html[html.index(">Trench Coat</a>"):]
    assert ">+torn</span>" in coat[:coat.index("</tr>")]
    assert any(s.value.startswith("Ready") for s in at.success)


def test_removed_tags_reset_and_first_appearance(db):
    at = run_page(PAGE, scene=db[7])
    html = unescape(html_of(at))
    brick = html[html.index(">Brick</a>"):]
    assert ">−muddy</span>" in brick[:brick.index("</tr>")]
    assert ">−bloody</span>" in brick[:brick.index("</tr>")]
    assert "first appearance" in html          # the Seabreeze Motel
    at = run_page(PAGE, scene=db[8])
    html = unescape(html_of(at))
    coat = html[html.index(">Trench Coat</a>"):]
    assert "reset to master" in coat[:coat.index("</tr>")]


def test_blockers_are_listed(db):
    at = run_page(PAGE, scene=db[8])
    [warning] = at.warning
    assert "1 blocker" in warning.value
    assert "Pike: carried conditions (muddy) await review." in unescape(warning.value)


def test_script_excerpt_is_laid_out_like_a_screenplay(db):
    at = run_page(PAGE, scene=db[5])
    [expander] = [e for e in at.expander if e.label == "Script excerpt"]
    text = unescape("\n".join(m.value for m in expander.markdown))
    assert '<div class="cd-cue">DOT</div>' in text
    assert esc("You're bleeding") in "\n".join(m.value for m in expander.markdown)
    assert "They check in to the Seabreeze Motel" in text


def test_previous_and_next_buttons_move_the_selection_and_the_url(db):
    at = run_page(PAGE, scene=db[5])
    at.button(key="next_scene").click().run()
    check(at)
    assert header(at).startswith("Scene 7 ·")
    assert at.query_params["scene"] == db[7]
    at.button(key="prev_scene").click().run()
    at.button(key="prev_scene").click().run()
    check(at)
    assert header(at).startswith("Scene 4 ·")
    assert at.query_params["scene"] == db[4]


def test_unknown_scene_in_the_url_falls_back_to_the_first(db):
    at = run_page(PAGE, scene="no-such-scene")
    assert header(at).startswith("Scene 1 ·")
    assert at.query_params["scene"] == db[1]


def test_open_in_editor_switches_page_with_the_scene(db):
    at = run_page(PAGE, scene=db[5])
    [button] = [b for b in at.button if b.label == "Open in editor"]
    button.click().run()
    assert at.query_params["scene"] == db[5]
    assert not [h for h in at.subheader if h.value == "Rearview mirror"]


SCRIPT = """INT. HARBOUR OFFICE - NIGHT

RAY reads the tide tables.

EXT. PIER - NIGHT

RAY
She's late.

MARGOT
I'm here.
"""


def test_fill_from_script_shows_the_count_then_fills(tmp_path, monkeypatch):
    """I7: scenes imported without instances; the page says how many instances filling
    creates, the button creates them (one transaction) and says what it did."""
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        rep = desk.import_screenplay_as_project("Low Water", SCRIPT, actor="ana",
                                                populate=False)
    finally:
        desk.close()
    st.cache_resource.clear()
    at = run_page(PAGE, project=rep.project_id)
    assert any("2 scene(s) have assets the script names" in unescape(i.value)
               and "creates 5 instance(s)" in unescape(i.value) for i in at.info)
    at.button(key="fill_from_script").click().run()
    check(at)
    assert any("Filled 2 scene(s) from the script: 5 instance(s) created." in unescape(s.value)
               for s in at.success)
    assert not [b for b in at.button if b.key == "fill_from_script"]    # nothing left
    [table] = [d.value for d in at.dataframe]
    assert list(table["Assets"]) == [2, 3]
    st.cache_resource.clear()


def test_no_fill_control_when_every_scene_is_populated(db):
    at = run_page(PAGE)
    assert not [b for b in at.button if b.key == "fill_from_script"]
