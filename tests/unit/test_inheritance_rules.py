"""I1–I6: where an appearance's state comes from, and how it is created."""

from __future__ import annotations

import pytest

import core

MASTER = "Retired detective, grey stubble, clean white shirt"


# --- I1: the source is the latest earlier appearance in the same branch ------------

def test_I1_source_is_latest_earlier_scene_across_gaps_and_skipped_scenes(film):
    x1, x7 = film.place("Brick", 1, 7)          # skips 2 and 4
    y2, y4, y7 = film.place("Porsche", 2, 4, 7)
    (p4,) = film.inherit(4, "Patio")              # first appearance in scene 4
    assert film.get(x1).inherited_from_instance_id is None
    assert film.get(x7).inherited_from_instance_id == x1.id
    assert film.get(y2).inherited_from_instance_id is None
    assert film.get(y4).inherited_from_instance_id == y2.id
    assert film.get(y7).inherited_from_instance_id == y4.id
    assert p4.inherited_from_instance_id is None and p4.effective_description == (
        "Sunlit patio with terracotta tiles")


def test_I1_source_ignores_other_branches(film):
    desk = film.desk
    film.place("Brick", 1, 2)
    branch = desk.create_branch(film.project.id, "Alt ending", up_to_scene_number=2,
                                from_branch_id=film.project.main_branch_id, actor="ana")
    alt = {s.scene_number: s for s in desk.scenes(film.project.id, branch_id=branch.id)}
    (main4,) = film.inherit(4, "Brick")
    alt_insts = {s: desk.scene_instances(alt[s].id) for s in alt}
    alt_ids = {i.id for xs in alt_insts.values() for i in xs}
    assert main4.inherited_from_instance_id == film.instance_in(2, "Brick").id
    assert main4.inherited_from_instance_id not in alt_ids


def test_I1_adding_appearance_in_between_relinks_the_next_one(film):
    x1, x7 = film.place("Brick", 1, 7)
    film.edit(x1, status_tags=["muddy"], description_override="Mud on the shirt")
    v7 = film.get(x7).version
    (x4,) = film.inherit(4, "Brick")
    x7 = film.get(x7)
    assert x4.inherited_from_instance_id == x1.id
    assert x7.inherited_from_instance_id == x4.id
    assert x7.version == v7 + 1
    relink = [h for h in film.desk.history(x7.id) if h.field == "inherited_from_instance_id"]
    assert (relink[-1].old_value, relink[-1].new_value) == (x1.id, x4.id)
    assert relink[-1].source == "propagation"
    # same transaction as the new appearance: one change, one timestamp
    created_at = film.desk.history(x4.id)[0].at
    assert relink[-1].at == created_at


def test_I1_removing_appearance_relinks_next_to_earlier_one_and_P2_applies(film):
    x1, x4, x7 = film.place("Brick", 1, 4, 7)
    film.edit(x4, description_override="Shirt torn after the fight", status_tags=["torn"])
    x7 = film.get(x7)
    assert x7.effective_description == "Shirt torn after the fight"
    assert x7.status_tags == ["torn"]

    r = film.remove(x4)
    assert r.instance is None
    assert r.propagated == [x7.id]
    x7 = film.get(x7)
    assert x7.inherited_from_instance_id == x1.id
    assert x7.inherited_description == MASTER and x7.effective_description == MASTER
    assert x7.inherited_tags == [] and x7.status_tags == []
    rows = {h.field: h for h in film.desk.history(x7.id)
            if h.source == "propagation" and h.field in (
                "inherited_from_instance_id", "effective_description", "status_tags")}
    assert rows["inherited_from_instance_id"].new_value == x1.id
    assert rows["effective_description"].new_value == MASTER
    assert rows["status_tags"].new_value == []
    with pytest.raises(core.NotFoundError):
        film.desk.get_instance(x4.id)


def test_I1_removing_appearance_flags_a_non_follower(film):
    x1, x4, x7 = film.place("Brick", 1, 4, 7)
    film.edit(x4, description_override="Shirt torn after the fight")
    film.edit(x7, description_override="Wearing a raincoat")
    r = film.remove(x4)
    assert r.flagged == [x7.id] and r.propagated == []
    x7 = film.get(x7)
    assert x7.effective_description == "Wearing a raincoat"
    assert x7.upstream_description_changed and not x7.upstream_tags_changed


