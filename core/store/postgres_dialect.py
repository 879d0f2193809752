"""The team engine (DESIGN §4 "Engines"): PostgreSQL through psycopg 3 and a connection
pool, behind the same seam as `store.dialect.DuckDB` (whose docstring defines the
canonical SQL this dialect translates).

Every transaction runs at REPEATABLE READ; a serialization failure (40001), a deadlock
(40P01) or a lock wait longer than `LOCK_TIMEOUT` (55P03) rolls it back and
`Database.transaction` reruns it with fresh reads, then reports a `ConflictError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool, PoolTimeout

from core.errors import DatabaseOpenError, ValidationError
from core.store.dialect import table_columns

LOCK_TIMEOUT = "2s"           # a blocked edit gives up soon and is rerun (then a conflict)
POOL_SIZE = 8                 # connections per process: page reads, the image worker
CONNECT_TIMEOUT = 5           # seconds to reach the server
_TYPES = {"text": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "bool": "BOOLEAN",
          "float": "DOUBLE PRECISION", "timestamptz": "TIMESTAMPTZ", "text[]": "VARCHAR[]"}
_CANONICAL = {"character varying": "text", "text": "text", "integer": "int",
              "bigint": "bigint", "boolean": "bool", "double precision": "float",
              "timestamp with time zone": "timestamptz", "ARRAY": "text[]"}
# A quoted literal or identifier (left as it is), a placeholder, or a percent sign.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|\?|%")


def shown_url(url: str) -> str:
    """The URL without its password, for messages (S4)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _token(m: re.Match) -> str:
    t = m.group(0)
    if t == "?":
        return "%s"
    return t.replace("%", "%%")     # psycopg reads % everywhere, quoted text included


@lru_cache(maxsize=2048)
def _translate(text: str) -> str:
    return _TOKEN.sub(_token, text)


def _array_literal(values: Sequence[str] | None) -> str | None:
    """A list of texts as a PostgreSQL array literal (rows of lists of any length
    cannot travel as one rectangular two-dimensional array)."""
    if values is None:
        return None
    quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


