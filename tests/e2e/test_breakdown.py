"""The Breakdown grid in real Chromium (AppTest cannot edit a data_editor): tick two
cells and untick one in the grid's canvas, read the summary, apply, and see the scene
in the editor with the new appearance. Its own server and demo database
(`editor_server` of test_editor_journeys.py, module-scoped here), since it changes
the film other journeys assert on."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .test_editor_journeys import editor_server  # noqa: F401  (a fixture of this module)
from .waits import settle

TALL = {"width": 1400, "height": 1400}
ASSET_PX, IN_FILM_PX, PENDING_PX, SCENE_PX = 150, 54, 64, 46     # pages/breakdown.py
HEAD_PX, ROW_PX = 36, 35


def toggle(page: Page, grid: int, row: int, column: int) -> None:
    """Select a checkbox cell of the `grid`-th editor (row, scene column) and toggle it
    with the space bar, as a producer using the keyboard does."""
    editor = page.get_by_test_id("stDataFrame").nth(grid)
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    page.mouse.click(box["x"] + ASSET_PX + IN_FILM_PX + PENDING_PX + SCENE_PX * (column + 0.5),
                     box["y"] + HEAD_PX + ROW_PX * row + ROW_PX / 2)
    page.wait_for_timeout(200)
    page.keyboard.press(" ")
    settle(page)


def test_tick_untick_summary_apply(editor_server: str, page: Page, screenshot) -> None:  # noqa: F811
    page.set_viewport_size(TALL)
    page.goto(f"{editor_server}/breakdown")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=60_000)
    settle(page)
    expect(page.get_by_text("Nothing is saved until you apply")).to_be_visible()
    # Characters: Brick, Dot, Pike; Pike is in scenes 3, 4, 8 of 1 2 3 4 5 7 8 9
    toggle(page, 0, 2, 0)
    toggle(page, 0, 2, 1)
    # Locations: Brick's Patio, Dot's Pickup, Gull Point Marsh (in scene 3 only)
    toggle(page, 1, 2, 2)
    summary = page.get_by_text("Adds 2 appearances in 2 scenes, removes 1.")
    expect(summary).to_be_visible()
    expect(page.get_by_text("Adds: Pike in scene 1; Pike in scene 2")).to_be_visible()
    screenshot(page, "breakdown_summary")
    page.get_by_role("button", name="Apply 3 changes").click()
    settle(page)
    expect(page.get_by_text("Placed 2 appearances and removed 1.")).to_be_visible()
    expect(page.get_by_text("Nothing is saved until you apply")).to_be_visible()
    screenshot(page, "breakdown_applied")
    page.goto(f"{editor_server}/editor")                     # scene 1 first
    expect(page.get_by_text("In this scene · 7 assets")).to_be_visible(timeout=60_000)
