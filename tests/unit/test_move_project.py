"""Moving a project between stores (issue 14, core.library.move): DuckDB -> PostgreSQL
-> DuckDB keeps every row of every project table (ids and history numbers as they were)
and every file (same keys, same bytes); a refused or failed move writes nothing on the
target, neither rows nor files; the command says what it moved, or what is wrong."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from desk_factory import both_engines, make_desk, store_target
from import_support import rich_demo, table_snapshot
from pg_server import _free_port

from core.errors import NotFoundError, ValidationError
from core.library import move
from core.library.project_schema import TABLES
from core.library.transfer import project_rows

pytestmark = pytest.mark.skipif(
    not both_engines(), reason="needs both engines: runs in make test's PostgreSQL pass")

ACTOR = "ana"
ROOT = Path(__file__).resolve().parents[2]


def rows_of(desk, project_id: str) -> dict[str, list]:
    """Every row of the project, table by table, in a form both engines give alike."""
    def plain(x):
        return x.astimezone(UTC).isoformat() if isinstance(x, datetime) else x
    with desk.db.cursor() as cur:
        tables = project_rows(cur, project_id)
    return {t: sorted(([plain(x) for x in r] for r in data), key=repr)
            for t, (_, data) in tables.items()}


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def entries_of(root: Path) -> list[str]:
    """Every file and folder under `root`: equal lists mean nothing was written."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) \
        if root.exists() else []


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A DuckDB file holding the demo film with a row in every table, and its images."""
    tmp = tmp_path_factory.mktemp("move")
    desk = make_desk(tmp / "source.duckdb", image_root=tmp / "source-images", engine="duckdb")
    project = rich_demo(desk)
    yield desk, tmp / "source-images", project
    desk.close()


def store(tmp_path: Path, name: str, engine: str):
    database = ":memory:" if engine == "postgresql" else tmp_path / f"{name}.duckdb"
    return make_desk(database, image_root=tmp_path / f"{name}-images", engine=engine)


def history_ids(desk, project_id: str) -> list[int]:
    with desk.db.cursor() as cur:
        return [r[0] for r in cur.execute("SELECT id FROM instance_history WHERE project_id "
                                          "= ? ORDER BY id", [project_id]).fetchall()]


def test_a_project_goes_to_postgresql_and_back_with_nothing_lost(source, tmp_path):
    desk, images, project = source
    before, files = rows_of(desk, project.id), files_of(images)
    assert set(before) == set(TABLES)                    # every table has rows to move
    assert files and any("/masters/" in k for k in files) \
        and any("/scene-assets/" in k for k in files)
    team = store(tmp_path, "team", "postgresql")
    back = store(tmp_path, "back", "duckdb")
    try:
        there = move.move_project(desk.db, images, team.db, tmp_path / "team-images")
        assert rows_of(team, project.id) == before
        assert files_of(tmp_path / "team-images") == files
        again = move.move_project(team.db, tmp_path / "team-images", back.db,
                                  tmp_path / "back-images", project=project.name.upper())
        after = rows_of(back, project.id)
        for table in TABLES:
            assert after[table] == before[table], table
        assert files_of(tmp_path / "back-images") == files
        for moved in (there, again):
            assert moved.project_id == project.id and not moved.renumbered
            assert moved.rows == {t: len(rows) for t, rows in before.items()}
            assert (moved.copied, moved.present, moved.warnings) == (len(files), 0, [])
            line = moved.summary()
            assert "\n" not in line and f"scenes {len(before['scenes'])}," in line
            assert f"files: {len(files)} copied" in line
        # later history on either side numbers on past the moved rows (the sequence moved)
        moved_max = max(history_ids(desk, project.id))
        for side in (team, back):
            inst = side.branch_instances(project.id)[0]
            side.update_instance(inst.id, expected_version=inst.version, actor=ACTOR,
                                 reason="after the move", status_tags=["rain-soaked"])
            assert history_ids(side, project.id)[-1] > moved_max
        assert rows_of(desk, project.id) == before           # the source is unchanged
    finally:
        team.close()
        back.close()


def test_a_target_that_holds_the_project_already_is_refused(source, tmp_path):
    desk, images, project = source
    team = store(tmp_path, "team", "postgresql")
    try:
        move.move_project(desk.db, images, team.db, tmp_path / "team-images")
        snapshot, entries = table_snapshot(team), entries_of(tmp_path / "team-images")
        with pytest.raises(ValidationError, match="already holds the project"):
            move.move_project(desk.db, images, team.db, tmp_path / "team-images")
        assert table_snapshot(team) == snapshot
        assert entries_of(tmp_path / "team-images") == entries
    finally:
        team.close()


def test_another_file_at_a_key_of_the_project_is_refused(source, tmp_path):
    """A file the target's image folder holds at one of the project's keys with other
    bytes is not overwritten: the move is refused, the files it copied removed."""
    desk, images, project = source
    team = store(tmp_path, "team", "postgresql")
    key = sorted(files_of(images))[-1]
    (tmp_path / "team-images" / key).parent.mkdir(parents=True)
    (tmp_path / "team-images" / key).write_bytes(b"not the same")
    try:
        with pytest.raises(ValidationError, match="already holds another file at"):
            move.move_project(desk.db, images, team.db, tmp_path / "team-images")
        assert files_of(tmp_path / "team-images") == {key: b"not the same"}
        assert table_snapshot(team)["projects"] == []
    finally:
        team.close()


def test_a_file_missing_from_the_source_is_named_and_the_rest_moves(source, tmp_path):
    desk, images, project = source
    partial = tmp_path / "partial"
    shutil.copytree(images, partial)
    lost = sorted(files_of(partial))[0]
    (partial / lost).unlink()
    team = store(tmp_path, "team", "postgresql")
    try:
        moved = move.move_project(desk.db, partial, team.db, tmp_path / "team-images")
        assert len(moved.warnings) == 1 and lost in moved.warnings[0]
        assert files_of(tmp_path / "team-images") == files_of(partial)
        assert rows_of(team, project.id) == rows_of(desk, project.id)
    finally:
        team.close()


@pytest.mark.parametrize("engine", ["postgresql", "duckdb"])
def test_a_move_that_fails_writes_nothing_on_the_target(source, tmp_path, engine):
    """The target refuses a late table's rows (a shot of the project has an id a row of
    the target holds): the earlier tables' rows are rolled back and the files copied
    before are removed again, folders and all."""
    desk, images, project = source
    target = store(tmp_path, "target", engine)
    with desk.db.cursor() as cur:
        shot = cur.execute("SELECT id FROM shots WHERE scene_id IN (SELECT id FROM scenes "
                           "WHERE project_id = ?) LIMIT 1", [project.id]).fetchone()[0]
    target.db.transaction(lambda cur: cur.execute(
        "INSERT INTO shots (id, scene_id, position, description) VALUES (?, ?, 1, 'x')",
        [shot, "another-scene"]))
    try:
        snapshot = table_snapshot(target)
        with pytest.raises(ValidationError, match="refused the project"):
            move.move_project(desk.db, images, target.db, tmp_path / "target-images")
        assert table_snapshot(target) == snapshot
        assert entries_of(tmp_path / "target-images") == []
    finally:
        target.close()


def test_history_numbers_the_target_has_taken_are_drawn_afresh_in_order(source, tmp_path):
    desk, images, project = source
    team = store(tmp_path, "team", "postgresql")
    try:
        own = team.create_project("Already here", actor=ACTOR)
        scene = team.add_scene(own.id, 1, "INT. OFFICE - DAY")
        team.add_asset(own.id, "Clerk", "character", "A clerk")
        inst = team.inherit_scene(scene.id, actor=ACTOR)[0]
        team.update_instance(inst.id, expected_version=inst.version, actor=ACTOR,
                             status_tags=["tired"])
        taken = set(history_ids(team, own.id))
        moved = move.move_project(desk.db, images, team.db, tmp_path / "team-images")
        assert moved.renumbered and "the history got new numbers" in moved.summary()
        new = history_ids(team, project.id)
        assert not taken & set(new) and len(new) == len(history_ids(desk, project.id))

        def in_order(d):
            with d.db.cursor() as cur:
                return [r for r in cur.execute(
                    "SELECT instance_id, field, old_value, new_value FROM instance_history "
                    "WHERE project_id = ? ORDER BY id", [project.id]).fetchall()]
        assert in_order(team) == in_order(desk)
        before, after = rows_of(desk, project.id), rows_of(team, project.id)
        for table in set(TABLES) - {"instance_history"}:
            assert after[table] == before[table], table
    finally:
        team.close()


def test_the_command_prints_what_it_moved(source, tmp_path, capsys):
    desk, images, project = source
    url = store_target(tmp_path / "cli", "postgresql")
    code = move.main(["--from", desk.db.path, "--to", url, "--project", project.id,
                      "--images-from", str(images), "--images-to", str(tmp_path / "cli-images")])
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    assert out.out.count("\n") == 1 and out.out.startswith(f"Moved project {project.name!r}")
    assert "password" not in out.out
    team = make_desk(tmp_path / "cli", image_root=tmp_path / "cli-images", engine="postgresql")
    try:
        assert rows_of(team, project.id) == rows_of(desk, project.id)
    finally:
        team.close()


@pytest.mark.parametrize("argv, message", [
    (["--project", "No Such Film"], "has no project named 'No Such Film'"),
    (["--from", "{tmp}/missing.duckdb"], "source database {tmp}/missing.duckdb does not exist"),
    (["--to", "mysql://db/desk"], "neither a DuckDB file nor a postgresql:// URL"),
    (["--to", "postgresql://nobody@127.0.0.1:{port}/desk"], "target database: The PostgreSQL "
                                                            "database postgresql://nobody@"),
])
def test_bad_input_gets_one_clear_error_and_moves_nothing(source, tmp_path, capsys, argv,
                                                         message):
    desk, images, _ = source
    fill = {"tmp": str(tmp_path), "port": _free_port()}
    args = {"--from": desk.db.path, "--to": str(tmp_path / "target.duckdb")}
    args |= {argv[i]: argv[i + 1].format(**fill) for i in range(0, len(argv), 2)}
    code = move.main([x for pair in args.items() for x in pair]
                     + ["--images-from", str(images), "--images-to", str(tmp_path / "t")])
    err = capsys.readouterr().err
    assert code == 1 and message.format(**fill) in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        err.splitlines()[-1]]
    assert not (tmp_path / "t").exists() and not (tmp_path / "target.duckdb").exists()


def test_the_module_runs_as_a_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "core.library.move", "--from",
                           str(tmp_path / "none.duckdb"), "--to", str(tmp_path / "b.duckdb")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == (f"error: The source database {tmp_path}/none.duckdb does "
                                   "not exist (no such file).")


def test_the_project_is_found_by_id_or_name_or_as_the_only_one(source, tmp_path):
    desk, _, project = source
    with desk.db.cursor() as cur:
        assert move.find_project(cur, None).id == project.id
        assert move.find_project(cur, f" {project.id} ").id == project.id
        with pytest.raises(NotFoundError, match="it holds: Low Tide at Gull Point"):
            move.find_project(cur, "Nothing like it")
    other = store(tmp_path, "other", "duckdb")
    try:
        with other.db.cursor() as cur, pytest.raises(NotFoundError, match="holds no project"):
            move.find_project(cur, None)
        twins = [other.create_project("Twins", actor=ACTOR) for _ in range(2)]
        with other.db.cursor() as cur:
            with pytest.raises(ValidationError, match="holds 2 projects; name the one"):
                move.find_project(cur, None)
            with pytest.raises(ValidationError, match="by its id: ") as refused:
                move.find_project(cur, "twins")
            assert all(t.id in str(refused.value) for t in twins)
    finally:
        other.close()


@pytest.mark.parametrize("engine", ["postgresql", "duckdb"])
def test_moving_the_sequence_on_never_moves_it_back(tmp_path, engine):
    desk = store(tmp_path, "target", engine)
    try:
        def numbers(cur):
            past = cur.dialect.sequence_past("history_id_seq")
            cur.execute(past, [5])
            first = cur.execute("SELECT nextval('history_id_seq')").fetchone()[0]
            cur.execute(past, [100])
            cur.execute(past, [10])
            return first, cur.execute("SELECT nextval('history_id_seq')").fetchone()[0]
        assert desk.db.transaction(numbers) == (6, 101)
    finally:
        desk.close()
