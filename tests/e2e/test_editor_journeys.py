"""Asset editor journeys in real Chromium against `streamlit run`.

These journeys change the demo film (a review answered, an asset dropped into a scene),
which other journeys assert on, so they get their own server and database
(`editor_server`, module-scoped); the browser `page` and `screenshot` fixtures come from
conftest.py. Within the module each journey uses assets the others do not touch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .servers import streamlit_app
from .waits import settle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a free port with a fresh demo database of its own."""
    with streamlit_app(tmp_path_factory.mktemp("editor-e2e")) as server:
        yield server.url


DESCRIPTION = "Description at the start of this scene"
TALL = {"width": 1400, "height": 2100}   # the app scrolls inside its own container


def open_editor(page: Page, base: str, query: str = "") -> None:
    page.goto(f"{base}/editor{query}")
    expect(page.get_by_text("Asset drawer")).to_be_visible(timeout=60_000)


def choose_scene(page: Page, number: int) -> None:
    page.get_by_role("combobox", name="Scene").click()
    page.get_by_role("option", name=re.compile(rf"^Scene {number} ·")).click()
    expect(page.get_by_role("combobox", name="Scene")).to_have_value(
        re.compile(rf"^Scene {number} ·"))
    settle(page)


def choose_asset(page: Page, name: str) -> None:
    """Click the asset's row in the left column (buttons carry a type icon ligature)."""
    row = page.locator("[data-testid=stButton] button").filter(
        has_text=re.compile(rf"{re.escape(name)}$"))
    row.first.click()
    expect(page.get_by_role("heading", name=re.compile(rf"{re.escape(name)}$"))).to_be_visible()
    settle(page)


def test_edit_a_description_see_the_preview_save_and_reload(editor_server: str, page: Page,
                                                            screenshot) -> None:
    page.set_viewport_size(TALL)
    open_editor(page, editor_server)
    choose_scene(page, 7)
    choose_asset(page, "Harbor Ledger")
    area = page.get_by_label(DESCRIPTION)
    text = "Water-stained leather harbor ledger, the missing pages tucked back inside."
    area.fill(text)
    area.press("Control+Enter")
    preview = page.get_by_text("Will also update scene 9.")
    expect(preview).to_be_visible()
    page.get_by_label("Reason (optional, saved in the history)").fill("Dot found the pages")
    settle(page)
    screenshot(page, "editor_preview")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Saved\. Also updated scene 9\."))).to_be_visible()
    expect(page.get_by_text("No unsaved changes.")).to_be_visible()
    # the URL is a deep link: reloading (a new session) opens the same instance
    assert "scene=" in page.url and "instance=" in page.url
    url = page.url
    page.reload()
    expect(page.get_by_label(DESCRIPTION)).to_have_value(text, timeout=60_000)
    expect(page.get_by_role("heading", name=re.compile("Harbor Ledger$"))).to_be_visible()
    # the later scene follows
    choose_scene(page, 9)
    choose_asset(page, "Harbor Ledger")
    expect(page.get_by_label(DESCRIPTION)).to_have_value(text)
    settle(page)
    screenshot(page, "editor_after_save")
    # a fresh tab opened on the deep link lands on scene 7's ledger
    other = page.context.new_page()
    other.set_viewport_size(TALL)
    other.goto(url)
    expect(other.get_by_label(DESCRIPTION)).to_have_value(text, timeout=60_000)
    # its history offers to restore the value before the save, the label drawn whole
    other.get_by_text(re.compile(r"^History · \d+ change")).click()
    restore = other.get_by_role("button", name="Restore before")
    expect(restore.first).to_be_visible()
    assert restore.first.evaluate(CUT_OFF) == [], "a history button's label is cut off"
    other.close()


