"""Shared set-up of the dashboard page tests (Overview, Scenes, History).

Plain functions, not fixtures: `conftest` is not a unique module name across test
directories. The demo film is seeded once per test process into a template DuckDB
file (through the public API) and copied for every test, so each test gets its own
database without paying for the seeding again."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import core
from core.demo import seed_demo

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60


@functools.cache
def demo_template() -> Path:
    """One seeded template per test process (xdist worker), removed at exit."""
    directory = Path(tempfile.mkdtemp(prefix="continuity-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_template(directory)


def make_template(directory: Path, *, images: bool = True) -> Path:
    """The demo film, by default with an offline reference image for every instance
    (so every scene but 8, where Pike's carried mud awaits review, is ready)."""
    path = directory / "template.duckdb"
    desk = core.open_desk(db_path=path, image_root=directory / "images", provider="offline")
    try:
        project = seed_demo(desk)
        if images:
            ids = [i.id for i in desk.branch_instances(project.id)]
            jobs = desk.request_images(ids, actor="demo")
            done = desk.wait_for_jobs([j.id for j in jobs], timeout=120)
            assert {j.status for j in done} == {"completed"}, done
    finally:
        desk.close()
    return path


def use_copy(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a fresh copy of the seeded template."""
    path = tmp_path / "continuity.duckdb"
    shutil.copyfile(template, path)
    if (template.parent / "images").is_dir():
        shutil.copytree(template.parent / "images", tmp_path / "images")
    monkeypatch.setenv("CONTINUITY_DB_PATH", str(path))
    monkeypatch.setenv("CONTINUITY_IMAGE_ROOT", str(tmp_path / "images"))
    monkeypatch.setenv("CONTINUITY_IMAGE_PROVIDER", "offline")
    st.cache_resource.clear()
    return path


def open_desk(path: Path) -> core.Desk:
    """A second connection for arranging data; close it before the app opens the file."""
    return core.open_desk(db_path=path, image_root=path.parent / "images",
                          provider="offline")


def run_page(page: str | None = None, **query_params: str) -> AppTest:
    """Run app.py (the sidebar and navigation) and then `page`, with query params set."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query_params)
    at.run()
    check(at)
    if page is not None:
        at.switch_page(page)
        at.query_params.update(query_params)
        at.run()
        check(at)
    return at


def check(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def html_of(at: AppTest) -> str:
    """Every markdown block of the page (the matrix and lists are HTML in markdown)."""
    return "\n".join(m.value for m in at.markdown)
