"""Screenplay rules N1-N5 (DESIGN §3 "Import and export"): what the parser makes of a
screenplay and what the import stores, on the shared samples and on scripts written
here (tests/unit/screenplays/big_top.fountain covers every rule at once)."""

from __future__ import annotations

from pathlib import Path

import pytest
from desk_factory import make_desk
from import_support import HERE, SAMPLE

from core.intake.headings import place_key, split_heading
from core.intake.screenplay import parse_screenplay

ACTOR = "ana"
CYBER_BOB = SAMPLE.with_name("cyber-bob-ep1.fountain")
BIG_TOP = HERE / "big_top.fountain"


@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


@pytest.fixture(scope="module")
def big_top():
    return parse_screenplay(BIG_TOP.read_text())


@pytest.fixture(scope="module")
def cyber_bob():
    return parse_screenplay(Path(CYBER_BOB).read_text())


def imported(desk, text: str, **kw):
    rep = desk.import_screenplay_as_project("Film", text, actor=ACTOR, **kw)
    return rep, desk.scenes(rep.project_id), {a.name: a for a in desk.assets(rep.project_id)}


def mapped(desk, scene_id) -> set[str]:
    """The assets the import mapped to the scene: placed there (I7) or still to place."""
    placed = {i.project_asset_id for i in desk.scene_instances(scene_id)}
    return placed | set(desk.inherit_candidates(scene_id))


def names(assets: dict, ids) -> set[str]:
    by_id = {a.id: n for n, a in assets.items()}
    return {by_id[i] for i in ids}


# --- N1 headings ---------------------------------------------------------------------

PREFIXES = """EXT. PARK - DAY

ANNA waits.

EXT/INT. BUS - NIGHT

BOB
On board.

INT./EXT. CAR--DUSK

CARA
Drive.

EXT./INT. SHED - DAY

DAN
In.

I/E TRAIN - MORNING

ELLA
Tickets.

INT HALL - LATER

FRED
Late.

.UNDERWATER

GINA
Blub.
"""


def test_N1_every_prefix_and_separator_starts_a_scene():
    p = parse_screenplay(PREFIXES)
    got = [(s.heading, s.setting, s.location, s.time_of_day, s.cues) for s in p.scenes]
    assert got == [
        ("EXT. PARK - DAY", "EXT", "Park", "DAY", []),
        ("EXT/INT. BUS - NIGHT", "INT/EXT", "Bus", "NIGHT", ["BOB"]),
        ("INT./EXT. CAR--DUSK", "INT/EXT", "Car", "DUSK", ["CARA"]),
        ("EXT./INT. SHED - DAY", "INT/EXT", "Shed", "DAY", ["DAN"]),
        ("I/E TRAIN - MORNING", "INT/EXT", "Train", "MORNING", ["ELLA"]),
        ("INT HALL - LATER", "INT", "Hall", "LATER", ["FRED"]),
        ("UNDERWATER", None, None, None, ["GINA"]),
    ]
    assert [s.forced for s in p.scenes] == [False] * 6 + [True]   # only `.` forces
    assert "BOB" not in p.scenes[0].excerpt                        # nothing merged


@pytest.mark.parametrize(("heading", "location", "time", "qualifiers"), [
    ("EXT. PARK--DAY", "Park", "DAY", []),
    ("EXT. BIG TOP - NIGHT [CONTINUOUS]", "Big Top", "NIGHT", ["CONTINUOUS"]),
    ("EXT. BIG-TOP - NIGHT / LATER", "Big-Top", "NIGHT", ["LATER"]),
    ("INT. HOSPITAL ROOM - DAY [Reality]", "Hospital Room", "DAY", ["REALITY"]),
    ("INT. DINER - NIGHT [FLASHBACK]", "Diner", "NIGHT", ["FLASHBACK"]),
    ("INT. DINER - NIGHT (1973)", "Diner", "NIGHT", ["1973"]),
    ("EXT. FARM (PRESENT) - DAWN", "Farm", "DAWN", ["PRESENT"]),
    ("EXT. BEACH — MAGIC HOUR", "Beach", "MAGIC HOUR", []),
    ("INT. OFFICE - MOMENTS LATER", "Office", "MOMENTS LATER", []),
    ("INT. OFFICE - SAME", "Office", "SAME", []),
    ("INT. OFFICE – CONTINUOUS", "Office", "CONTINUOUS", []),
    ("EXT. ROAD - MOVING - DUSK", "Road", "DUSK", ["MOVING"]),
    ("INT. LAB - THREE WEEKS LATER", "Lab", "THREE WEEKS LATER", []),
    ("INT. CAFE - DAY - SUMMER 1985", "Cafe", "DAY", ["SUMMER 1985"]),
])
def test_N1_time_of_day_and_qualifiers_are_scene_data_not_names(heading, location, time,
                                                                qualifiers):
    h = split_heading(heading)
    assert (h.location, h.time_of_day, h.qualifiers) == (location, time, qualifiers)


