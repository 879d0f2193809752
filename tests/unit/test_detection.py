"""Deterministic detection (D1) and suggestions (D3)."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from import_support import SAMPLE, table_snapshot

import core
from core.intake.detection import AssetRef, Matcher, detect

ACTOR = "ana"

ASSETS = [
    AssetRef("brick", "Brick", "character", ("Brick Braddock",)),
    AssetRef("mark", "Mark", "character", ()),
    AssetRef("minion", "Minion", "character", ()),
    AssetRef("patio", "Brick's Patio", "location", ("Patio",)),
    AssetRef("porsche", "Porsche", "prop", ()),
    AssetRef("lantern", "Brass Lantern", "prop", ("Lantern",)),
]


def found(text: str, **kw) -> list[tuple[str, str]]:
    return Matcher(ASSETS).find(text, **kw)


@pytest.mark.parametrize(("text", "want"), [
    ("BRICK'S hat", [("brick", "BRICK'S")]),
    ("Brick’s hat", [("brick", "Brick’s")]),
    ("the Bricks' car", [("brick", "Bricks'")]),
    ("two Porsches and a porsche", [("porsche", "Porsches"), ("porsche", "porsche")]),
    ("Bricklayer and Porscheville", []),                       # word boundaries
    ("BRICK\nBRADDOCK waits", [("brick", "BRICK\nBRADDOCK")]),  # names across a line break
    ("the lanterns glow", [("lantern", "lanterns")]),
    ("the brass lantern", [("lantern", "brass lantern")]),      # longest name wins
    ("EXT. BRICK'S PATIO - DAY", [("patio", "BRICK'S PATIO")]),  # not the character Brick
])
def test_names_possessives_plurals_and_boundaries(text, want):
    assert found(text) == want


def test_mark_the_name_and_mark_the_verb():
    # a character whose name is a common word is found only when written as a name
    assert found("She hits her mark. They mark the spot.") == []
    assert found("Mark enters. MARK'S coat. Mark's dog.") == [
        ("mark", "Mark"), ("mark", "MARK'S"), ("mark", "Mark's")]
    assert found("a brick wall, then Brick") == [("brick", "Brick")]
    # other names, locations and props match in any case
    assert found("his minion waits on the patio") == [("minion", "minion"), ("patio", "patio")]


def test_detect_reads_cues_action_shots_and_slugline():
    excerpt = ("Brick walks in. MINION follows.\n\nMARK (V.O.)\nWhere is the lantern?\n\n"
               "BRICK\nOn the table, next to the Porsche keys.\n\n"
               "ROSA\nHello.")
    r = detect("s", "EXT. BRICK'S PATIO - NIGHT", excerpt, ["CLOSE ON the PORSCHE"], ASSETS,
               present_ids={"minion"})
    assert [(d.asset_id, d.reasons[0]) for d in r.relevant] == [
        ("brick", "dialogue cue BRICK"),                 # MARK (V.O.) is heard, not seen
        ("patio", "slugline: BRICK'S PATIO"), ("porsche", "shot 1: PORSCHE")]
    assert r.already_present_ids == ["minion"]
    assert [d.asset_id for d in r.mentioned_only] == ["lantern"]   # only talked about
    assert [(n.name, n.asset_type) for n in r.new_assets_required] == [("Rosa", "character")]


def test_unknown_location_is_a_new_asset():
    r = detect("s", "INT. LIGHTHOUSE - NIGHT", "The LIGHTHOUSE KEEPER waits.", [], ASSETS,
               set())
    assert [(n.name, n.asset_type) for n in r.new_assets_required] == [
        ("Lighthouse", "location")]
    assert r.capitalized == ["LIGHTHOUSE KEEPER"]


# --- against the database: mapping and suggestions ---------------------------------------

@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


@pytest.fixture
def film(desk):
    p = desk.create_project("Brick & Steel", actor=ACTOR)
    desk.import_screenplay(p.id, SAMPLE.read_text(), actor=ACTOR)
    return p


def scene(desk, project, number):
    return next(s for s in desk.scenes(project.id) if s.scene_number == number)


def test_detect_on_an_imported_scene_records_suggestions(desk, film):
    garage = scene(desk, film, 7)
    desk.add_scene(film.id, 9, "INT. DINER - NIGHT",
                   script_excerpt="Brick sits alone.\n\nWAITRESS\nMore coffee?")
    diner = scene(desk, film, 9)
    r = desk.detect_assets(garage.id)
    assert r.relevant == [] and r.new_assets_required == []  # the import placed them (I7)
    assert r.mapped_ids == [] and r.suggestion_ids == []
    r = desk.detect_assets(diner.id, actor=ACTOR)
    assert [d.name for d in r.relevant] == ["Brick"]
    assert {n.name for n in r.new_assets_required} == {"Waitress", "Diner"}
    pending = desk.suggestions(diner.id)
    assert {(s.name, s.asset_type, s.source, s.status) for s in pending} == {
        ("Waitress", "character", "deterministic", "pending"),
        ("Diner", "location", "deterministic", "pending")}
    assert r.suggestion_ids == [s.id for s in pending]
    assert desk.inherit_candidates(diner.id) == r.mapped_ids   # mapped for I5
    # running it again suggests nothing new
    before = table_snapshot(desk)
    desk.detect_assets(diner.id, actor=ACTOR)
    assert table_snapshot(desk) == before


def test_accept_creates_the_asset_and_its_instance(desk, film):
    desk.add_scene(film.id, 9, "INT. DINER - NIGHT", script_excerpt="WAITRESS\nMore coffee?")
    diner = scene(desk, film, 9)
    desk.detect_assets(diner.id, actor=ACTOR)
    waitress = next(s for s in desk.suggestions(diner.id) if s.name == "Waitress")
    accepted, created = desk.accept_suggestion(
        waitress.id, actor=ACTOR, expected_version=waitress.version,
        description="Waitress in a pink uniform")
    assert accepted.status == "accepted" and accepted.decided_by == ACTOR
    asset = desk.get_asset(accepted.project_asset_id)
    assert (asset.name, asset.asset_type, asset.approved) == ("Waitress", "character", True)
    assert asset.description == "Waitress in a pink uniform"
    assert [i.project_asset_id for i in created] == [asset.id]
    assert created[0].scene_id == diner.id and created[0].source_label == "Master"
    with pytest.raises(core.ConflictError, match="already accepted") as err:
        desk.accept_suggestion(waitress.id, actor=ACTOR)
    assert err.value.current.status == "accepted"
    assert [s.name for s in desk.suggestions(diner.id)] == ["Diner"]


def test_accepting_links_an_existing_asset_through_inheritance(desk, film):
    patio = scene(desk, film, 1)
    brick = next(a for a in desk.assets(film.id) if a.name == "Brick")
    first = next(i for i in desk.scene_instances(patio.id)       # populated by the import
                 if i.project_asset_id == brick.id)
    desk.update_instance(first.id, expected_version=first.version, actor=ACTOR,
                         status_tags=["muddy"])
    desk.add_scene(film.id, 9, "INT. DINER - NIGHT", script_excerpt="COOK\nOrder up.")
    diner = scene(desk, film, 9)
    desk.detect_assets(diner.id, actor=ACTOR)
    cook = desk.suggestions(diner.id)[0]
    _, created = desk.accept_suggestion(cook.id, actor=ACTOR, name="Brick",
                                        asset_type="character")
    assert created[0].project_asset_id == brick.id
    assert created[0].status_tags == ["muddy"] and created[0].pending_review  # I1/I2


def test_bad_accept_and_dismiss_write_nothing(desk, film):
    desk.add_scene(film.id, 9, "INT. DINER - NIGHT", script_excerpt="COOK\nOrder up.")
    diner = scene(desk, film, 9)
    desk.detect_assets(diner.id, actor=ACTOR)
    cook = desk.suggestions(diner.id)[0]
    before = table_snapshot(desk)
    with pytest.raises(core.ValidationError, match="already has a location"):
        desk.accept_suggestion(cook.id, actor=ACTOR, name="Garage")
    with pytest.raises(core.ValidationError, match="asset type"):
        desk.accept_suggestion(cook.id, actor=ACTOR, asset_type="vehicle")
    with pytest.raises(core.ConflictError):
        desk.accept_suggestion(cook.id, actor=ACTOR, expected_version=cook.version + 1)
    with pytest.raises(core.NotFoundError):
        desk.dismiss_suggestion("nope", actor=ACTOR)
    with pytest.raises(core.ValidationError, match="detection method"):
        desk.detect_assets(diner.id, method="magic")
    assert table_snapshot(desk) == before
    dismissed = desk.dismiss_suggestion(cook.id, actor=ACTOR)
    assert dismissed.status == "dismissed"
    desk.detect_assets(diner.id, actor=ACTOR)                  # not suggested again
    assert [s.name for s in desk.suggestions(diner.id)] == ["Diner"]
    assert [s.name for s in desk.suggestions(diner.id, status=None)] == ["Cook", "Diner"]
    assert [s.name for s in desk.project_suggestions(film.id, status="dismissed")] == ["Cook"]


def test_detect_without_persisting_writes_nothing(desk, film):
    desk.add_scene(film.id, 9, "INT. DINER - NIGHT", script_excerpt="COOK\nOrder up.")
    before = table_snapshot(desk)
    r = desk.detect_assets(scene(desk, film, 9).id, persist=False)
    assert [n.name for n in r.new_assets_required] == ["Diner", "Cook"]
    assert table_snapshot(desk) == before
    assert desk.suggestions(scene(desk, film, 9).id, status=None) == []   # known, none
