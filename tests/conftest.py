"""Suite-wide set-up: one scratch directory shared by every process of a test run.

The controller (the plain `pytest` process, or xdist's controller under `-n 2`) creates
it before any worker starts and names it in CONTINUITY_TEST_SHARED_DIR, which the workers
inherit. Helpers build expensive, read-only inputs there once per run (the seeded demo
templates of tests/pages/dashboard_support.py) instead of once per worker or module; the
tests still get their own copy. Removed when the run ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

SHARED_ENV = "CONTINUITY_TEST_SHARED_DIR"
_owned = pytest.StashKey[str]()  # set in the process that created the directory


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get(SHARED_ENV):
        return  # an xdist worker (the controller set it up) or an outer run did
    directory = tempfile.mkdtemp(prefix="continuity-tests-")
    os.environ[SHARED_ENV] = directory
    config.stash[_owned] = directory


def pytest_unconfigure(config: pytest.Config) -> None:
    directory = config.stash.get(_owned, None)
    if directory is not None:
        os.environ.pop(SHARED_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)

