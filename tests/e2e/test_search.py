"""Tag search journey in real Chromium: search `tag:bloody` in the demo film (the query
lands in the URL), open the result in the editor, come back and read the asset's
timeline, then another asset's timeline with its continuity break.

(The browser's Back button after a page link is not used: Streamlit 1.67 restores the
previous page with the *current* page's query string, so the search would be lost.)"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from .waits import LOAD, settle


def test_search_bloody_open_in_editor_and_view_the_timeline(app_server: str, page: Page,
                                                            screenshot) -> None:
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(f"{app_server}/search")
    box = page.get_by_role("searchbox", name="Search", exact=True)
    expect(box).to_be_visible(timeout=LOAD)
    expect(page.get_by_role("heading", name="42 results")).to_be_visible(timeout=LOAD)
    box.fill("tag:bloody")
    box.press("Enter")
    expect(page.get_by_role("heading", name="1 result")).to_be_visible(timeout=LOAD)
    page.wait_for_url(re.compile(r"[?&]q=tag(%3A|:)bloody"), timeout=LOAD)
    settle(page)
    screenshot(page, "search_bloody")

    # Open the result in the editor.
    link = page.get_by_role("link", name="Open Brick in scene 5 in the editor")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(r"/editor\?"), timeout=LOAD)
    params = parse_qs(urlparse(page.url).query)
    assert params.get("scene") and params.get("instance") and params.get("project")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main.get_by_role("heading", name=re.compile(r"Brick$"))).to_be_visible(
        timeout=LOAD)
    expect(main.get_by_text(re.compile(r"character · scene 5\b")).first).to_be_visible()
    settle(page)
    screenshot(page, "search_result_in_editor")

    # Back to the search through the navigation: the query is kept, with Brick's timeline.
    page.get_by_role("link", name="Tag search").click()
    page.wait_for_url(re.compile(r"/search\?.*q=tag"), timeout=LOAD)
    expect(page.get_by_role("heading", name="1 result")).to_be_visible(timeout=LOAD)
    expect(page.get_by_role("heading", name="Timeline · Brick")).to_be_visible(timeout=LOAD)
    chart = page.locator('[data-testid="stVegaLiteChart"]')
    expect(chart).to_be_visible(timeout=LOAD)
    expect(page.get_by_text("Description changes")).to_be_visible()
    settle(page)
    chart.scroll_into_view_if_needed()
    screenshot(page, "search_timeline_brick")

    # Another asset: Pike keeps his mud into day 2, a break marked on the timeline.
    page.get_by_label("Asset", exact=True).click()
    page.get_by_role("option", name="Pike (character)").click()
    expect(page.get_by_role("heading", name="Timeline · Pike")).to_be_visible(timeout=LOAD)
    expect(page.get_by_text("Breaks (1)")).to_be_visible(timeout=LOAD)
    expect(page.get_by_text(re.compile("Pike is still “muddy” on story day 2"))).to_be_visible()
    page.wait_for_url(re.compile(r"asset=Pike"), timeout=LOAD)
    settle(page)
    page.get_by_role("heading", name="Timeline · Pike").scroll_into_view_if_needed()
    screenshot(page, "search_timeline_pike")


def test_a_malformed_query_shows_where_it_is_wrong(app_server: str, page: Page,
                                                   screenshot) -> None:
    page.goto(f"{app_server}/search?q=tag%3Abloody+scene%3Ax")
    expect(page.get_by_text(re.compile("“scene:x” at position 12"))).to_be_visible(
        timeout=LOAD)
    settle(page)
    screenshot(page, "search_malformed")
