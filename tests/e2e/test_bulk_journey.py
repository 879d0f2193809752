"""Bulk generation in real Chromium against `streamlit run` (fixtures in conftest.py):
filter to the demo's first scene, Generate → confirm in the dialog → live progress to
completion → the results gallery shows the rendered images."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .waits import LOAD, settle

TALL = {"width": 1400, "height": 1500}


def only_first_scene(page: Page) -> None:
    """Move the scene range's upper thumb (an <input type=range>) down to the first scene."""
    upper = page.get_by_role("slider", name="Scenes — end")
    for _ in range(20):
        if upper.get_attribute("aria-valuetext") == "Scene 1":
            break
        upper.focus()
        upper.press("ArrowLeft")
        page.wait_for_timeout(120)
    settle(page)
    expect(upper).to_have_attribute("aria-valuetext", "Scene 1")


def test_bulk_run_of_the_first_scene_with_confirmation_and_progress(app_server: str,
                                                                    page: Page,
                                                                    screenshot) -> None:
    page.set_viewport_size(TALL)
    page.goto(f"{app_server}/bulk")
    expect(page.get_by_text("What to generate")).to_be_visible(timeout=LOAD)
    settle(page)
    # Every instance of scene 1, whatever other journeys on this server did to it.
    page.get_by_role("radio", name="All", exact=True).click()
    settle(page)
    only_first_scene(page)
    chosen = page.get_by_text(re.compile(r"^\d+ instances? chosen$"))
    expect(chosen).to_be_visible()
    count = int(chosen.inner_text().split()[0])
    assert count >= 2
    generate = page.get_by_role("button", name=f"Generate {count} images")
    expect(generate).to_be_enabled()
    screenshot(page, "bulk_filtered")

    generate.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        f"This will generate {count} images for about 0.00 credits. Continue?")
    screenshot(page, "bulk_confirm_dialog")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=30_000)

    # Live progress (a fragment polling the database) until every job is final.
    progress = page.get_by_text(re.compile(r"\d+ of \d+ jobs? done"))
    expect(progress).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Run finished")).to_be_visible(timeout=90_000)
    expect(page.get_by_text(re.compile(r"^completed \d+$"))).to_be_visible()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    settle(page)
    cards = page.locator("[class*='st-key-bk_card_']")
    expect(cards).to_have_count(count)
    images = cards.locator("img")
    expect(images).to_have_count(count, timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[class*='st-key-bk_card_'] img\")]"
        ".every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)
    # Each card links into the editor at its scene and instance.
    href = cards.first.locator("a").first.get_attribute("href")
    assert href and "editor?scene=" in href and "instance=" in href
    screenshot(page, "bulk_results")
