"""S4 in the app: with its database file held by another process, app.py shows one
st.error naming the file and the holder's PID, and no exception or traceback."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from db_holder import held  # noqa: E402

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def test_S4_app_shows_the_database_held_by_another_process(tmp_path, monkeypatch):
    db = tmp_path / "continuity.duckdb"
    monkeypatch.setenv("CONTINUITY_DB_PATH", str(db))
    monkeypatch.setenv("CONTINUITY_IMAGE_ROOT", str(tmp_path / "images"))
    monkeypatch.setenv("CONTINUITY_IMAGE_PROVIDER", "offline")
    with held(db, tmp_path / "images") as pid:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    shown = html.unescape(error.value)         # S1: the message is shown as plain text
    assert str(db) in shown and f"process {pid}" in shown
    assert "CONTINUITY_DB_PATH" in shown and sys.executable not in shown
    assert "PostgreSQL team server" in shown and "CONTINUITY_DATABASE_URL" in shown
    assert not at.title                      # the page stopped; nothing else was drawn
