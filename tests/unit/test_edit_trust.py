"""Editing you can trust (issue 11): tag merges and conflict notes (T5), flags that
clear when their reason is gone (A5), no empty reviews (T3), reverts to a row's old
value and undo of a whole save (A3), three-way merges of different fields and the
change marker (A6). The conftest `film` has scenes 1, 2, 4, 7."""

from __future__ import annotations

import pytest

import core

MASTER = "Retired detective, grey stubble, clean white shirt"


def _brick(film, *scenes):
    return film.place("Brick", *scenes)


def _call(film, method, inst, *args, **kw):
    current = film.get(inst)
    return getattr(film.desk, method)(current.id, *args, expected_version=current.version,
                                      actor=kw.pop("actor", "ana"), **kw)


def _blockers(film, inst):
    return {b.kind for b in film.desk.scene_readiness(film.get(inst).scene_id).blockers
            if b.instance_id == inst.id}


# --- T5: take upstream can merge; previews name tag conflicts -----------------------

def test_T5_take_upstream_merge_keeps_own_tags_first(film):
    x1, x2, x4 = _brick(film, 1, 2, 4)
    film.edit(x4, status_tags=["muddy"])
    film.edit(x2, status_tags=["torn"])
    assert film.get(x4).upstream_tags_changed and film.get(x4).status_tags == ["muddy"]
    replace = film.desk.preview_take_upstream(x4.id)
    merge = film.desk.preview_take_upstream(x4.id, merge_tags=True)
    assert replace.instance.status_tags == ["torn"]
    assert merge.instance.status_tags == ["muddy", "torn"]
    r = _call(film, "take_upstream", x4, merge_tags=True)
    got = film.get(x4)
    assert got.status_tags == ["muddy", "torn"] and not got.upstream_changed
    assert got.pending_review                      # torn was carried in: it is reviewed
    assert r.instance == got and (merge.propagated, merge.flagged) == (r.propagated, r.flagged)


def test_T5_take_upstream_merge_with_nothing_new_leaves_no_review(film):
    x1, x2 = _brick(film, 1, 2)
    film.edit(x2, status_tags=["muddy", "torn"])
    film.edit(x1, status_tags=["torn"])
    r = _call(film, "take_upstream", x2, merge_tags=True)
    assert r.instance.status_tags == ["muddy", "torn"]
    assert not r.instance.pending_review and not r.instance.upstream_changed


def test_T5_preview_names_tag_conflict(film):
    x1, x2, x4, x7 = _brick(film, 1, 2, 4, 7)
    film.edit(x4, status_tags=["muddy"])
    pv = film.desk.preview_update(x2.id, status_tags=["torn"])
    assert [c.message for c in pv.conflicts] == [
        "scene 4 keeps its own tags (muddy) and will be flagged: upstream adds torn"]
    (c,) = pv.conflicts
    assert (c.instance_id, c.scene_number, c.asset_name, c.kept, c.adds, c.removes) == (
        x4.id, 4, "Brick", ["muddy"], ["torn"], [])
    r = film.edit(x2, status_tags=["torn"])
    assert r.conflicts == pv.conflicts
    # the upstream drops a tag the flagged instance kept
    film.desk.mark_reviewed(x4.id, expected_version=film.get(x4).version, actor="ana")
    film.edit(x4, status_tags=["torn", "muddy"])
    pv = film.desk.preview_update(x2.id, status_tags=["wet"])
    assert [c.message for c in pv.conflicts] == [
        "scene 4 keeps its own tags (torn, muddy) and will be flagged: upstream adds wet; "
        "removes torn"]


def test_T5_followers_are_no_conflict(film):
    x1, x2, x4 = _brick(film, 1, 2, 4)
    r = film.edit(x1, status_tags=["torn"])
    assert r.propagated == [x2.id, x4.id] and r.conflicts == []


# --- A5: a flag whose reason is gone clears ------------------------------------------

