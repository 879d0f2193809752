"""Parsing screenplays (core.intake.screenplay): the shared sample, a Fountain file written
to cover the spec, the same script as Final Draft XML, and bad files."""

from __future__ import annotations

import pytest
from import_support import HERE, SAMPLE

from core.errors import ValidationError
from core.intake.screenplay import display_name, parse_heading, parse_screenplay, split_cue

pytestmark = pytest.mark.engine_free   # opens no store (tests/conftest.py)


@pytest.fixture(scope="module")
def sample():
    return parse_screenplay(SAMPLE.read_bytes(), "fountain")


@pytest.fixture(scope="module")
def spec():
    return parse_screenplay((HERE / "harbour.fountain").read_text(), "fountain")


@pytest.fixture(scope="module")
def fdx():
    return parse_screenplay((HERE / "harbour.fdx").read_bytes(), "fdx")


# --- the shared sample ----------------------------------------------------------------

def test_sample_scenes_in_order(sample):
    assert sample.title == "BRICK & STEEL FULL RETIRED"
    assert [s.heading for s in sample.scenes] == [
        "EXT. BRICK'S PATIO - DAY", "INT. TRAILER HOME - DAY", "EXT. BRICK'S POOL - DAY",
        "SNIPER SCOPE POV", "OPENING TITLES", "EXT. WOODEN SHACK - DAY", "INT. GARAGE - DAY",
        "EXT. PALATIAL MANSION - DAY"]
    assert [s.forced for s in sample.scenes] == [False, False, False, True, True, False,
                                                 False, False]
    assert all(s.label is None for s in sample.scenes)


def test_sample_characters_locations_and_aliases(sample):
    assert {c.key: c.scenes for c in sample.characters} == {
        "STEEL": [1, 3, 4, 6, 7], "BRICK": [1, 7], "JACK": [2], "DAN": [2], "COGNITO": [6],
        "MINION": [8], "HANDSOME MAN": [8], "THE BOY BAND": [2]}
    assert [c.name for c in sample.characters][:2] == ["Steel", "Brick"]
    assert [(loc.name, loc.scenes) for loc in sample.locations] == [
        ("Brick's Patio", [1]), ("Trailer Home", [2]), ("Brick's Pool", [3]),
        ("Wooden Shack", [6]), ("Garage", [7]), ("Palatial Mansion", [8])]
    assert {(p.name_key, p.alias) for p in sample.alias_proposals} == {
        ("BRICK", "Brick Braddock"), ("STEEL", "Dick Steel"),
        ("HANDSOME MAN", "Extremely Handsome Man")}
    cands = {c.key: c.scenes for c in sample.candidates}
    assert cands["PORSCHE"] == [7] and not sample.character("THE BOY BAND").speaks
    assert "SLAMMED" not in cands and "DAN" not in cands and "AKA DAN" not in cands
    assert len(sample.warnings) == 2 and "SNIPER SCOPE POV" in sample.warnings[0]


def test_sample_scene_text(sample):
    patio, trailer, _, sniper, titles = sample.scenes[:5]
    assert patio.cues == ["STEEL", "BRICK"]                # dual dialogue BRICK ^ counted
    assert "BRICK\nScrew retirement." in patio.excerpt     # caret gone
    assert "SMASH CUT TO" not in patio.excerpt and "TEST" not in patio.excerpt
    assert "JACK\n(in Vietnamese, subtitled)\nDid you know" in trailer.excerpt
    assert "_" not in trailer.excerpt and "*" not in trailer.excerpt   # emphasis stripped
    assert "Leupold Mark 4" in sniper.excerpt
    assert titles.excerpt.startswith("> BRICK BRADDOCK <") and titles.action_text == ""


# --- a Fountain file covering the spec ----------------------------------------------------

def test_spec_headings_labels_and_scene_data(spec):
    assert spec.title == "Low Water"
    got = [(s.label, s.heading, s.location, s.setting, s.time_of_day, s.qualifiers)
           for s in spec.scenes]
    assert got == [
        ("1", "INT. HARBOUR OFFICE - DAY", "Harbour Office", "INT", "DAY", []),
        ("12A", "EXT. ROOFTOP--NIGHT", "Rooftop", "EXT", "NIGHT", []),
        (None, "SNIPER SCOPE POV", None, None, None, []),
        (None, "int. harbour office - night (1985)", "Harbour Office", "INT", "NIGHT",
         ["1985"]),
        (None, "INT./EXT. RAY'S CAR - MOVING - CONTINUOUS", "Ray's Car", "INT/EXT",
         "CONTINUOUS", ["MOVING"]),
        (None, "I/E HARBOUR OFFICE -- LATER", "Harbour Office", "INT/EXT", "LATER", []),
    ]
    assert [(loc.name, loc.scenes) for loc in spec.locations] == [
        ("Harbour Office", [1, 4, 6]), ("Rooftop", [2]), ("Ray's Car", [5])]


