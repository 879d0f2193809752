"""S4: a database file held by another process is refused with one producer's
message naming the file and the holder's PID — never DuckDB's raw IOException,
which shows the interpreter's path."""

from __future__ import annotations

import os
import sys

import pytest
from db_holder import held

import core

pytestmark = pytest.mark.engine_free   # DuckDB files only, whatever the test engine


def test_S4_database_held_by_another_process_is_a_domain_error(tmp_path):
    db = tmp_path / "continuity.duckdb"
    with held(db, tmp_path / "images") as pid:
        with pytest.raises(core.DatabaseBusyError) as info:
            core.open_desk(db, image_root=tmp_path / "images")
    message = str(info.value)
    assert str(db) in message and f"process {pid}" in message
    assert "CONTINUITY_DB_PATH" in message
    # One process a file: several app processes are the team server's job (issue 14).
    assert "CONTINUITY_DATABASE_URL" in message and 'README, "Team server"' in message
    for interpreter in {sys.executable, os.path.realpath(sys.executable)}:
        assert interpreter not in message
    assert "IO Error" not in message and "lock" not in message
    assert info.value.pid == pid and info.value.path == str(db)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert isinstance(info.value, core.DeskError)


def test_S4_database_is_usable_again_once_the_other_process_stops(tmp_path):
    db = tmp_path / "continuity.duckdb"
    with held(db, tmp_path / "images"):
        pass
    desk = core.open_desk(db, image_root=tmp_path / "images")
    assert desk.projects() == []
    desk.close()


def test_S4_a_file_that_is_not_a_database_is_a_domain_error(tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("shopping list, not a database")
    with pytest.raises(core.DatabaseOpenError, match="is not a Continuity Desk database") as info:
        core.open_desk(bad, image_root=tmp_path / "images")
    assert str(bad) in str(info.value)
    assert bad.read_text() == "shopping list, not a database"      # left as it was


def test_S4_a_path_that_cannot_be_made_is_a_domain_error(tmp_path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    with pytest.raises(core.DatabaseOpenError, match="could not be opened") as info:
        core.open_desk(blocker / "sub" / "continuity.duckdb", image_root=tmp_path / "images")
    assert str(blocker / "sub" / "continuity.duckdb") in str(info.value)
