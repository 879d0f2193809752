"""Core queries the dashboard pages read (Overview, Scenes, History)."""

from __future__ import annotations

import pytest
from desk_factory import make_desk

import core
from core.demo import seed_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    desk = make_desk(":memory:", image_root=tmp_path_factory.mktemp("images"))
    project = seed_demo(desk)
    yield desk, project
    desk.close()


def test_branch_blockers_list_every_scene_readiness_blocker(demo):
    desk, project = demo
    blockers = desk.branch_blockers(project.id)
    expected = [
        (s.id, b.kind, b.instance_id, b.message)
        for s in desk.scenes(project.id)
        for b in desk.scene_readiness(s.id).blockers
    ]
    got = list(zip(blockers["scene_id"], blockers["kind"], blockers["instance_id"],
                   blockers["message"], strict=True))
    assert got == expected
    # The demo has no images yet; besides those it leaves Pike's mud in scene 8
    # pending review, and nothing else.
    assert set(blockers["kind"]) == {"missing_image", "pending_review"}
    review = blockers[blockers["kind"] == "pending_review"]
    assert list(review["scene_number"]) == [8]
    assert "Pike" in review["message"].iloc[0]


def test_branch_blockers_include_empty_scenes_in_scene_order(demo):
    desk, project = demo
    branch = desk.create_branch(project.id, "Empty tail", from_branch_id=project.main_branch_id,
                                up_to_scene_number=3, actor="ana")
    desk.add_scene(project.id, 10, "INT. NOWHERE - DAY", branch_id=branch.id)
    blockers = desk.branch_blockers(project.id, branch.id)
    blockers = blockers[blockers["kind"] != "missing_image"]
    assert list(blockers["kind"]) == ["no_instances"]
    assert list(blockers["scene_number"]) == [10]
    assert blockers["instance_id"].iloc[0] is None
    # Other branches are untouched.
    main = desk.branch_blockers(project.id)
    assert list(main[main["kind"] != "missing_image"]["scene_number"]) == [8]


def test_branch_blockers_unknown_project(demo):
    desk, _ = demo
    with pytest.raises(core.NotFoundError):
        desk.branch_blockers("00000000-0000-0000-0000-000000000000")
