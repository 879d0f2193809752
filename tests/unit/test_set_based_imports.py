"""Issue 12, set-based imports (DESIGN §4 "Film scale"): a CSV import issues the same
number of queries for a small and a large file, in one transaction, and behaves as
when its rows were applied one by one."""

from __future__ import annotations

import pytest
from query_count import count_queries

import core

ACTOR = "ana"


@pytest.fixture
def fresh(tmp_path):
    desks = []

    def make():
        d = core.open_desk(":memory:", image_root=tmp_path / "images")
        desks.append(d)
        return d, d.create_project("Film", actor=ACTOR)
    yield make
    for d in desks:
        d.close()


def asset_csv(rows: int, description: str = "As written in the bible.") -> str:
    lines = ["name,type,description,aliases,approved"]
    lines += [f"Asset {n:04d},{('character', 'location', 'prop')[n % 3]},{description} {n},"
              f"A{n:04d}; Number {n},yes" for n in range(rows)]
    return "\n".join(lines) + "\n"


def csv_queries(fresh, rows: int, *, then: str | None = None, dry_run: bool = False) -> int:
    desk, p = fresh()
    if then is not None:
        desk.import_assets_csv(p.id, asset_csv(rows), actor=ACTOR)
    with count_queries(desk) as q:
        desk.import_assets_csv(p.id, then or asset_csv(rows), actor=ACTOR, dry_run=dry_run)
    assert q.statements.count("BEGIN TRANSACTION") == 1
    return q.count


def test_csv_import_queries_do_not_grow_with_rows(fresh):
    assert csv_queries(fresh, 5) == csv_queries(fresh, 120)
    assert csv_queries(fresh, 5, dry_run=True) == csv_queries(fresh, 120, dry_run=True)


def test_csv_update_queries_do_not_grow_with_rows(fresh):
    small = csv_queries(fresh, 5, then=asset_csv(5, "Changed."))
    assert small == csv_queries(fresh, 120, then=asset_csv(120, "Changed."))


def test_csv_master_edits_flow_in_bounded_queries(fresh):
    def run(scenes: int) -> tuple[int, core.Desk, list]:
        desk, p = fresh()
        desk.import_assets_csv(p.id, asset_csv(3), actor=ACTOR)
        ids = [a.id for a in desk.assets(p.id)]
        for n in range(1, scenes + 1):
            s = desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY")
            desk.inherit_scene(s.id, ids, actor=ACTOR)
        with count_queries(desk) as q:
            desk.import_assets_csv(p.id, asset_csv(3, "Changed."), actor=ACTOR)
        return q.count, desk, ids
    small, _, _ = run(2)
    large, desk, ids = run(8)
    assert small == large
    for aid in ids:                     # E1, P2: the master edit reached every scene
        chain = [r for r in desk.search(desk.get_asset(aid).project_id, "").itertuples()
                 if r.asset_id == aid]
        assert len(chain) == 8
    inst = desk.scene_instances(desk.scenes(desk.get_asset(ids[0]).project_id)[-1].id)[0]
    assert inst.effective_description.startswith("Changed.")
    rows = [h for h in desk.history(inst.id) if h.field == "effective_description"]
    assert rows[-1].source == "propagation" and rows[-1].reason == "master edited"


def test_csv_rows_apply_in_file_order(fresh):
    """A later row may name an asset an earlier row created, by its alias."""
    desk, p = fresh()
    rep = desk.import_assets_csv(p.id, "name,type,description,aliases\n"
                                 "Brick,character,Detective,Malone\n"
                                 "Malone,character,Detective,Brick\n", actor=ACTOR)
    assert (rep.created, rep.updated) == (["Brick"], ["Malone"])
    (a,) = desk.assets(p.id)
    assert (a.name, a.aliases, a.version) == ("Malone", ["Brick"], 2)


def test_library_csv_queries_do_not_grow_with_rows(fresh):
    counts = []
    for rows in (5, 120):
        desk, _ = fresh()
        with count_queries(desk) as q:
            rep = desk.import_library_csv(asset_csv(rows), actor=ACTOR)
        assert len(rep.created) == rows == len(desk.global_assets())
        counts.append(q.count)
    assert counts[0] == counts[1]