def test_N1_scene_data_is_stored_copied_to_branches_and_kept_for_hand_made_scenes(desk,
                                                                                big_top):
    rep, scenes, _ = imported(desk, BIG_TOP.read_text())
    got = [(s.heading, s.setting, s.time_of_day, s.qualifiers) for s in scenes[1:5]]
    assert got == [
        ("EXT. BIG TOP - NIGHT [CONTINUOUS]", "EXT", "NIGHT", ["CONTINUOUS"]),
        ("EXT/INT. BIG-TOP - NIGHT / LATER", "INT/EXT", "NIGHT", ["LATER"]),
        ("INT. BLOOM HOUSE - KITCHEN - DAY (1973)", "INT", "DAY", ["1973"]),
        ("INT. BLOOM HOUSE / STAIRS - MORNING [FLASHBACK]", "INT", "MORNING", ["FLASHBACK"]),
    ]
    assert [(o.time_of_day, o.qualifiers) for o in rep.scenes[1:3]] == [
        ("NIGHT", ["CONTINUOUS"]), ("NIGHT", ["LATER"])]          # the preview shows them
    branch = desk.create_branch(rep.project_id, "Alt", from_branch_id=None,
                                up_to_scene_number=5, actor=ACTOR)
    copied = desk.scenes(rep.project_id, branch_id=branch.id)
    assert [(s.time_of_day, s.qualifiers) for s in copied] == [
        (s.time_of_day, s.qualifiers) for s in scenes[:5]]
    s = desk.add_scene(rep.project_id, 50, "EXT. QUARRY - DUSK [DREAM]")
    assert (s.time_of_day, s.qualifiers, s.setting) == ("DUSK", ["DREAM"], "EXT")


def test_N1_prologue_with_someone_in_it_is_a_scene(desk, big_top):
    first = big_top.scenes[0]
    assert first.prologue and first.heading == "PROLOGUE" and first.heard == ["EDWARD"]
    assert big_top.prologue.startswith("A river at dawn.")
    _, scenes, assets = imported(desk, BIG_TOP.read_text())
    assert scenes[0].heading == "PROLOGUE" and scenes[1].heading.startswith("EXT. BIG TOP")
    assert "There are some fish" in scenes[0].script_excerpt
    assert names(assets, mapped(desk, scenes[0].id)) == {"Edward"}


def test_N1_prologue_without_anyone_is_kept_as_project_text(desk, cyber_bob):
    assert not cyber_bob.scenes[0].prologue and cyber_bob.scenes[0].heading == "EXT. PARK--DAY"
    assert "Public Domain Dedication" in cyber_bob.prologue
    assert "FADE IN" not in cyber_bob.prologue
    rep, scenes, _ = imported(desk, CYBER_BOB.read_text())
    assert len(scenes) == 3
    assert "Public Domain Dedication" in desk.get_project(rep.project_id).script_prologue
    assert any("prologue" in w for w in rep.warnings)
    again = desk.import_screenplay(rep.project_id, CYBER_BOB.read_text(), actor=ACTOR)
    assert not again.changed and not any("prologue" in w for w in again.warnings)


# --- N2 locations ----------------------------------------------------------------------

