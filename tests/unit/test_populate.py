"""I7 populate on import (DESIGN §3 "Import and export", with I1–I3): an import
creates every mapped asset's instances in its new scenes, scene by scene in story
order, in the same transaction; "Fill from script" does the same later for scenes
without instances; the preview says how many; bounded statements (§4 "Film scale")."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from fakes import png_bytes
from import_support import SAMPLE, table_snapshot
from query_count import count_queries

import core
from core.intake import populate

ACTOR = "ana"

# Ray is in scenes 1, 2 and 5; Margot in 2 and 5; the office in 1, 3 and 5.
DRAFT = """Title: Low Water

INT. HARBOUR OFFICE - NIGHT #1#

RAY reads the tide tables.

EXT. PIER - NIGHT #2#

RAY
She's late.

MARGOT
I'm here.

INT. HARBOUR OFFICE - DAY #3#

The phone rings and rings.

EXT. MARSH - DAWN #4#

Fog over the reeds.

INT. HARBOUR OFFICE - NIGHT #5#

MARGOT
You kept the light on.

RAY
Always.
"""

# the revised draft: scene 6 is new
REVISED = DRAFT + """
EXT. PIER - DAWN #6#

RAY
Goodbye.
"""


@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


@pytest.fixture
def project(desk):
    return desk.create_project("Low Water", actor=ACTOR)


def present(desk, scene_id) -> dict[str, core.models.Instance]:
    return {i.asset_name: i for i in desk.scene_instances(scene_id)}


def by_label(desk, project_id):
    return {s.label: s for s in desk.scenes(project_id)}


def test_I7_import_creates_every_mapped_assets_instances(desk, project):
    rep = desk.import_screenplay(project.id, DRAFT, actor=ACTOR)
    scenes = by_label(desk, project.id)
    want = {"1": {"Ray", "Harbour Office"}, "2": {"Ray", "Margot", "Pier"},
            "3": {"Harbour Office"}, "4": {"Marsh"}, "5": {"Ray", "Margot", "Harbour Office"}}
    assert {k: set(present(desk, s.id)) for k, s in scenes.items()} == want
    assert rep.project_id == project.id
    assert len(rep.instances_created) == sum(map(len, want.values())) == 10
    assert rep.populated_scenes == [scenes[k].id for k in "12345"]
    # every new instance is audited as inheritance, with the import as reason (A1)
    rows = desk.history(present(desk, scenes["1"].id)["Ray"].id)
    assert rows and {(h.source, h.reason, h.actor) for h in rows} == {
        ("inheritance", populate.IMPORT_REASON, ACTOR)}


def test_I7_story_order_later_scenes_inherit_from_earlier_ones(desk, project):
    """I1: an asset in scenes 2 and 5 gets scene 5's instance inherited from scene 2's."""
    desk.import_screenplay(project.id, DRAFT, actor=ACTOR)
    scenes = by_label(desk, project.id)
    margot2 = present(desk, scenes["2"].id)["Margot"]
    margot5 = present(desk, scenes["5"].id)["Margot"]
    assert margot2.inherited_from_instance_id is None                 # first appearance
    assert margot5.inherited_from_instance_id == margot2.id           # skips scenes 3, 4
    ray = [present(desk, scenes[k].id)["Ray"] for k in "125"]
    assert ray[1].inherited_from_instance_id == ray[0].id
    assert ray[2].inherited_from_instance_id == ray[1].id
    assert [i.id for i in desk.inheritance_chain(ray[2].id)] == [i.id for i in ray]
    office = [present(desk, scenes[k].id)["Harbour Office"] for k in "135"]
    assert [i.inherited_from_instance_id for i in office] == [None, office[0].id, office[1].id]


def test_I7_I2_I3_apply_as_if_inherited_one_scene_at_a_time(desk, project):
    """A project's own asset: its master image is the first appearance's image (I3: no
    earlier instance), and a revised draft's new scene inherits the edited state of the
    previous appearance (I2), or the master after a carry_forward = false one (I3)."""
    ray = desk.add_asset(project.id, "Ray", "character", "Harbour pilot, yellow oilskin")
    desk.set_master_image(ray.id, png_bytes(), expected_version=ray.version, actor=ACTOR)
    desk.import_screenplay(project.id, DRAFT, actor=ACTOR)
    scenes = by_label(desk, project.id)
    first = present(desk, scenes["1"].id)["Ray"]
    assert first.effective_description == "Harbour pilot, yellow oilskin"
    assert first.inherited_description is None and first.image_key        # the master's
    last = present(desk, scenes["5"].id)["Ray"]
    assert last.image_key and last.image_key != first.image_key           # its own copy
    desk.update_instance(last.id, expected_version=last.version, actor=ACTOR,
                         description_override="Soaked to the skin", status_tags=["wet"])

    desk.import_screenplay(project.id, REVISED, actor=ACTOR)
    new = present(desk, by_label(desk, project.id)["6"].id)["Ray"]
    assert new.inherited_from_instance_id == last.id
    assert new.effective_description == "Soaked to the skin"
    assert new.status_tags == ["wet"] and new.pending_review                # I2, T3

    other = desk.create_project("Reset", actor=ACTOR)
    desk.import_screenplay(other.id, DRAFT, actor=ACTOR)
    last = present(desk, by_label(desk, other.id)["5"].id)["Ray"]
    desk.update_instance(last.id, expected_version=last.version, actor=ACTOR,
                         status_tags=["wet"], carry_forward=False)
    desk.import_screenplay(other.id, REVISED, actor=ACTOR)
    new = present(desk, by_label(desk, other.id)["6"].id)["Ray"]
    assert new.inherited_from_instance_id == last.id                      # lineage kept
    assert new.status_tags == [] and new.inherited_description is None    # I3: reset
    assert new.carry_forward


def test_I7_revised_draft_populates_only_its_new_scenes(desk, project):
    desk.import_screenplay(project.id, DRAFT, actor=ACTOR)
    scenes = by_label(desk, project.id)
    for inst in desk.scene_instances(scenes["3"].id):          # the producer emptied scene 3
        desk.remove_instance(inst.id, expected_version=inst.version, actor=ACTOR)
    kept = {i.id: i.version for s in desk.scenes(project.id) for i in desk.scene_instances(s.id)}

    rep = desk.import_screenplay(project.id, REVISED, actor=ACTOR)
    after = by_label(desk, project.id)
    assert rep.populated_scenes == [after["6"].id]
    assert set(present(desk, after["6"].id)) == {"Ray", "Pier"}
    assert len(rep.instances_created) == 2
    assert present(desk, after["3"].id) == {}                   # existing scenes untouched
    now = {i.id: i.version for k in "12345" for i in desk.scene_instances(after[k].id)}
    assert now == kept
    assert any("Fill from script" in w and "1 scene(s)" in w for w in rep.warnings)
    again = desk.import_screenplay(project.id, REVISED, actor=ACTOR)       # idempotent
    assert not again.changed and again.instances_created == []


def test_I7_fill_from_script_populates_scenes_without_instances(desk, project):
    desk.import_screenplay(project.id, DRAFT, actor=ACTOR, populate=False)
    scenes = by_label(desk, project.id)
    ray = next(a for a in desk.assets(project.id) if a.name == "Ray")
    (own,) = desk.inherit_scene(scenes["2"].id, [ray.id], actor=ACTOR)   # by hand, Ray only
    plan = desk.script_fill_plan(project.id)
    assert (plan.scene_count, plan.instance_count) == (4, 7)            # not scene 2

    filled = desk.fill_from_script(project.id, actor=ACTOR)
    assert filled.scene_ids == [scenes[k].id for k in "1345"]
    assert len(filled.instance_ids) == plan.instance_count
    assert set(present(desk, scenes["2"].id)) == {"Ray"}                # skipped
    assert set(present(desk, scenes["5"].id)) == {"Ray", "Margot", "Harbour Office"}
    ray5 = present(desk, scenes["5"].id)["Ray"]
    assert ray5.inherited_from_instance_id == own.id                    # story order
    first = present(desk, scenes["1"].id)["Ray"]
    assert desk.get_instance(own.id).inherited_from_instance_id == first.id   # re-linked (I1)
    assert {h.reason for h in desk.history(ray5.id)} == {populate.FILL_REASON}

    plan = desk.script_fill_plan(project.id)
    assert (plan.scene_count, plan.instance_count) == (0, 0)
    assert desk.fill_from_script(project.id, actor=ACTOR).instance_ids == []
    with pytest.raises(core.ValidationError):
        desk.fill_from_script(project.id, actor=" ")
    with pytest.raises(core.NotFoundError):
        desk.fill_from_script("nope", actor=ACTOR)


def test_I7_fill_from_script_works_per_branch(desk, project):
    desk.import_screenplay(project.id, DRAFT, actor=ACTOR, populate=False)
    alt = desk.create_branch(project.id, "Alt", up_to_scene_number=2, actor=ACTOR)
    assert desk.script_fill_plan(project.id, alt.id).scene_count == 2
    filled = desk.fill_from_script(project.id, alt.id, actor=ACTOR)
    alt_scenes = desk.scenes(project.id, alt.id)
    assert filled.scene_ids == [s.id for s in alt_scenes]
    assert [set(present(desk, s.id)) for s in alt_scenes] == [
        {"Ray", "Harbour Office"}, {"Ray", "Margot", "Pier"}]
    assert desk.script_fill_plan(project.id).scene_count == 5          # Main untouched
    with pytest.raises(core.ValidationError, match="another project"):
        desk.fill_from_script(desk.create_project("X", actor=ACTOR).id, alt.id, actor=ACTOR)


def test_I7_preview_states_the_instances_and_writes_nothing(desk, project):
    before = table_snapshot(desk)
    preview = desk.import_screenplay(project.id, DRAFT, actor=ACTOR, dry_run=True)
    new_film = desk.import_screenplay_as_project("Copy", DRAFT, actor=ACTOR, dry_run=True)
    assert table_snapshot(desk) == before
    real = desk.import_screenplay(project.id, DRAFT, actor=ACTOR)
    assert len(preview.instances_created) == len(new_film.instances_created) \
        == len(real.instances_created) == 10
    off = desk.import_screenplay(project.id, REVISED, actor=ACTOR, dry_run=True,
                                 populate=False)
    on = desk.import_screenplay(project.id, REVISED, actor=ACTOR, dry_run=True)
    assert off.instances_created == [] and len(on.instances_created) == 2
    assert len(desk.import_screenplay(project.id, REVISED, actor=ACTOR).instances_created) == 2


def test_I7_preview_cache_keys_on_populate(desk, project):
    runs = []

    def preview(flag):
        def run():
            runs.append(flag)
            return desk.import_screenplay(project.id, DRAFT, actor=ACTOR, dry_run=True,
                                          populate=flag)
        return desk.import_preview("screenplay", project.id, DRAFT, ("this", flag), run)
    on, off = preview(True), preview(False)
    assert len(on.instances_created) == 10 and off.instances_created == []
    assert preview(True) is on and preview(False) is off and runs == [True, False]


def test_I7_populate_false_writes_the_mapping_alone(desk, project):
    rep = desk.import_screenplay(project.id, DRAFT, actor=ACTOR, populate=False)
    assert rep.instances_created == [] and rep.mappings_created == 10
    assert all(desk.scene_instances(s.id) == [] for s in desk.scenes(project.id))
    rep = desk.import_screenplay_as_project("Bare", DRAFT, actor=ACTOR, populate=False)
    assert rep.instances_created == []
    assert desk.script_fill_plan(rep.project_id).instance_count == 10


def test_I7_all_or_nothing(desk, project, monkeypatch):
    """A failure after the instances were written leaves no instances, scenes, assets
    or history: the import and its populate step are one transaction."""
    real = populate.inheritance.inherit_scenes

    def fail_after(*args, **kw):
        real(*args, **kw)
        raise core.ValidationError("boom")
    monkeypatch.setattr(populate.inheritance, "inherit_scenes", fail_after)
    before = table_snapshot(desk)
    with pytest.raises(core.ValidationError, match="boom"):
        desk.import_screenplay(project.id, DRAFT, actor=ACTOR)
    with pytest.raises(core.ValidationError, match="boom"):
        desk.import_screenplay_as_project("Other", DRAFT, actor=ACTOR)
    assert table_snapshot(desk) == before
    assert [p.id for p in desk.projects()] == [project.id]
    monkeypatch.undo()

    desk.import_screenplay(project.id, DRAFT, actor=ACTOR, populate=False)
    before = table_snapshot(desk)
    monkeypatch.setattr(populate.inheritance, "inherit_scenes", fail_after)
    with pytest.raises(core.ValidationError, match="boom"):
        desk.fill_from_script(project.id, actor=ACTOR)
    assert table_snapshot(desk) == before


def test_I7_overview_no_longer_lists_named_assets_missing_from_populated_scenes(desk):
    bare = desk.import_screenplay_as_project("Bare", SAMPLE.read_text(), actor=ACTOR,
                                             populate=False)
    named = [i for i in desk.continuity_issues(bare.project_id) if i.kind == "named_not_in_scene"]
    assert len(named) == bare.mappings_created > 0          # what populating fixes
    rep = desk.import_screenplay_as_project("Full", SAMPLE.read_text(), actor=ACTOR)
    kinds = {i.kind for i in desk.continuity_issues(rep.project_id)}
    assert "named_not_in_scene" not in kinds
    assert kinds <= {"missing_image"}                       # placeholders have no image yet
    assert desk.continuity_matrix(rep.project_id).notna().sum().sum() == len(
        rep.instances_created)


# --- bounded statements (DESIGN §4 "Film scale") ---------------------------------------

def long_draft(scenes: int) -> str:
    out = ["Title: Long Night", ""]
    for n in range(1, scenes + 1):
        out += [f"INT. ROOM {n % 3} - NIGHT #{n}#", "",
                f"RAY waits with MARGOT in scene {n}.", "",
                "RAY" if n % 2 else "MARGOT", f"Line of scene {n}.", ""]
    return "\n".join(out)


def counted(tmp_path, scenes: int, work, setup=None) -> tuple[int, object]:
    """The statements of `work(desk, project, text)` (one transaction), after `setup`."""
    d = make_desk(":memory:", image_root=tmp_path / f"images{scenes}")
    try:
        p, text = d.create_project("Film", actor=ACTOR), long_draft(scenes)
        if setup:
            setup(d, p, text)
        with count_queries(d) as q:
            out = work(d, p, text)
        assert q.transactions == 1
        return q.count, out
    finally:
        d.close()


@pytest.mark.parametrize("dry_run", [False, True])
def test_I7_populating_import_statements_do_not_grow_with_scenes(tmp_path, dry_run):
    def work(d, p, text):
        return len(d.import_screenplay(p.id, text, actor=ACTOR,
                                       dry_run=dry_run).instances_created)
    small, large = counted(tmp_path, 6, work), counted(tmp_path, 60, work)
    assert small[0] == large[0]
    assert (small[1], large[1]) == (6 * 3, 60 * 3)


def test_I7_fill_from_script_statements_do_not_grow_with_scenes(tmp_path):
    def setup(d, p, text):
        d.import_screenplay(p.id, text, actor=ACTOR, populate=False)

    def work(d, p, text):
        return len(d.fill_from_script(p.id, actor=ACTOR).instance_ids)
    small, large = counted(tmp_path, 6, work, setup), counted(tmp_path, 60, work, setup)
    assert small[0] == large[0]
    assert (small[1], large[1]) == (6 * 3, 60 * 3)
