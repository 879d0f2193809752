"""Saved tag searches per project (T4): save, replace by name, refuse a bad query,
delete; they travel with a project export."""

from __future__ import annotations

import pytest

import core


def test_save_list_replace_and_delete(desk, snapshot):
    p = desk.create_project("One", actor="ana")
    other = desk.create_project("Two", actor="ana")
    a = desk.save_search(p.id, "Bloody Brick", "tag:bloody asset:brick", actor="ana")
    desk.save_search(p.id, "all props", "type:prop", actor="bo")
    desk.save_search(other.id, "elsewhere", "tag:wet", actor="ana")
    assert [(s.name, s.query) for s in desk.saved_searches(p.id)] == [
        ("all props", "type:prop"), ("Bloody Brick", "tag:bloody asset:brick")]
    again = desk.save_search(p.id, "  bloody brick ", "tag:bloody -tag:clean", actor="bo")
    assert again.id == a.id and again.name == "bloody brick"
    assert again.query == "tag:bloody -tag:clean" and again.created_by == "ana"
    assert len(desk.saved_searches(p.id)) == 2
    before = snapshot(desk)
    for name, query in (("bad", "colour:red"), ("", "tag:x"), ("x" * 81, "tag:x"),
                        ("empty", "  ")):
        with pytest.raises(core.ValidationError):
            desk.save_search(p.id, name, query, actor="ana")
    with pytest.raises(core.NotFoundError):
        desk.save_search("nope", "n", "tag:x", actor="ana")
    assert snapshot(desk) == before
    desk.delete_search(a.id, actor="ana")
    assert [s.name for s in desk.saved_searches(p.id)] == ["all props"]
    with pytest.raises(core.NotFoundError):
        desk.delete_search(a.id, actor="ana")
    assert [s.name for s in desk.saved_searches(other.id)] == ["elsewhere"]


def test_saved_searches_travel_with_a_project_export(desk):
    p = desk.create_project("One", actor="ana")
    desk.save_search(p.id, "Bloody", "tag:bloody", actor="ana")
    report = desk.import_project(desk.export_project(p.id), actor="ana", name="Copy")
    assert [(s.name, s.query) for s in desk.saved_searches(report.project_id)] == [
        ("Bloody", "tag:bloody")]
