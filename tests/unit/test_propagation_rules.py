"""Propagation, locking, review, upstream decisions and revert, rule by rule
(P1–P4, E2, T3, A3)."""

from __future__ import annotations

import dataclasses

import pytest
from desk_factory import make_desk

import core


class Film:
    """Brick in scenes 1, 3, 5, 7 (gaps on purpose), a scene 9 without him."""

    def __init__(self, desk):
        self.desk = desk
        self.p = desk.create_project("Brick & Steel", actor="ana")
        self.scenes = {n: desk.add_scene(self.p.id, n, f"EXT. STREET {n} - DAY")
                       for n in (1, 3, 5, 7, 9)}
        self.brick = desk.add_asset(self.p.id, "Brick", "character", "Grey stubble, clean shirt")
        for n in (1, 3, 5, 7):
            desk.inherit_scene(self.scenes[n].id, [self.brick.id], actor="ana")

    def at(self, n) -> core.Instance:
        (inst,) = [i for i in self.desk.scene_instances(self.scenes[n].id)
                   if i.project_asset_id == self.brick.id]
        return inst

    def edit(self, n, **changes) -> core.UpdateResult:
        inst = self.at(n)
        return self.desk.update_instance(inst.id, expected_version=inst.version, actor="ana",
                                         **changes)

    def call(self, method, n, *args, **kw):
        inst = self.at(n)
        return getattr(self.desk, method)(inst.id, *args, expected_version=inst.version,
                                          actor="ana", **kw)


@pytest.fixture
def film():
    desk = make_desk(":memory:")
    yield Film(desk)
    desk.close()


def test_P2_edit_reaches_every_later_follower(film):
    r = film.edit(1, description_override="Torn shirt, mud to the knees",
                  status_tags=["torn", "muddy"])
    assert r.propagated == [film.at(3).id, film.at(5).id, film.at(7).id]
    assert r.flagged == []
    for n in (3, 5, 7):
        assert film.at(n).effective_description == "Torn shirt, mud to the knees"
        assert film.at(n).status_tags == ["torn", "muddy"]
        assert film.at(n).pending_review  # T3: propagation added tags


def test_P1_follower_in_description_but_not_in_tags(film):
    film.edit(5, status_tags=["bloody"])  # scene 5: own tags, no override
    r = film.edit(3, description_override="Wet coat", status_tags=["wet"])
    s5, s7 = film.at(5), film.at(7)
    assert s5.effective_description == "Wet coat"          # follows in description
    assert s5.status_tags == ["bloody"]                    # not in tags: kept
    assert s5.upstream_tags_changed and not s5.upstream_description_changed
    assert s7.effective_description == "Wet coat"          # description flows on
    assert s7.status_tags == ["bloody"]                    # tag flow stopped at 5
    assert r.propagated == [s5.id, s7.id] and r.flagged == []


def test_P2_non_follower_in_description_is_flagged_and_stops_the_flow(film):
    film.edit(5, description_override="Hospital gown")
    r = film.edit(3, description_override="Wet coat")
    assert film.at(5).effective_description == "Hospital gown"
    assert film.at(5).upstream_description_changed
    assert film.at(7).effective_description == "Hospital gown"
    assert r.flagged == [film.at(5).id] and r.propagated == []


def test_E2_locked_instance_between_two_followers(film):
    film.call("lock_instance", 5)
    r = film.edit(1, description_override="Muddy", status_tags=["muddy"])
    s3, s5, s7 = film.at(3), film.at(5), film.at(7)
    assert s3.effective_description == "Muddy"
    assert s5.effective_description == "Grey stubble, clean shirt" and s5.status_tags == []
    assert s5.upstream_description_changed and s5.upstream_tags_changed
    assert s5.inherited_description == "Muddy"  # the new upstream value is recorded
    assert s7.effective_description == "Grey stubble, clean shirt"  # flow stopped at the lock
    assert r.propagated == [s3.id] and r.flagged == [s5.id]
    # P3: where each reached instance is, for the sentence that names the scenes
    assert r.reached == {s3.id: core.Reached(s3.scene_id, 3, locked=False),
                         s5.id: core.Reached(s5.scene_id, 5, locked=True)}
    assert film.desk.preview_update(film.at(1).id, description_override="Dry").reached == {
        s3.id: core.Reached(s3.scene_id, 3, locked=False),
        s5.id: core.Reached(s5.scene_id, 5, locked=True)}


