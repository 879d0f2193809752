"""Smoke tests of app.py with streamlit's AppTest, each on its own temporary database."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import core
from core.demo import ASSETS, PROJECT_NAME, SCENES

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
    monkeypatch.setenv("CONTINUITY_DB_PATH", str(path))
    monkeypatch.setenv("CONTINUITY_IMAGE_ROOT", str(tmp_path / "images"))
    monkeypatch.setenv("CONTINUITY_IMAGE_PROVIDER", "offline")
    return path


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def project_count(path: Path) -> int:
    desk = core.open_desk(db_path=path, image_root=path.parent / "images")
    try:
        return len(desk.projects())
    finally:
        desk.close()


def test_app_shows_the_seeded_demo(db_path: Path) -> None:
    at = run_app()
    assert [t.value for t in at.title] == ["Continuity Desk"]
    assert at.caption and PROJECT_NAME in at.caption[0].value
    assert at.sidebar.selectbox[0].value.name == PROJECT_NAME

    labels = [e.label for e in at.expander]
    for spec in SCENES:
        assert any(
            label.startswith(f"Scene {spec['number']} · {spec['heading']}") for label in labels
        ), spec["number"]
    assert not any(label.startswith("Scene 6 ") for label in labels)

    tables = [t.value.map(lambda v: v.replace("\u00a0", " ")) for t in at.table]
    assert len(tables) == len(SCENES)
    shown = {name for df in tables for name in df["Asset"]}
    assert shown == set(ASSETS)
    sources = {s for df in tables for s in df["Source"]}
    assert {"Master", "Scene 4", "Master (reset after Scene 5)"} <= sources
    assert sum(df["Pending review"].astype(bool).sum() for df in tables) == 1
    assert not at.error


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
    assert at.error and "no-such-provider" in at.error[0].value
    assert not db_path.exists() or project_count(db_path) == 0