# The elements of a button whose text overflows their box (drawn with an ellipsis).
CUT_OFF = """b => [b, ...b.querySelectorAll('*')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""


def test_drag_an_asset_from_the_drawer_into_the_scene(editor_server: str, page: Page,
                                                       screenshot) -> None:
    page.set_viewport_size(TALL)
    open_editor(page, editor_server)
    choose_scene(page, 9)
    left_rows = page.locator("[data-testid=stButton] button").filter(
        has_text=re.compile(r"Dot's Pickup$"))
    expect(left_rows).to_have_count(0)
    frame = page.frame_locator('iframe[title="streamlit_sortables.sortable_items"]')
    item = frame.locator(".sortable-item", has_text="Dot's Pickup")
    target = frame.locator(".sortable-container", has_text="Drop here to add to the scene")
    expect(item).to_be_visible(timeout=30_000)
    settle(page)
    screenshot(page, "editor_drawer_before_drop")
    src, dst = item.bounding_box(), target.bounding_box()
    assert src and dst
    page.mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2)
    page.mouse.down()
    # dnd-kit starts a drag after 10 px of movement; then glide into the drop box
    page.mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2 + 15, steps=5)
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + dst["height"] / 2, steps=25)
    page.mouse.move(dst["x"] + dst["width"] / 2 + 2, dst["y"] + dst["height"] / 2 + 2, steps=3)
    page.mouse.up()
    expect(page.get_by_text(re.compile(r"^Added to the scene: Dot's Pickup"))).to_be_visible(
        timeout=30_000)
    expect(left_rows).to_have_count(1)
    expect(page.get_by_role("heading", name=re.compile("Dot's Pickup$"))).to_be_visible()
    # the drop box is empty again and the asset left the drawer
    expect(frame.locator(".sortable-item", has_text="Dot's Pickup")).to_have_count(0)
    settle(page)
    screenshot(page, "editor_after_drop")


def test_answer_the_carried_conditions_review(editor_server: str, page: Page,
                                              screenshot) -> None:
    page.set_viewport_size(TALL)
    open_editor(page, editor_server)
    choose_scene(page, 8)
    panel = page.get_by_text("Carried conditions to review", exact=True)
    expect(panel).to_be_visible()
    blocker = page.get_by_role("button", name="Pike: carried conditions (muddy) await review.")
    expect(blocker).to_be_visible()                                   # the gate lists it
    settle(page)
    screenshot(page, "editor_review_prompt")
    page.get_by_role("button", name="Keep all").click()
    expect(page.get_by_text("Pike: kept muddy.")).to_be_visible()
    expect(blocker).to_have_count(0)


def test_two_tabs_edit_the_same_instance_and_the_second_gets_the_conflict(
        editor_server: str, page: Page, screenshot) -> None:
    page.set_viewport_size(TALL)
    open_editor(page, editor_server)
    choose_scene(page, 3)
    choose_asset(page, "Gull Point Marsh")
    url = page.url
    second = page.context.new_page()
    second.set_viewport_size(TALL)
    second.goto(url)
    expect(second.get_by_role("heading", name=re.compile("Gull Point Marsh$"))).to_be_visible(
        timeout=60_000)
    # tab 1 saves first
    first_text = "Tidal salt marsh at low tide, fog rolling in over the reeds."
    page.get_by_label(DESCRIPTION).fill(first_text)
    page.get_by_label(DESCRIPTION).press("Control+Enter")
    expect(page.get_by_text("what saving will do")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Saved\."))).to_be_visible()
    # tab 2 still has the old version
    mine = "Tidal salt marsh under a full moon, the boardwalk glistening."
    area = second.get_by_label(DESCRIPTION)
    area.fill(mine)
    area.press("Control+Enter")
    expect(second.get_by_text("what saving will do")).to_be_visible()
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_text(re.compile("someone else changed this asset here first"))
           ).to_be_visible()
    expect(second.locator(".ed-quote", has_text=first_text)).to_be_visible()   # current state
    expect(second.get_by_label(DESCRIPTION)).to_have_value(mine)      # nothing typed is lost
    settle(second)
    screenshot(second, "editor_conflict")
    second.get_by_role("button", name="Load current version").click()
    expect(second.get_by_text("Your unsaved text, to copy back")).to_be_visible()
    expect(second.get_by_label(DESCRIPTION)).to_have_value(first_text)
    second.close()
