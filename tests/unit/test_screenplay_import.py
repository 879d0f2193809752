"""Screenplay import (Desk.import_screenplay): scenes, merged assets, the per-scene
mapping (I5), previews, idempotence, revised drafts and bad files."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from import_support import HERE, SAMPLE, table_snapshot

import core

ACTOR = "ana"


@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


@pytest.fixture
def snapshot():
    return table_snapshot


@pytest.fixture
def project(desk):
    return desk.create_project("Brick & Steel", actor=ACTOR)


def mapped(desk, scene_id) -> set[str]:
    with desk.db.cursor() as cur:
        rows = cur.execute(
            "SELECT a.name FROM scene_assets m JOIN project_assets a ON a.id = m.project_asset_id "
            "WHERE m.scene_id = ?", [scene_id]).fetchall()
    return {r[0] for r in rows}


def test_sample_becomes_scenes_assets_and_mapping(desk, project):
    rep = desk.import_screenplay(project.id, SAMPLE.read_text(), actor=ACTOR)
    scenes = desk.scenes(project.id)
    assert [s.scene_number for s in scenes] == list(range(1, 9))
    assert rep.scenes_created == [s.id for s in scenes]
    assert scenes[0].heading == "EXT. BRICK'S PATIO - DAY"
    assert "Does a bear crap in the woods?" in scenes[0].script_excerpt
    assets = {a.name: a for a in desk.assets(project.id)}
    assert set(rep.assets_created) == {a.id for a in assets.values()}
    assert {n: (a.asset_type, a.aliases) for n, a in assets.items()} == {
        "Brick": ("character", ["Brick Braddock"]), "Steel": ("character", ["Dick Steel"]),
        "Jack": ("character", []), "Dan": ("character", []), "Cognito": ("character", []),
        "Minion": ("character", []),
        "Handsome Man": ("character", ["Extremely Handsome Man"]),
        "The Boy Band": ("character", []),               # N3: introduced, never speaks
        "Brick's Patio": ("location", []), "Trailer Home": ("location", []),
        "Brick's Pool": ("location", []), "Wooden Shack": ("location", []),
        "Garage": ("location", []), "Palatial Mansion": ("location", [])}
    assert not any(a.approved for a in assets.values())       # placeholders to write
    assert "Placeholder" in assets["Minion"].description      # no introduction line
    assert assets["Brick"].description.startswith("But BRICK BRADDOCK, retired")   # N4
    want = [{"Brick", "Steel", "Brick's Patio"}, {"Jack", "Dan", "Trailer Home", "The Boy Band"},
            {"Steel", "Brick's Pool"}, {"Steel"}, set(),
            {"Brick", "Steel", "Cognito", "Wooden Shack"},       # Brick is seen, not speaking
            {"Brick", "Steel", "Garage"}, {"Minion", "Handsome Man", "Palatial Mansion"}]
    assert [mapped(desk, s.id) for s in scenes] == want
    assert rep.mappings_created == sum(len(w) for w in want)
    # I7: every mapped asset is in its scenes; inheritance has nothing left to offer (I5)
    assert [{i.asset_name for i in desk.scene_instances(s.id)} for s in scenes] == want
    assert len(rep.instances_created) == sum(len(w) for w in want)
    assert desk.inherit_candidates(scenes[1].id) == []


def test_preview_writes_nothing_and_matches_the_import(desk, project, snapshot):
    before = snapshot(desk)
    preview = desk.import_screenplay(project.id, SAMPLE.read_text(), actor=ACTOR, dry_run=True)
    assert snapshot(desk) == before
    assert preview.dry_run and len(preview.scenes_created) == 8
    real = desk.import_screenplay(project.id, SAMPLE.read_text(), actor=ACTOR)

    def view(r):
        return ([(s.heading, s.action, s.assets) for s in r.scenes],
                [(a.name, a.asset_type, a.action, a.aliases) for a in r.assets],
                r.mappings_created, r.warnings)
    assert view(preview) == view(real)
    assert preview.import_id is None and real.import_id


def test_importing_twice_creates_nothing(desk, project, snapshot):
    desk.import_screenplay(project.id, SAMPLE.read_bytes(), actor=ACTOR)
    before = snapshot(desk)
    again = desk.import_screenplay(project.id, SAMPLE.read_bytes(), actor=ACTOR)
    assert snapshot(desk) == before
    assert not again.changed and again.scenes_created == [] and again.assets_created == []
    assert {s.action for s in again.scenes} == {"unchanged"}
    assert len(again.assets_matched) == 14


def test_merges_with_existing_assets(desk, project):
    brick = desk.add_asset(project.id, "Brick", "character", "Retired detective",
                           aliases=["Braddock"])
    desk.add_asset(project.id, "Garage", "prop", "A toy garage")   # same name, other type
    rep = desk.import_screenplay(project.id, SAMPLE.read_text(), actor=ACTOR)
    by = {a.name: a for a in rep.assets}
    assert by["Brick"].action == "match" and by["Brick"].aliases_added == ["Brick Braddock"]
    now = desk.get_asset(brick.id)
    assert now.aliases == ["Braddock", "Brick Braddock"] and now.version == brick.version + 1
    assert now.description == "Retired detective"
    assert by["Garage"].action == "skip" and "prop 'Garage'" in by["Garage"].note
    assert any("Garage" in w for w in rep.warnings)
    garage_scene = desk.scenes(project.id)[6]
    assert mapped(desk, garage_scene.id) == {"Brick", "Steel", "Garage"}   # D1: the prop
    assert len([a for a in desk.assets(project.id) if a.name == "Brick"]) == 1


def test_aliases_need_confirmation_and_candidates_are_opt_in(desk, project):
    text = (HERE / "harbour.fountain").read_text()
    rep = desk.import_screenplay(project.id, text, actor=ACTOR, merge_aliases=[],
                                 create_candidates={"PORSCHE": "prop"})
    names = {a.name: a for a in desk.assets(project.id)}
    assert "Detective Ray" in names and names["Ray"].aliases == []
    assert names["Porsche"].asset_type == "prop"
    assert [c.key for c, kind in rep.candidates if kind] == ["PORSCHE"]
    car = desk.scenes(project.id)[4]
    assert mapped(desk, car.id) == {"Porsche", "Ray's Car"}
    assert {"Cop #1", "Cop #2"} <= set(names)

    other = desk.create_project("Low Water", actor=ACTOR)
    desk.import_screenplay(other.id, text, actor=ACTOR,
                           merge_aliases=[("RAY", "DETECTIVE RAY")])
    names = {a.name: a for a in desk.assets(other.id)}
    assert "Detective Ray" not in names and names["Ray"].aliases == ["Detective Ray"]
    office_night = desk.scenes(other.id)[3]
    assert mapped(desk, office_night.id) == {"Ray", "Harbour Office"}   # MARGOT (ON PHONE)
    with pytest.raises(core.ValidationError, match="not a proposed alias"):
        desk.import_screenplay(other.id, text, actor=ACTOR, merge_aliases=[("RAY", "MARGOT")])
    with pytest.raises(core.ValidationError, match="not a candidate"):
        desk.import_screenplay(other.id, text, actor=ACTOR, create_candidates={"ZED": "prop"})


def test_fdx_import(desk, project):
    rep = desk.import_screenplay(project.id, (HERE / "harbour.fdx").read_bytes(), "fdx",
                                 actor=ACTOR)
    scenes = desk.scenes(project.id)
    assert [(s.scene_number, s.label) for s in scenes] == [(1, "1"), (2, "12A"), (3, "3")]
    assert scenes[0].shots == ["CLOSE ON the wet hat."]
    assert len(rep.scenes_created) == 3


DRAFT_1 = """
INT. OFFICE - DAY #1#

