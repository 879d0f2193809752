"""A deep link as a session's very first run (AppTest starts every run in Streamlit's
legacy `pages/` mode, as a fresh server does): the page hands the run to app.py
(ui.context.page_context), so the sidebar, the navigation and the page all show.
Fails if a Streamlit upgrade changes how `st.navigation` leaves that mode."""

from __future__ import annotations

from html import unescape

import streamlit as st
from dashboard_support import APP, TIMEOUT, check, demo_template, open_desk, use_copy
from streamlit.testing.v1 import AppTest


def test_a_deep_link_first_runs_through_app_py(tmp_path, monkeypatch):
    desk = open_desk(use_copy(demo_template(), tmp_path, monkeypatch))
    try:
        project = desk.projects()[0]
        scene = next(s for s in desk.scenes(project.id) if s.scene_number == 4)
    finally:
        desk.close()
    try:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.switch_page("pages/scenes.py")         # no run of app.py before this one
        at.query_params["scene"] = scene.id
        at.run()
        check(at)
        assert [t.value for t in at.title] == ["Scenes"]
        assert unescape(at.header[0].value).startswith("Scene 4 · ")
        assert at.sidebar.selectbox(key="project_id").value == project.id
        assert at.sidebar.text_input(key="actor").value == "producer"
    finally:
        st.cache_resource.clear()
