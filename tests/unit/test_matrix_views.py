"""The Overview at film scale (issue 13 item 7): open issues grouped by kind and asset
(core.review.issue_groups), and the matrix filters applied to what the branch read
returned (BranchOverview.matrix_cells, matrix.filter_cells), reading nothing again."""

from __future__ import annotations

import pandas as pd
from query_count import count_queries

from core.review.checks import Issue
from core.review.issue_groups import GROUP_ORDER, SceneImages, group_issues, images_to_make


def _issue(kind: str, asset: str, scene: int) -> Issue:
    return Issue(kind, f"s{scene}", scene, str(scene), f"a-{asset}", asset,
                 None if kind == "named_not_in_scene" else f"i-{asset}-{scene}",
                 f"{asset} in scene {scene}")


def test_hundreds_of_issues_become_a_few_groups_with_counts():
    named = ([_issue("named_not_in_scene", "Edward", n) for n in range(200, 0, -1)]
             + [_issue("named_not_in_scene", "Will", n) for n in range(1, 500, 2)]
             + [_issue("named_not_in_scene", "Jenny", n) for n in (9, 3)])
    dropped = [_issue("tag_dropped", "Will", 4)]
    groups = group_issues(named + dropped)
    # Breaks first, whatever order the findings came in.
    assert [g.kind for g in groups] == ["tag_dropped", "named_not_in_scene"]
    [drop, name] = groups
    assert (drop.count, drop.scene_count, drop.title) == (1, 1, "Tag dropped without a reason")
    assert name.count == 200 + 250 + 2 and name.scene_count == 250 + 100
    assert name.title == "Named in the script, not in the scene"
    # Per asset: the most issues first; each asset's issues in scene order.
    assert [(a.asset_name, a.count) for a in name.assets] == [
        ("Will", 250), ("Edward", 200), ("Jenny", 2)]
    assert name.assets[1].scene_numbers == list(range(1, 201))
    assert name.assets[2].scene_numbers == [3, 9]


def test_groups_follow_the_kind_order_and_ties_go_by_name():
    issues = [_issue(kind, name, 1) for kind in reversed(GROUP_ORDER)
              for name in ("steel", "Brick")]
    groups = group_issues(issues)
    assert [g.kind for g in groups] == list(GROUP_ORDER)
    assert all([a.asset_name for a in g.assets] == ["Brick", "steel"] for g in groups)
    assert group_issues([]) == []


def _film_with_issues(film):
    """Brick muddy from scene 1 on (carried into 2, 4, 7: pending review there), Steel in
    scenes 1 and 4, the Porsche in 7; a scene 9 whose text names Brick and Steel."""
    film.place("Brick", 1, 2, 4, 7)
    film.place("Steel", 1, 4)
    film.place("Porsche", 7)
    film.edit(film.instance_in(1, "Brick"), status_tags=["muddy"])
    nine = film.desk.add_scene(film.project.id, 9, "INT. GARAGE - NIGHT",
                               script_excerpt="Brick and Steel argue over the Porsche.")
    return nine


def test_open_issues_are_pending_reviews_and_checks_but_not_images(film):
    nine = _film_with_issues(film)
    ov = film.desk.branch_overview(film.project.id)
    kinds = {i.kind for i in ov.issues}
    assert "missing_image" in kinds                      # every instance lacks an image
    opened = ov.open_issues()
    assert [i.scene_number for i in opened] == sorted(i.scene_number for i in opened)
    assert not {"missing_image", "stale_image"} & {i.kind for i in opened}
    groups = {g.kind: g for g in ov.grouped_issues()}
    assert set(groups) == {"pending_review", "named_not_in_scene"}
    [brick] = groups["pending_review"].assets
    assert (brick.asset_name, brick.scene_numbers) == ("Brick", [2, 4, 7])
    assert all(i.instance_id for i in brick.issues)
    assert "carried conditions (muddy) await review" in brick.issues[0].message
    named = groups["named_not_in_scene"]
    assert sorted(a.asset_name for a in named.assets) == ["Brick", "Porsche", "Steel"]
    assert {i.scene_id for a in named.assets for i in a.issues} == {nine.id}
    assert named.count == 3 and named.scene_count == 1


def test_matrix_filters_apply_to_the_read_without_reading_again(film):
    _film_with_issues(film)
    desk, pid = film.desk, film.project.id
    ov = desk.branch_overview(pid)
    with count_queries(desk) as q:
        characters = ov.matrix_cells(asset_types=["character"])
        muddy = ov.matrix_cells(tags=["Muddy"])
        window = ov.matrix_cells(scene_range=(2, 4))
        props_late = ov.matrix_cells(asset_types=["prop"], scene_range=(5, 9))
        everything = ov.matrix_cells()
    assert q.count == 0
    # The same rows as the filtered read (C2), in the same order.
    assert characters.equals(desk.continuity_cells(pid, asset_types=["character"]))
    assert muddy.equals(desk.continuity_cells(pid, tags=["muddy"]))
    assert everything.equals(ov.cells)
    # The tag filter keeps an asset carrying the tag anywhere, in every scene.
    assert set(muddy["asset_name"]) == {"Brick"} and len(muddy) == 4
    assert sorted(window["scene_number"]) == [2, 4, 4]
    assert list(props_late["asset_name"]) == ["Porsche"]
    assert ov.matrix_cells(asset_types=["location"]).empty


def test_images_to_make_counts_missing_and_stale_per_scene_in_scene_order():
    blockers = pd.DataFrame({
        "scene_id": ["s1", "s1", "s2", "s3", "s3", "s3"],
        "scene_label": ["1", "1", "2", "3A", "3A", "3A"],
        "kind": ["missing_image", "stale_image", "pending_review", "stale_image",
                 "stale_image", "missing_image"],
    })
    assert images_to_make(blockers) == [SceneImages("s1", "1", 1, 1),
                                        SceneImages("s3", "3A", 1, 2)]
    assert images_to_make(blockers.iloc[2:3]) == []