def test_E2_locked_refuses_edits_review_and_revert(film):
    film.edit(3, status_tags=["wet"])
    h = film.desk.history(film.at(3).id)[-1]
    film.call("lock_instance", 3)
    before = film.at(3)
    with pytest.raises(core.LockedError, match="locked"):
        film.edit(3, description_override="x")
    with pytest.raises(core.LockedError):
        film.call("review_tags", 3, [])
    with pytest.raises(core.LockedError):
        film.call("revert_instance", 3, h.id)
    with pytest.raises(core.LockedError):
        film.call("take_upstream", 3)
    assert film.at(3) == before


def test_E2_lock_refused_while_review_pending_and_lock_is_audited(film):
    film.edit(1, status_tags=["muddy"])
    assert film.at(3).pending_review
    with pytest.raises(core.ValidationError, match="Review"):
        film.call("lock_instance", 3)
    film.call("review_tags", 3, ["muddy"])
    film.call("lock_instance", 3)
    film.call("unlock_instance", 3)
    fields = [(h.field, h.new_value) for h in film.desk.history(film.at(3).id)]
    assert ("locked", True) in fields and ("locked", False) in fields


def test_E2_unlocking_follows_again(film):
    film.call("lock_instance", 5)
    film.edit(3, description_override="Wet coat")
    assert film.at(5).effective_description == "Grey stubble, clean shirt"
    r = film.call("unlock_instance", 5)
    assert film.at(5).effective_description == "Wet coat"   # no override: follows (P1)
    assert film.at(7).effective_description == "Wet coat"   # and it flows on (P2)
    assert r.propagated == [film.at(7).id]


def test_E2_lock_does_not_carry_forward(film):
    film.call("lock_instance", 5)
    film.desk.inherit_scene(film.scenes[9].id, [film.brick.id], actor="ana")
    assert film.at(5).locked and not film.at(9).locked


def test_P2_carry_forward_switched_off_and_on_again(film):
    film.edit(3, description_override="Bandaged", status_tags=["bloody"])
    film.call("review_tags", 5, ["bloody"])
    r = film.edit(3, carry_forward=False)
    s5 = film.at(5)
    assert s5.inherited_description is None and s5.inherited_tags == []   # I3 reset
    assert s5.effective_description == "Grey stubble, clean shirt" and s5.status_tags == []
    assert r.propagated == [film.at(5).id, film.at(7).id]
    film.edit(3, carry_forward=True)
    s5 = film.at(5)
    assert s5.effective_description == "Bandaged" and s5.status_tags == ["bloody"]
    assert s5.pending_review  # the returning tag is a carried condition again


def test_E1_master_edit_reaches_first_appearances_and_their_followers(film):
    film.edit(5, carry_forward=False)  # scene 7 is a reset: follows the master live
    film.edit(3, description_override="Wet coat")
    asset = film.desk.get_asset(film.brick.id)
    film.desk.update_asset(asset.id, expected_version=asset.version, actor="ana",
                           description="Shaved, new suit")
    assert film.at(1).effective_description == "Shaved, new suit"
    assert film.at(3).effective_description == "Wet coat"      # override kept...
    assert film.at(3).upstream_description_changed             # ...and flagged
    assert film.at(5).effective_description == "Wet coat"      # follows scene 3
    assert film.at(7).effective_description == "Shaved, new suit"  # reset follows master
    rows = [h for h in film.desk.history(film.at(1).id) if h.field == "effective_description"]
    assert rows[-1].source == "propagation" and rows[-1].reason == "master edited"


def test_P3_preview_equals_the_real_update_and_writes_nothing(film):
    film.edit(5, description_override="Hospital gown")
    film.call("lock_instance", 7)
    pv = film.desk.preview_update(film.at(1).id, description_override="Muddy",
                                  status_tags=["muddy"])
    hist = film.desk.history(film.at(3).id)
    assert film.at(3).effective_description == "Grey stubble, clean shirt"
    assert film.desk.history(film.at(3).id) == hist
    stored = film.at(1)
    assert pv.instance.version == stored.version                  # as stored now
    r = film.edit(1, description_override="Muddy", status_tags=["muddy"])
    assert (pv.propagated, pv.flagged) == (r.propagated, r.flagged)
    bookkeeping = {"version", "modification_count", "last_modified_field",
                   "modification_reason", "updated_at"}
    shown, saved = (
        {k: v for k, v in dataclasses.asdict(i).items() if k not in bookkeeping}
        for i in (pv.instance, r.instance))
    assert shown == saved                      # every other column, the state hash too


