"""A1 (audit trail), A2 (quick-display counters) and A4 (versions and conflicts)."""

from __future__ import annotations

import pytest

import core

MASTER = "Retired detective, grey stubble, clean white shirt"


def _fields(rows):
    return [h.field for h in rows]


# --- A1 --------------------------------------------------------------------------

def test_A1_creation_writes_rows_for_non_empty_fields_with_old_value_none(film):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, status_tags=["muddy"], description_override="Mud on the shirt")
    (x2,) = film.inherit(2, "Brick")
    rows = film.desk.history(x2.id)
    assert all(h.old_value is None for h in rows)
    assert all(h.source == "inheritance" and h.actor == "ana" for h in rows)
    by_field = {h.field: h.new_value for h in rows}
    assert len(by_field) == len(rows)                   # one row per field
    assert by_field["inherited_description"] == "Mud on the shirt"
    assert by_field["effective_description"] == "Mud on the shirt"
    assert by_field["inherited_tags"] == ["muddy"] and by_field["status_tags"] == ["muddy"]
    assert by_field["inherited_from_instance_id"] == x1.id
    assert by_field["carry_forward"] is True and by_field["pending_review"] is True
    assert "description_override" not in by_field       # empty fields have no row
    assert "locked" not in by_field


def test_A1_one_row_per_changed_field_in_one_transaction(film):
    (x1,) = film.inherit(1, "Brick")
    before = film.desk.history(x1.id)
    film.edit(x1, reason="after the fight", description_override="Torn shirt",
              status_tags=["torn", "Bloody"], carry_forward=False)
    new = film.desk.history(x1.id)[len(before):]
    assert sorted(_fields(new)) == sorted(
        ["description_override", "effective_description", "status_tags", "carry_forward"])
    rows = {h.field: h for h in new}
    assert (rows["description_override"].old_value,
            rows["description_override"].new_value) == (None, "Torn shirt")
    assert (rows["effective_description"].old_value,
            rows["effective_description"].new_value) == (MASTER, "Torn shirt")
    assert (rows["status_tags"].old_value, rows["status_tags"].new_value) == (
        [], ["torn", "bloody"])
    assert (rows["carry_forward"].old_value, rows["carry_forward"].new_value) == (True, False)
    assert {(h.actor, h.source, h.reason) for h in new} == {("ana", "user", "after the fight")}
    assert len({h.at for h in new}) == 1                  # one transaction
    assert all(h.at.utcoffset().total_seconds() == 0 for h in new)   # UTC-aware
    assert all(h.scene_id == x1.scene_id and h.project_asset_id == x1.project_asset_id
               for h in new)


def test_A1_propagation_rows_share_the_edit_transaction(film):
    x1, x2, x4 = film.place("Brick", 1, 2, 4)
    r = film.edit(x1, description_override="Mud on the shirt", reason="rolled in the mud")
    assert r.propagated == [x2.id, x4.id]
    edit_at = film.desk.history(x1.id)[-1].at
    for later in (x2, x4):
        rows = [h for h in film.desk.history(later.id) if h.source == "propagation"]
        assert sorted(_fields(rows)) == ["effective_description", "inherited_description"]
        assert {h.at for h in rows} == {edit_at}
        assert all(h.actor == "ana" for h in rows)


def test_A1_sources_user_inheritance_propagation_revert(film):
    x1, x2 = film.place("Brick", 1, 2)
    film.edit(x1, status_tags=["wet"])
    film.edit(x1, status_tags=["dry"])
    wet_row = next(h for h in film.desk.history(x1.id)
                   if h.field == "status_tags" and h.new_value == ["wet"])
    x1 = film.get(x1)
    film.desk.revert_instance(x1.id, wet_row.id, expected_version=x1.version, actor="bo")
    assert film.get(x1).status_tags == ["wet"]
    sources = {h.source for h in film.desk.history(x1.id)}
    assert sources == {"inheritance", "user", "revert"}
    assert "propagation" in {h.source for h in film.desk.history(x2.id)}
    last = film.desk.history(x1.id)[-1]
    assert (last.source, last.actor, last.new_value) == ("revert", "bo", ["wet"])


def test_A1_ids_come_from_a_sequence_and_history_orders_by_it(film):
    x1, x2 = film.place("Brick", 1, 2)
    for k in range(3):
        film.edit(x1, description_override=f"State {k}")
    for iid in (x1.id, x2.id):
        ids = [h.id for h in film.desk.history(iid)]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
    with film.desk.db.cursor() as cur:
        all_ids = [r[0] for r in cur.execute(
            "SELECT id FROM instance_history ORDER BY changed_at, id").fetchall()]
    assert all_ids == sorted(all_ids)
    overrides = [h.new_value for h in film.desk.history(x1.id)
                 if h.field == "description_override"]
    assert overrides == ["State 0", "State 1", "State 2"]


def test_A1_history_is_kept_after_remove_and_removal_is_audited(film):
    x1, x2 = film.place("Brick", 1, 2)
    film.edit(x2, description_override="Bandaged", status_tags=["bloody"])
    before = film.desk.history(x2.id)
    x2v = film.get(x2)
    film.desk.remove_instance(x2.id, expected_version=x2v.version, actor="bo",
                              reason="not in this scene")
    after = film.desk.history(x2.id)
    assert after[: len(before)] == before
    gone = after[len(before):]
    assert {h.field for h in gone} >= {"description_override", "effective_description",
                                       "status_tags", "carry_forward"}
    assert all(h.new_value is None for h in gone)
    assert {(h.actor, h.source, h.reason) for h in gone} == {
        ("bo", "user", "not in this scene")}
    old = {h.field: h.old_value for h in gone}
    assert old["description_override"] == "Bandaged" and old["status_tags"] == ["bloody"]


