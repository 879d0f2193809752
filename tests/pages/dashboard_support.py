"""Shared set-up of the dashboard page tests (Overview, Scenes, History).

Plain functions, not fixtures: `conftest` is not a unique module name across test
directories. The demo film is seeded once per test run into a template DuckDB
file (through the public API; `make_template`) and copied for every test, so each test
gets its own database without paying for the seeding again."""

from __future__ import annotations

import atexit
import fcntl
import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from desk_factory import app_env, make_desk
from streamlit.testing.v1 import AppTest

import core
from core.demo import seed_demo

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60
SHARED_ENV = "CONTINUITY_TEST_SHARED_DIR"  # made by tests/conftest.py


@functools.cache
def demo_template() -> Path:
    """This process's copy of the seeded template (with images), removed at exit."""
    directory = Path(tempfile.mkdtemp(prefix="continuity-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_template(directory)


def make_template(directory: Path, *, images: bool = True) -> Path:
    """The demo film, by default with an offline reference image for every instance
    (so every scene but 8, where Pike's carried mud awaits review, is ready).

    Built once per test run (by whichever xdist worker needs it first, the others wait
    for it) in the run's shared directory (tests/conftest.py) and copied into
    `directory`; built in `directory` itself when there is no shared directory."""
    shared = os.environ.get(SHARED_ENV)
    if not shared:
        return build_template(directory, images=images)
    built = shared_build(Path(shared) / ("demo-images" if images else "demo-bare"),
                         lambda into: build_template(into, images=images))
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built / "template.duckdb", directory / "template.duckdb")
    if (built / "images").is_dir():
        shutil.copytree(built / "images", directory / "images")
    return directory / "template.duckdb"


def shared_build(target: Path, build: Callable[[Path], object]) -> Path:
    """`build(target)` once across the processes of a run: the first caller builds under
    an exclusive lock, later ones (in any worker) find it done. A build that failed is
    retried by the next caller (and fails the same way, in that test)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    done = target / ".done"
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                shutil.rmtree(target, ignore_errors=True)
                target.mkdir()
                build(target)
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def build_template(directory: Path, *, images: bool = True) -> Path:
    """Seed the demo film (and render its images) into directory/template.duckdb."""
    path = directory / "template.duckdb"
    desk = make_desk(path, image_root=directory / "images", provider="offline")
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
    for name, value in app_env(path, tmp_path / "images").items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    return path


def open_desk(path: Path) -> core.Desk:
    """A second connection for arranging data; close it before the app opens the file."""
    return make_desk(path, image_root=path.parent / "images")


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
