"""Many rows sent in one statement (`Dialect.rows`, the bulk writes' derived table):
the same rows come out whatever their number (DuckDB sends `ARROW_VALUES` varying
values or more as an Arrow table, fewer as arrays), and a value the engine cannot
take is refused as bad input (S4) with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import core
from core.store import dialect

COLUMNS = [("id", "text"), ("note", "text"), ("tags", "text[]"), ("n", "int"),
           ("big", "bigint"), ("flag", "bool"), ("at", "timestamptz"), ("who", "text")]
START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
ARROW_FROM = -(-dialect.ARROW_VALUES // (len(COLUMNS) - 1))    # rows ("who" is one value)


def _rows(count: int) -> list[tuple]:
    tags = (["muddy", 'q"uote', "c,d"], [], None, ["NULL", "{x}", " "])
    return [(f"i{k:04}", None if k % 3 == 0 else f"note {k} ✓", tags[k % 4], k,
             k * 10**10, k % 2 == 0, START + timedelta(seconds=k), "ana")
            for k in range(count)]


@pytest.mark.parametrize("count", [1, 3, ARROW_FROM - 1, ARROW_FROM, 700])
def test_rows_come_out_as_they_went_in_whatever_their_number(desk, count):
    rows = _rows(count)
    sql, params = desk.db.dialect.rows(COLUMNS, list(zip(*rows, strict=True)))
    with desk.db.cursor() as cur:
        cur.execute("SELECT 1 UNION ALL SELECT 2", []).fetchone()    # a result left unread
        got = cur.execute(f"SELECT * FROM ({sql}) r ORDER BY id", params).fetchall()
    assert [(*r[:6], r[6].astimezone(UTC), r[7]) for r in got] == rows
    if desk.db.engine == "duckdb":
        assert ("FROM _rows_" in sql) == (count >= ARROW_FROM)


@pytest.mark.parametrize("count", [3, 700])
@pytest.mark.parametrize("bad", ["surrogate", "too large"])
def test_a_value_the_engine_cannot_take_is_refused_and_nothing_is_written(desk, count, bad):
    p = desk.create_project("Bulk", actor="t")
    notes = [f"note {k}" for k in range(count)]
    numbers = list(range(count))
    if bad == "surrogate":
        notes[-1] = "bad \ud800 text"
    else:
        numbers[-1] = 2**40

    def write(cur):
        cur.execute("INSERT INTO projects (id, name, main_branch_id, created_at) "
                    "VALUES ('other', 'Other', 'none', now())", [])
        sql, params = cur.dialect.rows([("note", "text"), ("n", "int")], [notes, numbers])
        cur.execute(f"UPDATE projects SET name = (SELECT max(note) FROM ({sql}) r "
                    "WHERE r.n >= 0) WHERE id = ?", [*params, p.id])

    with pytest.raises(core.ValidationError, match="Unicode|too large"):
        desk.db.transaction(write)
    assert [x.name for x in desk.projects()] == ["Bulk"]