PLACES = """EXT. BIG TOP - DAY

ANNA
One.

INT. BIG-TOP - NIGHT

ANNA
Two.

EXT. Big Top - Night [Continuous]

ANNA
Three.

EXT. Big-Top - Night / Later

ANNA
Four.

EXT. THE BIG TOP. - DAWN

ANNA
Five.
"""


def test_N2_one_location_per_place_by_a_normalized_key(desk):
    assert len({place_key(x) for x in ("BIG TOP", "BIG-TOP", "Big Top", "big top.",
                                       "The Big Top", "BIG  TOP")}) == 1
    assert place_key("BRICK'S POOL") == place_key("Bricks Pool")
    assert place_key("MAIN ST.") == place_key("Main Street")
    assert place_key("ST. MARY'S CHURCH") != place_key("STREET MARY'S CHURCH")
    p = parse_screenplay(PLACES)
    assert [(loc.name, loc.scenes) for loc in p.locations] == [("Big Top", [1, 2, 3, 4, 5])]
    _, scenes, assets = imported(desk, PLACES)
    assert [n for n, a in assets.items() if a.asset_type == "location"] == ["Big Top"]
    assert all("Big Top" in names(assets, mapped(desk, s.id)) for s in scenes)


def test_N2_sub_location_records_its_parent(desk, big_top):
    kitchen = big_top.location("bloom house kitchen")
    stairs = big_top.location("bloom house stairs")
    assert (kitchen.name, kitchen.parent_key) == ("Bloom House - Kitchen", "bloom house")
    assert stairs.parent_key == "bloom house"
    assert big_top.location("bloom house").scenes == []
    rep, scenes, assets = imported(desk, BIG_TOP.read_text())
    house = assets["Bloom House"]
    assert assets["Bloom House - Kitchen"].parent_asset_id == house.id
    assert assets["Bloom House - Stairs"].parent_asset_id == house.id
    assert {o.name: o.parent for o in rep.assets if o.parent} == {
        "Bloom House - Kitchen": "Bloom House", "Bloom House - Stairs": "Bloom House"}
    in_kitchen = names(assets, mapped(desk, scenes[3].id))
    assert "Bloom House - Kitchen" in in_kitchen and "Bloom House" not in in_kitchen


# --- N3 characters ----------------------------------------------------------------------

def test_N3_a_dual_cue_maps_both_characters(desk, big_top):
    last = big_top.scenes[-1]
    assert last.cues == ["WILL", "EDWARD", "ADULT EDWARD"]      # WILL & EDWARD, WILL/ADULT EDWARD
    assert big_top.scenes[2].cues[-2:] == ["EDWARD", "WILL"]    # EDWARD AND WILL
    assert not any(" AND " in c.key or "&" in c.key or "/" in c.key
                   for c in big_top.characters)
    _, scenes, assets = imported(desk, BIG_TOP.read_text())
    assert {"Will", "Edward", "Adult Edward"} <= names(assets, mapped(desk, scenes[-1].id))


def test_N3_voice_and_crowd_cues_are_unticked_candidates(desk, big_top):
    voices = {c.key: c.kind for c in big_top.voice_candidates}
    assert voices == {"THE CROWD": "crowd", "A MAN'S VOICE": "voice", "MAN'S VOICE": "voice",
                      "WOMAN'S VOICE": "voice"}                 # each its own: never one "Voice"
    assert all(c.reason for c in big_top.voice_candidates)
    assert not any(c.key in voices for c in big_top.characters)
    heard = parse_screenplay("INT. FLAT - DAY\n\nMOM (O.S.)\nDinner!\n\nANNA\nComing.\n\n"
                             "EXT. YARD - DAY\n\nANNA (V.O.)\nI never went back.\n\n"
                             "POLICE RADIO\nAll units.\n")
    assert [c.key for c in heard.voice_candidates] == ["MOM", "POLICE RADIO"]
    assert "only heard" in heard.voice_candidates[0].reason
    assert heard.scenes[1].heard == ["ANNA"] and "ANNA" not in heard.scenes[1].cues   # V.O.
    assert heard.character("ANNA").scenes == [1]
    rep, _, assets = imported(desk, BIG_TOP.read_text())
    assert not any("Voice" in n or "Crowd" in n for n in assets)
    assert {c.key for c, kind in rep.candidates if kind} == set()   # unticked
    rep2 = desk.import_screenplay(rep.project_id, BIG_TOP.read_text(), actor=ACTOR,
                                  create_candidates={"THE CROWD": "character"})
    assert [a.name for a in rep2.assets if a.action == "create"] == ["The Crowd"]


