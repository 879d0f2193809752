"""Core queries behind the asset editor: the E1 fallback of a cleared override and an
asset's appearances in its branch. Real DuckDB (`:memory:`), self-contained fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from desk_factory import make_desk

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import core  # noqa: E402

ACTOR = "ana"
MASTER = "Retired detective, grey stubble"


@pytest.fixture
def world(tmp_path):
    desk = make_desk(":memory:", image_root=tmp_path / "images")
    p = desk.create_project("Editor queries", actor=ACTOR)
    scenes = {n: desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY") for n in (1, 2, 4)}
    brick = desk.add_asset(p.id, "Brick", "character", MASTER)
    made = {n: desk.inherit_scene(s.id, [brick.id], actor=ACTOR)[0] for n, s in scenes.items()}
    yield desk, brick, made
    desk.close()


def edit(desk, inst, **changes):
    cur = desk.get_instance(inst.id)
    return desk.update_instance(cur.id, expected_version=cur.version, actor=ACTOR, **changes)


def test_first_appearance_falls_back_to_the_master(world):
    desk, brick, made = world
    edit(desk, made[1], description_override="Brick in a clean white shirt")
    fb = desk.fallback_description(made[1].id)
    assert fb.description == MASTER
    assert fb.source_scene_number is None and fb.source == "the master description"
    assert desk.fallback_of(desk.get_instance(made[1].id), desk.get_asset(brick.id)) == fb


def test_inherited_instance_falls_back_to_the_inherited_state_not_the_master(world):
    desk, brick, made = world
    edit(desk, made[1], description_override="Brick, muddy to the knees")
    edit(desk, made[2], description_override="Brick, muddy and bleeding")
    fb = desk.fallback_description(made[2].id)
    assert fb.description == "Brick, muddy to the knees"
    assert fb.source_scene_number == 1 and fb.source == "scene 1"
    # the page's read of the instance and its asset gives the same, without a read
    assert desk.fallback_of(desk.get_instance(made[2].id), desk.get_asset(brick.id)) == fb
    # and it is exactly what clearing the override produces (E1)
    r = edit(desk, made[2], description_override=None)
    assert r.instance.effective_description == fb.description


def test_fallback_follows_a_reset_to_the_master(world):
    desk, brick, made = world
    edit(desk, made[1], description_override="Brick, soaked", carry_forward=False)
    edit(desk, made[2], description_override="Brick in a dry coat")
    assert desk.fallback_description(made[2].id).description == MASTER


def test_asset_appearances_in_scene_order(world):
    desk, brick, made = world
    got = desk.asset_appearances(made[2].id)
    assert [i.scene_number for i in got] == [1, 2, 4]
    assert [i.id for i in got] == [made[n].id for n in (1, 2, 4)]
    assert {i.project_asset_id for i in got} == {brick.id}


def test_unknown_instance_is_not_found(world):
    desk, _, _ = world
    with pytest.raises(core.NotFoundError):
        desk.fallback_description("no-such-id")
    with pytest.raises(core.NotFoundError):
        desk.asset_appearances("no-such-id")