def test_P4_flags_are_per_field_and_cleared_by_take_upstream(film):
    film.edit(5, description_override="Hospital gown", status_tags=["clean"])
    film.edit(3, description_override="Wet coat", status_tags=["wet"])
    s5 = film.at(5)
    assert s5.upstream_description_changed and s5.upstream_tags_changed
    film.call("take_upstream", 5)
    s5 = film.at(5)
    assert not s5.upstream_changed
    assert s5.effective_description == "Wet coat" and s5.status_tags == ["wet"]
    assert film.at(7).effective_description == "Wet coat"


def test_P4_mark_reviewed_keeps_own_values(film):
    film.edit(5, description_override="Hospital gown")
    film.edit(3, description_override="Wet coat")
    r = film.call("mark_reviewed", 5)
    assert not r.instance.upstream_changed
    assert r.instance.effective_description == "Hospital gown"


def test_P4_editing_the_field_clears_its_flag_only(film):
    film.edit(5, description_override="Hospital gown", status_tags=["clean"])
    film.edit(3, description_override="Wet coat", status_tags=["wet"])
    film.edit(5, description_override="Hospital gown, wet hair")
    s5 = film.at(5)
    assert not s5.upstream_description_changed and s5.upstream_tags_changed


def test_T3_review_keeps_chosen_tags_and_is_audited(film):
    film.edit(1, status_tags=["muddy", "torn"])
    r = film.call("review_tags", 3, ["torn"], reason="washed off in the rain")
    assert r.instance.status_tags == ["torn"] and not r.instance.pending_review
    assert film.at(5).status_tags == ["torn"]       # the answer flows on (P2)
    last = film.desk.history(film.at(3).id)[-1]
    assert last.reason == "washed off in the rain" and last.actor == "ana"
    with pytest.raises(core.ValidationError, match="bloody"):
        film.call("review_tags", 5, ["bloody"])


def test_T3_any_tag_edit_answers_the_review(film):
    film.edit(1, status_tags=["muddy"])
    film.edit(3, status_tags=["muddy", "wet"])
    assert not film.at(3).pending_review


def test_A3_revert_of_a_propagated_value(film):
    film.edit(1, description_override="Muddy")
    film.edit(1, description_override="Bloody")
    muddy_row = next(h for h in film.desk.history(film.at(3).id)
                     if h.field == "effective_description" and h.new_value == "Muddy")
    assert muddy_row.source == "propagation"
    r = film.call("revert_instance", 3, muddy_row.id)
    assert r.instance.effective_description == "Muddy"
    assert r.instance.description_override == "Muddy"   # written as an override
    assert film.at(5).effective_description == "Muddy"  # P2 applies
    assert film.desk.history(film.at(3).id)[-1].source == "revert"


def test_A3_revert_tags_and_carry_forward(film):
    film.edit(3, status_tags=["wet"])
    tag_row = film.desk.history(film.at(3).id)[-1]
    film.edit(3, status_tags=["dry"], carry_forward=False)
    film.call("revert_instance", 3, tag_row.id)
    assert film.at(3).status_tags == ["wet"]
    cf_row = next(h for h in film.desk.history(film.at(3).id) if h.field == "carry_forward"
                  and h.new_value is True)
    film.call("revert_instance", 3, cf_row.id)
    assert film.at(3).carry_forward and film.at(5).status_tags == ["wet"]


def test_A3_revert_refuses_a_row_of_another_instance(film):
    row = film.desk.history(film.at(1).id)[0]
    with pytest.raises(core.NotFoundError):
        film.call("revert_instance", 3, row.id)


def test_A4_every_propagated_change_bumps_the_version(film):
    v7 = film.at(7).version
    film.edit(1, description_override="Muddy")
    assert film.at(7).version == v7 + 1
    film.edit(1, reason="typo", description_override="Muddy")  # no-op: nothing written
    assert film.at(7).version == v7 + 1


def test_I1_removing_an_appearance_relinks_and_propagates(film):
    film.edit(3, description_override="Wet coat")
    r = film.call("remove_instance", 3)
    s5 = film.at(5)
    assert s5.inherited_from_instance_id == film.at(1).id
    assert s5.effective_description == "Grey stubble, clean shirt"
    assert r.propagated == [s5.id, film.at(7).id]