def test_I1_removing_appearance_flags_locked_next_but_records_new_upstream(film):
    x1, x4, x7 = film.place("Brick", 1, 4, 7)
    film.edit(x1, status_tags=["wet"])
    film.edit(x4, description_override="Shirt torn after the fight", status_tags=["torn"])
    x7 = film.get(x7)
    film.desk.review_tags(x7.id, keep=["torn"], expected_version=x7.version, actor="ana")
    x7 = film.get(x7)
    film.desk.lock_instance(x7.id, expected_version=x7.version, actor="ana")
    film.remove(x4)
    x7 = film.get(x7)
    assert x7.locked
    assert x7.inherited_from_instance_id == x1.id
    assert x7.inherited_description == MASTER and x7.inherited_tags == ["wet"]
    assert x7.effective_description == "Shirt torn after the fight"  # frozen
    assert x7.status_tags == ["torn"]
    assert x7.upstream_description_changed and x7.upstream_tags_changed


def test_I1_moving_a_scene_relinks_appearances(film):
    desk = film.desk
    b1, b4, b7 = film.place("Brick", 1, 4, 7)
    film.edit(b1, status_tags=["muddy"])
    film.edit(b7, status_tags=["torn"], description_override="Torn shirt")
    (s2,) = film.place("Steel", 2)
    desk.move_scene(film.scenes[7].id, 1, actor="ana")   # old 7 is now first
    order = [s.id for s in desk.scenes(film.project.id)]
    assert order[0] == film.scenes[7].id
    b1, b4, b7 = film.get(b1), film.get(b4), film.get(b7)
    assert b7.inherited_from_instance_id is None
    assert b7.inherited_description is None and b7.inherited_tags == []
    assert b1.inherited_from_instance_id == b7.id
    assert b1.inherited_tags == ["torn"] and b1.inherited_description == "Torn shirt"
    assert b4.inherited_from_instance_id == b1.id
    # P2 after the re-link: b1 follows in description, not in tags (it has its own)
    assert b1.effective_description == "Torn shirt"
    assert b1.status_tags == ["muddy"] and b1.upstream_tags_changed
    assert not b1.upstream_description_changed
    assert b4.effective_description == "Torn shirt" and b4.status_tags == ["muddy"]
    assert film.get(s2).inherited_from_instance_id is None
    moved = [h for h in desk.history(b1.id) if h.field == "inherited_from_instance_id"]
    assert moved[-1].new_value == b7.id and moved[-1].source == "propagation"


def test_I1_deleting_a_scene_relinks_and_keeps_history(film):
    desk = film.desk
    x1, x4, x7 = film.place("Brick", 1, 4, 7)
    film.edit(x4, description_override="Bandaged arm", status_tags=["bloody"])
    before = desk.history(x4.id)
    deleted = desk.delete_scene(film.scenes[4].id, actor="ana", reason="cut from the script")
    assert deleted == [x4.id]
    assert [s.scene_number for s in desk.scenes(film.project.id)] == [1, 2, 7]
    x7 = film.get(x7)
    assert x7.inherited_from_instance_id == x1.id
    assert x7.effective_description == MASTER and x7.status_tags == []
    after = desk.history(x4.id)
    assert after[: len(before)] == before
    gone = after[len(before):]
    assert gone and all(h.new_value is None for h in gone)
    assert {h.field for h in gone} >= {"effective_description", "description_override",
                                       "status_tags"}


def test_I1_P1_following_is_judged_on_stored_inherited_values_before_the_change(film):
    x1, x2, x4 = film.place("Brick", 1, 2, 4)
    film.edit(x1, status_tags=["muddy", "wet"])
    film.edit(x2, status_tags=["wet", "muddy"])       # same set as inherited: still follows
    film.edit(x4, status_tags=["muddy", "wet", "torn"])  # its own tags: does not follow
    r = film.edit(x1, status_tags=["bloody"])
    x2, x4 = film.get(x2), film.get(x4)
    assert x2.status_tags == ["bloody"] and x2.inherited_tags == ["bloody"]
    assert x2.pending_review                          # tags added by propagation (T3)
    assert x4.inherited_tags == ["bloody"]            # records the new upstream ...
    assert x4.status_tags == ["muddy", "wet", "torn"]  # ... keeps its own tags ...
    assert x4.upstream_tags_changed                   # ... and is flagged
    assert not x4.upstream_description_changed
    assert r.propagated == [x2.id] and r.flagged == [x4.id]


