"""The storage seam (DESIGN §4): every engine-specific piece of SQL and of the driver
lives in a dialect object; the rest of core writes one canonical SQL.

Canonical SQL, which the engines of DESIGN §4 (DuckDB, PostgreSQL) both read once the
dialect has placed its parameters:
- `?` placeholders, positional (`Dialect.sql` turns them into the driver's style);
- standard types (VARCHAR, INTEGER, BIGINT, BOOLEAN, TIMESTAMPTZ) and a list parameter
  as `= ANY(?::VARCHAR[])`;
- standard window functions for "latest per group" (`row_number() OVER (...)` in a
  subquery), `min`/`max` rather than `any_value`, `ON CONFLICT` rather than `INSERT OR`.

What the dialect holds: connecting (and the engine's own open errors), running a
statement, the exceptions that mean "rerun the transaction" and "a value the engine
cannot take", a derived table of many rows sent as column arrays or an Arrow table
(bulk writes), a new uuid in SQL, the latest value per group as an aggregate, fetching
a result as columns, the tables' columns (introspection), moving a sequence on past a
value, and how the image job queue claims rows (`skip_locked`, `lease_void`).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from core.errors import DatabaseBusyError, DatabaseOpenError, ValidationError

# Canonical column types of `Dialect.rows` -> DuckDB types.
_DUCKDB_TYPES = {"text": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "bool": "BOOLEAN",
                 "float": "DOUBLE", "timestamptz": "TIMESTAMPTZ", "text[]": "VARCHAR[]"}
_CANONICAL = {v: k for k, v in _DUCKDB_TYPES.items()} | {"TIMESTAMP WITH TIME ZONE": "timestamptz"}
ARROW_VALUES = 2000   # `DuckDB.rows` sends this many varying values or more as Arrow
_ARROW_TYPES = {"text": pa.string(), "int": pa.int64(), "bigint": pa.int64(),
                "bool": pa.bool_(), "float": pa.float64(),
                "timestamptz": pa.timestamp("us", tz="UTC"), "text[]": pa.list_(pa.string())}
_NOT_UNICODE = ("A text given is not valid Unicode (it contains a lone surrogate); "
                "nothing was changed.")
_TOO_LARGE = "A number given is too large; nothing was changed."
_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")
# Each statement runs in the thread that issues it. The app's statements are many and
# small, and on 2 cores a worker thread cost more in hand-offs than it saved: the unit
# tests took a fifth less CPU, and checks and cells over 100,000 instances 0.6-0.7 of
# the time (bench/README, "Eleventh stop"). Sessions still run their reads side by side.
THREADS = 1
_CURSOR_LOCK = threading.Lock()   # a connection hands out cursors one thread at a time


class _ArrowRows:
    """Columns of many rows as an Arrow table with a name of its own (`DuckDB.rows`)."""

    __slots__ = ("name", "table")
    _numbers = itertools.count()

    def __init__(self, arrays: list[tuple[str, str, list]]):
        self.name = f"_rows_{next(self._numbers)}"
        try:
            self.table = pa.table([pa.array(column, _ARROW_TYPES[kind])
                                   for _, kind, column in arrays],
                                  names=[f"c{k}" for k in range(len(arrays))])
        except UnicodeEncodeError:
            raise ValidationError(_NOT_UNICODE) from None
        except (OverflowError, pa.ArrowInvalid) as exc:
            if not isinstance(exc, OverflowError) and "too large" not in str(exc):
                raise
            raise ValidationError(_TOO_LARGE) from None


class DuckDB:
    """The embedded default: one process owns the file (DESIGN §4)."""

    name = "duckdb"
    error = duckdb.Error
    # A write-write conflict; after it a COMMIT writes nothing, so the unit of work
    # rolls back and reruns the whole change.
    conflict_errors: tuple[type[Exception], ...] = (duckdb.TransactionException,)
    _value_errors = (duckdb.InvalidInputException, duckdb.ConversionException)
    begin = "BEGIN TRANSACTION"
    migration_lock = None           # one process opens the file
    skip_locked = ""                # no row locks: a claim that races gets a write conflict

    def describe(self, path: str) -> str:
        """The store in words, for the app to show: the file it runs on."""
        return "DuckDB in memory" if path == ":memory:" else f"DuckDB file {path}"

    def connect(self, shown: str) -> tuple[str, duckdb.DuckDBPyConnection]:
        """(resolved path, connection) of the file; a domain error naming `shown` (the
        path as configured) when it cannot be opened. DuckDB's own message names the
        interpreter holding the lock: only its PID is kept (S4)."""
        path = shown
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                path = str(Path(path).resolve())
            con = duckdb.connect(path)
            con.execute("SET TimeZone = 'UTC'")
            con.execute(f"SET threads = {THREADS}")
            return path, con
        except OSError:
            pass    # the folder cannot be made: reported below
        except duckdb.IOException as exc:
            text = str(exc)
            if "Could not set lock" in text:
                pid = _LOCK_HOLDER.search(text)
                raise DatabaseBusyError(shown, int(pid.group(1)) if pid else None) from None
            if "not a valid DuckDB database" in text:
                raise DatabaseOpenError(
                    f"{shown} is not a Continuity Desk database (not a DuckDB file). "
                    "Set CONTINUITY_DB_PATH to another file.") from None
        raise DatabaseOpenError(f"The database {shown} could not be opened. Check the path "
                                "and its permissions, or set CONTINUITY_DB_PATH to another file.")

    @contextmanager
    def borrow(self, con):
        """A raw cursor of its own on the process's one connection."""
        with _CURSOR_LOCK:
            cur = con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self, con) -> None:
        con.close()

    def sql(self, text: str) -> str:
        """Canonical SQL in the driver's placeholder style (DuckDB takes it as it is)."""
        return text

    def bad_value(self, exc: BaseException) -> ValidationError | None:
        """S4: a value from outside the engine cannot take (a lone surrogate in a text,
        a number beyond its column) as a domain error; None for any other error."""
        if not isinstance(exc, self._value_errors):
            return None
        text = str(exc)
        if "Python Conversion Failure" in text:
            return ValidationError(_NOT_UNICODE)
        if "out of range for the destination type" in text:
            return ValidationError(_TOO_LARGE)
        return None

    def exclusive_lock(self, table: str, wait_seconds: int) -> list[str]:
        """Statements that make other writers of `table` wait for this transaction
        (none: one process owns the file)."""
        return []

    def new_uuid(self) -> str:
        """An SQL expression giving a new random uuid as text."""
        return "uuid()::VARCHAR"

    def lease_void(self, owner: str) -> tuple[str, list]:
        """(SQL, params): true for a running image job whose claim no live runner holds,
        so `owner`'s runner may claim it. One process owns the file, so a lease of any
        other runner is a dead process's (or a closed Desk's), whatever its end."""
        return "(lease_owner IS NULL OR NOT starts_with(lease_owner, ?))", [owner + "/"]

    def rows(self, columns: Sequence[tuple[str, str]], values: Sequence[Sequence]
             ) -> tuple[str, list]:
        """A SELECT of many rows: (sql, params). `columns` are (name, canonical type);
        `values` the columns' values, in order (a `text[]` column's values are lists).
        Use it as `INSERT … SELECT … FROM (<sql>) r` or `UPDATE … FROM (<sql>) r`. A
        column with one value in every row (an actor, a project id) is sent once, as a
        scalar. The others go as one array parameter each, or, from `ARROW_VALUES`
        values in all, as one Arrow table (`execute` registers it for the statement):
        binding a list costs about a microsecond a value, an Arrow table about 2.5 ms
        whatever its size (measured: 2,000 rows of 5 columns 6 against 12 ms; 256 rows
        5.3 against 5.0)."""
        columns = [(name, kind, list(column))
                   for (name, kind), column in zip(columns, values, strict=True)]
        varying = [len(c) > 1 and c.count(c[0]) < len(c) for _, _, c in columns]
        if not any(varying):                                    # one row per value
            varying[0] = True
        table = None
        if len(columns[0][2]) * sum(varying) >= ARROW_VALUES:
            table = _ArrowRows([c for c, v in zip(columns, varying, strict=True) if v])
        parts, params, arrow_columns = [], [], iter(range(len(columns)))
        for (name, kind, column), varies in zip(columns, varying, strict=True):
            sql_type = _DUCKDB_TYPES[kind]
            if not varies:
                parts.append(f"CAST(? AS {sql_type}) AS {name}")
                params.append(column[0])
            elif table:
                parts.append(f"CAST({table.name}.c{next(arrow_columns)} AS {sql_type}) "
                             f"AS {name}")
            else:
                parts.append(f"UNNEST(?::{sql_type}[]) AS {name}")
                params.append(column)
        if table:
            return f"SELECT {', '.join(parts)} FROM {table.name}", [*params, table]
        return f"SELECT {', '.join(parts)}", params

    def execute(self, raw, sql: str, params: Sequence) -> None:
        """Run `sql` with `params`; an Arrow table among them (from `rows`) is
        registered under its name instead of bound. It stays registered until the
        raw cursor closes, at the end of the transaction or read (`borrow`)."""
        tables = [p for p in params if type(p) is _ArrowRows]
        if tables:
            raw.complete()          # a result left unread would refuse the registration
            for t in tables:
                raw.register(t.name, t.table)
            params = [p for p in params if type(p) is not _ArrowRows]
        raw.execute(sql, params)

    def table_columns(self, cur) -> dict[str, list[tuple[str, str, str | None]]]:
        """table -> [(column, canonical type, default)] of every base table of the
        current schema but the migrations log, in column order."""
        return table_columns(cur, _CANONICAL)

    def sequence_past(self, sequence: str) -> str:
        """A statement (one `?`: a number) after which `sequence` gives numbers above
        that number; it never moves the sequence back. Like every sequence change it
        is not undone by a rollback (a gap at worst)."""
        return (f"SELECT setval('{sequence}', greatest(?, (SELECT last_value FROM "
                f"duckdb_sequences() WHERE sequence_name = '{sequence}' AND schema_name = "
                "current_schema() AND database_name = current_database())))")

    def latest(self, value: str, by: str, where: str | None = None) -> str:
        """An aggregate: `value` of the group's row with the largest `by` among those
        matching `where` ("latest per group" in one pass)."""
        only = f" FILTER (WHERE {where})" if where else ""
        return f"arg_max({value}, {by}){only}"

    def columns(self, raw) -> dict[str, list]:
        """The executed statement's result as columns (name -> list of values, NULL as
        None), without a Python object per row."""
        return {name: values.tolist() for name, values in raw.fetchnumpy().items()}


def table_columns(cur, canonical: dict[str, str]) -> dict[str, list[tuple[str, str, str | None]]]:
    """`Dialect.table_columns` from the standard information_schema; `canonical` maps
    the engine's type names to the canonical ones."""
    rows = cur.execute(
        "SELECT c.table_name, c.column_name, c.data_type, c.column_default "
        "FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
        "WHERE t.table_type = 'BASE TABLE' AND c.table_schema = current_schema() "
        "ORDER BY c.table_name, c.ordinal_position").fetchall()
    out: dict[str, list] = {}
    for table, col, kind, default in rows:
        if table != "schema_migrations":
            out.setdefault(table, []).append((col, canonical[kind], default))
    return out


DUCKDB = DuckDB()