def test_A5_revert_clears_flag_whose_reason_is_gone(film, snapshot):
    x1, x2, x4 = _brick(film, 1, 2, 4)
    film.edit(x4, description_override="Hospital gown", status_tags=["clean"])
    film.edit(x2, description_override="Wet coat", status_tags=["wet"])
    assert film.get(x4).upstream_description_changed and film.get(x4).upstream_tags_changed
    assert "upstream_changed" in _blockers(film, x4)
    save = [h for h in film.desk.history(x2.id) if h.field == "description_override"][-1]
    before = snapshot(film.desk)
    pv = film.desk.preview_revert(x2.id, save.id, before=True)
    assert snapshot(film.desk) == before                       # a preview writes nothing
    r = _call(film, "revert_instance", x2, save.id, before=True)
    assert (pv.propagated, pv.flagged) == (r.propagated, r.flagged)
    assert pv.instance.description_override is None and r.instance.description_override is None
    s4 = film.get(x4)
    assert not s4.upstream_description_changed                 # back to what it last saw
    assert s4.upstream_tags_changed                            # tags still differ
    assert s4.seen_upstream_description is None and s4.seen_upstream_tags == []
    tags = [h for h in film.desk.history(x2.id) if h.field == "status_tags"][-1]
    _call(film, "revert_instance", x2, tags.id, before=True)
    s4 = film.get(x4)
    assert not s4.upstream_changed and s4.seen_upstream_tags is None
    assert "upstream_changed" not in _blockers(film, x4)
    assert s4.effective_description == "Hospital gown" and s4.status_tags == ["clean"]
    flag_rows = [h for h in film.desk.history(x4.id) if h.field.startswith("upstream_")]
    assert [(h.field, h.new_value, h.source) for h in flag_rows[-2:]] == [
        ("upstream_description_changed", False, "propagation"),
        ("upstream_tags_changed", False, "propagation")]


def test_A5_flag_clears_when_any_change_brings_the_upstream_back(film):
    x1, x2 = _brick(film, 1, 2)
    film.edit(x2, description_override="Own coat")
    film.edit_master("Brick", description="Shaved, new suit")
    assert film.get(x2).upstream_description_changed
    assert film.get(x2).seen_upstream_description == MASTER
    film.edit_master("Brick", description=MASTER)              # a master edit back
    assert not film.get(x2).upstream_changed


def test_A5_flag_stays_until_the_upstream_is_back_to_what_it_last_saw(film):
    x1, x2 = _brick(film, 1, 2)
    film.edit(x2, status_tags=["clean"])
    film.edit(x1, status_tags=["wet"])
    film.edit(x1, status_tags=["muddy"])                       # moves on, not back
    assert film.get(x2).upstream_tags_changed and film.get(x2).seen_upstream_tags == []
    film.edit(x1, status_tags=["wet"])                         # not what it last saw
    assert film.get(x2).upstream_tags_changed
    r = film.edit(x1, status_tags=[])
    assert not film.get(x2).upstream_tags_changed and x2.id in r.propagated


def test_A5_mark_reviewed_makes_the_current_upstream_the_seen_one(film):
    x1, x2 = _brick(film, 1, 2)
    film.edit(x2, description_override="Own coat")
    film.edit(x1, description_override="Wet coat")
    _call(film, "mark_reviewed", x2)
    film.edit(x1, description_override="Dry coat")
    assert film.get(x2).seen_upstream_description == "Wet coat"
    film.edit(x1, description_override=None)                  # the master: not accepted
    assert film.get(x2).upstream_description_changed
    film.edit(x1, description_override="Wet coat")             # what it accepted
    assert not film.get(x2).upstream_description_changed


def test_A5_locked_instance_flag_clears_too(film):
    x1, x2 = _brick(film, 1, 2)
    _call(film, "lock_instance", x2)
    film.edit(x1, status_tags=["torn"])
    assert film.get(x2).upstream_tags_changed
    film.edit(x1, status_tags=[])
    got = film.get(x2)
    assert got.locked and not got.upstream_changed and got.status_tags == []


