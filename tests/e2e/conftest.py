"""End-to-end fixtures: `streamlit run` on 127.0.0.1 driven by Playwright in Debian's Chromium.

- Never runs `playwright install`: the browser is /usr/bin/chromium (CI installs it with apt).
  If it is missing the tests fail (they are not skipped).
- `app_server` is session-scoped, i.e. one server per xdist worker, each with its own free port,
  DuckDB file and image root (one process owns a DuckDB file).
- Use the `screenshot` fixture (`screenshot(page, "name")`) rather than importing this module:
  `conftest` is not a unique module name across test directories.
- CONTINUITY_E2E_APP may point at another Streamlit script (default: <repo>/app.py); the server
  runs from that script's directory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_factory import app_env
from playwright.sync_api import expect

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
STARTUP_TIMEOUT_S = 60.0
VIEWPORT = {"width": 1400, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the app with a fresh database; yield its base URL (http://127.0.0.1:PORT)."""
    app = Path(os.environ.get("CONTINUITY_E2E_APP", REPO_ROOT / "app.py")).resolve()
    if not app.is_file():
        pytest.fail(f"e2e: Streamlit app not found at {app}", pytrace=False)
    tmp = tmp_path_factory.mktemp("e2e-app")
    env = {
        **os.environ,
        **app_env(tmp / "e2e.duckdb", tmp / "images"),
        "PYTHONUNBUFFERED": "1",
    }
    problems = []
    for attempt in range(3):
        port = _free_port()
        log_path = tmp / f"streamlit-{attempt}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    str(app),
                    "--server.headless=true",
                    "--server.address=127.0.0.1",
                    f"--server.port={port}",
                    "--browser.gatherUsageStats=false",
                    "--server.fileWatcherType=none",
                ],
                cwd=app.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while proc.poll() is None and time.monotonic() < deadline:
            if _healthy(f"{base_url}/_stcore/health"):
                break
            time.sleep(0.25)
        else:
            exited = proc.poll() is not None
            _stop(proc)
            output = log_path.read_text(errors="replace")
            problems.append(
                f"attempt {attempt + 1} on port {port}: "
                + ("server exited" if exited else f"no health after {STARTUP_TIMEOUT_S:.0f}s")
                + f"\n--- streamlit output ---\n{output}"
            )
            if exited and ("is not available" in output or "already in use" in output):
                continue  # another process took the port between probe and bind: retry
            break
        try:
            yield base_url
        finally:
            _stop(proc)
        return
    msg = "e2e: streamlit did not start\n" + "\n".join(problems)
    print(msg, file=sys.stderr)
    pytest.fail(msg, pytrace=False)


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
