"""The storage seam (DESIGN §4): engine-specific SQL and driver calls live in the
dialects only (`core/store/dialect.py`, `core/store/postgres_dialect.py`), and a
versioned change takes its chain's lock before it checks the version it was based on
(so A4 holds on an engine that blocks)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from query_count import count_queries

import core
from core.chain import appearances

CORE = Path(__file__).resolve().parents[2] / "core"
TESTS = CORE.parent / "tests"
# Tests of an engine's own behaviour (DuckDB's one-process file lock, a file that is no
# database, a PostgreSQL server that cannot be reached) open the engine directly; every
# other test gets its store from tests/desk_factory.py.
ENGINE_OWN_TESTS = {"desk_factory.py", "pg_server.py", "unit/test_postgres_engine.py",
                    "unit/test_db_busy.py", "unit/db_holder.py",
                    "unit/test_validation_text.py", "unit/test_storage_seam.py"}
DIALECTS = {CORE / "store" / "dialect.py", CORE / "store" / "postgres_dialect.py"}
# DuckDB-only SQL (and PostgreSQL's row-lock skipping); the canonical forms are in
# dialect.py's docstring.
ENGINE_ONLY = re.compile(
    r"\bSKIP\s+LOCKED\b|"
    r"\bQUALIFY\b|\bany_value\(|\buuid\(\)|\[\]\[\]|\bINSERT\s+OR\s+(IGNORE|REPLACE)\b|"
    r"\blist\(DISTINCT|\bFROM\s+range\(|\bGROUP BY ALL\b|\bORDER BY ALL\b|\bfetchnumpy\b|"
    r"\bfetchdf\b|table_schema\s*=\s*'main'", re.I)


def _core_modules():
    return [p for p in CORE.rglob("*.py") if p not in DIALECTS]


@pytest.mark.engine_free   # reads source text
def test_only_the_dialect_imports_the_engine_driver():
    offenders = []
    for path in _core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("duckdb", "psycopg") for n in names):
                offenders.append(str(path.relative_to(CORE)))
    assert offenders == []


@pytest.mark.engine_free   # reads source text
def test_no_engine_specific_sql_outside_the_dialect():
    found = []
    for path in _core_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if ENGINE_ONLY.search(node.value):
                    found.append(f"{path.relative_to(CORE)}:{node.lineno}")
            elif isinstance(node, ast.Attribute) and node.attr in ("fetchnumpy", "fetchdf"):
                found.append(f"{path.relative_to(CORE)}:{node.lineno}")
    assert found == []


@pytest.mark.engine_free   # reads source text
def test_the_pattern_catches_what_it_is_for():
    """The scan above is only as good as its pattern."""
    for sql in ("SELECT 1 QUALIFY x = 1", "SELECT any_value(a)", "SELECT uuid()",
                "UNNEST(?::VARCHAR[][])", "insert or ignore into t", "SELECT list(DISTINCT f)",
                "SELECT nextval('s') FROM range(?)", "WHERE table_schema = 'main'",
                "SELECT a, max(b) FROM t GROUP BY ALL",
                "SELECT id FROM t FOR UPDATE SKIP LOCKED"):
        assert ENGINE_ONLY.search(sql), sql
    assert not ENGINE_ONLY.search("SELECT id FROM t WHERE id = ANY(?::VARCHAR[])")


@pytest.mark.engine_free   # reads source text
def test_tests_build_their_store_through_the_factory():
    """One place to switch the tests to another engine (the PostgreSQL issue)."""
    direct = re.compile(r"\bcore\.open_desk\(|\bimport open_desk\b|\bDatabase\(|"
                        r"\bimport duckdb\b|\bduckdb\.connect\(")
    offenders = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in TESTS.rglob("*.py")
        if str(path.relative_to(TESTS)) not in ENGINE_OWN_TESTS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if direct.search(line)
    ]
    assert offenders == []


def _first(statements: list[str], pattern: str) -> int:
    return next(i for i, s in enumerate(statements) if re.search(pattern, s, re.I))


LOCK = r"^UPDATE project_assets SET chain_revision"


def test_an_asset_edit_rechecks_the_version_after_the_lock(film):
    asset = film.assets["Brick"]
    with count_queries(film.desk) as q:
        film.desk.update_asset(asset.id, expected_version=asset.version, actor="ana",
                               description="Retired detective, now bearded")
    statements = q.without_transactions()
    lock = _first(statements, LOCK)
    check = _first(statements[lock:], r"^SELECT .* FROM project_assets")
    write = _first(statements, r"^UPDATE project_assets SET name")
    assert lock + check < write


@pytest.mark.parametrize("change", [
    lambda desk, inst: desk.update_instance(inst.id, expected_version=inst.version,
                                            actor="ana", status_tags=["muddy"]),
    lambda desk, inst: desk.remove_instance(inst.id, expected_version=inst.version,
                                            actor="ana"),
], ids=["edit", "remove"])
def test_an_instance_edit_rechecks_the_version_after_the_lock(film, monkeypatch, change):
    """A change committed while the edit waits for the chain's lock (here: made just
    before the lock is taken, on the edit's own connection) is seen by the edit, which
    is refused whole: the version is checked on the row read under the lock."""
    film.desk.inherit_scene(film.scenes[1].id, actor="ana")
    inst = film.instance_in(1, "Brick")
    real = appearances.lock_chain

    def lock_after_another_change(cur, asset_id):
        cur.execute("UPDATE scene_asset_instances SET version = version + 1, "
                    "description_override = 'theirs' WHERE id = ?", [inst.id])
        return real(cur, asset_id)

    monkeypatch.setattr(appearances, "lock_chain", lock_after_another_change)
    with pytest.raises(core.ConflictError) as exc:
        change(film.desk, inst)
    assert exc.value.current.version == inst.version + 1
    assert exc.value.current.description_override == "theirs"
    monkeypatch.undo()
    assert film.get(inst).version == inst.version        # nothing written
