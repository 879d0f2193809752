"""The DuckDB connection, schema migrations and the unit of work.

One connection per process; every read or change gets its own cursor so threads
never share one. Every change runs inside `Database.transaction`, which handles
DuckDB's write conflicts at the boundary only (DESIGN §4): after a
"Conflict on update" a COMMIT would silently write nothing, so the whole change
is rolled back and rerun with fresh reads, and finally reported as a conflict.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TypeVar

import duckdb

from core.errors import ConflictError, DatabaseBusyError, DatabaseOpenError, ValidationError

T = TypeVar("T")

CONFLICT_RETRIES = 6


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    def __init__(self, path: str | Path):
        self.path, self._con = connect(str(path))
        self._con.execute("SET TimeZone = 'UTC'")
        self._lock = threading.Lock()
        migrate(self._con)

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def cursor(self):
        """A cursor of its own for one read (auto-commit)."""
        with self._lock:
            cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def transaction(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `work(cursor)` in one transaction; rerun it on a DuckDB write conflict.

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
                except duckdb.TransactionException:
                    _rollback(cur)
                    time.sleep(0.002 * (attempt + 1))
                except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
                    _rollback(cur)
                    bad = _bad_value(exc)
                    if bad is None:
                        raise
                    raise bad from exc
                except BaseException:
                    _rollback(cur)
                    raise
        raise ConflictError(
            "Someone else changed the same records at the same moment; "
            "nothing was saved. Reload and try again."
        )


_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


def connect(shown: str) -> tuple[str, duckdb.DuckDBPyConnection]:
    """(resolved path, connection) of the DuckDB file; a domain error naming `shown`
    (the path as configured) when it cannot be opened. DuckDB's own message names
    the interpreter holding the lock: only its PID is kept (S4)."""
    path = shown
    try:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            path = str(Path(path).resolve())
        return path, duckdb.connect(path)
    except OSError:
        pass    # the folder cannot be made: reported below
    except duckdb.IOException as exc:
        text = str(exc)
        if "Could not set lock" in text:
            pid = _LOCK_HOLDER.search(text)
            raise DatabaseBusyError(shown, int(pid.group(1)) if pid else None) from None
        if "not a valid DuckDB database" in text:
            raise DatabaseOpenError(f"{shown} is not a Continuity Desk database (not a DuckDB "
                                    "file). Set CONTINUITY_DB_PATH to another file.") from None
    raise DatabaseOpenError(f"The database {shown} could not be opened. Check the path and "
                            "its permissions, or set CONTINUITY_DB_PATH to another file.")


def _bad_value(exc: duckdb.Error) -> ValidationError | None:
    """S4: a value from outside that DuckDB cannot take (a lone surrogate in an id, a
    number beyond its column), as a domain error; None for any other error."""
    text = str(exc)
    if "Python Conversion Failure" in text:
        return ValidationError("A text given is not valid Unicode (it contains a lone "
                               "surrogate); nothing was changed.")
    if "out of range for the destination type" in text:
        return ValidationError("A number given is too large; nothing was changed.")
    return None


def _rollback(cur) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending `migrations/NNN_name.sql` files in order, one transaction each."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {r[0] for r in con.execute("SELECT name FROM schema_migrations").fetchall()}
    applied = []
    folder = resources.files("core.store") / "migrations"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql") or entry.name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(entry.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?)", [entry.name, utcnow()]
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(entry.name)
    return applied
