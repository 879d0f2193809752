"""The read model (issue 12): the cross-scene reads run a bounded number of queries,
the same for a small and a larger film, against a real DuckDB (counted with
`query_count`); the light projection agrees with the full one."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from query_count import count_queries

from core.store import read_model

ACTOR = "ana"


def _film(tmp_path, scenes: int, assets: int):
    desk = make_desk(":memory:", image_root=tmp_path / f"img{scenes}")
    p = desk.create_project(f"Film {scenes}", actor=ACTOR)
    made = [desk.add_asset(p.id, f"Asset {k}", ("character", "location", "prop")[k % 3],
                           f"Asset {k} as written") for k in range(assets)]
    ids = [a.id for a in made]
    scene_list = [desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY", story_day=1 + n // 3,
                                 script_excerpt=f"Asset 0 walks into room {n}.")
                  for n in range(1, scenes + 1)]
    for s in scene_list:
        desk.inherit_scene(s.id, ids, actor=ACTOR)
    first = desk.scene_instances(scene_list[0].id)[0]
    desk.update_instance(first.id, expected_version=first.version, actor=ACTOR,
                         status_tags=["muddy", "torn"])
    return desk, p, scene_list, ids[0]


READS = {
    "continuity_issues": lambda d, p, s, a: d.continuity_issues(p.id),
    "continuity_issues of one asset": lambda d, p, s, a: d.continuity_issues(
        p.id, asset_id=a),
    "continuity_cells": lambda d, p, s, a: d.continuity_cells(p.id),
    "continuity_cells filtered": lambda d, p, s, a: d.continuity_cells(
        p.id, asset_types=["character"], tags=["muddy"]),
    "continuity_matrix": lambda d, p, s, a: d.continuity_matrix(p.id),
    "scene_summaries": lambda d, p, s, a: d.scene_summaries(p.id),
    "branch_overview": lambda d, p, s, a: d.branch_overview(p.id, tags=["muddy"]),
    "branch_blockers": lambda d, p, s, a: d.branch_blockers(p.id),
    "scene_readiness": lambda d, p, s, a: d.scene_readiness(s[-1].id),
    "rearview": lambda d, p, s, a: d.rearview(s[-1].id),
    "search": lambda d, p, s, a: d.search(p.id, "tag:muddy,torn type:character"),
    "asset_timeline": lambda d, p, s, a: d.asset_timeline(p.id, a),
}


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("films")
    small, large = _film(tmp, 2, 2), _film(tmp, 7, 6)
    yield small, large
    small[0].close()
    large[0].close()


def _count(film, read) -> int:
    read(*film)      # warm: the same path, outside the count
    with count_queries(film[0]) as q:
        read(*film)
    return len(q.without_transactions())


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_runs_as_many_queries_for_a_large_film_as_for_a_small_one(films, name):
    small, large = films
    n = _count(small, READS[name])
    assert n == _count(large, READS[name])
    assert n <= 16, n      # bounded and flat; asset_timeline reads most (16)


def test_light_rows_agree_with_full_instances(films):
    desk, p, _, _ = films[1]
    full = desk.branch_instances(p.id)
    with desk.db.cursor() as cur:
        light = read_model.light(cur, "i.branch_id = ?", [p.main_branch_id])
    assert [r.id for r in light] == [i.id for i in full]
    for r, i in zip(light, full, strict=True):
        for f in r._fields:
            if hasattr(i, f):
                assert getattr(r, f) == getattr(i, f), f


def test_one_type_order_for_sql_and_python():
    assert read_model.TYPE_ORDER == ("CASE a.asset_type WHEN 'character' THEN 0 WHEN "
                                     "'location' THEN 1 WHEN 'prop' THEN 2 ELSE 3 END")
    assert sorted(["prop", "other", "character", "location"], key=read_model.type_rank) == [
        "character", "location", "prop", "other"]


def test_branch_overview_equals_the_separate_reads_in_fewer_queries(films):
    desk, p, _, _ = films[1]
    with count_queries(desk) as q:
        ov = desk.branch_overview(p.id, asset_types=["character"])
    one = len(q.without_transactions())
    with count_queries(desk) as q:
        summaries = desk.scene_summaries(p.id)
        blockers = desk.branch_blockers(p.id)
        issues = desk.continuity_issues(p.id)
        cells = desk.continuity_cells(p.id, asset_types=["character"])
        tag_counts = desk.tag_counts(p.id)
        scenes, assets = desk.scenes(p.id), desk.assets(p.id)
        instances = desk.branch_instances(p.id)
    assert one < len(q.without_transactions())
    assert ov.summaries.equals(summaries) and ov.blockers.equals(blockers)
    assert ov.cells.equals(cells) and ov.tag_counts.equals(tag_counts)
    assert ov.issues == issues and ov.scenes == scenes and ov.assets == assets
    assert sorted(i.id for i in ov.instances) == sorted(i.id for i in instances)
    assert {i.id for i in ov.instances if i.image_stale} == {
        i.id for i in instances if i.image_stale}


def test_branch_columns_agree_with_the_light_projection(films):
    desk, p, scenes, asset = films[1]
    with desk.db.cursor() as cur:
        scene_list = desk.scenes(p.id)
        branch = read_model.branch_columns(cur, p.id, p.main_branch_id, scenes=scene_list)
        read_scenes = read_model.branch_columns(cur, p.id, p.main_branch_id)
        light = read_model.light_columns(cur, "i.branch_id = ?", [p.main_branch_id],
                                         read_model.CHAIN_ORDER)
        found = read_model.light_columns(cur, "i.branch_id = ?", [p.main_branch_id],
                                         read_model.CHAIN_ORDER, found=True)
        tags_only = read_model.branch_columns(cur, p.id, p.main_branch_id, scenes=scene_list,
                                              images=False)
        one = read_model.branch_light(cur, p.id, p.main_branch_id, scene_list,
                                      asset_id=asset)
    assert list(branch) == list(read_model.Summary._fields)
    assert read_scenes == branch
    assert {k: list(v) for k, v in branch.items()} == {k: list(v) for k, v in light.items()}
    assert any(branch["image_stale"]) or any(k is None for k in branch["image_key"])
    flags = ("upstream_description_changed", "upstream_tags_changed", "version",
             "inherited_from_instance_id")
    assert found.pop("upstream_changed") == [d or t for d, t in zip(
        branch["upstream_description_changed"], branch["upstream_tags_changed"], strict=True)]
    assert {k: list(v) for k, v in found.items()} == {
        k: list(v) for k, v in branch.items() if k not in flags}
    assert set(tags_only) == set(branch) - {"image_key", "image_stale"}
    assert all(tags_only[k] == branch[k] for k in tags_only)
    assert [r.id for r in one] == [i for i, a in zip(branch["id"], branch["project_asset_id"],
                                                     strict=True) if a == asset]
