"""S4: every text and number from outside is checked in core.validation, the same for
the Desk and the importers: lone surrogates never reach DuckDB, names hold no control
or invisible characters, numbers fit their columns with room to renumber. Screenplay
files are messy: their text loses hidden characters, so names made from it are clean."""

from __future__ import annotations

import unicodedata

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core import validation as v
from core.images.store import ImageStore

HIDDEN = ["\x00", "\x1b", "\x7f", "\x85", "\u200b", "\u200d", "\u200e", "\u202e", "\u2066",
          "\u2028", "\ufeff", "\ud800", "\udfff", "\n", "\t", "\r"]
ANY_TEXT = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(HIDDEN)),
                   max_size=40)
NAME_REFUSED = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect(":memory:")
    c.execute("CREATE TABLE t (v VARCHAR)")
    yield c
    c.close()


def stored(con, value: str) -> str:
    con.execute("DELETE FROM t")
    con.execute("INSERT INTO t VALUES (?)", [value])
    return con.execute("SELECT v FROM t").fetchone()[0]


# rule: S4 — any text: a str DuckDB keeps unchanged, or a ValidationError
@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.booleans())
def test_S4_text_is_stored_unchanged_or_refused(con, raw, multiline):
    try:
        value = v.text(raw, "Note", 100, required=False, multiline=multiline)
    except core.ValidationError as exc:
        assert str(exc).startswith("Note ") and str(exc).isprintable()
        return
    assert stored(con, value) == value
    allowed = "\n\t" if multiline else ""
    assert not any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in value)


# rule: S4 — names: no control or invisible character at all
@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_S4_name_is_visible_text_or_refused(con, raw):
    try:
        value = v.name(raw, "Asset name", required=False)
    except core.ValidationError as exc:
        assert str(exc).startswith("Asset name ") and str(exc).isprintable()
        return
    assert stored(con, value) == value
    assert not any(unicodedata.category(c) in NAME_REFUSED for c in value)


@pytest.mark.parametrize(("raw", "shown"), [
    ("Brick\x00", "a control character (U+0000) at position 6"),
    ("\x1b[31mBrick", "a control character (U+001B) at position 1"),
    ("Bri\u202eck", "a bidirectional control character (U+202E) at position 4"),
    ("Bri\u200bck", "an invisible character (U+200B) at position 4"),
    ("Bri\ufeffck", "an invisible character (U+FEFF)"),
    ("Bri\u2060ck", "an invisible character (U+2060)"),
    ("Bri\u061cck", "a bidirectional control character (U+061C)"),
    ("Bri\nck", "a control character (U+000A)"),
])
def test_S4_name_refusal_names_the_field_and_the_code_point(raw, shown):
    with pytest.raises(core.ValidationError) as exc:
        v.name(raw, "Asset name")
    assert str(exc.value).startswith("Asset name contains ") and shown in str(exc.value)
    assert raw.strip() not in str(exc.value)                   # never shown raw


def test_S4_lone_surrogate_is_named_by_code_point():
    with pytest.raises(core.ValidationError, match=r"Master description is not valid Unicode "
                                                   r"text: .*\(U\+DFFF\) at position 3"):
        v.text("ab\udfff", "Master description", 100)


def test_S4_prose_keeps_newlines_and_tabs_not_other_controls():
    assert v.text("Coat\r\n\ttorn\rmuddy", "Description", 100) == "Coat\n\ttorn\nmuddy"
    assert v.text("Smile 👨\u200d👩\u200d👧", "Description", 100).endswith("👧")  # ZWJ emoji
    with pytest.raises(core.ValidationError, match=r"U\+001B"):
        v.text("Coat \x1b[31mred", "Description", 100)
    with pytest.raises(core.ValidationError, match=r"U\+202E"):
        v.text("Coat \u202ered", "Description", 100)
    with pytest.raises(core.ValidationError, match=r"Scene heading contains a control "
                                                   r"character \(U\+000A\)"):
        v.text("INT. A\nB", "Scene heading", 100, multiline=False)


@pytest.mark.parametrize("number", [0, -1, v.MAX_SCENE_NUMBER + 1, 2**31 - 1, 2**40, 10**400,
                                    1.0, "3", True, None])
def test_S4_scene_numbers_are_whole_numbers_in_range(number):
    with pytest.raises(core.ValidationError, match="Scene number must be a whole number from "
                                                   "1 to 100,000"):
        v.scene_number(number)


def test_S4_numbers_at_the_bounds_are_accepted():
    assert v.scene_number(v.MAX_SCENE_NUMBER) == v.MAX_SCENE_NUMBER
    assert v.story_day(v.MAX_STORY_DAY) == v.MAX_STORY_DAY
    assert v.story_day(None) is None
    assert v.budget(0) == 0.0 and v.budget(25) == 25.0 and v.budget(None) is None


@pytest.mark.parametrize("amount", [float("nan"), float("inf"), float("-inf"), -0.01,
                                    10**400, "25", True])
