"""Library & import page (AppTest) on a copy of the seeded demo database."""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import check, demo_template, open_desk, run_page, use_copy
from PIL import Image

PAGE = "pages/library.py"
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "brick-and-steel.fountain"
if not SAMPLE.exists():
    SAMPLE = Path("/work/shared/samples/brick-and-steel.fountain")


@pytest.fixture
def db(tmp_path, monkeypatch):
    """The demo plus an empty project "Brick & Steel" (the import target)."""
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        demo = desk.projects()[0]
        empty = desk.create_project("Brick & Steel", actor="ana")
    finally:
        desk.close()
    yield {"path": path, "demo": demo, "empty": empty}
    st.cache_resource.clear()


def reopen(db):
    st.cache_resource.clear()          # the app's connection lets go of the file
    return open_desk(db["path"])


def button(at, key):
    return next(b for b in at.button if b.key == key)


def uploader(at, key):
    return next(u for u in at.get("file_uploader") if u.proto.id.endswith(key)
                or getattr(u, "key", None) == key)


def test_import_the_sample_screenplay_with_preview_then_confirm(db):
    at = run_page(PAGE, project=db["empty"].id)
    assert [t.value for t in at.title] == ["Library & import"]
    at.radio(key="sp_target").set_value("this").run()
    uploader(at, "sp_upload_0").set_value(("brick-and-steel.fountain", SAMPLE.read_bytes(),
                                           "text/plain"))
    at.run()
    check_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"New scenes": "8", "Updated scenes": "0", "New assets": "14",
                       "Scene-asset links": "20"}         # N3: The Boy Band, never speaking
    assert [c.label.split("**")[1] for c in at.checkbox if c.key.startswith("sp_alias_")] == [
        "Brick Braddock", "Dick Steel", "Extremely Handsome Man"]
    assert at.checkbox(key="sp_populate").value                     # I7: on by default
    assert any("Will create 20 instance(s) in 7 of the 8 new scene(s)" in c.value
               for c in at.caption)
    assert any("SNIPER SCOPE POV" in w.value for w in at.warning)
    # untick one alias: the preview follows
    next(c for c in at.checkbox if c.key.startswith("sp_alias_") and "Dick Steel" in c.label
         ).uncheck()
    at.run()
    assets = next(d.value for d in at.dataframe if "In scenes" in d.value.columns)
    assert assets.set_index("Name").loc["Steel", "Aliases"] == ""
    button(at, "sp_confirm").click()
    at.run()
    check(at)
    assert at.success and "8 scene(s) created" in unescape(at.success[0].value)
    assert "20 instance(s)" in unescape(at.success[0].value)
    desk = reopen(db)
    try:
        scenes = desk.scenes(db["empty"].id)
        assert [s.heading for s in scenes][:2] == ["EXT. BRICK'S PATIO - DAY",
                                                   "INT. TRAILER HOME - DAY"]
        assets = {a.name: a for a in desk.assets(db["empty"].id)}
        assert assets["Brick"].aliases == ["Brick Braddock"] and assets["Steel"].aliases == []
        assert len(assets) == 14
        assert [len(desk.scene_instances(s.id)) for s in scenes] == [3, 4, 2, 1, 0, 4, 3, 3]
        assert len(desk.assets(db["demo"].id)) == 11          # the demo is untouched
    finally:
        desk.close()


def test_import_as_a_new_project_opens_it(db):
    at = run_page(PAGE, project=db["demo"].id)
    uploader(at, "sp_upload_0").set_value(("brick-and-steel.fountain", SAMPLE.read_bytes(),
                                           "text/plain"))
    at.run()
    check_no_exception(at)
    assert [t.value for t in at.text_input if (t.key or "").startswith("sp_name_")] == [
        "Brick & Steel Full Retired"]
    assert {m.label: m.value for m in at.metric}["New scenes"] == "8"
    button(at, "sp_confirm").click()
    at.run()
    check(at)
    assert "as the new project “Brick & Steel Full Retired”" in unescape(at.success[0].value)
    desk = reopen(db)
    try:
        made = next(p for p in desk.projects() if p.name == "Brick & Steel Full Retired")
        assert at.sidebar.selectbox[0].value == made.id       # the sidebar opened it
        assert len(desk.scenes(made.id)) == 8
        assert len(desk.scenes(db["demo"].id)) == 8            # demo: scenes 1-5, 7-9
    finally:
        desk.close()


def test_import_without_instances_when_unticked(db):
    at = run_page(PAGE, project=db["empty"].id)
    at.radio(key="sp_target").set_value("this").run()
    uploader(at, "sp_upload_0").set_value(("brick-and-steel.fountain", SAMPLE.read_bytes(),
                                           "text/plain"))
    at.run()
    at.checkbox(key="sp_populate").uncheck().run()
    check_no_exception(at)
    assert any("No instances will be created" in c.value for c in at.caption)
    assert button(at, "sp_confirm").label == "Import 8 new scene(s), 14 new asset(s)"
    button(at, "sp_confirm").click()
    at.run()
    check(at)
    assert "0 instance(s)" in unescape(at.success[0].value)
    desk = reopen(db)
    try:
        assert all(desk.scene_instances(s.id) == [] for s in desk.scenes(db["empty"].id))
        assert desk.script_fill_plan(db["empty"].id).instance_count == 20
    finally:
        desk.close()


