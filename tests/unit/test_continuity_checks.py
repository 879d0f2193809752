"""C1 continuity checks, every kind — and the cases that must not fire: a tag removed
with a reason, a tag review answer, a reset (carry-forward off), a wear-off tag that
disappears across a story-day boundary. Also C2 (matrix filters and breaks) and the
per-asset timeline."""

from __future__ import annotations

import pytest
from fakes import png_bytes

import core

ACTOR = "ana"


class Story:
    """A small film: scenes with story days, Brick and a prop, helpers by scene number."""

    def __init__(self, desk, days=(1, 1, 2, 2)):
        self.desk = desk
        self.p = desk.create_project("Checks", actor=ACTOR)
        self.scenes = {n: desk.add_scene(self.p.id, n, f"INT. ROOM {n} - DAY", story_day=d)
                       for n, d in enumerate(days, start=1)}
        self.brick = desk.add_asset(self.p.id, "Brick", "character", "Retired detective")
        self.coat = desk.add_asset(self.p.id, "Coat", "prop", "Tan trench coat")

    def place(self, asset, *numbers):
        for n in numbers:
            self.desk.inherit_scene(self.scenes[n].id, [asset.id], actor=ACTOR)

    def at(self, n, asset=None):
        aid = (asset or self.brick).id
        return next(i for i in self.desk.scene_instances(self.scenes[n].id)
                    if i.project_asset_id == aid)

    def edit(self, n, asset=None, reason=None, **kw):
        i = self.at(n, asset)
        return self.desk.update_instance(i.id, expected_version=i.version, actor=ACTOR,
                                         reason=reason, **kw)

    def review(self, n, keep, asset=None, reason=None):
        i = self.at(n, asset)
        return self.desk.review_tags(i.id, keep, expected_version=i.version, actor=ACTOR,
                                     reason=reason)

    def issues(self, *kinds):
        found = self.desk.continuity_issues(self.p.id)
        return [(i.kind, i.scene_number, i.asset_name, i.tags) for i in found
                if not kinds or i.kind in kinds]


@pytest.fixture
def story(desk):
    return Story(desk)


@pytest.fixture
def sameday(desk):
    return Story(desk, days=(None, None, None, None))


BREAKS = ("tag_dropped", "wear_off_survived")


# --- tag_dropped --------------------------------------------------------------------------

def test_tag_dropped_without_a_reason_is_flagged(sameday):
    s = sameday
    s.place(s.brick, 1, 2, 3)
    s.edit(1, status_tags=["torn", "bloody"])         # flows on; 2 and 3 await review
    s.review(2, ["torn", "bloody"])
    s.edit(2, status_tags=["bloody"])                  # no reason, not pending
    found = s.desk.continuity_issues(s.p.id, kinds=["tag_dropped"])
    assert [(i.scene_number, i.tags) for i in found] == [(2, ("torn",))]
    issue = found[0]
    assert issue.instance_id == s.at(2).id and issue.asset_id == s.brick.id
    assert issue.scene_id == s.scenes[2].id and issue.previous_scene_number == 1
    assert "“torn”" in issue.message and "scene 1" in issue.message


def test_tag_removed_with_a_reason_does_not_fire(sameday):
    s = sameday
    s.place(s.brick, 1, 2)
    s.edit(1, status_tags=["torn"])
    s.review(2, ["torn"])
    s.edit(2, status_tags=[], reason="Changed into a fresh shirt")
    assert s.issues(*BREAKS) == []


def test_a_tag_review_answer_counts_as_a_reason(sameday):
    s = sameday
    s.place(s.brick, 1, 2)
    s.edit(1, status_tags=["muddy", "torn"])
    s.review(2, ["torn"])                               # muddy does not carry
    assert s.issues(*BREAKS) == []


def test_any_tag_edit_while_pending_answers_the_review(sameday):
    s = sameday
    s.place(s.brick, 1, 2)
    s.edit(1, status_tags=["muddy"])
    s.edit(2, status_tags=["wet"])                      # answers T3: not a silent drop
    assert s.issues(*BREAKS) == []


