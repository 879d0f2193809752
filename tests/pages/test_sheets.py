"""Breakdown-sheet downloads (AppTest): on Scenes (the scene's sheet) and on the Tag
search timeline (the asset's continuity sheet), "Prepare sheet" makes the PDF and CSV
once; the download buttons then offer those bytes until the data changes."""

from __future__ import annotations

import pytest
import streamlit as st
from dashboard_support import check, demo_template, open_desk, run_page, use_copy

from ui.sheets import file_stem


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        project = desk.projects()[0]
        scenes = {s.scene_number: s.id for s in desk.scenes(project.id)}
        assets = {a.name: a.id for a in desk.assets(project.id)}
    finally:
        desk.close()
    yield path, scenes, assets
    st.cache_resource.clear()


def downloads(at, kind: str) -> dict[str, object]:
    """The sheet's download buttons by format ("pdf", "csv")."""
    out = {}
    for b in at.get("download_button"):
        for fmt in ("pdf", "csv"):
            if b.proto.id.endswith(f"sheet_{kind}_{fmt}"):
                out[fmt] = b.proto
    return out


def _prepared(at, kind: str) -> tuple:
    files = at.session_state[f"_sheet_{kind}_files"]
    pdf, csv = files[1], files[2]
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert csv.startswith(b"\xef\xbb\xbf") and b"instance id" in csv
    return pdf, csv


def test_scenes_page_prepares_the_scene_sheet_once(db):
    _, scenes, _ = db
    at = run_page("pages/scenes.py", scene=scenes[5])
    buttons = downloads(at, "scene")
    assert set(buttons) == {"pdf", "csv"} and all(b.disabled for b in buttons.values())
    assert buttons["pdf"].label == "PDF" and buttons["csv"].label == "CSV"
    prepare = at.button(key="sheet_scene_prepare")
    assert prepare.label == "Prepare sheet" and not prepare.disabled
    prepare.click().run()
    check(at)
    pdf, csv = _prepared(at, "scene")
    assert b"INT. DOT'S PICKUP - MOVING - NIGHT" in csv and b"Brick" in csv
    buttons = downloads(at, "scene")
    assert not any(b.disabled for b in buttons.values())
    assert buttons["pdf"].url.endswith(".pdf") and buttons["csv"].url.endswith(".csv")
    assert at.button(key="sheet_scene_prepare").disabled      # nothing changed since
    # A rerun keeps the files made, without making them again.
    at.run()
    assert at.session_state["_sheet_scene_files"][1] is pdf
    # Another scene: the sheet of scene 5 is not offered for it.
    at.button(key="next_scene").click().run()
    check(at)
    assert all(b.disabled for b in downloads(at, "scene").values())
    assert at.button(key="sheet_scene_prepare").label == "Prepare again"


def test_timeline_prepares_the_assets_continuity_sheet(db):
    _, _, assets = db
    brick = next(a for a in assets if a.startswith("Brick"))
    at = run_page("pages/search.py", asset=assets[brick])
    assert all(b.disabled for b in downloads(at, "asset").values())
    at.button(key="sheet_asset_prepare").click().run()
    check(at)
    pdf, csv = _prepared(at, "asset")
    lines = csv.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 8 and all(",Brick," in line for line in lines[1:])
    buttons = downloads(at, "asset")
    assert buttons["pdf"].url.endswith(".pdf") and not buttons["csv"].disabled


def test_file_stems_are_plain_ascii():
    assert file_stem("Zoë & Ångström", "x") == "zoe-angstrom"
    assert file_stem("李小龍", "asset") == "asset"
    assert file_stem("../../etc/passwd", "x") == "etc-passwd"
