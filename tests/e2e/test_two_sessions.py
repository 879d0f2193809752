"""Two producers in two browser sessions on the demo film (issue 11: items 1, 5 and 6),
in real Chromium against `streamlit run`. Each journey gets its own server and DuckDB
file; what was written is checked from the file once the server has stopped (one
process owns a DuckDB file)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import VIEWPORT
from .servers import Server, streamlit_app
from .test_editor_journeys import DESCRIPTION, TALL, choose_scene
from .waits import settle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`streamlit run app.py` with a fresh demo database of its own."""
    with streamlit_app(tmp_path, db_name="two.duckdb") as srv:
        yield srv


@pytest.fixture
def two(browser: Browser, request: pytest.FixtureRequest,
        screenshot) -> Iterator[tuple[Page, Page]]:
    """Two producers: two browser contexts (no shared cookies or session); screenshots
    of both are kept when the journey fails."""
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    pages = []
    for ctx in contexts:
        ctx.set_default_timeout(30_000)
        page = ctx.new_page()
        page.set_viewport_size(TALL)
        pages.append(page)
    try:
        yield pages[0], pages[1]
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            for n, page in enumerate(pages):
                screenshot(page, f"FAILED_{request.node.name}_{n}")
    finally:
        for ctx in contexts:
            ctx.close()


def sign_in(page: Page, url: str, name: str, path: str = "editor") -> None:
    """Open a page and type the producer's name into the sidebar (the audit log's actor)."""
    page.goto(f"{url}/{path}")
    field = page.get_by_label("Your name (for the audit log)")
    expect(field).to_be_visible(timeout=60_000)
    field.fill(name)
    field.press("Enter")
    settle(page)


def choose_asset(page: Page, name: str) -> None:
    """Click the asset's row in the left column (two sessions share one slow server)."""
    page.locator("[data-testid=stButton] button").filter(
        has_text=re.compile(rf"{re.escape(name)}$")).first.click()
    expect(page.get_by_role("heading", name=re.compile(rf"{re.escape(name)}$"))).to_be_visible(
        timeout=30_000)
    settle(page)


def open_asset(page: Page, scene: int, name: str) -> None:
    expect(page.get_by_text("Asset drawer")).to_be_visible(timeout=60_000)
    choose_scene(page, scene)
    choose_asset(page, name)


def type_description(page: Page, text: str) -> None:
    area = page.get_by_label(DESCRIPTION)
    area.fill(text)
    area.press("Control+Enter")
    expect(page.get_by_text("what saving will do")).to_be_visible(timeout=30_000)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()


# --- item 1 -------------------------------------------------------------------------------
def test_an_edit_of_a_removed_instance_is_kept_and_written_nowhere(
        server: Server, two: tuple[Page, Page], screenshot) -> None:
    ana, ben = two
    sign_in(ana, server.url, "ana")
    sign_in(ben, server.url, "ben")
    open_asset(ben, 8, "Trench Coat")
    open_asset(ana, 8, "Trench Coat")
    typed = "Trench coat soaked through, a fresh tear along the left sleeve."
    type_description(ben, typed)

    ana.get_by_role("button", name="Remove from scene").click()
    ana.get_by_role("button", name="Remove", exact=True).click()
    expect(ana.get_by_text("Removed Trench Coat from the scene")).to_be_visible(timeout=30_000)

    save(ben)
    expect(ben.get_by_text(re.compile(
        r"Trench Coat was removed from scene 8 by ana at \d\d:\d\d UTC"))).to_be_visible(
        timeout=30_000)
    expect(ben.locator("pre code").filter(has_text=typed)).to_have_count(1)
    expect(ben.get_by_text("does not exist")).to_have_count(0)     # no raw error
    expect(ben.get_by_role("heading", name=re.compile("Brick$"))).to_have_count(0)
    expect(ben.get_by_label(DESCRIPTION)).to_have_count(0)         # no form took the text
    settle(ben)
    screenshot(ben, "two_sessions_removed_meanwhile")

    # Ben chooses Brick himself: Brick's own description, not the typed text
    choose_asset(ben, "Brick")
    expect(ben.get_by_label(DESCRIPTION)).not_to_have_value(typed)
    brick_text = ben.get_by_label(DESCRIPTION).input_value()
    assert brick_text.startswith("Brick")
    expect(ben.get_by_text("No unsaved changes.")).to_be_visible()

    server.stop()
    desk = server.open_desk()
    try:
        project = desk.projects()[0]
        holding = [(i.scene_number, i.asset_name) for i in desk.branch_instances(project.id)
                   if typed in (i.effective_description or "")
                   or typed in (i.description_override or "")]
        assert holding == []
        log = desk.project_history(project.id)
        assert not log["new_value"].astype(str).str.contains("fresh tear").any()
        assert "Trench Coat" not in [i.asset_name for i in desk.scene_instances(
            next(s.id for s in desk.scenes(project.id) if s.scene_number == 8))]
    finally:
        desk.close()


