"""Counting the SQL statements an operation sends to a real database (DESIGN §4 "Film
scale": a bounded number of queries per producer operation, whatever its size).

    with count_queries(desk) as q:
        desk.import_assets_csv(project_id, data, actor="ana")
    assert q.count == ...       # q.statements holds the SQL text, in order

Every cursor that `Database.cursor()` hands out while the block runs is wrapped (but
those of the image runner's background threads); each
`execute` / `executemany` counts one (BEGIN and COMMIT included). Nothing is mocked:
the statements run on the database as usual.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

BACKGROUND = "image-job"     # core.images.runner's thread names


class QueryLog:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def transactions(self) -> int:
        """How many transactions were begun (each engine words BEGIN its own way)."""
        return sum(s.upper().startswith("BEGIN") for s in self.statements)

    def without_transactions(self) -> list[str]:
        """The statements but BEGIN / COMMIT / ROLLBACK."""
        return [s for s in self.statements
                if s.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]


class _CountingCursor:
    def __init__(self, cur, log: QueryLog):
        self._cur, self._log = cur, log

    def execute(self, sql, *args, **kw):
        self._log.statements.append(" ".join(str(sql).split()))
        return self._cur.execute(sql, *args, **kw)

    def executemany(self, sql, *args, **kw):
        self._log.statements.append(" ".join(str(sql).split()))
        return self._cur.executemany(sql, *args, **kw)

    def __getattr__(self, name):
        return getattr(self._cur, name)


@contextmanager
def count_queries(desk_or_db):
    """Count the statements run through `Database.cursor()` of a Desk (or a Database)."""
    db = getattr(desk_or_db, "db", desk_or_db)
    log = QueryLog()
    original = db.cursor

    @contextmanager
    def counting():
        with original() as cur:
            # The image runner's threads (its queue poll every few seconds) work on
            # their own clock: what they run belongs to no operation measured here.
            if threading.current_thread().name.startswith(BACKGROUND):
                yield cur
            else:
                yield _CountingCursor(cur, log)

    db.cursor = counting
    try:
        yield log
    finally:
        del db.cursor