def test_I1_P2_description_non_follower_flagged_follower_updated(film):
    x1, x2, x4 = film.place("Brick", 1, 2, 4)
    film.edit(x2, description_override="Own description")
    r = film.edit(x1, description_override="Mud on the shirt")
    x2, x4 = film.get(x2), film.get(x4)
    assert x2.inherited_description == "Mud on the shirt"
    assert x2.effective_description == "Own description"
    assert x2.upstream_description_changed and not x2.upstream_tags_changed
    assert x4.effective_description == "Own description"   # the flow stopped at x2
    assert r.flagged == [x2.id] and r.propagated == []


# --- I2: carry forward -----------------------------------------------------------

def test_I2_carry_forward_inherits_effective_description_tags_and_lineage(film):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, description_override="Muddy shirt, split lip",
              status_tags=["Muddy", "bloody"])
    (x2,) = film.inherit(2, "Brick")
    assert x2.inherited_from_instance_id == x1.id
    assert x2.inherited_description == "Muddy shirt, split lip"
    assert x2.effective_description == "Muddy shirt, split lip"
    assert x2.description_override is None
    assert x2.inherited_tags == ["muddy", "bloody"]
    assert x2.status_tags == ["muddy", "bloody"]
    assert x2.carry_forward is True
    assert x2.pending_review is True     # non-empty carried tags await review (T3)


def test_I2_inherited_description_is_source_effective_when_source_inherited(film):
    x1, x2 = film.place("Brick", 1, 2)
    film.edit(x1, description_override="Mud on the shirt")
    (x4,) = film.inherit(4, "Brick")
    assert film.get(x2).description_override is None
    assert x4.inherited_description == "Mud on the shirt"
    assert x4.inherited_from_instance_id == x2.id
    assert x4.pending_review is False    # nothing carried to review


# --- I3: reset -------------------------------------------------------------------

def test_I3_reset_stores_nothing_inherited_keeps_lineage_and_is_not_sticky(film):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, description_override="Covered in blood", status_tags=["bloody"],
              carry_forward=False)
    (x2,) = film.inherit(2, "Brick")
    assert x2.inherited_from_instance_id == x1.id
    assert x2.inherited_description is None
    assert x2.inherited_tags == [] and x2.status_tags == []
    assert x2.effective_description == MASTER
    assert x2.carry_forward is True
    assert x2.pending_review is False
    (x4,) = film.inherit(4, "Brick")
    assert x4.inherited_description == MASTER   # x2 carries forward again


# --- I4: additive and idempotent -------------------------------------------------

def test_I4_inheriting_twice_creates_nothing_the_second_time(film):
    scene = film.scenes[2].id
    ids = [film.assets[n].id for n in ("Brick", "Patio", "Porsche")]
    first = film.desk.inherit_scene(scene, ids, actor="ana")
    assert [i.project_asset_id for i in first] == ids
    assert film.desk.inherit_scene(scene, ids, actor="ana") == []
    assert len(film.desk.scene_instances(scene)) == 3


def test_I4_inherit_never_overwrites_an_existing_instance(film):
    (x2,) = film.inherit(2, "Brick")
    film.edit(x2, description_override="Sling on the left arm", status_tags=["bloody"])
    before = film.get(x2)
    history = film.desk.history(x2.id)
    assert film.inherit(2, "Brick") == []
    created = film.desk.inherit_scene(film.scenes[2].id, None, actor="ana")
    assert x2.project_asset_id not in {i.project_asset_id for i in created}
    assert film.get(x2) == before
    assert film.desk.history(x2.id) == history


def test_I4_additive_only_creates_missing_assets(film):
    (x2,) = film.inherit(2, "Brick")
    v = film.get(x2).version
    created = film.inherit(2, "Brick", "Patio")
    assert [i.asset_name for i in created] == ["Patio"]
    assert film.get(x2).version == v