def test_A1_failed_edit_leaves_no_history(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    before = snapshot(film.desk)
    with pytest.raises(core.ValidationError):
        film.edit(x1, description_override="Fine text", status_tags=["ok", "not ok!"])
    assert snapshot(film.desk) == before


# --- A2 --------------------------------------------------------------------------

def test_A2_modification_count_field_and_reason(film):
    x1, x2 = film.place("Brick", 1, 2)
    x1 = film.get(x1)
    assert (x1.modification_count, x1.last_modified_field, x1.modification_reason) == (
        0, None, None)
    r = film.edit(x1, description_override="Torn shirt", reason="after the fight")
    assert r.instance.modification_count == 1
    assert r.instance.last_modified_field == "description_override"
    assert r.instance.modification_reason == "after the fight"
    r = film.edit(x1, status_tags=["torn"])
    assert r.instance.modification_count == 2
    assert r.instance.last_modified_field == "status_tags"
    assert r.instance.modification_reason is None
    r = film.edit(x1, carry_forward=False, reason="changes clothes")
    assert r.instance.modification_count == 3
    assert r.instance.last_modified_field == "carry_forward"
    follower = film.get(x2)
    assert follower.modification_count == 3               # three propagated changes
    assert follower.modification_reason                   # says why it changed


def test_A2_noop_does_not_count(film):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, status_tags=["muddy"])
    r = film.edit(x1, status_tags=["MUDDY "])
    assert r.instance.modification_count == 1


# --- A4 --------------------------------------------------------------------------

def test_A4_versions_start_at_1_and_increase_by_one_per_change(film):
    x1, x2 = film.place("Brick", 1, 2)
    assert film.get(x1).version == 1 and film.get(x2).version == 1
    r = film.edit(x1, description_override="Torn", status_tags=["torn"], carry_forward=True)
    assert r.instance.version == 2                        # several fields, one version
    assert film.get(x2).version == 2                      # propagation changes it too


def test_A4_stale_version_raises_conflict_with_current_instance(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    stale = film.get(x1)
    film.edit(x1, description_override="Edited in another tab")
    before = snapshot(film.desk)
    with pytest.raises(core.ConflictError) as exc:
        film.desk.update_instance(x1.id, expected_version=stale.version, actor="bo",
                                  description_override="My edit")
    current = exc.value.current
    assert isinstance(current, core.Instance)
    assert current.id == x1.id and current.version == stale.version + 1
    assert current.description_override == "Edited in another tab"
    assert current == film.get(x1)
    assert snapshot(film.desk) == before


def test_A4_stale_version_on_remove_raises_conflict(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, status_tags=["wet"])
    before = snapshot(film.desk)
    with pytest.raises(core.ConflictError) as exc:
        film.desk.remove_instance(x1.id, expected_version=1, actor="bo")
    assert exc.value.current.version == 2
    assert snapshot(film.desk) == before


def test_A4_propagation_makes_a_followers_version_stale(film, snapshot):
    x1, x2 = film.place("Brick", 1, 2)
    seen = film.get(x2)
    film.edit(x1, description_override="Mud on the shirt", status_tags=["muddy"])
    before = snapshot(film.desk)
    with pytest.raises(core.ConflictError, match="ana .through an earlier scene. changed "
                                                 "the tags") as exc:
        film.desk.update_instance(x2.id, expected_version=seen.version, actor="bo",
                                  status_tags=["wet"])
    assert exc.value.current.effective_description == "Mud on the shirt"
    assert snapshot(film.desk) == before


def test_A4_noop_update_writes_nothing(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, description_override="Torn shirt", status_tags=["torn", "muddy"])
    x1 = film.get(x1)
    before = snapshot(film.desk)
    r = film.desk.update_instance(x1.id, expected_version=x1.version, actor="bo",
                                  description_override="  Torn shirt ",
                                  status_tags=["Torn", "MUDDY", "torn"],
                                  carry_forward=True, reason="no change")
    assert r.instance == x1 and r.propagated == [] and r.flagged == []
    r = film.desk.update_instance(x1.id, expected_version=x1.version, actor="bo")
    assert r.instance == x1
    assert snapshot(film.desk) == before


def test_A4_asset_versions_conflict_and_noop(film, snapshot):
    desk = film.desk
    asset = desk.get_asset(film.assets["Porsche"].id)
    assert asset.version == 1
    a2 = desk.update_asset(asset.id, expected_version=1, actor="ana",
                           description="Red 1970s Porsche 911, dented door")
    assert a2.version == 2
    before = snapshot(desk)
    with pytest.raises(core.ConflictError) as exc:
        desk.update_asset(asset.id, expected_version=1, actor="bo", description="Blue Porsche")
    assert isinstance(exc.value.current, core.Asset)
    assert exc.value.current == a2
    assert snapshot(desk) == before
    same = desk.update_asset(asset.id, expected_version=2, actor="bo",
                             description="Red 1970s Porsche 911, dented door")
    assert same.version == 2
    assert snapshot(desk) == before


def test_A4_every_instance_whose_version_changes_is_reported(film):
    x1, x2 = film.place("Brick", 1, 2)
    film.edit(x2, description_override="Own description")
    film.edit(x1, description_override="First upstream change")    # x2 flagged
    assert film.get(x2).upstream_description_changed
    seen = film.get(x2)
    r = film.edit(x1, description_override="Second upstream change")
    now = film.get(x2)
    assert now.inherited_description == "Second upstream change"
    if now.version != seen.version:                   # its state changed (A4) ...
        assert x2.id in r.propagated + r.flagged      # ... so the edit must report it
