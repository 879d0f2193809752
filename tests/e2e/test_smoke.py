"""Smoke test: the app starts on a fresh database and shows the seeded demo film's scenes."""

from playwright.sync_api import Page, expect


def test_overview_shows_demo_scenes(app_server: str, page: Page, screenshot) -> None:
    page.goto(app_server)
    expect(page.get_by_text("Continuity Desk").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Scene 1").first).to_be_visible(timeout=30_000)
    screenshot(page, "smoke_overview")