def test_a_reset_with_carry_forward_off_does_not_fire(sameday):
    s = sameday
    s.place(s.coat, 1, 2)
    s.edit(1, s.coat, status_tags=["torn", "muddy"])
    s.review(2, ["torn", "muddy"], s.coat)
    s.edit(1, s.coat, carry_forward=False)              # the ruined coat is binned
    assert s.at(2, s.coat).status_tags == []            # I3: reset to the master
    assert s.issues(*BREAKS) == []


def test_an_old_decision_does_not_explain_a_tag_the_earlier_scene_got_later(sameday):
    s = sameday
    s.place(s.brick, 1, 2)
    s.edit(2, status_tags=["wet"], reason="Rain")       # its own tags, with a reason
    s.edit(1, status_tags=["torn"])                     # later: scene 1 gets torn
    assert s.issues("tag_dropped", "upstream_changed") == [
        ("tag_dropped", 2, "Brick", ("torn",)), ("upstream_changed", 2, "Brick", ())]
    i = s.at(2)
    s.desk.mark_reviewed(i.id, expected_version=i.version, actor=ACTOR)
    assert s.issues("tag_dropped", "upstream_changed") == []


def test_re_adding_and_silently_dropping_again_fires(sameday):
    s = sameday
    s.place(s.brick, 1, 2)
    s.edit(1, status_tags=["torn"])
    s.edit(2, status_tags=[], reason="Mended")
    s.edit(2, status_tags=["torn"])
    s.edit(2, status_tags=[])                           # no reason this time
    assert s.issues(*BREAKS) == [("tag_dropped", 2, "Brick", ("torn",))]


# --- story days ----------------------------------------------------------------------------

def test_wear_off_tag_disappearing_across_a_story_day_is_not_a_break(story):
    s = story                                            # days 1, 1, 2, 2
    s.place(s.brick, 2, 3)
    s.edit(2, status_tags=["muddy", "torn"])
    s.review(3, ["muddy", "torn"], reason="Same clothes next morning")
    s.edit(3, status_tags=["torn"])                     # mud gone overnight, no reason
    assert s.issues(*BREAKS) == []
    s.edit(3, status_tags=[])                           # torn persists: that is a break
    assert s.issues(*BREAKS) == [("tag_dropped", 3, "Brick", ("torn",))]


def test_the_same_drop_within_one_day_is_a_break(story):
    s = story
    s.place(s.brick, 1, 2)
    s.edit(1, status_tags=["muddy"])
    s.review(2, ["muddy"])
    s.edit(2, status_tags=[])
    assert s.issues(*BREAKS) == [("tag_dropped", 2, "Brick", ("muddy",))]


def test_wear_off_tag_surviving_into_a_later_day_is_flagged_until_confirmed(story):
    s = story
    s.place(s.brick, 2, 3)
    s.edit(2, status_tags=["muddy", "torn"])            # carried into day 2, pending
    found = s.desk.continuity_issues(s.p.id, kinds=["wear_off_survived"])
    assert [(i.scene_number, i.tags) for i in found] == [(3, ("muddy",))]
    assert "day 2" in found[0].message and "day 1" in found[0].message
    s.review(3, ["muddy", "torn"])                      # the producer confirms it
    assert s.issues(*BREAKS) == []


def test_surviving_wear_off_tag_confirmed_by_a_reasoned_edit(story):
    s = story
    s.place(s.brick, 2, 3)
    s.edit(2, status_tags=["wet"])
    s.review(3, ["wet"])
    s.edit(3, status_tags=["wet", "torn"], reason="Slept in the rain")
    assert s.issues(*BREAKS) == []


def test_custom_tags_count_as_persisting(story):
    s = story
    s.place(s.brick, 2, 3)
    s.edit(2, status_tags=["soot-stained"])
    s.review(3, ["soot-stained"])
    s.edit(3, status_tags=[])
    assert s.issues(*BREAKS) == [("tag_dropped", 3, "Brick", ("soot-stained",))]


# --- state, images, detection ----------------------------------------------------------

