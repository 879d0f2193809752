"""The PostgreSQL dialect's own pieces (DESIGN §4 "Engines"): canonical SQL translated
for psycopg, many rows sent as arrays, and a server that cannot be reached reported
without its password. The rules themselves run on both engines through the factory."""

from __future__ import annotations

import pytest
from desk_factory import ENGINE, make_desk

import core
from core.store.postgres_dialect import POSTGRES, shown_url

team_only = pytest.mark.skipif(ENGINE != "postgresql",
                               reason="team engine: runs in make test's PostgreSQL pass")


def test_placeholders_become_psycopg_style_outside_quoted_text():
    sql = "SELECT '?', \"a?\", x LIKE '%a%', ? FROM t WHERE y % 2 = ?"
    assert POSTGRES.sql(sql) == ("SELECT '?', \"a?\", x LIKE '%%a%%', %s FROM t "
                                 "WHERE y %% 2 = %s")


def test_a_shown_url_never_holds_the_password():
    assert shown_url("postgresql://ana:s3cret@db.example:5433/film") == \
        "postgresql://ana:***@db.example:5433/film"
    assert shown_url("postgresql://ana@db/film") == "postgresql://ana@db/film"


def test_an_unreachable_server_is_named_at_once_without_its_password():
    with pytest.raises(core.DatabaseOpenError) as err:
        core.open_desk(database_url="postgresql://ana:s3cret@127.0.0.1:1/film")
    message = str(err.value)
    assert "could not be reached" in message and "CONTINUITY_DATABASE_URL" in message
    assert "s3cret" not in message and "127.0.0.1" in message


@team_only
def test_literal_percent_and_question_marks_reach_the_server_as_written(desk):
    with desk.db.cursor() as cur:
        row = cur.execute("SELECT '100% ?' LIKE '%?', ?::VARCHAR", ["x"]).fetchone()
    assert row == (True, "x")


@team_only
def test_rows_carry_lists_of_any_length_and_awkward_text(desk):
    tags = [["a", 'b"q', "c,d"], [], ["back\\slash", "{braces}", "NULL", " "], None]
    sql, params = POSTGRES.rows([("n", "int"), ("t", "text[]"), ("who", "text")],
                                [[1, 2, 3, 4], tags, ["ana"] * 4])
    with desk.db.cursor() as cur:
        got = cur.execute(f"SELECT n, t, who FROM ({sql}) r ORDER BY n", params).fetchall()
    assert got == [(n, t, "ana") for n, t in zip([1, 2, 3, 4], tags, strict=True)]


@team_only
def test_the_desk_opens_from_a_database_url(tmp_path):
    desk = make_desk(tmp_path / "team.db")
    try:
        assert desk.db.dialect.name == "postgresql"
        assert desk.create_project("Team film", actor="ana").name == "Team film"
    finally:
        desk.close()
