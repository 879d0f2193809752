"""S3 in the Library page (AppTest): the master image uploader states the pixel budget,
and a pixel bomb set as master image is one error message, with nothing saved."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import demo_template, open_desk, run_page, use_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from image_bombs import bomb_png  # noqa: E402

from core.images.store import IMAGE_LIMITS  # noqa: E402

PAGE = "pages/library.py"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    yield path
    st.cache_resource.clear()


def test_S3_master_upload_states_the_budget_and_refuses_a_bomb(db):
    desk = open_desk(db)
    try:
        demo = desk.projects()[0]
        masters = {a.id: a.master_image_key for a in desk.assets(demo.id)}
    finally:
        desk.close()
    at = run_page(PAGE, project=demo.id)
    upload = next(u for u in at.get("file_uploader") if "master_upload_" in u.proto.id)
    assert upload.proto.label == IMAGE_LIMITS and "16.8 megapixels" in upload.proto.label
    upload.set_value(("bomb.png", bomb_png(13000, 13000, rgb=False), "image/png"))
    at.run()
    next(b for b in at.button if b.key == "master_set").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [html.unescape(e.value) for e in at.error]         # escaped for Markdown (S1)
    assert len(shown) == 1 and "13000 × 13000 pixels" in shown[0], shown
    assert "at most 16.8 megapixels" in shown[0]
    st.cache_resource.clear()          # the app's connection lets go of the file
    desk = open_desk(db)
    try:
        assert {a.id: a.master_image_key for a in desk.assets(demo.id)} == masters
    finally:
        desk.close()