# --- T3: pending review only with carried tags ---------------------------------------

def test_T3_no_empty_review_after_removing_the_source(film):
    p1, p2, p4 = film.place("Porsche", 1, 2, 4)
    film.edit(p2, status_tags=["wet"])
    assert film.get(p4).pending_review and film.get(p4).status_tags == ["wet"]
    r = film.remove(p2)
    got = film.get(p4)
    assert got.status_tags == [] and not got.pending_review
    assert got.inherited_from_instance_id == p1.id and p4.id in r.propagated
    assert "pending_review" not in _blockers(film, p4)


def test_T3_review_stays_while_some_carried_tag_remains(film):
    x1, x2 = _brick(film, 1, 2)
    film.edit(x1, status_tags=["muddy", "wet"])
    film.edit(x1, status_tags=["muddy"])
    assert film.get(x2).pending_review and film.get(x2).status_tags == ["muddy"]


# --- A3: revert to before a change; undo of a whole save -----------------------------

def test_A3_revert_to_before_a_change(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, status_tags=["torn"], description_override="Torn shirt")
    (tag_row,) = [h for h in film.desk.history(x1.id) if h.field == "status_tags"]
    r = _call(film, "revert_instance", x1, tag_row.id, before=True)
    assert r.instance.status_tags == [] and r.instance.description_override == "Torn shirt"
    last = film.desk.history(x1.id)[-1]
    assert (last.source, last.field, last.new_value) == ("revert", "status_tags", [])
    (desc_row,) = [h for h in film.desk.history(x1.id) if h.field == "description_override"]
    r = _call(film, "revert_instance", x1, desc_row.id, before=True)
    assert r.instance.description_override is None and r.instance.effective_description == MASTER
    created = next(h for h in film.desk.history(x1.id) if h.field == "effective_description")
    before = snapshot(film.desk)
    with pytest.raises(core.ValidationError, match="no description"):
        _call(film, "revert_instance", x1, created.id, before=True)
    assert snapshot(film.desk) == before


def test_A3_undo_whole_save(film, snapshot):
    x1, x2 = _brick(film, 1, 2)
    save = film.edit(x1, description_override="Torn shirt", status_tags=["torn"],
                     reason="after the fight")
    assert save.change_id
    rows = [h for h in film.desk.history(x1.id) if h.change_id == save.change_id]
    assert {h.field for h in rows} >= {"description_override", "status_tags"}
    assert {h.change_id for h in film.desk.history(x2.id)} >= {save.change_id}  # propagation
    log = film.desk.project_history(film.project.id)
    assert set(log[log["change_id"] == save.change_id]["instance_id"]) == {x1.id, x2.id}
    before = snapshot(film.desk)
    pv = film.desk.preview_undo(x1.id, save.change_id)
    assert snapshot(film.desk) == before
    r = _call(film, "undo_change", x1, save.change_id, actor="bo")
    assert (pv.propagated, pv.flagged) == (r.propagated, r.flagged) == ([x2.id], [])
    assert pv.instance.status_tags == r.instance.status_tags == []
    assert r.instance.description_override is None and r.instance.effective_description == MASTER
    assert film.get(x2).effective_description == MASTER and film.get(x2).status_tags == []
    undo = [h for h in film.desk.history(x1.id) if h.change_id == r.change_id]
    assert {h.source for h in undo} == {"revert"} and {h.actor for h in undo} == {"bo"}
    assert {"description_override", "status_tags"} <= {h.field for h in undo}
    assert r.instance.version == save.instance.version + 1        # one action
    assert "undo of the save by ana" in undo[0].reason


