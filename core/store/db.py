"""The connection, schema migrations and the unit of work, on one dialect
(`store.dialect` for DuckDB, `store.postgres_dialect` for PostgreSQL: every
engine-specific piece lives there).

Every read or change gets a cursor of its own (DuckDB: on the process's one
connection; PostgreSQL: on a pooled connection), so threads never share one. Every
change runs inside `Database.transaction`, which handles write conflicts at the
boundary only (DESIGN §4): after DuckDB's "Conflict on update" a COMMIT would
silently write nothing, and PostgreSQL at REPEATABLE READ refuses a change that
raced another; either way the whole change is rolled back and rerun with fresh
reads, and finally reported as a conflict.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TypeVar

from core.errors import ConflictError
from core.store.dialect import DUCKDB
from core.store.postgres_dialect import POSTGRES

T = TypeVar("T")

CONFLICT_RETRIES = 6
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def dialect_for(target: str) -> object:
    """The engine a database path or URL names: a postgresql:// URL or a DuckDB file."""
    return POSTGRES if str(target).startswith(_POSTGRES_SCHEMES) else DUCKDB


def any_of(column: str, ids: list[str]) -> tuple[str, list]:
    """`column` is one of `ids`: (sql, params). One id is a plain key filter, which the
    engine answers by a key lookup where `= ANY(...)` scans."""
    if len(ids) == 1:
        return f"{column} = ?", list(ids)
    return f"{column} = ANY(?::VARCHAR[])", [list(ids)]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Cursor:
    """What core's rule functions get as `cur`: canonical SQL in, rows or columns out.
    `dialect` offers the engine-specific pieces (`cur.dialect.rows(...)`)."""

    __slots__ = ("dialect", "raw")

    def __init__(self, raw, dialect):
        self.raw, self.dialect = raw, dialect

    def execute(self, sql: str, params: Sequence | None = None) -> Cursor:
        if params is None:      # no placeholders: the text goes as it is (a script)
            self.raw.execute(sql)
        else:
            self.dialect.execute(self.raw, self.dialect.sql(sql), params)
        return self

    def fetchall(self) -> list[tuple]:
        return self.raw.fetchall()

    def fetchone(self) -> tuple | None:
        return self.raw.fetchone()

    def columns(self) -> dict[str, list]:
        """The result as columns (name -> values): for reads of many rows."""
        return self.dialect.columns(self.raw)



class Database:
    """`target`: a DuckDB file path (or ":memory:") or a postgresql:// URL; `path` is
    it as shown in messages (a URL without its password)."""

    def __init__(self, target: str | Path, dialect=None):
        self.dialect = dialect or dialect_for(str(target))
        self.path, self._con = self.dialect.connect(str(target))
        migrate(self)

    @property
    def engine(self) -> str:
        """"duckdb" or "postgresql"."""
        return self.dialect.name

    @property
    def label(self) -> str:
        """The store in words (engine and where), without a password: for the app."""
        return self.dialect.describe(self.path)

    def close(self) -> None:
        self.dialect.close(self._con)

    @contextmanager
    def cursor(self):
        """A cursor of its own for one read (auto-commit)."""
        with self.dialect.borrow(self._con) as raw:
            yield Cursor(raw, self.dialect)

    def transaction(self, work: Callable[[Cursor], T]) -> T:
        """Run `work(cursor)` in one transaction; rerun it after a write conflict.

        `work` must do all its reads inside, so a rerun sees fresh data. Domain
        errors it raises roll everything back and propagate unchanged.
        """
        for attempt in range(CONFLICT_RETRIES):
            with self.cursor() as cur:
                cur.execute(self.dialect.begin)
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
    """Apply pending `migrations/NNN_name.sql` files in order, in one transaction.

    Several processes may open one PostgreSQL store at once: the dialect's migration
    lock makes them take turns, and the transaction is the engine's default level
    (READ COMMITTED there), so the next one sees what the first applied."""
    folder = resources.files("core.store") / "migrations"
    scripts = sorted((e for e in folder.iterdir() if e.name.endswith(".sql")),
                     key=lambda e: e.name)
    applied = []
    with db.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            if db.dialect.migration_lock:
                cur.execute(db.dialect.migration_lock)
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
            done = {r[0] for r in cur.execute("SELECT name FROM schema_migrations").fetchall()}
            for entry in scripts:
                if entry.name not in done:
                    cur.execute(entry.read_text(encoding="utf-8"))
                    cur.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                                [entry.name, utcnow()])
                    applied.append(entry.name)
            cur.execute("COMMIT")
        except BaseException:
            _rollback(cur)
            raise
    return applied