# --- item 5 -------------------------------------------------------------------------------
def test_edits_of_different_fields_merge_and_the_page_says_so(
        server: Server, two: tuple[Page, Page], screenshot) -> None:
    ana, ben = two
    sign_in(ana, server.url, "ana")
    sign_in(ben, server.url, "ben")
    open_asset(ben, 9, "Brick")
    open_asset(ana, 9, "Brick")
    typed = "Brick in a dry shirt at last, hair combed, the bandage gone."
    type_description(ben, typed)

    toggle = ana.get_by_text("Carry this state forward to the asset's next appearance")
    toggle.click()
    expect(ana.get_by_text("what saving will do")).to_be_visible(timeout=30_000)
    save(ana)
    expect(ana.get_by_text(re.compile(r"^Saved\."))).to_be_visible(timeout=30_000)

    save(ben)
    expect(ben.get_by_text("Saved, merged with ana's change to carry-forward.",
                           exact=False)).to_be_visible(timeout=30_000)
    expect(ben.get_by_label(DESCRIPTION)).to_have_value(typed)
    expect(ben.get_by_role("switch", name=re.compile("Carry this state forward"))
           ).not_to_be_checked()
    settle(ben)
    screenshot(ben, "two_sessions_merged")

    server.stop()
    desk = server.open_desk()
    try:
        project = desk.projects()[0]
        brick = next(i for i in desk.branch_instances(project.id)
                     if i.asset_name == "Brick" and i.scene_number == 9)
        assert (brick.effective_description, brick.carry_forward) == (typed, False)
    finally:
        desk.close()


# --- item 6 -------------------------------------------------------------------------------
def test_open_pages_learn_of_a_change_within_seconds(
        server: Server, two: tuple[Page, Page], screenshot) -> None:
    ana, ben = two
    sign_in(ana, server.url, "ana")
    sign_in(ben, server.url, "ben")
    open_asset(ben, 4, "Pike")
    open_asset(ana, 4, "Pike")
    text = "Pike in oilskins, dripping, a coil of rope over one shoulder."
    type_description(ana, text)
    save(ana)
    expect(ana.get_by_text(re.compile(r"^Saved\."))).to_be_visible(timeout=30_000)

    # the editor (a form) says what changed and offers a reload; Ben does nothing
    notice = ben.get_by_text(re.compile(r"Pike's scene 4 state was changed by ana"))
    expect(notice.first).to_be_visible(timeout=30_000)
    settle(ben)
    screenshot(ben, "two_sessions_live_notice")
    ben.get_by_role("button", name="Reload").click()
    expect(ben.get_by_label(DESCRIPTION)).to_have_value(text, timeout=30_000)
    expect(notice).to_have_count(0)

    # a page that only reads refreshes by itself
    ben.get_by_role("link", name="Overview").click()
    review = ben.get_by_text(re.compile(r"Pike: carried conditions \(muddy\) await review"))
    expect(review.first).to_be_visible(timeout=60_000)
    choose_scene(ana, 8)
    ana.get_by_role("button", name="Keep all").click()
    expect(ana.get_by_text("Pike: kept muddy.")).to_be_visible(timeout=30_000)
    expect(review).to_have_count(0, timeout=30_000)
    settle(ben)
    screenshot(ben, "two_sessions_live_overview")
