"""Read models of the bulk-generation page and the editor's image controls:
`image_candidates` (G8 selection), `job_progress` (a run read from the database)
and `instance_image_jobs`."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from fakes import FakeProvider, png_bytes

import core
from core.images.providers import ProviderFailure


@pytest.fixture
def film(tmp_path):
    desk = make_desk(":memory:", image_root=tmp_path / "images",
                          provider=FakeProvider(script=[ProviderFailure("safety", "blocked")]))
    p = desk.create_project("Brick & Steel", actor="ana")
    scenes = {n: desk.add_scene(p.id, n, f"EXT. YARD {n} - DAY") for n in (1, 2, 4)}
    brick = desk.add_asset(p.id, "Brick", "character", "Grey stubble")
    desk.add_asset(p.id, "Cup", "prop", "Chipped enamel cup")
    for s in scenes.values():
        desk.inherit_scene(s.id, actor="ana")
    yield desk, p, scenes, brick
    desk.close()


def names(insts):
    return [(i.scene_number, i.asset_name) for i in insts]


def test_candidates_filter_by_image_state_type_and_scene_range(film):
    desk, p, scenes, brick = film
    assert len(desk.image_candidates(p.id, which="missing")) == 6
    assert names(desk.image_candidates(p.id, asset_types=["prop"], scene_range=(2, None))) == \
        [(2, "Cup"), (4, "Cup")]
    assert names(desk.image_candidates(p.id, scene_range=(1, 1))) == [(1, "Brick"), (1, "Cup")]
    one = desk.image_candidates(p.id, scene_range=(1, 1), asset_types=["character"])[0]
    desk.upload_image(one.id, png_bytes(), "brick.png", actor="ana")
    assert len(desk.image_candidates(p.id, which="missing")) == 5
    assert desk.image_candidates(p.id, which="stale") == []
    current = desk.get_instance(one.id)
    desk.update_instance(one.id, expected_version=current.version, actor="ana",
                         status_tags=["muddy"])
    assert names(desk.image_candidates(p.id, which="stale")) == [(1, "Brick")]
    assert len(desk.image_candidates(p.id, which="missing_or_stale")) == 6
    assert len(desk.image_candidates(p.id, which="all")) == 6


@pytest.mark.parametrize("kw, message", [
    ({"which": "ugly"}, "Unknown image selection"),
    ({"asset_types": ["vehicle"]}, "Unknown asset type"),
    ({"scene_range": (4, 2)}, "scene range 4..2 is empty"),
])
def test_candidates_refuse_bad_filters_with_a_message(film, kw, message):
    desk, p, *_ = film
    with pytest.raises(core.ValidationError, match=message):
        desk.image_candidates(p.id, **kw)


def test_progress_counts_statuses_names_targets_and_reasons(film):
    desk, p, scenes, brick = film
    insts = desk.image_candidates(p.id)
    jobs = desk.request_images([i.id for i in insts], actor="ana")
    ids = list(dict.fromkeys(j.id for j in jobs))
    assert len(ids) == 2  # Brick and the cup share one state across the scenes (G4)
    desk.wait_for_jobs(ids, timeout=10)
    run = desk.job_progress(ids)
    assert run.total == 2 and run.active == 0 and run.fraction == 1.0
    assert run.counts == {"queued": 0, "running": 0, "completed": 1, "failed": 1,
                          "cancelled": 0}
    [failed] = run.failed
    assert failed.job.error_code == "safety" and failed.job.error == "blocked"
    assert failed.title.endswith("· scenes 1, 2, 4")
    assert sorted(run.instance_ids) == sorted(i.id for i in insts)
    assert run.ids("failed") == [failed.job.id]
    # the failed job's instances never changed (G3); the others have their image
    images = {i.id: i.image_key for i in desk.image_candidates(p.id)}
    assert sum(k is None for k in images.values()) == 3
    assert desk.job_progress([]).total == 0
    with pytest.raises(core.NotFoundError):
        desk.job_progress(["nope"])


def test_instance_jobs_are_newest_first_and_include_shared_ones(film):
    desk, p, scenes, brick = film
    first = desk.image_candidates(p.id, scene_range=(1, 1), asset_types=["prop"])[0]
    later = desk.image_candidates(p.id, scene_range=(4, 4), asset_types=["prop"])[0]
    a = desk.request_images([first.id, later.id], actor="ana")
    desk.wait_for_jobs([a[0].id], timeout=10)
    b = desk.request_images([later.id], actor="ana", regenerate=True)
    desk.wait_for_jobs([b[0].id], timeout=10)
    assert [j.id for j in desk.instance_image_jobs(later.id)] == [b[0].id, a[0].id]
    assert [j.id for j in desk.instance_image_jobs(first.id)] == [a[0].id]
    with pytest.raises(core.NotFoundError):
        desk.instance_image_jobs("nope")

