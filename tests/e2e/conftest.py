"""End-to-end fixtures: `streamlit run` on 127.0.0.1 driven by Playwright in Debian's Chromium.

- Never runs `playwright install`: the browser is /usr/bin/chromium (CI installs it with apt).
  If it is missing the tests fail (they are not skipped).
- `app_server` is session-scoped, i.e. one server per xdist worker, each with its own free port,
  DuckDB file and image root (one process owns a DuckDB file). Every server starts through
  `servers.streamlit_app`; every journey waits for a rerun through `waits.settle`.
- Use the `screenshot` fixture (`screenshot(page, "name")`) rather than importing this module:
  `conftest` is not a unique module name across test directories.
- CONTINUITY_E2E_APP may point at another Streamlit script (default: <repo>/app.py); the server
  runs from that script's directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .servers import streamlit_app

# Assertions wait for reruns; on 2 shared, loaded cores a rerun can take well over
# Playwright's default 5 s (seen: a preview drawn late in a full run, fine alone).
expect.set_options(timeout=20_000)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the app with a fresh database; yield its base URL (http://127.0.0.1:PORT)."""
    app = Path(os.environ.get("CONTINUITY_E2E_APP", REPO_ROOT / "app.py")).resolve()
    if not app.is_file():
        pytest.fail(f"e2e: Streamlit app not found at {app}", pytrace=False)
    with streamlit_app(tmp_path_factory.mktemp("e2e-app"), app=app) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"e2e: {CHROMIUM} is missing. Install Debian's chromium "
            "(`apt-get install -y chromium`, as .ci/run does); never `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh page in its own browser context (no shared cookies or storage)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            save_screenshot(pg, f"FAILED_{request.node.name}")
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    rep = yield
    if rep.when == "call":
        item.rep_call = rep  # read by `page` to keep a screenshot of failures
    return rep


def save_screenshot(page, name: str) -> Path:
    """Save a full-page PNG to tests/e2e/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    # A full-page shot resizes the viewport and back: let the layout settle before the
    # next click, or it can land where a button was during the shot.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r)))")
    page.wait_for_timeout(200)
    return path


@pytest.fixture
def screenshot():
    """`screenshot(page, name)`: full-page PNG in tests/e2e/screenshots/."""
    return save_screenshot
