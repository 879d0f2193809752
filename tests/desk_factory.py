"""The one way tests get a store: a Desk for core tests, the environment for app processes.

The engine comes from CONTINUITY_TEST_ENGINE (default and, for now, only: `duckdb`), so a
second engine is one more branch here, not an edit of every test. `database` names the
store a test wants: ":memory:" for a throwaway one, a path for one that outlives the Desk
or is shared with another process (the app under AppTest, `streamlit run`, a worker).
Tests of an engine's own behaviour (DuckDB's one-process file lock, a file that is not a
database) call `core.open_desk` directly; tests/unit/test_storage_seam.py lists them.
"""

from __future__ import annotations

import os
from pathlib import Path

import core
from core.images.providers import ImageProvider

ENGINE = os.environ.get("CONTINUITY_TEST_ENGINE", "duckdb")
ENGINES = ("duckdb",)
if ENGINE not in ENGINES:
    raise RuntimeError(f"CONTINUITY_TEST_ENGINE={ENGINE!r}: the tests know {', '.join(ENGINES)}")


def make_desk(database: str | Path = ":memory:", image_root: str | Path | None = None,
              provider: str | ImageProvider = "offline") -> core.Desk:
    """A migrated, empty Desk on the test engine (images under `image_root`)."""
    if image_root is None:
        image_root = Path(database).parent / "images" if database != ":memory:" else "data/images"
    return core.open_desk(db_path=database, image_root=image_root, provider=provider)


def app_env(database: str | Path, image_root: str | Path) -> dict[str, str]:
    """The settings that point an app process at `database` (offline images)."""
    return {
        "CONTINUITY_DB_PATH": str(database),
        "CONTINUITY_IMAGE_ROOT": str(image_root),
        "CONTINUITY_IMAGE_PROVIDER": "offline",
    }
