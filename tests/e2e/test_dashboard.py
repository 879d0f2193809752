"""Dashboard journeys in real Chromium: the Overview matrix into the editor, choosing a
scene to see its rearview mirror, and narrowing the History log."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from .waits import LOAD, settle


def test_overview_matrix_cell_opens_the_editor(app_server: str, page: Page, screenshot) -> None:
    page.goto(app_server)
    matrix = page.locator("table.cd-matrix")
    expect(matrix).to_be_visible(timeout=LOAD)
    expect(page.get_by_text("Pending review", exact=True)).to_be_visible()
    # Brick in scene 5: muddy and bloody, changed since scene 4.
    cell = page.locator('a.cd-cell[title^="Brick · scene 5"]')
    expect(cell).to_contain_text("bloody")
    expect(cell).to_have_class(re.compile(r"\bcd-changed\b"))
    expect(page.locator("a.cd-cell")).to_have_count(42)
    settle(page)
    screenshot(page, "dashboard_overview")
    page.get_by_text("Open issues").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "dashboard_overview_issues")

    href = cell.get_attribute("href")
    cell.click()
    page.wait_for_url(re.compile(r"/editor\?"), timeout=LOAD)
    params = parse_qs(urlparse(page.url).query)
    expected = parse_qs(urlparse(href).query)
    assert params["scene"] == expected["scene"] and params["instance"] == expected["instance"]
    expect(page.locator('[data-testid="stMainBlockContainer"] h1, '
                        '[data-testid="stMainBlockContainer"] h2, '
                        '[data-testid="stMainBlockContainer"] h3').first).to_be_visible(
        timeout=LOAD)
    settle(page)
    screenshot(page, "dashboard_overview_to_editor")


def test_scenes_choose_a_scene_and_see_the_rearview(app_server: str, page: Page,
                                                     screenshot) -> None:
    page.goto(f"{app_server}/scenes")
    expect(page.get_by_role("heading", name=re.compile(r"^Scene 1 · "))).to_be_visible(
        timeout=LOAD)
    settle(page)
    # Pick scene 5 (the fifth row) in the scene table.
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 35 * 5 + 17)
    expect(page.get_by_role("heading", name=re.compile(r"^Scene 5 · "))).to_be_visible(
        timeout=LOAD)
    expect(page).to_have_url(re.compile(r"/scenes\?scene="))
    expect(page.get_by_text("Where we left off")).to_be_visible()
    expect(page.get_by_text("Brick's left eyebrow is split and bleeding")).to_be_visible()
    expect(page.locator("span.cd-chip", has_text="+bloody")).to_be_visible()
    expect(page.locator("span.cd-badge", has_text="description changed")).to_be_visible()
    page.get_by_text("Script excerpt").click()
    expect(page.locator(".cd-cue", has_text="DOT")).to_be_visible()
    settle(page)
    screenshot(page, "dashboard_scenes")
    page.get_by_text("Rearview mirror").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "dashboard_scenes_rearview")

    # Scene 8 lists what blocks it.
    page.get_by_role("button", name=re.compile(r"Scene 7 →")).click()
    page.get_by_role("button", name=re.compile(r"Scene 8 →")).click()
    expect(page.get_by_text("Pike: carried conditions (muddy) await review.")).to_be_visible(
        timeout=LOAD)


def test_history_filters_narrow_the_log(app_server: str, page: Page, screenshot) -> None:
    page.goto(f"{app_server}/history")
    count = page.get_by_text(re.compile(r"^\d+ changes? "))
    expect(count).to_be_visible(timeout=LOAD)
    total = int(count.inner_text().split()[0])
    assert total > 50

    page.locator('[data-testid="stSelectbox"]', has_text="Asset").first.click()
    page.get_by_role("option", name="Brick (character)").click()
    expect(count).not_to_have_text(re.compile(rf"^{total} "), timeout=LOAD)
    brick = int(count.inner_text().split()[0])
    assert 0 < brick < total

    page.locator('[data-testid="stSelectbox"]', has_text="Source").first.click()
    page.get_by_role("option", name="user", exact=True).click()
    expect(count).not_to_have_text(re.compile(rf"^{brick} "), timeout=LOAD)
    assert int(count.inner_text().split()[0]) < brick
    settle(page)
    # Select the newest row: its full values appear below the table.
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    expect(page.locator(".cd-value").first).to_be_visible(timeout=LOAD)
    settle(page)
    page.locator(".cd-value").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "dashboard_history")