def test_spec_cue_variants_merge_and_numbered_extras_do_not(spec):
    margot = spec.character("MARGOT")
    assert margot.variants == ["MARGOT (V.O.)", "MARGOT", "MARGOT (ON PHONE)"]
    assert margot.scenes == [1]                 # scene 4: MARGOT (ON PHONE), heard, not seen
    assert spec.scenes[3].heard == ["MARGOT"]
    assert spec.character("MCCLANE").name == "McCLANE"          # @forced cue keeps its case
    assert {c.key for c in spec.characters} == {
        "MARGOT", "RAY", "MCCLANE", "DETECTIVE RAY", "COP #1", "COP #2"}
    assert [(p.name_key, p.alias_key, p.speaks) for p in spec.alias_proposals] == [
        ("RAY", "DETECTIVE RAY", True)]


def test_spec_notes_boneyard_sections_and_transitions_are_not_script(spec):
    first = spec.scenes[0]
    assert "check the tone" not in first.excerpt and "A note" not in first.excerpt
    assert "Nothing here" not in first.excerpt                  # boneyard holding a cue
    assert "DETECTIVE RAY enters, dripping.  He sits." in first.excerpt
    assert "ACT ONE" not in first.excerpt and "truth" not in first.excerpt
    assert "CUT TO" not in first.excerpt
    assert "FADE" not in " ".join(s.heading for s in spec.scenes)
    assert [c.key for c in spec.candidates][:1] == ["PORSCHE"]
    assert spec.scenes[4].excerpt.endswith("THE DASHBOARD LIGHTS UP.")
    assert "Row, row" in spec.scenes[1].excerpt                 # lyrics are sung lines


def test_unterminated_boneyard_is_kept_with_a_warning():
    p = parse_screenplay("EXT. PARK - DAY\n\nAnna waits. /* never closed\n\nBOB\nHi.\n")
    assert "Unterminated boneyard" in p.warnings[0]
    assert p.scenes[0].cues == ["BOB"]


# --- Final Draft -------------------------------------------------------------------------

def test_fdx_reads_the_same_script(fdx, spec):
    assert fdx.title == "Low Water"
    assert [(s.label, s.heading, s.location) for s in fdx.scenes] == [
        ("1", "INT. HARBOUR OFFICE - DAY", "Harbour Office"),
        ("12A", "EXT. ROOFTOP--NIGHT", "Rooftop"),
        (None, "INT. HARBOUR OFFICE - NIGHT (1985)", "Harbour Office")]
    assert fdx.scenes[0].cues == ["MARGOT", "RAY"]              # from <DualDialogue>
    assert fdx.scenes[0].shots == ["CLOSE ON the wet hat."]     # Shot -> shot, not scene
    assert "It was a cold morning." in fdx.scenes[0].excerpt    # styled <Text> runs joined
    assert fdx.character("MARGOT").variants == spec.character("MARGOT").variants
    assert [p.pair for p in fdx.alias_proposals] == [("RAY", "DETECTIVE RAY")]


# --- bad files ---------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "fmt", "message"), [
    (b"", "fountain", "empty"),
    ("   \n\n  ", "fountain", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "fountain", "binary"),
    (b"%PDF-1.7\n...", "fountain", "PDF"),
    (b"PK\x03\x04rest", "fdx", "zip"),
    (b"EXT. PARK\xff\xfe bad", "fountain", "UTF-8"),
    ("Just some prose.\n\nNo headings at all.", "fountain", "no scene headings"),
    ("<?xml version='1.0'?><FinalDraft/>", "fountain", "import it as .fdx"),
    ("<FinalDraft><Content><Paragraph>", "fdx", "not well-formed"),
    ("<?xml version='1.0'?><html><body/></html>", "fdx", "not a Final Draft"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
     "<FinalDraft><Content/></FinalDraft>", "fdx", "entities"),
    ("<FinalDraft><Content/></FinalDraft>", "fdx", "no scene headings"),
    ("EXT. PARK - DAY", "pdf", "Unknown screenplay format"),
])
def test_bad_files_are_refused_with_a_message(data, fmt, message):
    with pytest.raises(ValidationError, match=message):
        parse_screenplay(data, fmt)


# --- helpers -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "name"), [
    ("BRICK'S PATIO", "Brick's Patio"), ("O'BRIEN", "O'Brien"), ("McCLANE", "McCLANE"),
    ("harbour office", "Harbour Office"), ("JEAN-LUC", "Jean-Luc"), ("COP #2", "Cop #2"),
])
def test_display_name(raw, name):
    assert display_name(raw) == name


@pytest.mark.parametrize(("heading", "location", "time"), [
    ("EXT. ROOFTOP--NIGHT", "Rooftop", "NIGHT"),
    ("INT. HOUSE - KITCHEN - DAY", "House - Kitchen", "DAY"),
    ("EXT. BEACH — MAGIC HOUR", "Beach", "MAGIC HOUR"),
    ("INT HARBOUR OFFICE – MOMENTS LATER", "Harbour Office", "MOMENTS LATER"),
    ("EST. CITY SKYLINE (1999) - NIGHT", "City Skyline", "NIGHT"),
    ("SNIPER SCOPE POV", None, None),
])
def test_parse_heading(heading, location, time):
    loc, _, tod, _ = parse_heading(heading)
    assert (loc, tod) == (location, time)


def test_split_cue():
    assert split_cue("MARGOT (V.O.) (CONT'D)") == ("MARGOT", ["V.O."])
    assert split_cue("MARGOT (ON PHONE) ^") == ("MARGOT", ["ON PHONE"])
    assert split_cue("@McCLANE") == ("McCLANE", [])
