"""The engine a benchmark runs on: CONTINUITY_BENCH_ENGINE=duckdb (the default: a DuckDB
file or memory, as before) or postgresql (a throwaway server of tests/pg_server.py,
started on the first store and stopped at exit; each store a schema of its own, made by
tests/desk_factory.py's `store_target`). CONTINUITY_TEST_PG_URL names a running server
instead. Not a benchmark itself: the scripts import it.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = os.environ.get("CONTINUITY_BENCH_ENGINE", "duckdb")
ENGINES = ("duckdb", "postgresql")
if ENGINE not in ENGINES:
    raise SystemExit(f"CONTINUITY_BENCH_ENGINE={ENGINE!r}: the benchmarks know "
                     f"{', '.join(ENGINES)}")


def open_store(database: str | Path, image_root: str | Path = "data/images",
               provider="offline"):
    """A migrated Desk on the bench engine: `database` is the DuckDB path (or
    ":memory:"); on PostgreSQL it names the store's schema."""
    import core

    if ENGINE == "duckdb":   # no tests/ import: the scripts also run on older checkouts
        return core.open_desk(database, image_root=image_root, provider=provider)
    return core.open_desk(db_path=_factory().store_target(database), image_root=image_root,
                          provider=provider)


def _factory():
    os.environ["CONTINUITY_TEST_ENGINE"] = ENGINE
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    import desk_factory
    import pg_server

    if not os.environ.get(desk_factory.PG_URL_ENV):
        os.environ[desk_factory.PG_URL_ENV], folder = pg_server.start()
        atexit.register(pg_server.stop, folder)
    return desk_factory


def describe() -> str:
    """One line for the output: the engine and, on PostgreSQL, the server's version."""
    if ENGINE == "duckdb":
        import duckdb
        return f"engine: DuckDB {duckdb.__version__}"
    import psycopg
    with psycopg.connect(os.environ[_factory().PG_URL_ENV]) as con:
        version = con.execute("SHOW server_version").fetchone()[0]
    return f"engine: PostgreSQL {version} (throwaway server, fsync off)"


# The few engine-specific pieces of the generated films' bulk SQL (not timed) and of the
# hand-written floors: DuckDB's as the scripts always had them, PostgreSQL's equivalents.
_PIECES = {
    "duckdb": {
        "series": "range(1, ? + 1)",          # r(n): 1 .. the parameter
        "div": "//",                          # integer division
        "list": "[{}]",                       # a list literal of the items {}
        "empty": "[]::VARCHAR[]",
        "hash": "hash({})",                   # a spread-out integer of a text
        "tags": "list_filter(string_split({}, ','), lambda t: t <> '')",
        "has": "list_contains({list}, {item})",
        "has_any": "list_has_any({list}, {items})",
        "minus": "list_filter({a}, lambda t: NOT list_contains({b}, t))",   # a without b
        "len": "len({})",
    },
    "postgresql": {
        "series": "generate_series(1, ?)",
        "div": "/",
        "list": "ARRAY[{}]::VARCHAR[]",
        "empty": "ARRAY[]::VARCHAR[]",
        "hash": "hashtext({})",
        "tags": "array_remove(string_to_array({}, ','), '')",
        "has": "{item} = ANY({list})",
        "has_any": "{list} && {items}",
        "minus": "ARRAY(SELECT t FROM unnest({a}) t WHERE t <> ALL({b}))",
        "len": "cardinality({})",
    },
}
SQL = _PIECES[ENGINE]


def hand_frame(desk, sql: str, branch: str | None = None):
    """A hand-written read as a DataFrame, the engine's fastest plain way: DuckDB's
    `.df()`, PostgreSQL's rows into `DataFrame.from_records`. `$branch` in `sql` is
    its one parameter, if any."""
    import pandas as pd

    with desk.db.cursor() as cur:
        raw = getattr(cur, "raw", cur)   # older code hands out the DuckDB cursor itself
        if ENGINE == "duckdb":
            return raw.execute(sql, None if branch is None else {"branch": branch}).df()
        if branch is None:
            raw.execute(sql)
        else:     # psycopg's own placeholders: a `%` even inside a quoted LIKE is doubled
            raw.execute(sql.replace("%", "%%").replace("$branch", "%s"), [branch])
        return pd.DataFrame.from_records(raw.fetchall(),
                                         columns=[d.name for d in raw.description])


def settle(desk) -> None:
    """After a generated film's bulk load: PostgreSQL's planner statistics, as autovacuum
    would gather them shortly after (DuckDB keeps its own as it writes)."""
    if ENGINE == "postgresql":
        with desk.db.cursor() as cur:
            cur.execute("ANALYZE")
