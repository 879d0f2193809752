"""Issue 12, set-based imports (DESIGN §4 "Film scale"): a CSV import issues the same
number of queries for a small and a large file, in one transaction, and behaves as
when its rows were applied one by one."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from query_count import count_queries

import core

ACTOR = "ana"


@pytest.fixture
def fresh(tmp_path):
    desks = []

    def make():
        d = make_desk(":memory:", image_root=tmp_path / "images")
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
    assert q.transactions == 1
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


def fountain(scenes: int, skip: int = 0) -> str:
    """A screenplay of `scenes` scenes (each `skip`-th left out, for a revised draft)."""
    out = ["Title: Long Night", ""]
    for n in range(1, scenes + 1):
        if skip and n % skip == 0:
            continue
        out += [f"INT. ROOM {n % 2} - NIGHT #{n}#", "",
                f"RAY waits with the PORSCHE keys in scene {n}.", "",
                "DETECTIVE RAY" if n % 2 else "MARGOT", f"Line of scene {n}.", ""]
    return "\n".join(out)


def screenplay_queries(fresh, scenes: int, *, draft: str | None = None,
                       dry_run: bool = False) -> int:
    desk, p = fresh()
    if draft is not None:
        desk.import_screenplay(p.id, fountain(scenes, skip=3), actor=ACTOR)
        s = desk.scenes(p.id)[0]
        desk.inherit_scene(s.id, actor=ACTOR)
    with count_queries(desk) as q:
        rep = desk.import_screenplay(p.id, draft or fountain(scenes), actor=ACTOR,
                                     dry_run=dry_run)
    assert q.transactions == 1
    assert len(rep.scenes) == scenes
    return q.count


def test_screenplay_import_queries_do_not_grow_with_scenes(fresh):
    assert screenplay_queries(fresh, 6) == screenplay_queries(fresh, 60)
    assert screenplay_queries(fresh, 6, dry_run=True) == screenplay_queries(fresh, 60,
                                                                           dry_run=True)


def test_revised_draft_queries_do_not_grow_with_scenes(fresh):
    """Re-import: scenes matched by label, new ones placed (renumbering later scenes)."""
    assert (screenplay_queries(fresh, 6, draft=fountain(6))
            == screenplay_queries(fresh, 60, draft=fountain(60)))


def test_revised_draft_places_new_scenes_as_one_at_a_time(fresh):
    desk, p = fresh()
    desk.import_screenplay(p.id, fountain(9, skip=3), actor=ACTOR, populate=False)
    desk.inherit_scene(desk.scenes(p.id)[2].id, actor=ACTOR)      # only scene 4 has instances
    rep = desk.import_screenplay(p.id, fountain(9), actor=ACTOR)
    got = [(s.scene_number, s.label) for s in desk.scenes(p.id)]
    # label 3 would renumber scene 3 (label 4, with instances): it goes to the end; 6 and 9
    # are inserted in place, moving the later scenes, which have none
    assert got == [(1, "1"), (2, "2"), (3, "4"), (4, "5"), (5, "6"), (6, "7"), (7, "8"),
                   (8, "9"), (9, "3")]
    assert any("added at the end" in w for w in rep.warnings)


def test_demo_seed_is_one_transaction(fresh):
    from core.demo import seed_demo
    desk, _ = fresh()
    with count_queries(desk) as q:
        project = seed_demo(desk)
    assert q.transactions == 1
    assert len(desk.scenes(project.id)) == 8


def test_preview_cache_reuses_a_preview_until_the_data_changes(fresh):
    from core.library.preview_cache import PreviewCache
    desk, p = fresh()
    cache, runs = PreviewCache(), []
    text = fountain(4)

    def preview():
        runs.append(1)
        return desk.import_screenplay(p.id, text, actor=ACTOR, dry_run=True)

    def get(options=()):
        with desk.db.cursor() as cur:
            return cache.get(cur, "screenplay", p.id, text, options, preview)
    first = get()
    assert get() is first and len(runs) == 1               # a rerun: the same report
    get(("merge", "none"))
    assert len(runs) == 2                                   # other options: computed
    a = desk.add_asset(p.id, "Ray", "character", "Detective")
    assert get() is not first and len(runs) == 3            # the project changed
    desk.update_asset(a.id, expected_version=a.version, actor=ACTOR, aliases=["R"])
    get()
    assert len(runs) == 4
    desk.import_screenplay(p.id, text, actor=ACTOR)
    get()
    assert len(runs) == 5
