"""How a scene is named to a person: its label, else its number (one rule, `core.scene_label`)."""

import core
from core.review import sheets


def test_a_scene_is_named_by_its_label_else_its_number():
    assert core.scene_label("12A", 12) == "12A"
    assert core.scene_label(None, 7) == "7"
    assert core.scene_label("", 7) == "7"


def test_scene_display_label_and_sheets_use_it(desk):
    p = desk.create_project("Film", actor="t")
    a = desk.add_asset(p.id, "Brick", "character", "As written")
    one = desk.add_scene(p.id, 1, "INT. ROOM - DAY", label="1A")
    two = desk.add_scene(p.id, 2, "EXT. YARD - DAY")
    desk.inherit_scene(one.id, [a.id], actor="t")
    desk.inherit_scene(two.id, [a.id], actor="t")
    assert [s.display_label for s in desk.scenes(p.id)] == ["1A", "2"]
    sheet = desk.db.transaction(lambda cur: sheets.asset_sheet(cur, a.id))
    assert [(e.scene_label, e.previous_scene_label) for e in sheet.entries] == [
        ("1A", None), ("2", "1A")]