def test_I4_unknown_asset_id_raises_not_found_and_writes_nothing(film, snapshot):
    before = snapshot(film.desk)
    ids = [film.assets["Brick"].id, "00000000-0000-0000-0000-000000000000"]
    with pytest.raises(core.NotFoundError):
        film.desk.inherit_scene(film.scenes[1].id, ids, actor="ana")
    assert snapshot(film.desk) == before


def test_I4_unknown_scene_raises_not_found_and_writes_nothing(film, snapshot):
    before = snapshot(film.desk)
    with pytest.raises(core.NotFoundError):
        film.desk.inherit_scene("no-such-scene", [film.assets["Brick"].id], actor="ana")
    assert snapshot(film.desk) == before


# --- I5: candidates --------------------------------------------------------------

def test_I5_mapped_assets_are_the_candidates(film):
    desk = film.desk
    film.place("Brick", 1)
    desk.map_scene_assets(film.scenes[4].id, [film.assets["Porsche"].id,
                                              film.assets["Steel"].id])
    assert set(desk.inherit_candidates(film.scenes[4].id)) == {
        film.assets["Porsche"].id, film.assets["Steel"].id}
    created = desk.inherit_scene(film.scenes[4].id, None, actor="ana")
    assert {i.asset_name for i in created} == {"Porsche", "Steel"}


def test_I5_mapped_unapproved_asset_is_a_candidate(film):
    film.desk.map_scene_assets(film.scenes[2].id, [film.assets["Revolver"].id])
    assert film.desk.inherit_candidates(film.scenes[2].id) == [film.assets["Revolver"].id]


def test_I5_without_mapping_nearest_earlier_scene_with_instances(film):
    desk = film.desk
    film.inherit(1, "Brick", "Patio", "Porsche")
    film.inherit(2, "Steel")
    # scene 4 has no instances: scene 7 takes scene 2's assets (nearest earlier with some)
    assert desk.inherit_candidates(film.scenes[7].id) == [film.assets["Steel"].id]
    assert desk.inherit_candidates(film.scenes[4].id) == [film.assets["Steel"].id]
    # once scene 2's only instance is removed, scene 1 is the nearest one with instances
    film.remove(film.instance_in(2, "Steel"))
    assert set(desk.inherit_candidates(film.scenes[7].id)) == {
        film.assets[n].id for n in ("Brick", "Patio", "Porsche")}


def test_I5_first_scene_starts_from_all_approved_assets(film):
    desk = film.desk
    expected = {a.id for n, a in film.assets.items() if n != "Revolver"}
    assert set(desk.inherit_candidates(film.scenes[1].id)) == expected
    created = desk.inherit_scene(film.scenes[1].id, None, actor="ana")
    assert {i.project_asset_id for i in created} == expected
    assert film.assets["Revolver"].id not in {i.project_asset_id for i in created}


def test_I5_candidates_exclude_assets_already_present(film):
    film.desk.map_scene_assets(film.scenes[4].id, [film.assets["Brick"].id,
                                                   film.assets["Patio"].id])
    film.inherit(4, "Brick")
    assert film.desk.inherit_candidates(film.scenes[4].id) == [film.assets["Patio"].id]


# --- I6: the chain ---------------------------------------------------------------

def test_I6_inheritance_chain_is_root_first(film):
    x1, x2, x4, x7 = film.place("Brick", 1, 2, 4, 7)
    chain = film.desk.inheritance_chain(x7.id)
    assert [i.id for i in chain] == [x1.id, x2.id, x4.id, x7.id]
    assert [i.scene_number for i in chain] == [1, 2, 4, 7]
    assert [i.id for i in film.desk.inheritance_chain(x1.id)] == [x1.id]
    # the same walk over the appearances a page read, without a read
    appearances = film.desk.asset_appearances(x4.id)
    assert film.desk.lineage(appearances, x7.id) == chain
    assert [i.id for i in film.desk.lineage(appearances, x2.id)] == [x1.id, x2.id]


def test_I6_chain_follows_relinking(film):
    x1, x2, x4, x7 = film.place("Brick", 1, 2, 4, 7)
    film.remove(x2)
    film.remove(x4)
    assert [i.id for i in film.desk.inheritance_chain(x7.id)] == [x1.id, x7.id]
    assert [i.id for i in film.desk.lineage(film.desk.asset_appearances(x7.id), x7.id)
            ] == [x1.id, x7.id]