def test_N3_looks_are_separate_characters_suggested_never_merged_by_default(desk, big_top):
    looks = {(p.alias_key, p.name_key) for p in big_top.looks}
    assert looks == {("YOUNG EDWARD", "EDWARD"), ("ADULT EDWARD", "EDWARD"),
                     ("EDWARD (10)", "EDWARD")}
    assert all(p.reason for p in big_top.looks)
    rep, _, assets = imported(desk, BIG_TOP.read_text())
    edward = assets["Edward"]
    for look in ("Young Edward", "Adult Edward", "Edward (10)"):
        assert assets[look].look_of_asset_id == edward.id
        assert look not in edward.aliases
    assert {o.name: o.look_of for o in rep.assets if o.look_of} == {
        "Young Edward": "Edward", "Adult Edward": "Edward", "Edward (10)": "Edward"}
    siblings = parse_screenplay("INT. CAR - NIGHT\n\nYOUNG JENNY\nNo!\n\nJENNY (OLD)\nYes.\n\n"
                                "SENIOR EDWARD\nHm.\n\nEDWARD\nHa.\n")
    assert {(p.alias_key, p.name_key) for p in siblings.looks} == {
        ("JENNY (OLD)", "YOUNG JENNY"), ("SENIOR EDWARD", "EDWARD")}
    # the producer may merge a look: then it is an alias
    merge = [p.pair for p in big_top.alias_proposals if p.kind == "alias"]
    _, _, merged = imported(desk, BIG_TOP.read_text(),
                            merge_aliases=[*merge, ("EDWARD", "YOUNG EDWARD")])
    assert "Young Edward" in merged["Edward"].aliases and "Young Edward" not in merged


def test_N3_variants_of_a_generic_noun_are_different_people(big_top):
    keys = {c.key for c in big_top.characters}
    assert {"GIRL", "LITTLE GIRL", "PRETTY GIRL"} <= keys
    assert not any("GIRL" in p.alias_key for p in big_top.alias_proposals)


def test_N3_a_character_introduced_in_capitals_is_found_even_if_it_never_speaks(desk,
                                                                               cyber_bob,
                                                                               big_top):
    crowd = parse_screenplay("EXT. STREET - DAY\n\nA busy street. NEWSBOYS shout. The "
                             "phone SCREECHES. This is going to be BAD, really bad.\n\n"
                             "SUPER: CHICAGO, 1929\n\nANNA\nHi.\n")
    assert [c.key for c in crowd.characters if not c.speaks] == ["NEWSBOYS"]
    assert crowd.candidates == []
    chihuahuas = cyber_bob.character("SEVEN CHIHUAHUAS")
    assert chihuahuas and not chihuahuas.speaks and chihuahuas.scenes == [3]
    assert "introduced in capitals" in chihuahuas.reason
    assert {c.key for c in big_top.characters if not c.speaks} == {"RINGMASTER", "SEVEN WITCHES"}
    everything = {c.key for c in cyber_bob.characters} | {p.alias_key for p in
                                                          cyber_bob.alias_proposals}
    everything |= {c.key for c in cyber_bob.candidates}
    assert not any("TRANSLATOR" in k or "YIP" in k or "SHRINKER" in k for k in everything)
    assert not any(k in everything for k in ("FWOOSH", "LED", "EXAMINE"))
    assert not any(k in {c.key for c in big_top.characters} | {c.key for c in
                                                                 big_top.candidates}
                   for k in ("LAUGHTER", "APPLAUDS", "PAN UP", "TILT UP", "THUNDER",
                             "ASHTON", "EDWARD'S DINER"))
    _, _, assets = imported(desk, CYBER_BOB.read_text())
    assert "Seven Chihuahuas" in assets
    assert not any("Translator" in a for x in assets.values() for a in (x.name, *x.aliases))