def test_upstream_changed_and_locked_upstream_changed(sameday):
    s = sameday
    s.place(s.brick, 1, 2, 3)
    s.edit(2, description_override="Bandaged")
    i = s.at(3)
    s.desk.lock_instance(i.id, expected_version=i.version, actor=ACTOR)
    s.edit(1, description_override="Scarred")
    found = {(i.kind, i.scene_number) for i in s.desk.continuity_issues(s.p.id)}
    assert ("upstream_changed", 2) in found
    s.edit(2, description_override=None)                # follows again: 3 sees a change
    found = s.desk.continuity_issues(s.p.id, kinds=["upstream_changed",
                                                    "locked_upstream_changed"])
    assert [(i.kind, i.scene_number) for i in found] == [("locked_upstream_changed", 3)]
    assert "locked" in found[0].message and found[0].instance_id == s.at(3).id


def test_missing_and_stale_images(sameday):
    s = sameday
    s.place(s.brick, 1)
    assert s.issues("missing_image", "stale_image") == [("missing_image", 1, "Brick", ())]
    s.desk.upload_image(s.at(1).id, png_bytes(), "b.png", actor=ACTOR)
    assert s.issues("missing_image", "stale_image") == []
    s.edit(1, status_tags=["bloody"])
    assert s.issues("missing_image", "stale_image") == [("stale_image", 1, "Brick", ())]


def test_asset_named_in_the_scene_text_but_not_in_the_scene(desk):
    p = desk.create_project("Named", actor=ACTOR)
    scene = desk.add_scene(p.id, 1, "EXT. YARD - DAY",
                           script_excerpt="Brick polishes the Porsche.\n\nBRICK\n"
                                          "Where is Steel?")
    brick = desk.add_asset(p.id, "Brick", "character", "Detective")
    car = desk.add_asset(p.id, "Porsche", "prop", "Red car")
    desk.add_asset(p.id, "Steel", "character", "Partner")       # only talked about
    desk.inherit_scene(scene.id, [brick.id], actor=ACTOR)
    found = desk.continuity_issues(p.id, kinds=["named_not_in_scene"])
    assert [(i.asset_name, i.instance_id, i.asset_id, i.scene_id) for i in found] == [
        ("Porsche", None, car.id, scene.id)]
    assert "Porsche is named in scene 1" in found[0].message
    desk.inherit_scene(scene.id, [car.id], actor=ACTOR)
    assert desk.continuity_issues(p.id, kinds=["named_not_in_scene"]) == []


def test_named_check_follows_the_names_and_each_scene_s_assets(desk):
    """D1's findings are remembered by scene text and asset names: a new alias is seen
    at once, and two scenes of the same text differ by the assets each holds."""
    p = desk.create_project("Named twice", actor=ACTOR)
    text = "Brick polishes the Porsche."
    one, two = (desk.add_scene(p.id, n, "EXT. YARD - DAY", script_excerpt=text)
                for n in (1, 2))
    brick = desk.add_asset(p.id, "Brick", "character", "Detective")
    car = desk.add_asset(p.id, "Red car", "prop", "Red car")
    desk.inherit_scene(one.id, [brick.id], actor=ACTOR)

    def named():
        return [(i.scene_number, i.asset_name)
                for i in desk.continuity_issues(p.id, kinds=["named_not_in_scene"])]

    assert named() == [(2, "Brick")]
    car = desk.update_asset(car.id, expected_version=car.version, actor=ACTOR,
                            aliases=["Porsche"])
    assert named() == [(1, "Red car"), (2, "Brick"), (2, "Red car")]
    desk.inherit_scene(two.id, [car.id], actor=ACTOR)
    assert named() == [(1, "Red car"), (2, "Brick")]


def test_filters_by_scene_asset_and_kind(sameday):
    s = sameday
    s.place(s.brick, 1, 2)
    s.place(s.coat, 2)
    by_scene = s.desk.continuity_issues(s.p.id, scene_id=s.scenes[2].id)
    assert {i.asset_name for i in by_scene} == {"Brick", "Coat"}
    assert {i.scene_number for i in by_scene} == {2}
    by_asset = s.desk.continuity_issues(s.p.id, asset_id=s.coat.id)
    assert {i.asset_name for i in by_asset} == {"Coat"}
    assert s.desk.continuity_issues(s.p.id, kinds=[]) == []
    order = [(i.scene_number, i.kind) for i in s.desk.continuity_issues(s.p.id)]
    assert order == sorted(order, key=lambda x: x[0])


