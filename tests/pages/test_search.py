"""Tag search page (AppTest): the query from the URL, results and links into the editor,
errors naming the bad term, tag chips, saved searches, CSV export, the asset timeline."""

from __future__ import annotations

from html import unescape

import pytest
import streamlit as st
from dashboard_support import (
    APP,
    TIMEOUT,
    check,
    demo_template,
    html_of,
    run_page,
    use_copy,
)
from streamlit.testing.v1 import AppTest

PAGE = "pages/search.py"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    yield path
    st.cache_resource.clear()


def results(at):
    frames = [d.value for d in at.dataframe]
    return frames[0] if frames else None


def charts(at):
    return [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]


def open_page(**query_params) -> AppTest:
    """Like run_page, but a page that shows an error is what some tests want."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query_params)
    at.run()
    at.switch_page(PAGE)
    at.query_params.update(query_params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_query_from_the_url_shows_results_links_and_the_timeline(db):
    at = run_page(PAGE, q="tag:bloody")
    assert at.text_input(key="q").value == "tag:bloody"
    assert at.subheader[0].value == "1 result"
    table = results(at)
    assert list(table["Asset"]) == ["Brick"] and list(table["Scene"]) == ["5"]
    assert [list(t) for t in table["Tags"]] == [["muddy", "bloody"]]
    href = table["Open"][0]
    assert href.startswith("./editor?scene=") and "&instance=" in href
    assert table["Image"][0].startswith("data:image/png;base64,")     # the demo has images
    link = at.get("page_link")[0]
    assert link.proto.label == "Open Brick in scene 5 in the editor"
    assert "instance=" in link.proto.page or link.proto.page.endswith("editor")
    # The result's asset gets the timeline: a chart, its description changes, images.
    assert any(s.value == "Timeline · Brick" for s in at.subheader)
    assert charts(at)
    assert "left eyebrow split" in html_of(at)
    assert [e for e in at.main if type(e).__name__ == "Image"]     # the image strip


def test_typing_a_query_updates_the_results(db):
    at = run_page(PAGE)
    assert at.subheader[0].value == "42 results"          # an empty query: everything
    at.text_input(key="q").input("tag:muddy type:character").run()
    check(at)
    table = results(at)
    assert list(zip(table["Scene"], table["Asset"], strict=True)) == [
        ("4", "Brick"), ("4", "Pike"), ("5", "Brick"), ("8", "Pike")]
    assert "pending review" in list(table["Flags"])[-1]   # Pike's carried mud
    at.text_input(key="q").input("tag:shattered").run()
    assert "Nothing matches this search" in at.info[0].value


def test_a_malformed_query_names_the_bad_term_and_where_it_is(db):
    at = open_page(q="tag:bloody scene:x")
    message = unescape(at.error[0].value)
    assert "“scene:x”" in message and "position 12" in message
    assert at.code[0].value == "tag:bloody scene:x\n           ^^^^^^^"
    assert not at.dataframe


def test_hostile_text_is_only_data(db):
    at = run_page(PAGE, q="\"'; DROP TABLE scenes; --\" <script>")
    check(at)
    assert "Nothing matches" in at.info[0].value
    at.text_input(key="q").input("").run()
    assert at.subheader[0].value == "42 results"


def test_tag_chips_add_terms_to_the_query(db):
    at = run_page(PAGE, q="type:character")
    chips = {g.key: g for g in at.get("button_group")}
    assert chips["chip_used"].options[0] == "muddy · 6"
    chips["chip_used"].set_value("bloody").run()
    check(at)
    assert at.text_input(key="q").value == "type:character tag:bloody"
    assert at.subheader[0].value == "1 result"
    chips = {g.key: g for g in at.get("button_group")}
    chips["chip_damage"].set_value("torn").run()       # a vocabulary chip
    assert at.text_input(key="q").value == "type:character tag:bloody tag:torn"
    assert at.subheader[0].value == "0 results"


def test_saved_searches_save_run_and_delete(db):
    at = run_page(PAGE, q="tag:muddy -type:prop")
    at.text_input(key="save_name").input("Muddy people").run()
    at.button(key="save_search").click().run()
    check(at)
    assert at.selectbox(key="saved_pick").options == ["Muddy people — tag:muddy -type:prop"]
    desk = at.session_state["ctx"].desk
    (saved,) = desk.saved_searches(desk.projects()[0].id)
    at.text_input(key="q").input("tag:wet").run()
    assert at.subheader[0].value == "2 results"
    at.selectbox(key="saved_pick").set_value(saved.id).run()
    assert at.text_input(key="q").value == "tag:muddy -type:prop"
    assert at.subheader[0].value == "4 results"
    at.button(key="delete_search").click().run()
    check(at)
    assert not [s for s in at.selectbox if s.key == "saved_pick"]


def test_saving_a_malformed_query_is_refused(db):
    at = open_page(q="colour:red")
    at.text_input(key="save_name").input("Broken").run()
    at.button(key="save_search").click().run()
    assert sum("colour:red" in unescape(e.value) for e in at.error) == 2   # the search and the save
    assert not [s for s in at.selectbox if s.key == "saved_pick"]


def test_csv_export_button(db):
    at = run_page(PAGE, q="tag:muddy")
    button = at.get("download_button")[0]
    assert button.proto.label == "Export CSV" and not button.proto.disabled
    at = run_page(PAGE, q="tag:shattered")
    assert at.get("download_button")[0].proto.disabled


def test_timeline_of_another_asset_marks_its_breaks(db):
    at = run_page(PAGE, q="tag:bloody")
    pike = next(o for o in at.selectbox(key="asset").options if o.startswith("Pike"))
    at.selectbox(key="asset").select(pike).run()
    check(at)
    assert any(s.value == "Timeline · Pike" for s in at.subheader)
    html = unescape(html_of(at))
    assert "Breaks (1)" in html or "**Breaks (1)**" in [m.value for m in at.markdown]
    assert "still “muddy” on story day 2" in html
    assert "./editor?scene=" in html


def test_timeline_follows_the_url_asset_and_reports_gaps(db):
    # The asset is kept in the URL by its label, so a shared link reads well.
    at = run_page(PAGE, q="tag:bloody", asset="Brass Lantern (prop)")
    assert any(s.value == "Timeline · Brass Lantern" for s in at.subheader)
    caption = " ".join(c.value for c in at.caption)
    assert "in 3 of 8 scenes" in caption and "skips scenes" in caption
