"""Library import preview and Scenes page for the screenplay rules N1-N5 (AppTest):
voices, crowds and props unticked with their reasons, props by scene, looks suggested
apart, and each scene's time of day and qualifiers on Scenes."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import check, demo_template, open_desk, run_page, use_copy

PAGE = "pages/library.py"
BIG_TOP = Path(__file__).resolve().parents[1] / "unit" / "screenplays" / "big_top.fountain"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        empty = desk.create_project("Big Top", actor="ana")
    finally:
        desk.close()
    yield {"path": path, "empty": empty}
    st.cache_resource.clear()


def preview(db):
    at = run_page(PAGE, project=db["empty"].id)
    at.radio(key="sp_target").set_value("this").run()
    upload = next(u for u in at.get("file_uploader") if u.proto.id.endswith("sp_upload_0"))
    upload.set_value(("big_top.fountain", BIG_TOP.read_bytes(), "text/plain"))
    at.run()
    check(at)
    return at


def test_N3_N5_preview_lists_candidates_with_reasons_unticked(db):
    at = preview(db)
    boxes = {c.key.split("_")[1] + ":" + unescape(c.label.split("**")[1]): c.value
             for c in at.checkbox if c.key.startswith(("sp_alias_", "sp_look_"))}
    assert boxes["alias:Edward Bloom"] is True and boxes["alias:Will Bloom"] is True
    assert {k: v for k, v in boxes.items() if k.startswith("look:")} == {
        "look:Young Edward": False, "look:Adult Edward": False, "look:Edward (10)": False}
    look = next(c for c in at.checkbox if "Young Edward" in c.label)
    assert "described as young" in look.label
    frames = [d.value for d in at.dataframe]
    scenes = next(f for f in frames if "Time of day" in f.columns)
    assert list(scenes["Time of day"])[1:4] == ["NIGHT", "NIGHT", "DAY"]
    assert list(scenes["Qualifiers"])[1:4] == ["CONTINUOUS", "LATER", "1973"]
    assets = next(f for f in frames if "Look of" in f.columns).set_index("Name")
    assert assets.loc["Young Edward", "Look of"] == "Edward"
    assert assets.loc["Bloom House - Kitchen", "Inside"] == "Bloom House"
    assert assets.loc["Edward", "Description"] == "introduction line"
    assert assets.loc["Seven Witches", "From"] == "introduced in action"
    assert "Silver Locket" not in assets.index and "Man's Voice" not in assets.index
    why = [f for f in frames if "Why" in f.columns]
    voices, props = why                  # AppTest lists data editors with the dataframes
    assert set(voices["Name"]) == {"The Crowd", "A Man's Voice", "Man's Voice",
                                   "Woman's Voice"}
    assert not voices["Create"].any() and voices["Why"].str.len().min() > 0
    assert list(props["Name"]) == ["Silver Locket"] and list(props["Scenes"]) == ["2, 4"]
    assert not props["Create"].any()
    md = "\n".join(m.value for m in at.markdown)
    assert "Voices and crowds" in md and "Props marked in the script" in md


def test_N1_scenes_page_shows_time_of_day_and_qualifiers(db):
    desk = open_desk(db["path"])
    try:
        desk.import_screenplay(db["empty"].id, BIG_TOP.read_text(), actor="ana")
    finally:
        desk.close()
        st.cache_resource.clear()
    at = run_page("pages/scenes.py", project=db["empty"].id)
    [table] = [d.value for d in at.dataframe]
    assert list(table["Time"])[:3] == ["", "NIGHT", "NIGHT"]
    assert list(table["Qualifiers"])[3:5] == ["1973", "FLASHBACK"]
    at2 = run_page("pages/scenes.py", project=db["empty"].id,
                   scene=desk_scene(db, 4))
    assert any("INT · DAY · 1973" in unescape(c.value) for c in at2.caption)


def desk_scene(db, n: int) -> str:
    desk = open_desk(db["path"])
    try:
        return desk.scenes(db["empty"].id)[n - 1].id
    finally:
        desk.close()
        st.cache_resource.clear()