def test_demo_film_issues(desk):
    from core.demo import seed_demo
    p = seed_demo(desk)
    found = desk.continuity_issues(p.id, kinds=["tag_dropped", "wear_off_survived",
                                                "upstream_changed",
                                                "locked_upstream_changed"])
    # Pike's mud from the night in the marsh is still on him the next day (scene 8);
    # Brick's and Dot's clean-ups were recorded with reasons, the coat was reset.
    assert [(i.kind, i.scene_number, i.asset_name, i.tags) for i in found] == [
        ("wear_off_survived", 8, "Pike", ("muddy",))]


# --- C2: the matrix and the timeline ------------------------------------------------------

def test_matrix_filters_and_cell_breaks(sameday):
    s = sameday
    s.place(s.brick, 1, 2, 4)
    s.place(s.coat, 1, 3)
    s.edit(1, status_tags=["torn"])
    s.review(2, ["torn"])
    s.edit(2, status_tags=[])
    s.edit(1, s.coat, status_tags=["wet"])
    m = s.desk.continuity_matrix(s.p.id)
    assert list(m.index) == ["Brick", "Coat"] and list(m.columns) == [1, 2, 3, 4]
    assert m.at["Brick", 1] == ["torn"] and m.at["Brick", 3] is None
    assert list(s.desk.continuity_matrix(s.p.id, asset_types=["prop"]).index) == ["Coat"]
    assert list(s.desk.continuity_matrix(s.p.id, tags=["TORN"]).index) == ["Brick"]
    assert s.desk.continuity_matrix(s.p.id, tags=["shattered"]).shape == (0, 4)
    with pytest.raises(core.ValidationError):
        s.desk.continuity_matrix(s.p.id, asset_types=["vehicle"])
    cells = s.desk.continuity_cells(s.p.id)
    brick2 = cells[(cells.asset_name == "Brick") & (cells.scene_number == 2)].iloc[0]
    assert brick2["breaks"] == ["tag_dropped"] and brick2["tags_removed"] == ["torn"]
    assert {"image_key", "image_stale", "breaks"} <= set(cells.columns)
    assert len(s.desk.continuity_cells(s.p.id, asset_types=["prop"])) == 2


def test_asset_timeline(story):
    s = story
    s.place(s.brick, 1, 2, 4)
    s.edit(1, status_tags=["muddy"])
    s.review(2, ["muddy"])
    s.edit(2, description_override="Bandaged brow", reason="Fight")
    s.desk.upload_image(s.at(4).id, png_bytes(), "b.png", actor=ACTOR)
    tl = s.desk.asset_timeline(s.p.id, s.brick.id)
    apps = tl.appearances
    assert list(apps["scene_number"]) == [1, 2, 4]
    assert list(apps["skipped_scenes"]) == [0, 0, 1]
    assert list(apps["description_changed"]) == [False, True, False]
    assert apps.iloc[0]["tags_added"] == [] and apps.iloc[1]["tags_removed"] == []
    assert apps.iloc[2]["status_tags"] == ["muddy"] and apps.iloc[2]["image_key"]
    assert "wear_off_survived" in apps.iloc[2]["issues"]          # day 1 -> day 2
    assert tl.scene_numbers == [1, 2, 3, 4] and tl.story_days[3] == 2
    points = tl.tag_points()
    assert list(points["scene_number"]) == [1, 2, 4] and set(points["tag"]) == {"muddy"}
    with pytest.raises(core.NotFoundError):
        s.desk.asset_timeline(s.p.id, "nope")
    other = s.desk.create_project("Other", actor=ACTOR)
    with pytest.raises(core.ValidationError):
        s.desk.asset_timeline(other.id, s.brick.id)