def test_S4_budget_must_be_finite_and_not_negative(amount):
    with pytest.raises(core.ValidationError, match="The budget must be a finite amount"):
        v.budget(amount)


# rule: S4, G9 — a refused NaN budget leaves the budget check on
def test_S4_nan_budget_keeps_the_budget(desk):
    p = desk.create_project("Brick & Steel", actor="ana")
    desk.set_budget(p.id, 1.0, actor="ana")
    with pytest.raises(core.ValidationError):
        desk.set_budget(p.id, float("nan"), actor="ana")
    assert desk.get_project(p.id).budget == 1.0


def test_S4_scene_at_the_last_number_and_insert_past_it(desk, snapshot):
    p = desk.create_project("Long film", actor="ana")
    desk.add_scene(p.id, 1, "INT. START - DAY")
    last = desk.add_scene(p.id, v.MAX_SCENE_NUMBER, "INT. END - NIGHT")
    before = snapshot(desk)
    with pytest.raises(core.ValidationError, match="past the last allowed scene number"):
        desk.insert_scene(p.id, 1, "INT. NEW - DAY")
    assert snapshot(desk) == before
    moved = desk.move_scene(desk.scenes(p.id)[0].id, v.MAX_SCENE_NUMBER, actor="ana")
    assert moved.scene_number == v.MAX_SCENE_NUMBER
    assert desk.get_scene(last.id).scene_number == v.MAX_SCENE_NUMBER - 1


SCRIPT = """INT. LIGHTHOUSE - NIGHT

RAY climbs the stairs.

RAY
Anyone here?

EXT. PIER - DAY

MAE waits.

MAE
Late again.
"""


# rule: S4 — a screenplay import still works in a project that uses the last scene number
def test_S4_screenplay_import_after_the_last_scene_number(desk):
    p = desk.create_project("Long film", actor="ana")
    desk.add_scene(p.id, v.MAX_SCENE_NUMBER, "INT. END - NIGHT")
    rep = desk.import_screenplay(p.id, SCRIPT, actor="ana")
    numbers = [s.scene_number for s in desk.scenes(p.id)]
    assert len(rep.scenes_created) == 2 and numbers == [1, 2, v.MAX_SCENE_NUMBER]
    assert {"Ray", "Mae"} <= {a.name for a in desk.assets(p.id)}


def _clean(name: str) -> bool:
    return not any(unicodedata.category(c) in NAME_REFUSED for c in name)


# rule: S4 — hidden characters in a screenplay file are removed from its text, with a
# warning, so the names and headings made from it are clean
@pytest.mark.parametrize("as_bytes", [False, True])
def test_S4_screenplay_hidden_characters_are_stripped(desk, as_bytes):
    p = desk.create_project("Messy", actor="ana")
    messy = ("\ufeffINT. LIGHT\u200bHOUSE - NIGHT\n\nRA\x1b[31mY climbs.\n\n"
             "RA\u202eY\nAnyone\x07 here?\n\nEXT. PIER\u2066 - DAY\n\nMAE\u200b\nHello.\n")
    rep = desk.import_screenplay(p.id, messy.encode() if as_bytes else messy, actor="ana")
    assert any("removed from the script text" in w and "U+" in w for w in rep.warnings)
    names = [a.name for a in desk.assets(p.id)]
    assert all(_clean(n) for n in names) and {"Ray", "Mae", "Lighthouse"} <= set(names)
    scenes = desk.scenes(p.id)
    assert [s.heading for s in scenes] == ["INT. LIGHTHOUSE - NIGHT", "EXT. PIER - DAY"]
    assert all(_clean(s.script_excerpt.replace("\n", "")) for s in scenes)


def test_S4_final_draft_hidden_characters_are_stripped(desk):
    p = desk.create_project("Messy FDX", actor="ana")
    fdx = ('<?xml version="1.0" encoding="UTF-8"?><FinalDraft><Content>'
           '<Paragraph Type="Scene Heading" Number="4&#x200B;A">'
           '<Text>INT. LAB&#x200B; - DAY</Text></Paragraph>'
           '<Paragraph Type="Character"><Text>DR&#x202E;. KLINE</Text></Paragraph>'
           '<Paragraph Type="Dialogue"><Text>Ready.</Text></Paragraph>'
           '</Content></FinalDraft>')
    rep = desk.import_screenplay(p.id, fdx, format="fdx", actor="ana")
    assert any("U+200B" in w for w in rep.warnings)
    assert all(_clean(a.name) for a in desk.assets(p.id))
    (scene,) = desk.scenes(p.id)
    assert (scene.heading, scene.label) == ("INT. LAB - DAY", "4A")


@pytest.mark.parametrize("key", ["project_x/a\x00.png", "project_x/\ud800.png",
                                 "project_x/\x1b[31m.png", b"project_x/a.png", None, 7])
def test_S4_image_keys_must_be_printable_text(tmp_path, key):
    with pytest.raises(core.ValidationError, match="unsafe image key"):
        ImageStore(tmp_path).read(key)
