"""A6 in words (issue 11, item 5): which changes a three-way merged save was merged with."""

from __future__ import annotations

from desk_factory import make_desk

from core.editing.merge_notes import merged_with


def test_a_merged_save_names_the_other_change(tmp_path):
    desk = make_desk(":memory:", image_root=tmp_path, provider="offline")
    p = desk.create_project("Film", actor="t")
    s = desk.add_scene(p.id, 1, "INT. ROOM - DAY")
    desk.add_asset(p.id, "Brick", "character", "Retired detective")
    [i] = desk.inherit_scene(s.id, actor="t")
    ana = desk.update_instance(i.id, expected_version=i.version, actor="ana",
                               status_tags=["muddy"])
    # ben's edit of the description was based on the version before ana's save
    ben = desk.update_instance(i.id, expected_version=i.version, actor="ben",
                               description_override="Brick, soaked")
    assert ben.instance.status_tags == ["muddy"]                    # merged by core
    rows = desk.history(i.id)
    assert merged_with(rows, i.version, ben.change_id) == "ana's change to the tags"
    # nothing to name when the save was based on the current version
    assert merged_with(rows, ana.instance.version, ben.change_id) == ""
    desk.close()
