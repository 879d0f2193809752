"""The connection, schema migrations and the unit of work, on one dialect
(`store.dialect`: every engine-specific piece lives there).

One connection per process; every read or change gets its own cursor so threads
never share one. Every change runs inside `Database.transaction`, which handles
write conflicts at the boundary only (DESIGN §4): after DuckDB's
"Conflict on update" a COMMIT would silently write nothing, so the whole change
is rolled back and rerun with fresh reads, and finally reported as a conflict.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TypeVar

from core.errors import ConflictError
from core.store.dialect import DUCKDB

T = TypeVar("T")

CONFLICT_RETRIES = 6


def utcnow() -> datetime:
    return datetime.now(UTC)


class Cursor:
    """What core's rule functions get as `cur`: canonical SQL in, rows or columns out.
    `dialect` offers the engine-specific pieces (`cur.dialect.rows(...)`)."""

    __slots__ = ("dialect", "raw")

    def __init__(self, raw, dialect):
        self.raw, self.dialect = raw, dialect

    def execute(self, sql: str, params: Sequence | dict | None = None) -> Cursor:
        if params is None:
            self.raw.execute(self.dialect.sql(sql))
        else:
            self.raw.execute(self.dialect.sql(sql), params)
        return self

    def fetchall(self) -> list[tuple]:
        return self.raw.fetchall()

    def fetchone(self) -> tuple | None:
        return self.raw.fetchone()

    def columns(self) -> dict[str, list]:
        """The result as columns (name -> values): for reads of many rows."""
        return self.dialect.columns(self.raw)

    def close(self) -> None:
        self.raw.close()


class Database:
    def __init__(self, path: str | Path, dialect=DUCKDB):
        self.dialect = dialect
        self.path, self._con = dialect.connect(str(path))
        self._lock = threading.Lock()
        migrate(self)

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def cursor(self):
        """A cursor of its own for one read (auto-commit)."""
        with self._lock:
            cur = Cursor(self.dialect.cursor(self._con), self.dialect)
        try:
            yield cur
        finally:
            cur.close()

    def transaction(self, work: Callable[[Cursor], T]) -> T:
        """Run `work(cursor)` in one transaction; rerun it after a write conflict.

        `work` must do all its reads inside, so a rerun sees fresh data. Domain
        errors it raises roll everything back and propagate unchanged.
        """
        for attempt in range(CONFLICT_RETRIES):
            with self.cursor() as cur:
                cur.execute("BEGIN TRANSACTION")
                try:
                    result = work(cur)
                    cur.execute("COMMIT")
                    return result
                except self.dialect.conflict_errors:
                    _rollback(cur)
                    time.sleep(0.002 * (attempt + 1))
                except BaseException as exc:
                    _rollback(cur)
                    bad = self.dialect.bad_value(exc)
                    if bad is None:
                        raise
                    raise bad from exc
        raise ConflictError(
            "Someone else changed the same records at the same moment; "
            "nothing was saved. Reload and try again."
        )


def _rollback(cur: Cursor) -> None:
    try:
        cur.execute("ROLLBACK")
    except cur.dialect.error:
        pass


def migrate(db: Database) -> list[str]:
    """Apply pending `migrations/NNN_name.sql` files in order, one transaction each."""
    with db.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
        )
        done = {r[0] for r in cur.execute("SELECT name FROM schema_migrations").fetchall()}
    applied = []
    folder = resources.files("core.store") / "migrations"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql") or entry.name in done:
            continue
        script = entry.read_text(encoding="utf-8")
        db.transaction(lambda cur, script=script, name=entry.name: (
            cur.execute(script),
            cur.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, utcnow()])))
        applied.append(entry.name)
    return applied
