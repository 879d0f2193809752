"""A deep link as a fresh server's very first request (the legacy `pages/` mode's case:
ui.context.page_context hands the page back to app.py): the sidebar and the right
page, on the right scene. Its own server, since the shared one has served pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_factory import make_desk
from playwright.sync_api import Page, expect

from core.demo import seed_demo

from .servers import streamlit_app

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server nobody has visited yet, on the demo film; yields (url, scene 4's id)."""
    tmp = tmp_path_factory.mktemp("deep-link")
    desk = make_desk(tmp / "e2e.duckdb", image_root=tmp / "images", provider="offline")
    project = seed_demo(desk)
    scene = next(s for s in desk.scenes(project.id) if s.scene_number == 4)
    desk.close()
    with streamlit_app(tmp) as server:
        yield server.url, scene.id


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
