"""Suite-wide set-up: one scratch directory shared by every process of a test run.

The controller (the plain `pytest` process, or xdist's controller under `-n 2`) creates
it before any worker starts and names it in CONTINUITY_TEST_SHARED_DIR, which the workers
inherit. Helpers build expensive, read-only inputs there once per run (the seeded demo
templates of tests/pages/dashboard_support.py) instead of once per worker or module; the
tests still get their own copy. Removed when the run ends.

On the PostgreSQL engine (CONTINUITY_TEST_ENGINE=postgresql) the controller also starts a
throwaway server in that directory (tests/pg_server.py) and names it in
CONTINUITY_TEST_PG_URL; without PostgreSQL installed the run fails and says how to get it.

Fixtures for the image store's two backends: `image_root` gives a test's images a place
once per backend — a folder under tmp_path, and a prefix of its own in a bucket on a
local S3-compatible server (`s3_endpoint`, tests/s3_server.py, started once per process
when a test first needs it).

Every new AppTest scans the metadata of every installed package for Streamlit component
manifests (0.2-0.3 s each; tests/pages took 246 CPU-seconds with it, 181 without). The
installed packages do not change during a run, so each process scans once
(`_scan_components_once`).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from streamlit.components.v2 import manifest_scanner

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `core`, `ui` and app.py live at the repository root
    sys.path.insert(0, str(ROOT))
SHARED_ENV = "CONTINUITY_TEST_SHARED_DIR"

import desk_factory  # noqa: E402  (tests/ is on sys.path under pytest's rootdir conftest)
import pg_server  # noqa: E402
import s3_server  # noqa: E402


def _scan_components_once() -> None:
    """AppTest looks `scan_component_manifests` up when it runs: cache it for the process.
    Fails loudly (AttributeError) if a Streamlit upgrade renames it."""
    manifest_scanner.scan_component_manifests = functools.cache(
        manifest_scanner.scan_component_manifests)


_scan_components_once()
_owned = pytest.StashKey[str]()  # set in the process that created the directory
_pg_folder = pytest.StashKey[Path]()  # the server that process started


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get(SHARED_ENV):
        return  # an xdist worker (the controller set it up) or an outer run did
    directory = tempfile.mkdtemp(prefix="continuity-tests-")
    os.environ[SHARED_ENV] = directory
    config.stash[_owned] = directory
    # A TERM (`make test` interrupted) ends the run as Ctrl-C does, so the unconfigure
    # below still stops the PostgreSQL server and removes the directory.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if desk_factory.ENGINE == "postgresql" and not os.environ.get(desk_factory.PG_URL_ENV):
        os.environ[desk_factory.PG_URL_ENV], config.stash[_pg_folder] = pg_server.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    directory = config.stash.get(_owned, None)
    if directory is not None:
        if _pg_folder in config.stash:
            pg_server.stop(config.stash[_pg_folder])
            os.environ.pop(desk_factory.PG_URL_ENV, None)
        os.environ.pop(SHARED_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass leaves out the tests marked `engine_free`: they open no store
    (parsing, rendering, text) or name the engine they test (DuckDB's file lock), so
    the second pass would run them unchanged."""
    if desk_factory.ENGINE != "postgresql":
        return
    free = [item for item in items if item.get_closest_marker("engine_free")]
    if free:
        config.hook.pytest_deselected(items=free)
        items[:] = [item for item in items if not item.get_closest_marker("engine_free")]


@pytest.fixture(scope="session")
def s3_endpoint():
    server, endpoint, saved = s3_server.start()
    yield endpoint
    s3_server.stop(server, saved)


@pytest.fixture(params=["folder", "bucket"])
def image_root(request, tmp_path) -> str:
    if request.param == "folder":
        return str(tmp_path / "images")
    request.getfixturevalue("s3_endpoint")
    return f"s3://{s3_server.BUCKET}/{uuid.uuid4().hex}"


# --- xdist: tests sharing a module-scoped fixture stay on one worker -------------------
# Plain `-n 2` (xdist's `load`) spreads the tests of a module over both workers, so a
# module-scoped fixture (an e2e `streamlit run` server, a seeded database) is set up in
# each. This keeps such a module on one worker and spreads every other test one by one.
# The controller does not collect, so "has a module-scoped fixture" is read from the
# module's source. (xdist's own `--dist loadgroup` marks do not reach its scheduler under
# pytest 9: it rewrites `item._nodeid`, which pytest 9 no longer reads.)
_MODULE_FIXTURE = re.compile(r"""@pytest\.fixture\([^)]*scope\s*=\s*["'](module|package)["']""")


@functools.cache
def _keeps_module_together(path: str) -> bool:
    try:
        return bool(_MODULE_FIXTURE.search((ROOT / path).read_text(errors="replace")))
    except OSError:
        return False


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist choice: xdist's own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class ModuleFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if _keeps_module_together(path) else nodeid

    return ModuleFixtureScheduling(config, log)
