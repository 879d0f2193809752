"""The one way tests get a store: a Desk for core tests, the environment for app processes.

The engine comes from CONTINUITY_TEST_ENGINE: `duckdb` (the default) or `postgresql`, on
the throwaway server tests/conftest.py starts (its URL in CONTINUITY_TEST_PG_URL).
`database` names the store a test wants: ":memory:" for a throwaway one, a path for one
that outlives the Desk or is shared with another process (the app under AppTest,
`streamlit run`, a worker). On PostgreSQL each such store is a schema of its own: a new
one for ":memory:", one named after the path otherwise, so every process given the same
path meets the same store.
A test that needs both engines at once (moving a project from one to the other) names
them, `make_desk(database, engine="postgresql")`, and runs only where `both_engines()`.
Tests of an engine's own behaviour (DuckDB's one-process file lock, a file that is not a
database) call `core.open_desk` directly; tests/unit/test_storage_seam.py lists them.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import weakref
from pathlib import Path

import psycopg

import core
from core.images.providers import ImageProvider

ENGINE = os.environ.get("CONTINUITY_TEST_ENGINE", "duckdb")
ENGINES = ("duckdb", "postgresql")
PG_URL_ENV = "CONTINUITY_TEST_PG_URL"
if ENGINE not in ENGINES:
    raise RuntimeError(f"CONTINUITY_TEST_ENGINE={ENGINE!r}: the tests know {', '.join(ENGINES)}")


def store_target(database: str | Path, engine: str | None = None) -> str:
    """What `open_desk` is given for `database` on `engine` (default: the test engine):
    the DuckDB path, or a PostgreSQL URL whose search_path is the store's own schema
    (made here)."""
    if (engine or ENGINE) == "duckdb":
        return str(database)
    base = os.environ.get(PG_URL_ENV)
    if not base:
        raise RuntimeError(f"{PG_URL_ENV} is not set: run the tests through pytest, whose "
                           "tests/conftest.py starts the PostgreSQL server.")
    if str(database) == ":memory:":
        schema = "m_" + uuid.uuid4().hex[:20]
    else:
        schema = "f_" + hashlib.sha1(str(Path(database).resolve()).encode()).hexdigest()[:20]
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return f"{base}?options=-csearch_path%3D{schema}"


def make_desk(database: str | Path = ":memory:", image_root: str | Path | None = None,
              provider: str | ImageProvider = "offline", engine: str | None = None
              ) -> core.Desk:
    """A migrated, empty Desk on `engine` (default: the test engine; a test that needs
    both at once names them), images under `image_root`: a folder, or an s3:// bucket
    on the server tests/s3_server.py started."""
    if engine not in (None, *ENGINES):
        raise ValueError(f"engine={engine!r}: the tests know {', '.join(ENGINES)}")
    if image_root is None:
        image_root = Path(database).parent / "images" if database != ":memory:" else "data/images"
    desk = core.open_desk(db_path=store_target(database, engine), image_root=image_root,
                          provider=provider,
                          s3_endpoint_url=os.environ.get("CONTINUITY_S3_ENDPOINT_URL"))
    # A test that forgets to close its Desk must not keep its pooled connections.
    weakref.finalize(desk, desk.db.close)
    return desk


def both_engines() -> bool:
    """Whether a test may use both engines at once: the PostgreSQL server runs (make
    test's PostgreSQL pass starts it; a DuckDB run has one if CONTINUITY_TEST_PG_URL
    names it)."""
    return ENGINE == "postgresql" or bool(os.environ.get(PG_URL_ENV))


def app_env(database: str | Path, image_root: str | Path) -> dict[str, str]:
    """The settings that point an app process at `database` (offline images)."""
    store = store_target(database)
    return {
        "CONTINUITY_DB_PATH": str(database),
        **({"CONTINUITY_DATABASE_URL": store} if ENGINE == "postgresql" else {}),
        "CONTINUITY_IMAGE_ROOT": str(image_root),
        "CONTINUITY_IMAGE_PROVIDER": "offline",
    }