def check_no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def test_a_bad_file_shows_what_is_wrong_and_writes_nothing(db):
    at = run_page(PAGE, project=db["empty"].id)
    uploader(at, "sp_upload_0").set_value(("script.fountain", b"\x00\x01binary", "text/plain"))
    at.run()
    check_no_exception(at)
    assert at.error and "binary" in at.error[0].value
    assert not [b for b in at.button if b.key == "sp_confirm"]
    desk = reopen(db)
    try:
        assert desk.scenes(db["empty"].id) == []
    finally:
        desk.close()


def test_asset_table_edits_are_versioned(db):
    at = run_page(PAGE, project=db["demo"].id)        # the table is loaded here
    from ui.context import get_desk
    desk = get_desk()                                  # the app's Desk, as another tab
    assets = desk.assets(db["demo"].id)
    brick = next(a for a in assets if a.name == "Brick")
    dot = next(a for a in assets if a.name == "Dot")
    desk.update_asset(dot.id, expected_version=dot.version, actor="bo",
                      description="Dot, soaked")
    rows = {a.id: i for i, a in enumerate(assets)}
    at.session_state["assets_editor"] = {
        "edited_rows": {rows[brick.id]: {"Description": "Brick, clean-shaven"},
                        rows[dot.id]: {"Aliases": "Dot Alvarez; Dottie"}},
        "added_rows": [], "deleted_rows": []}
    button(at, "assets_save").click()
    at.run()
    check_no_exception(at)
    assert any("Saved Brick" in s.value for s in at.success)
    assert at.error and "changed by someone else" in at.error[0].value
    assert "Dot, soaked" in at.error[0].value
    desk = reopen(db)
    try:
        assert desk.get_asset(brick.id).description == "Brick, clean-shaven"
        assert desk.get_asset(dot.id).description == "Dot, soaked"
        assert desk.get_asset(dot.id).aliases == ["Dot Alvarez", "Alvarez"]
    finally:
        desk.close()


def test_csv_import_master_image_and_project_export(db):
    at = run_page(PAGE, project=db["empty"].id)
    uploader(at, "assets_csv_in").set_value((
        "assets.csv", b"name,type,description,aliases\nRay,character,Detective,Detective Ray\n",
        "text/csv"))
    at.run()
    check_no_exception(at)
    assert any("Will create **1**" in m.value for m in at.markdown)
    button(at, "assets_csv_go").click()
    at.run()
    assert any("1 created" in s.value for s in at.success)
    # master image
    at = run_page(PAGE, project=db["empty"].id)
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 90, 200)).save(out, "PNG")
    key = next(u for u in at.get("file_uploader") if "master_upload_" in u.proto.id)
    key.set_value(("ray.png", out.getvalue(), "image/png"))
    at.run()
    button(at, "master_set").click()
    at.run()
    check_no_exception(at)
    assert any("Master image of Ray saved" in s.value for s in at.success)
    # export
    button(at, "export_go").click()
    at.run()
    check(at)
    desk = reopen(db)
    try:
        ray = desk.assets(db["empty"].id)[0]
        assert ray.aliases == ["Detective Ray"] and ray.master_image_key.startswith(
            f"project_{db['empty'].id}/masters/{ray.id}_")
    finally:
        desk.close()


def test_detect_required_assets_in_the_editor(db):
    desk = reopen(db)
    try:
        # detection on scenes the import left empty (the mapping alone)
        desk.import_screenplay(db["empty"].id, SAMPLE.read_text(), actor="ana",
                               populate=False)
        garage = desk.scenes(db["empty"].id)[6]
        diner = desk.add_scene(db["empty"].id, 9, "INT. DINER - NIGHT",
                               script_excerpt="Brick sits.\n\nWAITRESS\nMore coffee?")
    finally:
        desk.close()
    st.cache_resource.clear()
    at = run_page("pages/editor.py", project=db["empty"].id, scene=garage.id)
    assert [b for b in at.button if b.key == "ed_detect_empty"]
    at.button(key="ed_detect_empty").click().run()
    check_no_exception(at)
    assert any("found 3 asset(s) to add" in unescape(s.value) for s in at.success)
    at.button(key="ed_detect_add_empty").click().run()
    check_no_exception(at)
    from ui.context import get_desk
    assert {i.asset_name for i in get_desk().scene_instances(garage.id)} == {
        "Brick", "Steel", "Garage"}
    # a scene with an unknown speaker: a suggestion in the drawer, accepted
    at = run_page("pages/editor.py", project=db["empty"].id, scene=diner.id)
    at.button(key="ed_detect_drawer").click().run()
    check_no_exception(at)
    pending = {s.name: s for s in get_desk().suggestions(diner.id)}
    assert set(pending) == {"Waitress", "Diner"}
    suggestion = pending["Waitress"]
    at.button(key=f"ed_sugg_ok_{suggestion.id}").click().run()
    check_no_exception(at)
    assert {i.asset_name for i in get_desk().scene_instances(diner.id)} >= {"Waitress"}
