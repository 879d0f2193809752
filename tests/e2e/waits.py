"""The browser tests' one rule for "Streamlit has finished": every journey waits
through `settle(page)` after a load, click or key that reruns the script."""

from __future__ import annotations

from playwright.sync_api import Page

LOAD = 60_000   # ms; the first request to a fresh server seeds the demo film

# Streamlit marks its root with the script's run state and the connection's state
# (`data-test-script-state`, `data-test-connection-state`). A fragment's rerun counts as
# a run. Elements kept from the previous run are `data-stale`; skeletons stand in for
# elements not drawn yet.
IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testScriptState === 'notRunning'
    && app.dataset.testConnectionState === 'CONNECTED'
    && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
}"""


def settle(page: Page, timeout: float = LOAD) -> None:
    """Wait until the rerun that the last event started is over and drawn. The rerun
    starts a moment after the event (the browser sends it, the server says it runs), so
    that moment is waited first; a check before it would pass on the previous run."""
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=timeout)