ANNA
Morning.

EXT. PARK - DAY #2#

BEN
Hi.

INT. CAFE - NIGHT #3#

ANNA
Coffee?

EXT. STREET - NIGHT #4#

Ben walks.
"""

DRAFT_2 = """
INT. OFFICE - DAY #1#

ANNA
Morning, Ben.

EXT. PARK - DAY #2#

BEN
Hi.

EXT. PARK BENCH - DAY #2A#

CARLA
New scene.

INT. CAFE - LATE NIGHT #3#

ANNA
Coffee?

EXT. ROOF - DAWN #5#

BEN
The end.
"""


def test_revised_draft_matches_adds_and_reports(desk, project):
    # placement depends on which scenes have instances: here only the one made by hand
    desk.import_screenplay(project.id, DRAFT_1, actor=ACTOR, populate=False)
    first = {s.label: s for s in desk.scenes(project.id)}
    desk.inherit_scene(first["3"].id, actor=ACTOR)            # scene 3 now has instances
    rep = desk.import_screenplay(project.id, DRAFT_2, actor=ACTOR)
    after = desk.scenes(project.id)
    by_label = {s.label: s for s in after}
    assert {k: by_label[k].id for k in "1234"} == {k: first[k].id for k in "1234"}
    assert by_label["3"].scene_number == 3                     # never renumbered
    assert by_label["3"].heading == "INT. CAFE - LATE NIGHT"    # matched by label, updated
    assert "Morning, Ben." in by_label["1"].script_excerpt
    assert [s.action for s in rep.scenes] == ["update", "unchanged", "create", "update",
                                              "create"]
    # no free number between 2 and 3 and scene 3 has instances: 2A goes to the end;
    # the new scene 5 fits after 3 by shifting the instance-less scene 4 (and 2A)
    assert by_label["5"].scene_number == 4 and by_label["4"].scene_number == 5
    assert by_label["2A"].scene_number == 6
    assert any("2A" in w and "renumber" in w and "scene 6" in w for w in rep.warnings)
    assert [(m.label, m.instance_count) for m in rep.missing_scenes] == [("4", 0)]
    assert by_label["4"].id == first["4"].id                   # reported, not deleted


def test_new_scene_goes_into_a_gap_or_shifts_scenes_without_instances(desk, project):
    desk.import_screenplay(project.id, DRAFT_1, actor=ACTOR, populate=False)
    rep = desk.import_screenplay(project.id, DRAFT_2, actor=ACTOR)
    by_label = {s.label: s.scene_number for s in desk.scenes(project.id)}
    # nothing has instances: 2A is inserted after 2 and 5 after 3, later scenes shift
    assert by_label == {"1": 1, "2": 2, "2A": 3, "3": 4, "5": 5, "4": 6}
    assert not any("renumber" in w for w in rep.warnings)

    gappy = desk.create_project("Gaps", actor=ACTOR)
    desk.add_scene(gappy.id, 1, "INT. OFFICE - DAY", label="1")
    desk.add_scene(gappy.id, 10, "EXT. PARK - DAY", label="2")
    keep = desk.scenes(gappy.id)[1]
    desk.add_asset(gappy.id, "Ben", "character", "Ben")
    desk.inherit_scene(keep.id, actor=ACTOR)
    desk.import_screenplay(gappy.id, DRAFT_2, actor=ACTOR)
    numbers = {s.label: s.scene_number for s in desk.scenes(gappy.id)}
    assert numbers == {"1": 1, "2": 10, "2A": 11, "3": 12, "5": 13}


def test_bad_file_writes_nothing(desk, project, snapshot):
    desk.import_screenplay(project.id, SAMPLE.read_text(), actor=ACTOR)
    before = snapshot(desk)
    for data, fmt in ((b"\x00\x01\x02binary", "fountain"), (b"", "fountain"),
                      (b"<FinalDraft><Content>", "fdx")):
        with pytest.raises(core.ValidationError):
            desk.import_screenplay(project.id, data, fmt, actor=ACTOR)
    with pytest.raises(core.ValidationError, match="Actor"):
        desk.import_screenplay(project.id, SAMPLE.read_text(), actor=" ")
    with pytest.raises(core.NotFoundError):
        desk.import_screenplay("nope", SAMPLE.read_text(), actor=ACTOR)
    assert snapshot(desk) == before


def test_import_into_another_branch(desk, project):
    desk.add_scene(project.id, 1, "INT. SOMEWHERE - DAY")
    branch = desk.create_branch(project.id, "Alt", up_to_scene_number=1, actor=ACTOR)
    desk.import_screenplay(project.id, DRAFT_1, branch_id=branch.id, actor=ACTOR)
    assert len(desk.scenes(project.id)) == 1
    # label 1 of the hand-made scene is only its number: not matched to the draft's #1#
    assert [s.heading for s in desk.scenes(project.id, branch.id)] == [
        "INT. OFFICE - DAY", "EXT. PARK - DAY", "INT. CAFE - NIGHT", "EXT. STREET - NIGHT",
        "INT. SOMEWHERE - DAY"]


def test_a_new_project_from_a_screenplay(desk, snapshot):
    before = snapshot(desk)
    preview = desk.import_screenplay_as_project("Low Water", (HERE / "harbour.fdx").read_bytes(),
                                                "fdx", actor=ACTOR, dry_run=True)
    assert len(preview.scenes_created) == 3 and snapshot(desk) == before
    rep = desk.import_screenplay_as_project("Low Water", (HERE / "harbour.fdx").read_bytes(),
                                            "fdx", actor=ACTOR)
    (made,) = desk.projects()
    assert made.id == rep.project_id and made.name == "Low Water"
    assert rep.branch_id == made.main_branch_id and len(desk.scenes(made.id)) == 3
    with pytest.raises(core.ValidationError, match="Project name"):
        desk.import_screenplay_as_project(" ", (HERE / "harbour.fdx").read_bytes(), "fdx",
                                          actor=ACTOR)
    assert len(desk.projects()) == 1
