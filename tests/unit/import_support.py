"""Helpers for the import, detection and library tests (kept apart from conftest so
these tests stand on their own)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent / "screenplays"
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "brick-and-steel.fountain"
if not SAMPLE.exists():  # CI lays shared/ beside the clone; a developer has /work/shared
    SAMPLE = Path("/work/shared/samples/brick-and-steel.fountain")


def table_snapshot(desk) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean nothing was written."""
    with desk.db.cursor() as cur:
        tables = [r[0] for r in cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema = current_schema() "
            "ORDER BY table_name").fetchall()]
        return {t: sorted(cur.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}
