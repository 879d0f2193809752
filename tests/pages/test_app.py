"""Smoke tests of app.py with streamlit's AppTest, each on its own temporary database."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import streamlit as st
from desk_factory import ENGINE, app_env, make_desk
from streamlit.testing.v1 import AppTest

from core.demo import ASSETS, PROJECT_NAME, SCENES
from ui.safe import esc

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60  # the first run seeds the demo film


@pytest.fixture(autouse=True)
def fresh_cache():
    """The Desk lives in st.cache_resource; clearing it closes the DuckDB connection."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "continuity.duckdb"
    for name, value in app_env(path, tmp_path / "images").items():
        monkeypatch.setenv(name, value)
    return path


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def project_count(path: Path) -> int:
    desk = make_desk(path, image_root=path.parent / "images")
    try:
        return len(desk.projects())
    finally:
        desk.close()


def test_app_shows_the_seeded_demo(db_path: Path) -> None:
    at = run_app()
    project = at.sidebar.selectbox(key="project_id")
    assert project.options == [PROJECT_NAME]            # shown by name, holds the id
    assert at.sidebar.selectbox(key="branch_id").options == ["Main"]
    assert at.sidebar.text_input(key="actor").value == "producer"

    # The default page is the Overview of the seeded film.
    assert [t.value for t in at.title] == ["Continuity Desk"]
    assert at.caption and PROJECT_NAME in at.caption[0].value
    html = "\n".join(m.value for m in at.markdown)
    for name in ASSETS:
        assert f'<td class="cd-asset">{esc(name)}</td>' in html, name
    for spec in SCENES:
        assert f">Scene {spec['number']}</a>" in html, spec["number"]
    assert ">Scene 6</a>" not in html
    assert not at.error


def test_the_sidebar_names_the_store_the_app_runs_on(db_path: Path) -> None:
    """Issue 14: the engine and where it is, as plain text (S1), never a password."""
    at = run_app()
    (shown,) = [c.value for c in at.sidebar.caption if "Store" in html.unescape(c.value)]
    text = html.unescape(shown)
    if ENGINE == "duckdb":
        assert text == f"Store: DuckDB file {db_path.resolve()}"
    else:
        assert text.startswith("Store: PostgreSQL team server 127.0.0.1:")
        assert "search_path" not in text and "@" not in text
    assert shown == esc(text)                      # escaped: a path's `_` is no markup


def test_second_start_does_not_seed_again(db_path: Path) -> None:
    run_app()
    st.cache_resource.clear()          # as after a restart: the database is reopened
    at = run_app()
    assert len(at.sidebar.selectbox[0].options) == 1
    st.cache_resource.clear()          # closes the app's connection to the file
    assert project_count(db_path) == 1


def test_core_errors_are_shown_not_raised(db_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CONTINUITY_IMAGE_PROVIDER", "no-such-provider")
    at = run_app()
    assert at.error and "no-such-provider" in html.unescape(at.error[0].value)
    assert not db_path.exists() or project_count(db_path) == 0