def test_A3_undo_refused_when_a_field_changed_again(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    save = film.edit(x1, description_override="Torn shirt", status_tags=["torn"])
    film.edit(x1, status_tags=["torn", "muddy"])
    before = snapshot(film.desk)
    with pytest.raises(core.ConflictError, match="the tags changed again") as exc:
        _call(film, "undo_change", x1, save.change_id)
    assert exc.value.current == film.get(x1)
    with pytest.raises(core.ConflictError):
        film.desk.preview_undo(x1.id, save.change_id)
    with pytest.raises(core.NotFoundError):
        _call(film, "undo_change", x1, "no-such-change")
    assert snapshot(film.desk) == before


# --- A6: three-way merge of different fields -----------------------------------------

def test_A6_different_fields_merge_three_way(film):
    x1, x2 = _brick(film, 1, 2)
    opened = film.get(x1)                       # both open version N
    film.desk.update_instance(x1.id, expected_version=opened.version, actor="ana",
                              description_override="Torn shirt")
    r = film.desk.update_instance(x1.id, expected_version=opened.version, actor="bo",
                                  status_tags=["muddy"], carry_forward=True)
    got = film.get(x1)
    assert got.description_override == "Torn shirt" and got.status_tags == ["muddy"]
    assert got.version == opened.version + 2 and r.instance == got
    mine = [h for h in film.desk.history(x1.id) if h.actor == "bo"]
    assert {h.field for h in mine} == {"status_tags"}
    assert film.get(x2).status_tags == ["muddy"]             # P2 as for any edit
    # a field the stale form names with the value both started from is not a change
    r = film.desk.update_instance(x1.id, expected_version=opened.version, actor="cy",
                                  description_override=opened.description_override,
                                  carry_forward=False)
    assert r.instance.description_override == "Torn shirt" and not r.instance.carry_forward


def test_A6_same_field_conflicts(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    opened = film.get(x1)
    film.desk.update_instance(x1.id, expected_version=opened.version, actor="ana",
                              status_tags=["wet"])
    before = snapshot(film.desk)
    with pytest.raises(core.ConflictError, match="ana changed the tags") as exc:
        film.desk.update_instance(x1.id, expected_version=opened.version, actor="bo",
                                  description_override="Soaked", status_tags=["muddy"])
    assert exc.value.current == film.get(x1)
    assert snapshot(film.desk) == before
    # the same change twice loses nothing: it merges
    r = film.desk.update_instance(x1.id, expected_version=opened.version, actor="bo",
                                  status_tags=["wet"], description_override="Soaked")
    assert r.instance.status_tags == ["wet"] and r.instance.description_override == "Soaked"


def test_A6_other_actions_keep_the_strict_version_check(film, snapshot):
    x1, x2 = _brick(film, 1, 2)
    opened = film.get(x2)
    film.desk.update_instance(x2.id, expected_version=opened.version, actor="ana",
                              description_override="Own")
    before = snapshot(film.desk)
    for method, args in (("lock_instance", ()), ("review_tags", ([],)),
                         ("mark_reviewed", ()), ("take_upstream", ()),
                         ("remove_instance", ())):
        with pytest.raises(core.ConflictError):
            getattr(film.desk, method)(x2.id, *args, expected_version=opened.version,
                                       actor="bo")
    assert snapshot(film.desk) == before


def test_A6_open_pages_learn_of_changes(film):
    x1, x4 = _brick(film, 1, 4)
    pid = film.project.id
    mark = film.desk.change_marker(pid)
    film.desk.scene_instances(film.scenes[4].id)                # reads change nothing
    assert film.desk.change_marker(pid) == mark and film.desk.changes_since(pid, mark) == []
    film.edit(x4, actor="bo", status_tags=["muddy"])
    later = film.desk.change_marker(pid)
    assert later != mark
    assert [c.message for c in film.desk.changes_since(pid, mark)] == [
        "Brick's scene 4 state was changed by bo"]
    film.edit(x1, description_override="Wet coat")
    assert [c.message for c in film.desk.changes_since(pid, later)] == [
        "Brick's scene 1 state was changed by ana",
        "Brick's scene 4 state was changed by ana (propagated)"]
    marker = film.desk.change_marker(pid)
    film.edit_master("Porsche", description="Red Porsche, dented door")
    assert [c.message for c in film.desk.changes_since(pid, marker)] == [
        "Porsche's master definition was changed"]
