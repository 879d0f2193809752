"""Search (T4), the continuity matrix (C2), readiness (R1) and branches (B1)."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from fakes import png_bytes

import core


@pytest.fixture
def film():
    desk = make_desk(":memory:")
    p = desk.create_project("Brick & Steel", actor="ana")
    scenes = {n: desk.add_scene(p.id, n, f"EXT. STREET {n} - DAY") for n in (1, 2, 4, 6)}
    brick = desk.add_asset(p.id, "Brick", "character", "Retired detective",
                           aliases=["Brick Braddock"])
    car = desk.add_asset(p.id, "Porsche", "prop", "Red 1970 Porsche 911")
    for s in scenes.values():
        desk.inherit_scene(s.id, actor="ana")

    def at(n, asset):
        return next(i for i in desk.scene_instances(scenes[n].id)
                    if i.project_asset_id == asset.id)

    def edit(n, asset, **kw):
        i = at(n, asset)
        return desk.update_instance(i.id, expected_version=i.version, actor="ana", **kw)

    edit(2, brick, status_tags=["bloody", "torn"])
    edit(4, brick, status_tags=["bloody", "clean"])
    edit(2, car, status_tags=["muddy"])
    yield desk, p, scenes, brick, car, at, edit
    desk.close()


def found(frame):
    return list(zip(frame["scene_number"], frame["asset_name"], strict=True))


def test_T4_tag_terms_and_together_comma_means_any(film):
    desk, p, *_ = film
    assert found(desk.search(p.id, "tag:bloody tag:torn")) == [(2, "Brick")]
    assert found(desk.search(p.id, "tag:torn,muddy")) == [
        (2, "Brick"), (2, "Porsche"), (4, "Porsche"), (6, "Porsche")]
    assert found(desk.search(p.id, "tag:bloody -tag:clean")) == [(2, "Brick")]


def test_T4_asset_type_scene_and_text_filters(film):
    desk, p, *_ = film
    assert found(desk.search(p.id, "asset:braddock scene:4..6")) == [(4, "Brick"), (6, "Brick")]
    assert found(desk.search(p.id, "type:prop scene:..2")) == [(1, "Porsche"), (2, "Porsche")]
    assert found(desk.search(p.id, '"1970 porsche" scene:6')) == [(6, "Porsche")]
    assert found(desk.search(p.id, "-type:character scene:1")) == [(1, "Porsche")]


def test_T4_result_frame_holds_python_values(film):
    desk, p, *_ = film
    frame = desk.search(p.id, "tag:bloody")
    assert {"instance_id", "scene_id", "scene_number", "asset_id", "asset_name",
            "asset_type", "status_tags"} <= set(frame.columns)
    assert all(isinstance(t, list) for t in frame["status_tags"])
    assert all(isinstance(i, str) for i in frame["instance_id"])


@pytest.mark.parametrize("query, named", [
    ("colour:red", "colour:red"), ("tag:", "tag:"), ("scene:9..2", "scene:9..2"),
    ("scene:x", "scene:x"), ("type:vehicle", "type:vehicle"), ('"open', '"open'),
    ("tag:bad!tag", "tag:bad!tag"), ("-scene:3", "-scene:3"),
])
def test_T4_malformed_query_names_the_bad_term(film, query, named):
    desk, p, *_ = film
    with pytest.raises(core.ValidationError) as err:
        desk.search(p.id, query)
    assert named in str(err.value)


def test_T4_values_are_bound_not_spliced(film):
    desk, p, *_ = film
    assert desk.search(p.id, "\"'; DROP TABLE scenes; --\"").empty
    assert len(desk.scenes(p.id)) == 4


def test_C2_matrix_is_assets_by_scene_numbers(film):
    desk, p, scenes, brick, car, at, edit = film
    m = desk.continuity_matrix(p.id)
    assert list(m.columns) == [1, 2, 4, 6] and list(m.index) == ["Brick", "Porsche"]
    assert m.at["Brick", 2] == ["bloody", "torn"] and m.at["Porsche", 2] == ["muddy"]
    desk.remove_instance(at(4, car).id, expected_version=at(4, car).version, actor="ana")
    assert desk.continuity_matrix(p.id).at["Porsche", 4] is None
    cells = desk.continuity_cells(p.id)
    row = cells[(cells.asset_name == "Brick") & (cells.scene_number == 4)].iloc[0]
    assert row.tags_added == ["clean"] and row.tags_removed == ["torn"]


def test_R1_readiness_lists_exactly_what_blocks(film):
    desk, p, scenes, brick, car, at, edit = film
    empty = desk.add_scene(p.id, 9, "INT. VOID - NIGHT")
    assert [b.kind for b in desk.scene_readiness(empty.id).blockers] == ["no_instances"]
    r = desk.scene_readiness(scenes[6].id)  # Brick's bloody/clean and the car carried in
    assert not r.ready
    assert {(b.kind, b.instance_id) for b in r.blockers} == {
        ("pending_review", at(6, brick).id), ("pending_review", at(6, car).id),
        ("missing_image", at(6, brick).id), ("missing_image", at(6, car).id)}
    for asset in (brick, car):
        i = at(6, asset)
        desk.review_tags(i.id, [], expected_version=i.version, actor="ana")
        desk.upload_image(i.id, png_bytes(), "ref.png", actor="ana")  # images: test_images
    assert desk.scene_readiness(scenes[6].id).ready
    edit(6, brick, description_override="Fresh suit")
    edit(4, brick, description_override="Bandaged head")
    r = desk.scene_readiness(scenes[6].id)
    assert [(b.kind, b.instance_id) for b in r.blockers] == [
        ("stale_image", at(6, brick).id), ("upstream_changed", at(6, brick).id)]


def test_B1_branch_copies_up_to_a_scene_and_is_independent(film):
    desk, p, scenes, brick, car, at, edit = film
    alt = desk.create_branch(p.id, "Alt ending", from_branch_id=p.main_branch_id,
                             up_to_scene_number=2, actor="ana")
    alt_scenes = desk.scenes(p.id, alt.id)
    assert [s.scene_number for s in alt_scenes] == [1, 2]
    alt_brick = next(i for i in desk.scene_instances(alt_scenes[1].id)
                     if i.project_asset_id == brick.id)
    assert alt_brick.status_tags == ["bloody", "torn"]
    assert alt_brick.inherited_from_instance_id in {
        i.id for i in desk.scene_instances(alt_scenes[0].id)}
    # an edit on Main does not reach the branch, and back
    edit(1, brick, description_override="Main only")
    assert desk.get_instance(alt_brick.id).effective_description == "Retired detective"
    desk.update_instance(alt_brick.id, expected_version=alt_brick.version, actor="ana",
                         description_override="Alt only")
    assert at(4, brick).effective_description == "Main only"
    assert found(desk.search(p.id, '"alt only"', branch_id=alt.id)) == [(2, "Brick")]
    assert desk.search(p.id, '"alt only"').empty
    assert list(desk.continuity_matrix(p.id, alt.id).columns) == [1, 2]
    assert desk.history(alt_brick.id)[0].field == "copied_from_instance_id"


def test_B1_branch_names_are_unique_and_branches_belong_to_their_project(film):
    desk, p, *_ = film
    desk.create_branch(p.id, "Alt", up_to_scene_number=1, actor="ana")
    with pytest.raises(core.ValidationError, match="Alt"):
        desk.create_branch(p.id, "alt", up_to_scene_number=1, actor="ana")
    other = desk.create_project("Other", actor="ana")
    with pytest.raises(core.ValidationError):
        desk.scenes(other.id, p.main_branch_id)