def test_N3_cyber_bob_cue_variants_are_proposed_with_reasons(cyber_bob):
    got = {(p.name_key, p.alias_key, p.kind) for p in cyber_bob.alias_proposals}
    assert {("BOB", "CYBER BOB", "alias"), ("BOSS", "CYBER BOSS", "alias")} <= got
    assert all(p.reason for p in cyber_bob.alias_proposals)


# --- N4 introductions -------------------------------------------------------------------

def test_N4_master_description_is_the_introduction_line_marked_as_from_the_script(desk,
                                                                                big_top):
    _, _, assets = imported(desk, BIG_TOP.read_text())
    edward = assets["Edward"]
    assert edward.description == ("EDWARD BLOOM, 40's and handsome, strides past the cages.")
    assert edward.description_source == "script"
    assert assets["Will"].description == "WILL BLOOM, 30, sets down the SILVER LOCKET."
    assert assets["Seven Witches"].description.startswith("SEVEN WITCHES, all in black")
    girl = assets["Girl"]                                    # never introduced in capitals
    assert girl.description_source == "placeholder" and "Placeholder" in girl.description
    edited = desk.update_asset(edward.id, expected_version=edward.version, actor=ACTOR,
                               description="Edward, as the producer sees him.")
    assert edited.description_source is None and \
        desk.get_asset(edward.id).description_source is None


def test_N4_cyber_bob_introductions(desk):
    _, _, assets = imported(desk, CYBER_BOB.read_text())
    assert assets["Margaret"].description.startswith("He admires a CUTE DOG and MARGARET, 37")
    assert assets["Bob"].description.startswith("CYBER BOB, 40, a white man")   # via the alias
    assert assets["Bob"].description_source == "script"


# --- N5 props ------------------------------------------------------------------------------

def test_N5_props_only_where_the_script_marks_them_unticked_and_per_scene(desk, big_top):
    props = {c.key: c.scenes for c in big_top.prop_candidates}
    assert props == {"SILVER LOCKET": [2, 4]}
    heard = parse_screenplay("INT. HUT - DAY\n\nWe HEAR a CAR HORN. The WITCH, who lives "
                             "here, lifts the GLASS EYE. A car SCREECHES.\n")
    assert [c.key for c in heard.prop_candidates] == ["GLASS EYE"]
    assert [c.key for c in heard.characters] == ["WITCH"]
    sample = parse_screenplay(SAMPLE.read_text())
    assert {c.key for c in sample.prop_candidates} == {"SCREEN DOOR", "PORSCHE"}
    assert all(c.reason and c.suggested_type == "prop" for c in sample.prop_candidates)
    rep, scenes, assets = imported(desk, BIG_TOP.read_text())
    assert "Silver Locket" not in assets
    rep = desk.import_screenplay(rep.project_id, BIG_TOP.read_text(), actor=ACTOR,
                                 create_candidates={"SILVER LOCKET": "prop"})
    assets = {a.name: a for a in desk.assets(rep.project_id)}
    assert assets["Silver Locket"].asset_type == "prop"
    assert "Silver Locket" in names(assets, mapped(desk, scenes[3].id))


# --- storage ---------------------------------------------------------------------------------

def test_screenplay_metadata_survives_a_project_export_and_import(desk):
    rep, _, _ = imported(desk, BIG_TOP.read_text())
    cb, _, _ = imported(desk, CYBER_BOB.read_text())
    for pid in (rep.project_id, cb.project_id):
        back = desk.import_project(desk.export_project(pid), actor=ACTOR, name=f"Copy {pid}")

        def view(project_id):
            scenes = [(s.heading, s.setting, s.time_of_day, s.qualifiers)
                      for s in desk.scenes(project_id)]
            by_id = {a.id: a.name for a in desk.assets(project_id)}
            assets = sorted((a.name, by_id.get(a.parent_asset_id), by_id.get(a.look_of_asset_id),
                             a.description_source) for a in desk.assets(project_id))
            return scenes, assets, desk.get_project(project_id).script_prologue
        assert view(back.project_id) == view(pid)
