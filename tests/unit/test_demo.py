"""The demo film shows what the dashboard is for (DESIGN §1–§3)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from desk_factory import ENGINE, make_desk

from core.demo import PROJECT_NAME, seed_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    desk = make_desk(":memory:", image_root=tmp_path_factory.mktemp("images"))
    project = seed_demo(desk)
    yield desk, project
    desk.close()


def appearances(desk, project, name):
    """The asset's instances in scene order."""
    out = []
    for scene in desk.scenes(project.id):
        out += [i for i in desk.scene_instances(scene.id) if i.asset_name == name]
    return out


def test_open_desk_alone_creates_nothing(tmp_path):
    desk = make_desk(":memory:", image_root=tmp_path)
    try:
        assert desk.projects() == []
    finally:
        desk.close()


def test_project_scenes_and_assets(demo):
    desk, project = demo
    assert [p.name for p in desk.projects()] == [PROJECT_NAME]
    scenes = desk.scenes(project.id)
    numbers = [s.scene_number for s in scenes]
    assert len(scenes) >= 8
    assert numbers == sorted(numbers)
    assert any(b - a > 1 for a, b in zip(numbers, numbers[1:], strict=False)), "no gap"
    for s in scenes:
        assert s.heading.startswith(("INT.", "EXT.")), s.heading
        assert s.script_excerpt.count("\n") >= 2
        assert s.end_state_summary and s.story_day
        assert desk.scene_instances(s.id), f"scene {s.scene_number} is empty"

    by_type: dict[str, list] = {}
    for a in desk.assets(project.id):
        by_type.setdefault(a.asset_type, []).append(a)
    assert len(by_type["character"]) >= 3
    assert len(by_type["location"]) >= 2
    assert len(by_type["prop"]) >= 3
    assert sum(bool(a.aliases) for a in by_type["prop"]) >= 2
    assert len(desk.global_assets()) >= 3


def test_scene_mapping_matches_instances(demo):
    desk, project = demo
    for s in desk.scenes(project.id):
        assert desk.inherit_candidates(s.id) == []   # every mapped asset has its instance


def test_carry_forward_reset_follows_master(demo):
    desk, project = demo
    found = False
    for asset in desk.assets(project.id):
        chain = appearances(desk, project, asset.name)
        for before, after in zip(chain, chain[1:], strict=False):
            if not before.carry_forward:
                found = True
                assert after.inherited_from_instance_id == before.id
                assert after.inherited_description is None
                assert after.status_tags == [] and after.follows_master
                assert after.effective_description == asset.description
                assert before.status_tags, "the reset should drop visible conditions"
    assert found


def test_an_asset_skips_scenes(demo):
    desk, project = demo
    scene_numbers = [s.scene_number for s in desk.scenes(project.id)]
    skipping = []
    for asset in desk.assets(project.id):
        present = [i.scene_number for i in appearances(desk, project, asset.name)]
        first, last = scene_numbers.index(present[0]), scene_numbers.index(present[-1])
        if len(present) >= 2 and len(present) < last - first + 1:
            skipping.append(asset.name)
    assert skipping


def test_carried_tags_left_pending_review(demo):
    desk, project = demo
    pending = [i for s in desk.scenes(project.id) for i in desk.scene_instances(s.id)
               if i.pending_review]
    assert pending
    for inst in pending:
        assert inst.status_tags and inst.inherited_tags == inst.status_tags
    assert len({i.scene_id for i in pending}) == 1      # one scene waits for review


def test_muddy_bloody_clean_progression_has_reasons(demo):
    desk, project = demo
    edits = [
        (inst.scene_number, h)
        for inst in appearances(desk, project, "Brick")
        for h in desk.history(inst.id)
        if h.field == "status_tags" and h.source == "user"
    ]
    steps = [(n, set(h.new_value)) for n, h in edits]
    assert all(h.reason for _, h in edits)
    muddy = next(n for n, tags in steps if tags == {"muddy"})
    bloody = next(n for n, tags in steps if {"muddy", "bloody"} <= tags)
    clean_n, clean = next((n, h) for n, h in edits if not h.new_value)
    assert muddy < bloody < clean_n
    assert "shower" in clean.reason.lower()
    assert set(clean.old_value) >= {"muddy", "bloody"}


def test_seed_is_deterministic(tmp_path):
    def snapshot():
        desk = make_desk(":memory:", image_root=tmp_path)
        try:
            project = seed_demo(desk)
            return [
                (s.scene_number, s.heading, i.asset_name, i.effective_description,
                 i.status_tags, i.carry_forward, i.pending_review)
                for s in desk.scenes(project.id) for i in desk.scene_instances(s.id)
            ]
        finally:
            desk.close()

    assert snapshot() == snapshot()


@pytest.mark.skipif(ENGINE != "postgresql", reason="team engine: two processes start at once")
def test_app_processes_starting_together_seed_the_demo_once(tmp_path):
    """Each app process seeds an empty team server on its first start; started together,
    they take turns on the lock and only the first seeds."""
    desks = [make_desk(tmp_path / "team.db", image_root=tmp_path / "images") for _ in range(3)]
    barrier = threading.Barrier(len(desks))

    def start(desk):
        barrier.wait()
        return seed_demo(desk, only_if_empty=True)

    with ThreadPoolExecutor(len(desks)) as pool:
        seeded = list(pool.map(start, desks))
    assert sum(p is not None for p in seeded) == 1
    assert [p.name for p in desks[0].projects()] == [PROJECT_NAME]
    for desk in desks:
        desk.close()


def test_the_demo_is_not_seeded_twice(desk):
    assert seed_demo(desk, only_if_empty=True) is not None
    assert seed_demo(desk, only_if_empty=True) is None
    assert len(desk.projects()) == 1
