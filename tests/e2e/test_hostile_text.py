"""S1 in real Chromium: names, headings, labels, descriptions and reasons full of HTML and
Markdown show as the text they are on every page, create no element, and make the
browser fetch nothing but the app itself. Also: no Deploy button or developer menu,
and the upload widgets state the limits they enforce (issue 10).

One server for the module, started on a database seeded (through core) with the
hostile film before it starts; one browser page that visits every page in turn."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .servers import streamlit_app
from .waits import LOAD, settle

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "pages"))  # the hostile film, shared with AppTest

from hostile_support import (  # noqa: E402
    ASSET,
    END_STATE,
    HEADING_1,
    HEADING_2,
    LABEL_1,
    LABEL_2,
    LIBRARY,
    MASTER,
    OVERRIDE,
    PROJECT,
    PROP,
    REASON,
    seed,
)

JOINER = "\u2060"   # ui.safe breaks bare URLs with an invisible word joiner

DOM_CHECK = """() => {
  const hits = sel => [...document.querySelectorAll(sel)].map(e => e.outerHTML.slice(0, 160));
  return {
    img: hits('img[src*="evil"], source[srcset*="evil"]'),
    frames: hits('iframe:not([title^="streamlit_sortables"]), object, embed, base'),
    links: hits('a[href*="evil"]'),
    bold: [...document.querySelectorAll('b, strong')]
      .filter(e => e.textContent.trim() === 'bold').map(e => e.outerHTML.slice(0, 160)),
    katex: hits('.katex'),
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
      .filter(e => e.textContent.trim() === 'heading').map(e => e.outerHTML.slice(0, 160)),
  };
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app on a free port over the hostile film (streamlit run, as `make run`:
    .streamlit/config.toml applies, no command-line overrides of it)."""
    tmp = tmp_path_factory.mktemp("hostile")
    ids = seed(tmp / "hostile.duckdb", tmp / "images")
    with streamlit_app(tmp, db_name="hostile.duckdb") as server:
        yield server.url, ids


@pytest.fixture(scope="module")
def tab(browser, site):
    """One page for the whole module, recording the URL of every request it makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def _check(page: Page) -> str:
    """Assert that no element came from the hostile text, that every request went to
    the app and that no Deploy button shows; return the visible text (word joiners
    removed)."""
    found = page.evaluate(DOM_CHECK)
    assert found == {k: [] for k in found}, found
    origin = "/".join(page.url.split("/", 3)[:3]) + "/"
    outside = [u for u in page.requests
               if not (u.startswith(origin) or u.startswith(("data:", "blob:")))]
    assert outside == [], outside
    # Streamlit's Deploy button and developer menu are hidden (.streamlit/config.toml).
    assert page.get_by_role("button", name="Deploy").count() == 0
    return page.locator("body").inner_text().replace(JOINER, "")


def _visit(page: Page, url: str, ready: str, screenshot, name: str) -> str:
    page.goto(url)
    expect(page.get_by_text(ready, exact=False).first).to_be_attached(timeout=LOAD)
    settle(page)
    screenshot(page, f"hostile_{name}")
    return _check(page)


def _shows(text: str, *wanted: str) -> None:
    for w in wanted:
        assert " ".join(w.split()) in " ".join(text.split()), w


def test_overview(tab, site, screenshot):
    base, _ = site
    text = _visit(tab, base + "/", "Continuity matrix", screenshot, "overview")
    _shows(text, PROJECT, ASSET, PROP, f"Scene {LABEL_1}", f"Scene {LABEL_2} · {HEADING_2}")
    # The matrix cells' tooltips carry names and descriptions as plain text.
    titles = tab.locator("a.cd-cell").evaluate_all("els => els.map(e => e.title)")
    assert any(t.replace(JOINER, "").startswith(f"{ASSET} · scene 1") for t in titles)
    # The app menu offers no developer options (client.toolbarMode = "viewer").
    tab.get_by_test_id("stMainMenuButton").click()
    menu = tab.get_by_test_id("stMainMenuList")
    expect(menu).to_be_visible()
    assert "Clear cache" not in menu.inner_text() and "Deploy" not in menu.inner_text()
    tab.keyboard.press("Escape")


def test_scenes(tab, site, screenshot):
    base, ids = site
    text = _visit(tab, f"{base}/scenes?scene={ids['scene2']}", "Rearview mirror",
                  screenshot, "scenes")
    _shows(text, PROJECT, f"Scene {LABEL_2} · {HEADING_2}", f"Scene {LABEL_1}",
           HEADING_1, END_STATE, ASSET, PROP)


def test_asset_editor(tab, site, screenshot):
    base, ids = site
    url = f"{base}/editor?scene={ids['scene2']}&instance={ids['brick2']}"
    _visit(tab, url, "Asset drawer", screenshot, "editor")
    tab.get_by_text("History ·").first.click()
    tab.get_by_text("Inheritance chain ·").first.click()
    tab.get_by_text("Scene text and the previous").first.click()
    tab.get_by_role("tab", name="Global library").click()
    settle(tab)
    screenshot(tab, "hostile_editor_open")
    text = _check(tab)
    _shows(text, ASSET, OVERRIDE, END_STATE, REASON, LIBRARY, MASTER, f"Scene {LABEL_1}")


def test_history(tab, site, screenshot):
    base, _ = site
    text = _visit(tab, f"{base}/history", "every change to every asset", screenshot,
                  "history")
    _shows(text, PROJECT)


def test_tag_search(tab, site, screenshot):
    base, _ = site
    text = _visit(tab, f"{base}/search?q=tag%3Amuddy", "Timeline", screenshot, "search")
    _shows(text, PROJECT, f"Open {ASSET} in scene {LABEL_1} in the editor",
           f"Timeline · {ASSET}", OVERRIDE, f"Scene {LABEL_1}")


def test_bulk_generation(tab, site, screenshot):
    base, _ = site
    text = _visit(tab, f"{base}/bulk", "Current images", screenshot, "bulk")
    _shows(text, PROJECT, f"Scene {LABEL_2}", HEADING_2, ASSET)


def test_library_and_upload_limits(tab, site, screenshot):
    base, _ = site
    text = _visit(tab, f"{base}/library", "Screenplay file", screenshot, "library")
    _shows(text, PROJECT, "Screenplay file (at most 5 MB)", "5MB per file")
    assert "200MB per file" not in text
    tab.get_by_role("tab", name="Project assets").click()
    settle(tab)
    text = _check(tab)
    _shows(text, "PNG, JPEG or WebP, at most 5 MB", "5MB per file")
    tab.get_by_role("tab", name="Export / import project").click()
    settle(tab)
    screenshot(tab, "hostile_library_project")
    text = _check(tab)
    _shows(text, "Project export to import (at most 200 MB)", "200MB per file")
