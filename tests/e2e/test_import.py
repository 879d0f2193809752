"""Import the sample screenplay through the Library page in Chromium: the preview says
how many instances it creates (I7), the import creates them, and the asset editor then
shows the first scene populated, which detection confirms."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "brick-and-steel.fountain"
if not SAMPLE.exists():
    SAMPLE = Path("/work/shared/samples/brick-and-steel.fountain")
WAIT = 30_000


def test_import_sample_screenplay_populates_its_scenes(app_server: str, page: Page,
                                                    screenshot) -> None:
    page.goto(f"{app_server}/library")
    expect(page.get_by_role("heading", name="Library & import")).to_be_visible(timeout=WAIT)
    page.locator("input[type=file]").first.set_input_files(str(SAMPLE))
    expect(page.get_by_text("Preview of brick-and-steel.fountain")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Brick Braddock", exact=False).first).to_be_visible()
    screenshot(page, "import_preview")
    page.get_by_text("Scene-asset links").scroll_into_view_if_needed()
    screenshot(page, "import_preview_tables")

    expect(page.get_by_text("Will create 20 instance(s) in 7 of the 8 new scene(s)",
                            exact=False)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Import 8 new scene.*20 instance")).click()
    expect(page.get_by_text("as the new project")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("20 instance(s)", exact=False).first).to_be_visible()
    screenshot(page, "import_done")

    page.get_by_role("link", name="Asset editor").click()
    expect(page.get_by_text("Brick", exact=True).first).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("No assets in this scene yet")).to_have_count(0)
    page.get_by_role("button", name="Detect required assets").first.click()
    expect(page.get_by_text("found 0 asset(s) to add; 3 already in the scene").first
           ).to_be_visible(timeout=WAIT)
    screenshot(page, "detect_found")
