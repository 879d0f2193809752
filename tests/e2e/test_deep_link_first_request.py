"""A deep link as a fresh server's very first request (the legacy `pages/` mode's case:
ui.context.page_context hands the page back to app.py): the sidebar and the right
page, on the right scene. Its own server, since the shared one has served pages."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_factory import app_env, make_desk
from playwright.sync_api import Page, expect

from core.demo import seed_demo

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server nobody has visited yet, on the demo film; yields (url, scene 4's id)."""
    tmp = tmp_path_factory.mktemp("deep-link")
    desk = make_desk(tmp / "e2e.duckdb", image_root=tmp / "images",
                          provider="offline")
    project = seed_demo(desk)
    scene = next(s for s in desk.scenes(project.id) if s.scene_number == 4)
    desk.close()
    port = _free_port()
    env = {**os.environ, **app_env(tmp / "e2e.duckdb", tmp / "images")}
    with open(tmp / "streamlit.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
             "--server.headless=true", "--server.address=127.0.0.1",
             f"--server.port={port}", "--server.fileWatcherType=none"],
            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):           # the health check runs no script
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail((tmp / "streamlit.log").read_text(errors="replace"))
            time.sleep(0.25)
        yield url, scene.id
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def test_a_deep_link_first_shows_the_sidebar_and_its_page(fresh_server, page: Page,
                                                           screenshot) -> None:
    url, scene_id = fresh_server
    page.goto(f"{url}/scenes?scene={scene_id}")
    expect(page.get_by_role("heading", name="Scenes")).to_be_visible(timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Your name (for the audit log)")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Asset editor")).to_be_visible()
    expect(page.get_by_role("heading", name="Rearview mirror")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Scene 4 · "))).to_be_visible()
    assert f"scene={scene_id}" in page.url
    screenshot(page, "deep_link_first_request")
