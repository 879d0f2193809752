"""Breakdown sheets (issue 13 item 8): the scene sheet and the asset continuity sheet,
their rows (order, inherited values, tags, what changed), the PDF (valid, its text, any
script, images) and the CSV (formula-safe), and a bounded number of queries."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pdf_text import page_count, pdf_text
from PIL import Image
from query_count import count_queries

from core.errors import NotFoundError, ValidationError
from core.library import sheet_pdf
from core.review import sheets
from core.review.readiness import Readiness

ACTOR = "ana"


def _png(colour="red", size=(60, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _words(text: str) -> str:
    return " ".join(text.split())


def _csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")            # UTF-8 with a BOM
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def story(film):
    """Brick in scenes 1, 2, 4, 7: muddy from 2 (with a new description), torn added
    in 4, which does not carry forward (so 7 resets); Patio in 1 and 4; the Porsche
    first in 4; Steel only in 2."""
    film.place("Brick", 1, 2, 4, 7)
    film.place("Patio", 1, 4)
    film.place("Steel", 2)
    film.place("Porsche", 4)
    film.edit(film.instance_in(2, "Brick"), status_tags=["muddy"],
              description_override="Brick, shirt caked in mud")
    four = film.instance_in(4, "Brick")
    film.edit(four, status_tags=["muddy", "torn"], carry_forward=False)
    return film


# --- the rows ------------------------------------------------------------------------

def test_scene_sheet_groups_assets_by_type_with_their_state_and_changes(story):
    desk = story.desk
    sheet = desk._read(sheets.scene_sheet, story.scenes[4].id)
    assert sheet.scene.scene_number == 4 and sheet.project_name == "Brick & Steel"
    assert sheet.branch_name == "Main"
    assert [(t, [e.asset_name for e in es]) for t, es in sheet.groups()] == [
        ("Characters", ["Brick"]), ("Locations", ["Patio"]), ("Props", ["Porsche"])]
    brick, patio, porsche = sheet.entries
    # Inherited from scene 2: the description written there, the tags edited here.
    assert brick.description == "Brick, shirt caked in mud"
    assert brick.tags == ["muddy", "torn"]
    assert brick.previous_scene_label == "2" and brick.since == "since scene 2"
    assert brick.tags_added == ["torn"] and brick.tags_removed == []
    assert not brick.description_changed and not brick.reset
    assert brick.changes == ["+torn"]
    # Patio skips scene 2: its previous appearance is scene 1, unchanged.
    assert patio.previous_scene_label == "1" and patio.changes == ["unchanged"]
    assert patio.description == "Sunlit patio with terracotta tiles"
    assert porsche.previous_scene_label is None and porsche.changes == ["first appearance"]
    assert porsche.since == ""
    assert not sheet.readiness.ready and sheet.status.startswith("Not ready: ")
    assert all("no image" in e.flags for e in sheet.entries)


def test_asset_sheet_lists_every_appearance_in_story_order(story):
    desk = story.desk
    sheet = desk._read(sheets.asset_sheet, story.assets["Brick"].id, None)
    assert sheet.branch_scenes == 4 and sheet.asset.name == "Brick"
    rows = sheet.entries
    assert [e.scene_number for e in rows] == [1, 2, 4, 7]
    assert [e.tags for e in rows] == [[], ["muddy"], ["muddy", "torn"], []]
    assert [e.previous_scene_label for e in rows] == [None, "1", "2", "4"]
    assert [e.description_changed for e in rows] == [False, True, False, True]
    assert rows[1].tags_added == ["muddy"]
    # Scene 4 does not carry forward: scene 7 is reset to the master (I3).
    assert rows[3].reset and rows[3].tags_removed == ["muddy", "torn"]
    assert rows[3].description == story.assets["Brick"].description
    assert rows[3].changes == ["−muddy", "−torn", "description changed", "reset to master"]


def test_asset_sheet_of_another_branch_and_of_an_absent_asset(story):
    desk = story.desk
    branch = desk.create_branch(story.project.id, "Alt", up_to_scene_number=2, actor=ACTOR)
    sheet = desk._read(sheets.asset_sheet, story.assets["Brick"].id, branch.id)
    assert sheet.branch_name == "Alt" and [e.scene_number for e in sheet.entries] == [1, 2]
    empty = desk._read(sheets.asset_sheet, story.assets["Revolver"].id, None)
    assert empty.entries == []
    text = _words(pdf_text(_asset_pdf(desk, story.assets["Revolver"].id)))
    assert "does not appear in any scene of this branch" in text


def test_unknown_ids_and_formats_are_refused(story):
    desk = story.desk
    with pytest.raises(NotFoundError):
        desk.scene_sheet("no-such-scene")
    with pytest.raises(NotFoundError):
        desk.asset_sheet("no-such-asset", format="csv")
    with pytest.raises(ValidationError, match="PDF or CSV"):
        desk.scene_sheet(story.scenes[1].id, format="docx")
    assert desk.scene_sheet(story.scenes[1].id, format=" CSV ").startswith(b"\xef\xbb\xbf")


# --- the PDF -------------------------------------------------------------------------

def _scene_pdf(desk, scene_id: str, **kw) -> bytes:
    sheet = desk._read(sheets.scene_sheet, scene_id)
    return sheet_pdf.scene_pdf(sheet, sheet_pdf.thumbnails(desk.images.store),
                               compress=False, **kw)


def _asset_pdf(desk, asset_id: str, branch_id=None) -> bytes:
    sheet = desk._read(sheets.asset_sheet, asset_id, branch_id)
    return sheet_pdf.asset_pdf(sheet, sheet_pdf.thumbnails(desk.images.store),
                               compress=False)


def test_scene_pdf_is_a_valid_pdf_holding_the_scene_and_its_assets(story):
    desk = story.desk
    data = desk.scene_sheet(story.scenes[4].id)
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert re.search(rb"/Type /Catalog", data) and page_count(data) == 1
    text = _words(pdf_text(_scene_pdf(desk, story.scenes[4].id)))
    for needed in ("Scene 4 · INT. SCENE 4 - DAY", "Brick & Steel · branch Main",
                   "Characters (1)", "Locations (1)", "Props (1)", "Brick, shirt caked in mud",
                   "muddy, torn", "since scene 2", "+torn", "first appearance",
                   "Not ready: 3 blockers"):
        assert needed in text, needed


def test_asset_pdf_lists_every_appearance_and_runs_over_pages(desk):
    project = desk.create_project("Long", actor=ACTOR)
    for n in range(1, 31):
        desk.add_scene(project.id, n, f"INT. ROOM {n} - DAY", story_day=1 + n // 10)
    asset = desk.add_asset(project.id, "Mira", "character", "Tall, green coat")
    desk.inherit_scenes([s.id for s in desk.scenes(project.id)],
                        {s.id: [asset.id] for s in desk.scenes(project.id)}, actor=ACTOR)
    data = _asset_pdf(desk, asset.id)
    assert page_count(data) >= 2
    text = pdf_text(data)
    assert "INT. ROOM 1 - DAY" in text and "INT. ROOM 30 - DAY" in text
    assert text.index("INT. ROOM 2 - DAY") < text.index("INT. ROOM 29 - DAY")
    assert "Mira · character" in text and "In 30 of 30 scenes" in text
    assert text.count("Heading") == page_count(data)           # the header row repeats


def test_thumbnails_of_the_stored_images_and_a_missing_file(story):
    desk = story.desk
    brick = story.instance_in(4, "Brick")
    patio = story.instance_in(4, "Patio")
    desk.upload_image(brick.id, _png("red"), "brick.png", actor=ACTOR)
    desk.upload_image(patio.id, _png("blue", (160, 90)), "patio.png", actor=ACTOR)
    data = _scene_pdf(desk, story.scenes[4].id)
    assert len(re.findall(rb"/Subtype /Image", data)) == 2
    assert _words(pdf_text(data)).count("no image") == 2      # Porsche: cell and flag
    # A file gone from the image store shows as "no image"; nothing fails.
    desk.images.store.delete(desk.get_instance(patio.id).image_key)
    data = _scene_pdf(desk, story.scenes[4].id)
    assert len(re.findall(rb"/Subtype /Image", data)) == 1
    load = sheet_pdf.thumbnails(desk.images.store)
    thumb = load(desk.get_instance(brick.id).image_key)
    assert thumb.size == (sheet_pdf.THUMB_PX, sheet_pdf.THUMB_PX)
    assert load(None) is None and load("project_x/none.png") is None
    # Files with the same bytes are decoded once.
    porsche = story.instance_in(4, "Porsche")
    desk.upload_image(porsche.id, _png("red"), "same.png", actor=ACTOR)
    assert load(desk.get_instance(porsche.id).image_key) is thumb


HOSTILE = ("=HYPERLINK(\"http://evil\")", "<script>alert(1)</script>", "Zoë Ångström",
           "Мария", "Δημήτρης", "李小龍", "محمد", "🦖 T-Rex", "e\u0301clair")


def test_non_latin_and_hostile_text_never_breaks_the_pdf(desk):
    project = desk.create_project("Ünïcode ✓ 映画", actor=ACTOR)
    scene = desk.add_scene(project.id, 1, "INT. ДОМ / 家 - NIGHT",
                           end_state_summary="Everyone leaves 🚪 (quietly)\\ \\n ) (")
    ids = [desk.add_asset(project.id, name, "character", f"{name}: coat ) ( \\ 🧥").id
           for name in HOSTILE]
    desk.inherit_scene(scene.id, ids, actor=ACTOR)
    data = _scene_pdf(desk, scene.id)
    assert data.startswith(b"%PDF-") and page_count(data) >= 1
    text = pdf_text(data)
    assert "INT. ДОМ / ? - NIGHT" in text               # DejaVu has no CJK: `?`
    for shown in ("Zoë Ångström", "Мария", "Δημήτρης", "<script>alert(1)</script>",
                  "=HYPERLINK(\"http://evil\")", "???", "éclair", "(quietly)\\ \\n ) ("):
        assert shown in text, shown
    assert desk.asset_sheet(ids[0]).startswith(b"%PDF-")


def test_text_longer_than_a_page_is_cut_so_every_row_fits(desk):
    project = desk.create_project("Long text", actor=ACTOR)
    scene = desk.add_scene(project.id, 1, "INT. " + "VERY LONG HEADING " * 16,
                           end_state_summary="x " * 1900)
    words = desk.add_asset(project.id, "N" * 120, "character", "word " * 799 + "end")
    lines = desk.add_asset(project.id, "Lines", "prop", "line\n" * 700 + "last")
    desk.inherit_scene(scene.id, [words.id, lines.id], actor=ACTOR)
    inst = desk.scene_instances(scene.id)[0]
    desk.update_instance(inst.id, expected_version=inst.version, actor=ACTOR,
                         status_tags=[f"tag-{k}-" + "x" * 8 for k in range(20)])
    data = _scene_pdf(desk, scene.id)
    text = _words(pdf_text(data))
    assert text.count("(cut here: the CSV has the full text)") == 2
    assert "tag-19-" in text and "end" not in text.split() and "last" not in text.split()
    assert _asset_pdf(desk, words.id).startswith(b"%PDF-")
    rows = _csv_rows(desk.scene_sheet(scene.id, format="csv"))
    assert rows[0]["description"].endswith("end") and rows[1]["description"].endswith("last")


def test_the_cleaner_drops_invisible_characters_and_replaces_unknown_ones():
    pdf = sheet_pdf._Sheet("portrait", "f", compress=False)
    assert pdf.clean("a\u200bb\u202ec\x00d\x1b[31me\tf\ud800g") == "abcd[31me fg"
    assert pdf.clean("line\nnext") == "line\nnext"
    assert pdf.clean("李") == "?" and pdf.clean(None) == ""


def test_without_dejavu_the_core_font_draws_latin1_and_replaces_the_rest(story,
                                                                          monkeypatch):
    monkeypatch.setattr(sheet_pdf, "font_files", lambda: None)
    desk = story.desk
    desk.add_asset(story.project.id, "Zoë 李 🦖", "prop", "Café − “quoted” …")
    zoe = [a for a in desk.assets(story.project.id) if a.name.startswith("Zoë")][0]
    desk.inherit_scene(story.scenes[4].id, [zoe.id], actor=ACTOR)
    data = _scene_pdf(desk, story.scenes[4].id)
    assert b"/BaseFont /Helvetica" in data and b"DejaVu" not in data
    text = pdf_text(data)
    assert "Zoë ? ?" in text and 'Café - "quoted" ...' in text


def test_a_scene_without_assets_still_makes_a_sheet(story):
    data = _scene_pdf(story.desk, story.scenes[7].id)
    text = _words(pdf_text(data))
    assert "No assets in this scene yet." in text or "Brick" in text
    empty = story.desk.add_scene(story.project.id, 9, "EXT. NOWHERE - DAY")
    text = _words(pdf_text(_scene_pdf(story.desk, empty.id)))
    assert "No assets in this scene yet." in text and "Not ready: 1 blocker" in text


def test_status_line_of_a_ready_scene():
    sheet = sheets.SceneSheet("P", "Main", None, Readiness("s", True, []), [])
    assert sheet.status == "Ready, not signed off yet"


# --- the CSV -------------------------------------------------------------------------

def test_scene_csv_rows_and_columns(story):
    rows = _csv_rows(story.desk.scene_sheet(story.scenes[4].id, format="csv"))
    assert [r["asset"] for r in rows] == ["Brick", "Patio", "Porsche"]
    brick = rows[0]
    assert brick["scene"] == "4" and brick["label"] == "4" and brick["type"] == "character"
    assert brick["tags"] == "muddy; torn" and brick["tags added"] == "torn"
    assert brick["previous appearance"] == "2" and brick["description changed"] == "no"
    assert brick["description"] == "Brick, shirt caked in mud"
    assert brick["flags"] == "no image" and brick["scene status"].startswith("Not ready")
    assert rows[2]["previous appearance"] == "" and rows[2]["heading"] == "INT. SCENE 4 - DAY"


def test_asset_csv_rows_in_story_order(story):
    rows = _csv_rows(story.desk.asset_sheet(story.assets["Brick"].id, format="csv"))
    assert [r["scene"] for r in rows] == ["1", "2", "4", "7"]
    assert [r["reset to master"] for r in rows] == ["no", "no", "no", "yes"]
    assert rows[3]["tags removed"] == "muddy; torn" and "scene status" not in rows[0]


def test_csv_cells_that_would_run_as_formulas_are_kept_as_text(desk):
    project = desk.create_project("P", actor=ACTOR)
    scene = desk.add_scene(project.id, 1, "=cmd|' /C calc'!A0", label="@SUM(A1)")
    a = desk.add_asset(project.id, "+Evil", "character", "-2+3 overwritten")
    b = desk.add_asset(project.id, "Zoë 李 🦖", "prop", "@import")
    desk.inherit_scene(scene.id, [a.id, b.id], actor=ACTOR)
    inst = desk.scene_instances(scene.id)[0]
    desk.update_instance(inst.id, expected_version=inst.version, actor=ACTOR,
                         status_tags=["muddy"])
    for data in (desk.scene_sheet(scene.id, format="csv"),
                 desk.asset_sheet(a.id, format="csv")):
        rows = _csv_rows(data)
        cells = [v for r in rows for v in r.values()]
        assert not any(v.startswith(("=", "+", "-", "@")) for v in cells)
        assert rows[0]["heading"] == "'=cmd|' /C calc'!A0" and rows[0]["label"] == "'@SUM(A1)"
        assert rows[0]["asset"] == "'+Evil" and rows[0]["description"] == "'-2+3 overwritten"
    rows = _csv_rows(desk.scene_sheet(scene.id, format="csv"))
    assert rows[1]["asset"] == "Zoë 李 🦖" and rows[1]["description"] == "'@import"


# --- film scale: a bounded number of queries -----------------------------------------

def _long_film(desk, n: int):
    project = desk.create_project(f"Film {n}", actor=ACTOR)
    for k in range(1, n + 1):
        desk.add_scene(project.id, k, f"INT. ROOM {k} - DAY")
    scenes = desk.scenes(project.id)
    assets = [desk.add_asset(project.id, f"Asset {k}", ("character", "location", "prop")[k % 3],
                             f"Description {k}") for k in range(n)]
    # Asset 0 in every scene; every asset in the last scene.
    desk.inherit_scenes([s.id for s in scenes],
                        {s.id: [a.id for a in assets] if s is scenes[-1] else [assets[0].id]
                         for s in scenes}, actor=ACTOR)
    return scenes, assets


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_sheets_read_in_the_same_number_of_statements_at_3_and_30(desk, fmt):
    counts = {}
    for n in (3, 30):
        scenes, assets = _long_film(desk, n)
        first = desk.scene_instances(scenes[-1].id)[0]
        desk.upload_image(first.id, _png(), "a.png", actor=ACTOR)
        with count_queries(desk) as scene_q:
            desk.scene_sheet(scenes[-1].id, format=fmt)       # n assets in the scene
        with count_queries(desk) as asset_q:
            desk.asset_sheet(assets[0].id, format=fmt)        # n appearances
        counts[n] = (scene_q.count, asset_q.count)
    assert counts[3] == counts[30], counts
    assert max(counts[30]) <= 12, counts
