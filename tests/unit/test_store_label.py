"""Which store a Desk runs on, in words for the app (issue 14): the engine and where,
never a password (S4)."""

from __future__ import annotations

from desk_factory import ENGINE, make_desk

from core.store.dialect import DUCKDB
from core.store.postgres_dialect import POSTGRES


def test_the_label_names_the_engine_and_where_it_runs(tmp_path):
    desk = make_desk(tmp_path / "continuity.duckdb", image_root=tmp_path / "images")
    try:
        label = desk.store_label
        assert desk.db.engine == ENGINE
    finally:
        desk.close()
    if ENGINE == "duckdb":
        assert label == f"DuckDB file {(tmp_path / 'continuity.duckdb').resolve()}"
    else:
        assert label.startswith("PostgreSQL team server 127.0.0.1:") and label.endswith(
            "/postgres")
        assert "search_path" not in label and "postgres@" not in label


def test_a_throwaway_store_says_so():
    desk = make_desk(":memory:")
    try:
        if ENGINE == "duckdb":
            assert desk.store_label == "DuckDB in memory"
        else:
            assert desk.store_label.startswith("PostgreSQL team server ")
    finally:
        desk.close()


def test_the_team_server_label_keeps_user_password_and_options_out():
    url = "postgresql://producer:s3cr%40t@db.studio.example:5433/films?sslmode=require"
    assert POSTGRES.describe(url) == "PostgreSQL team server db.studio.example:5433/films"
    assert POSTGRES.describe("postgresql://films-db/films") == (
        "PostgreSQL team server films-db/films")
    assert "s3cr" not in POSTGRES.describe(url) and "producer" not in POSTGRES.describe(url)


def test_the_duckdb_label_is_the_file(tmp_path):
    path = str(tmp_path / "film.duckdb")
    assert DUCKDB.describe(path) == f"DuckDB file {path}"
