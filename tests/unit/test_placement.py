"""The breakdown grid's placements (core.chain.placement, `Desk.place_assets`): ticks
place assets as inheriting them one scene at a time would (I1-I3, story order), later
appearances re-link (I1, P2), an appearance someone worked on is never removed, a
batch is all or nothing, a stale grid conflicts, and the statements do not grow with
the number of cells."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from fakes import png_bytes
from query_count import count_queries

import core

ACTOR = "ana"


def cell(film, name: str, number: int) -> tuple[str, str]:
    return film.assets[name].id, film.scenes[number].id


def place(film, add=(), remove=(), **kw):
    return film.desk.place_assets(film.project.main_branch_id, list(add), list(remove),
                                  actor=ACTOR, **kw)


def test_ticks_inherit_in_story_order_from_the_previous_appearance(film):
    b1 = film.place("Brick", 1)[0]
    film.edit(b1, status_tags=["muddy"], reason="the fight")
    out = place(film, [cell(film, "Brick", 7), cell(film, "Steel", 4), cell(film, "Brick", 2)])
    b2, b7 = film.instance_in(2, "Brick"), film.instance_in(7, "Brick")
    assert out.created == [b2.id, film.instance_in(4, "Steel").id, b7.id]   # story order
    assert b2.inherited_from_instance_id == b1.id and b2.status_tags == ["muddy"]
    assert b7.inherited_from_instance_id == b2.id and b7.status_tags == ["muddy"]
    assert b7.pending_review                                                # T3
    assert film.instance_in(4, "Steel").inherited_from_instance_id is None  # master


def test_placing_equals_inheriting_one_scene_at_a_time(desk, tmp_path, make_film):
    fields = ("inherited_description", "effective_description", "status_tags",
              "inherited_tags", "carry_forward", "pending_review", "source_label")

    def states(f):
        return [[getattr(i, k) for k in fields] + [i.scene_id == f.scenes[n].id]
                for n in sorted(f.scenes) for i in f.desk.scene_instances(f.scenes[n].id)]

    films = [make_film(desk), make_film(make_desk(":memory:", image_root=tmp_path / "b"))]
    for f in films:
        s1 = f.place("Steel", 1)[0]
        f.edit(s1, carry_forward=False)
        f.edit(f.place("Brick", 1)[0], status_tags=["torn"])
    place(films[0], [cell(films[0], n, k) for k in (7, 2, 4) for n in ("Brick", "Steel")])
    for k in (2, 4, 7):
        films[1].inherit(k, "Brick", "Steel")
    assert states(films[0]) == states(films[1])
    films[1].desk.close()


def test_later_appearances_relink_to_their_new_source(film):
    b1, b2, b4 = film.place("Brick", 1, 2, 4)
    film.edit(b1, status_tags=["muddy"])
    b2, b4 = film.get(b2), film.get(b4)
    assert b4.inherited_from_instance_id == b2.id
    out = place(film, add=[cell(film, "Brick", 7)], remove=[cell(film, "Brick", 2)])
    assert out.removed == [b2.id] and film.instance_in(2, "Brick") is None
    now4 = film.get(b4)
    assert now4.inherited_from_instance_id == b1.id and now4.status_tags == ["muddy"]
    assert now4.version > b4.version
    assert film.instance_in(7, "Brick").inherited_from_instance_id == b4.id
    assert any(h.source == "propagation" and h.field == "inherited_from_instance_id"
               for h in film.desk.history(b4.id))
    # a placement before an appearance re-links it too (I1)
    place(film, add=[cell(film, "Brick", 2)])
    assert film.get(b4).inherited_from_instance_id == film.instance_in(2, "Brick").id


@pytest.mark.parametrize("work, why", [
    (lambda f, i: f.edit(i, description_override="Shirt torn"), "has its own description"),
    (lambda f, i: f.edit(i, status_tags=["wet"]), "has its own tags"),
    (lambda f, i: f.edit(i, carry_forward=False), "does not carry forward"),
    (lambda f, i: f.desk.lock_instance(i.id, expected_version=f.get(i).version, actor=ACTOR),
     "is locked"),
    (lambda f, i: (f.edit(i, description_override="x"), f.edit(i, description_override=None)),
     "was edited by a producer"),
    (lambda f, i: f.desk.upload_image(i.id, png_bytes((9, 9, 9)), "a.png", actor=ACTOR),
     "has 1 generated or uploaded image"),
])
def test_an_appearance_someone_worked_on_is_never_removed(film, snapshot, work, why):
    film.place("Brick", 1)
    b2 = film.place("Brick", 2)[0]
    work(film, b2)
    grid = film.desk.breakdown(film.project.id)
    assert grid.cells[cell(film, "Brick", 2)].keeps == why
    assert grid.cells[cell(film, "Brick", 1)].keeps is None
    before = snapshot(film.desk)
    with pytest.raises(core.ValidationError) as err:
        place(film, add=[cell(film, "Steel", 4)],
              remove=[cell(film, "Brick", 1), cell(film, "Brick", 2)])
    assert f"Brick in scene 2 {why}" in str(err.value)
    assert "Brick in scene 1" not in str(err.value)
    assert snapshot(film.desk) == before
    plan = film.desk.plan_placement(grid, [], [cell(film, "Brick", 1), cell(film, "Brick", 2)])
    assert plan.remove == [cell(film, "Brick", 1)]
    assert plan.kept == [(cell(film, "Brick", 2), why)]


def test_a_batch_is_all_or_nothing(film, snapshot, desk):
    film.place("Brick", 1, 4)
    other = desk.create_project("Other", actor=ACTOR)
    stranger = desk.add_asset(other.id, "Stranger", "character", "Someone")
    alt = desk.create_branch(film.project.id, "Alt", up_to_scene_number=7, actor=ACTOR)
    alt_scene = desk.scenes(film.project.id, alt.id)[0]
    before = snapshot(desk)
    good = [cell(film, "Steel", 1), cell(film, "Brick", 7)]
    for add, error in (
        ([*good, ("no-such-asset", film.scenes[2].id)], core.NotFoundError),
        ([*good, (film.assets["Brick"].id, "no-such-scene")], core.NotFoundError),
        ([*good, (stranger.id, film.scenes[2].id)], core.ValidationError),
        ([*good, (film.assets["Brick"].id, alt_scene.id)], core.ValidationError),
        ([*good, "not a pair"], core.ValidationError),
    ):
        with pytest.raises(error):
            place(film, add=add, remove=[cell(film, "Brick", 4)])
        assert snapshot(desk) == before
    with pytest.raises(core.ValidationError):
        place(film, add=good, remove=[good[0]])
    assert snapshot(desk) == before
    # cells already as asked change nothing
    out = place(film, add=[cell(film, "Brick", 1)], remove=[cell(film, "Steel", 2)])
    assert out.created == [] and out.removed == []
    assert snapshot(desk) == before


def test_a_stale_grid_conflicts_for_the_assets_it_touches(film, snapshot):
    film.place("Brick", 1)
    grid = film.desk.breakdown(film.project.id)
    film.place("Brick", 4)                            # another tab, meanwhile
    before = snapshot(film.desk)
    with pytest.raises(core.ConflictError, match="placed or removed Brick"):
        place(film, add=[cell(film, "Brick", 7), cell(film, "Steel", 7)], expected=grid.marker)
    assert snapshot(film.desk) == before
    # an edit is not a placement, and other assets' grids are still current
    film.edit(film.instance_in(1, "Brick"), description_override="Mud to the knees")
    place(film, add=[cell(film, "Steel", 7)], expected=grid.marker)
    fresh = film.desk.breakdown(film.project.id)
    place(film, add=[cell(film, "Brick", 7)], expected=fresh.marker)
    assert film.instance_in(7, "Brick").inherited_from_instance_id == film.instance_in(
        4, "Brick").id


def test_the_plan_says_what_applying_does(film):
    film.place("Brick", 1, 4, 7)
    film.place("Steel", 2)
    grid = film.desk.breakdown(film.project.id)
    assert [s.scene_number for s in grid.scenes] == [1, 2, 4, 7]
    assert grid.scenes_of[film.assets["Brick"].id] == [1, 4, 7]
    plan = film.desk.plan_placement(
        grid, add=[cell(film, "Brick", 2), cell(film, "Steel", 1), cell(film, "Steel", 4),
                   cell(film, "Brick", 1)],
        remove=[cell(film, "Brick", 7), cell(film, "Patio", 7)])
    assert plan.add == [cell(film, "Brick", 2), cell(film, "Steel", 1), cell(film, "Steel", 4)]
    assert plan.remove == [cell(film, "Brick", 7)]
    assert plan.scenes == 3
    assert plan.relink == 2          # Brick 4 now follows 2, Steel 2 now follows 1
    assert not plan.empty and film.desk.plan_placement(grid, [], []).empty
    first = film.desk.plan_placement(grid, [cell(film, "Porsche", 4)], [])   # no appearance yet
    assert (first.add, first.scenes, first.relink) == ([cell(film, "Porsche", 4)], 1, 0)


def _grid_film(tmp_path, name: str, assets: int, scenes: int):
    desk = make_desk(":memory:", image_root=tmp_path / name)
    p = desk.create_project("Film", actor=ACTOR)
    ss = [desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY") for n in range(1, scenes + 1)]
    aa = []
    for k in range(assets):
        a = desk.add_asset(p.id, f"Asset {k:02d}", ("character", "location", "prop")[k % 3],
                           f"Master {k}")
        aa.append(desk.set_master_image(a.id, png_bytes((k * 9 % 255, 80, 40)),
                                        expected_version=a.version, actor=ACTOR))
    desk.inherit_scenes([s.id for s in ss[::2]],
                        {s.id: [a.id for a in aa] for s in ss[::2]}, actor=ACTOR)
    return desk, p, ss, aa


def _count(tmp_path, name, assets, scenes, cells):
    desk, p, ss, aa = _grid_film(tmp_path, name, assets, scenes)
    add = [(a.id, s.id) for a in aa for s in ss[1::2]]          # between appearances
    remove = [(a.id, s.id) for a in aa for s in ss[2::2]]       # every other one goes
    assert len(add) + len(remove) == cells
    grid = desk.breakdown(p.id)
    with count_queries(desk) as q:
        out = desk.place_assets(p.main_branch_id, add, remove, actor=ACTOR,
                                expected=grid.marker)
    assert len(out.created) == len(add) and len(out.removed) == len(remove)
    with count_queries(desk) as read:
        desk.breakdown(p.id)
    desk.close()
    return q.count, read.count


# Two assets at least: one asset's chain is read in one statement fewer
# (`instances.load_chains`), a bound that does not grow either.
def test_placing_runs_the_same_statements_for_8_and_40_cells_of_more_assets(tmp_path):
    """Cells in the same scenes: 2 assets x 8 cells, 10 assets x 40 cells."""
    assert _count(tmp_path, "small", 2, 5, 8) == _count(tmp_path, "large", 10, 5, 40)


def test_placing_runs_the_same_statements_for_8_and_40_cells_of_more_scenes(tmp_path):
    """2 assets x 8 cells in 5 scenes, 4 assets x 40 cells in 11 scenes."""
    assert _count(tmp_path, "small", 2, 5, 8) == _count(tmp_path, "large", 4, 11, 40)


def test_placing_one_assets_cells_runs_no_more_statements_than_many(tmp_path):
    assert _count(tmp_path, "one", 1, 5, 4) <= _count(tmp_path, "many", 4, 11, 40)