class Postgres:
    """A shared server: many app processes, one store."""

    name = "postgresql"
    error = psycopg.Error
    conflict_errors: tuple[type[Exception], ...] = (
        errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable)
    begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
    # Processes opening one store at once migrate it in turn (a transaction-scoped lock).
    migration_lock = "SELECT pg_advisory_xact_lock(7318021)"
    # A claim passes over job rows another process is claiming instead of waiting.
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def connect(self, url: str) -> tuple[str, ConnectionPool]:
        """(the URL as shown, a pool of autocommit connections in UTC)."""
        shown = shown_url(url)

        def configure(con):
            con.execute(f"SET TimeZone = 'UTC'; SET lock_timeout = '{LOCK_TIMEOUT}'")

        unreachable = (f"The PostgreSQL database {shown} could not be reached{{}}. Check that "
                       "the server runs and CONTINUITY_DATABASE_URL (host, port, user, "
                       "password, database).")
        try:        # one plain connection first: a refusal is reported at once, with why
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
        except psycopg.Error as exc:
            reason = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            reason = reason.removeprefix("connection failed: ")[:300]
            raise DatabaseOpenError(unreachable.format(f" ({reason})" if reason else "")
                                    ) from None
        pool = ConnectionPool(url, min_size=1, max_size=POOL_SIZE, open=False,
                              kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
                              configure=configure, name="continuity")
        try:
            pool.open(wait=True, timeout=3 * CONNECT_TIMEOUT)
        except PoolTimeout:
            pool.close()
            raise DatabaseOpenError(unreachable.format("")) from None
        return shown, pool

    @contextmanager
    def borrow(self, pool: ConnectionPool):
        """A raw cursor on a pooled connection of its own, for one read or transaction."""
        with pool.connection() as con, con.cursor() as cur:
            yield cur

    def close(self, pool: ConnectionPool) -> None:
        pool.close()

    def describe(self, url: str) -> str:
        """The store in words, for the app to show: server and database, never the
        user, password or options."""
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
        return f"PostgreSQL team server {parts.hostname or 'localhost'}{port}{parts.path}"

    def sql(self, text: str) -> str:
        """Canonical SQL with parameters in psycopg's style (`?` -> `%s`, `%` -> `%%`)."""
        return _translate(text)

    def execute(self, raw, sql: str, params) -> None:
        raw.execute(sql, params)

    def bad_value(self, exc: BaseException) -> ValidationError | None:
        """S4: a value from outside the engine cannot take, as a domain error."""
        if isinstance(exc, UnicodeEncodeError) or (
                isinstance(exc, errors.CharacterNotInRepertoire | errors.UntranslatableCharacter)):
            return ValidationError("A text given is not valid Unicode (it contains a lone "
                                   "surrogate); nothing was changed.")
        if isinstance(exc, errors.NumericValueOutOfRange) or (
                isinstance(exc, psycopg.DataError) and "out of range" in str(exc)):
            return ValidationError("A number given is too large; nothing was changed.")
        if isinstance(exc, errors.UntranslatableCharacter | errors.ProgramLimitExceeded):
            return ValidationError("A value given cannot be stored; nothing was changed.")
        return None

    def exclusive_lock(self, table: str, wait_seconds: int) -> list[str]:
        """See `DuckDB.exclusive_lock`: a table lock taken before the first read, so
        this transaction's snapshot sees what the writer it waited for committed."""
        return [f"SET LOCAL lock_timeout = '{int(wait_seconds)}s'",
                f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"]

    def new_uuid(self) -> str:
        return "gen_random_uuid()::VARCHAR"

    def lease_void(self, owner: str) -> tuple[str, list]:
        """See `DuckDB.lease_void`: here many processes share the queue, so a claim is
        void only once its lease ran out (its process died, or stopped renewing)."""
        return "(lease_until IS NULL OR lease_until < now())", []

    def rows(self, columns: Sequence[tuple[str, str]], values: Sequence[Sequence]
             ) -> tuple[str, list]:
        """See `DuckDB.rows`: here `SELECT … FROM UNNEST(a, b, …) AS r(…)`; a `text[]`
        column travels as one array literal per row and is cast back."""
        arrays, names, outer, params_arrays, params_scalars = [], [], [], [], []
        for (name, kind), column in zip(columns, values, strict=True):
            column = list(column)
            sql_type = _TYPES[kind]
            if len(column) > 1 and column.count(column[0]) == len(column):
                outer.append(f"CAST(? AS {sql_type}) AS {name}")
                params_scalars.append(column[0] if kind != "text[]"
                                      else _array_literal(column[0]))
                continue
            if kind == "text[]":
                arrays.append("?::VARCHAR[]")
                params_arrays.append([_array_literal(v) for v in column])
                outer.append(f"CAST(r.{name} AS VARCHAR[]) AS {name}")
            else:
                arrays.append(f"?::{sql_type}[]")
                params_arrays.append(column)
                outer.append(f"r.{name}")
            names.append(name)
        if not arrays:                                          # one row per value
            (name, kind), column = columns[0], list(values[0])
            arrays.append(f"?::{_TYPES[kind]}[]")
            params_arrays.append(column if kind != "text[]"
                                 else [_array_literal(v) for v in column])
            names.append(name)
            outer[0] = f"r.{name}" if kind != "text[]" else f"CAST(r.{name} AS VARCHAR[]) AS {name}"
            params_scalars = params_scalars[1:]
        # The scalars' placeholders come first in the text, so their values do too.
        return (f"SELECT {', '.join(outer)} FROM UNNEST({', '.join(arrays)}) "
                f"AS r({', '.join(names)})", params_scalars + params_arrays)

    def table_columns(self, cur) -> dict[str, list[tuple[str, str, str | None]]]:
        """See `DuckDB.table_columns` (a default as the engine writes it)."""
        return table_columns(cur, _CANONICAL)

    def sequence_past(self, sequence: str) -> str:
        """See `DuckDB.sequence_past`."""
        return f"SELECT setval('{sequence}', greatest(?, (SELECT last_value FROM {sequence})))"

    def latest(self, value: str, by: str, where: str | None = None) -> str:
        """See `DuckDB.latest` (PostgreSQL has no arg_max: the first of an ordered array)."""
        only = f" FILTER (WHERE {where})" if where else ""
        return f"(array_agg({value} ORDER BY {by} DESC){only})[1]"

    def columns(self, raw) -> dict[str, list]:
        names = [d.name for d in raw.description]
        rows = raw.fetchall()
        if not rows:
            return {n: [] for n in names}
        return dict(zip(names, (list(c) for c in zip(*rows, strict=True)), strict=True))


POSTGRES = Postgres()
