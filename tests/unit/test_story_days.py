"""One story-day rule (core.review.story_days) for the timeline (C2) and the checks (C1):
any change of day is a boundary on the timeline, a flashback included; only a later
day lets wear-off tags fade (T2) or flags one that survives."""

from __future__ import annotations

import pytest

from core.review.story_days import day_step

ACTOR = "ana"


@pytest.mark.parametrize(("before", "after", "step"), [
    (1, 2, 1), (2, 1, -1), (3, 3, 0), (None, 2, 0), (2, None, 0), (None, None, 0)])
def test_day_step(before, after, step):
    assert day_step(before, after) == step


@pytest.fixture
def flashback(desk):
    """Scenes on days 1, 2, then 1 again (a flashback); Brick muddy in scene 2."""
    p = desk.create_project("Flashback", actor=ACTOR)
    scenes = [desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY", story_day=d)
              for n, d in ((1, 1), (2, 2), (3, 1))]
    brick = desk.add_asset(p.id, "Brick", "character", "Retired detective")
    for s in scenes[1:]:
        desk.inherit_scene(s.id, [brick.id], actor=ACTOR)

    def edit(scene, **kw):
        i = desk.scene_instances(scene.id)[0]
        desk.update_instance(i.id, expected_version=i.version, actor=ACTOR, **kw)

    edit(scenes[1], status_tags=["muddy"])
    return desk, p, brick, scenes, edit


def test_the_timeline_marks_every_change_of_day_a_flashback_too(flashback):
    desk, p, brick, _, _ = flashback
    tl = desk.asset_timeline(p.id, brick.id)
    assert tl.day_boundaries() == [(1, 2, 2), (2, 3, 1)]


def test_a_flashback_is_no_wear_off_boundary(flashback):
    desk, p, _, scenes, edit = flashback
    kinds = ["tag_dropped", "wear_off_survived"]
    # mud carried back into day 1: not "surviving into a later day"
    assert [i.kind for i in desk.continuity_issues(p.id, kinds=kinds)] == []
    i = desk.scene_instances(scenes[2].id)[0]
    desk.review_tags(i.id, ["muddy"], expected_version=i.version, actor=ACTOR)
    edit(scenes[2], status_tags=[])          # then lost in the flashback with no reason
    assert [(i.kind, i.scene_number) for i in desk.continuity_issues(p.id, kinds=kinds)] \
        == [("tag_dropped", 3)]
