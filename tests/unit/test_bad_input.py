"""Bad input (DESIGN §3 "Bad input", T1, I4, A4): every refused call raises the domain
error and leaves every table exactly as it was."""

from __future__ import annotations

import pytest

import core

MISSING = "00000000-0000-0000-0000-000000000000"
LONG_TEXT = "x" * 5000
LONG_NAME = "N" * 200


def _inst(film):
    return film.instance_in(1, "Brick")


# (id, expected error, call(film), text the message must contain or None)
CASES = [
    # tags (T1)
    ("bad-tag", core.ValidationError,
     lambda f: f.edit(_inst(f), status_tags=["muddy", "mud!dy"]), "mud!dy"),
    ("too-long-tag", core.ValidationError,
     lambda f: f.edit(_inst(f), status_tags=["t" * 33]), "t" * 33),
    ("21-tags", core.ValidationError,
     lambda f: f.edit(_inst(f), status_tags=[f"tag{k}" for k in range(21)]), None),
    ("tags-not-a-list", core.ValidationError,
     lambda f: f.edit(_inst(f), status_tags="muddy"), None),
    ("good-description-bad-tag", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override="Fine", status_tags=["a b c!"]),
     "a b c!"),
    ("review-unknown-tag", core.ValidationError,
     lambda f: f.desk.review_tags(f.instance_in(2, "Brick").id, keep=["sooty"],
                                  expected_version=f.instance_in(2, "Brick").version,
                                  actor="ana"), "sooty"),
    # over-long and empty text
    ("long-override", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override=LONG_TEXT), None),
    ("empty-override", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override="   "), None),
    ("long-reason", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override="Fine", reason="r" * 600), None),
    ("empty-actor", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override="Fine", actor=" "), None),
    ("carry-forward-not-bool", core.ValidationError,
     lambda f: f.edit(_inst(f), carry_forward="yes"), None),
    ("asset-empty-name", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, "  ", "prop", "A hat"), None),
    ("asset-long-name", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, LONG_NAME, "prop", "A hat"), None),
    ("asset-long-description", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, "Hat", "prop", LONG_TEXT), None),
    ("asset-empty-description", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, "Hat", "prop", ""), None),
    ("asset-unknown-type", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, "Hat", "vehicle", "A hat"), "vehicle"),
    ("asset-duplicate-name", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, "brick", "character", "Again"), None),
    ("asset-unknown-project", core.NotFoundError,
     lambda f: f.desk.add_asset(MISSING, "Hat", "prop", "A hat"), None),
    ("update-asset-empty-name", core.ValidationError,
     lambda f: f.edit_master("Brick", name=""), None),
    ("update-asset-long-name", core.ValidationError,
     lambda f: f.edit_master("Brick", name=LONG_NAME), None),
    ("update-asset-long-description", core.ValidationError,
     lambda f: f.edit_master("Brick", description=LONG_TEXT), None),
    ("update-asset-unknown-type", core.ValidationError,
     lambda f: f.edit_master("Brick", asset_type="spaceship"), "spaceship"),
    ("update-asset-unknown-id", core.NotFoundError,
     lambda f: f.desk.update_asset(MISSING, expected_version=1, actor="ana",
                                   description="x"), None),
    ("project-empty-name", core.ValidationError,
     lambda f: f.desk.create_project("", actor="ana"), None),
    ("project-long-name", core.ValidationError,
     lambda f: f.desk.create_project(LONG_NAME, actor="ana"), None),
    ("scene-empty-heading", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 9, " "), None),
    ("scene-number-zero", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 0, "INT. NOWHERE - DAY"), None),
    ("scene-number-taken", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 4, "INT. CLASH - DAY"), None),
    ("scene-long-heading", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 9, LONG_TEXT), None),
    # unknown ids
    ("update-unknown-instance", core.NotFoundError,
     lambda f: f.desk.update_instance(MISSING, expected_version=1, actor="ana",
                                      description_override="x"), None),
    ("remove-unknown-instance", core.NotFoundError,
     lambda f: f.desk.remove_instance(MISSING, expected_version=1, actor="ana"), None),
    ("inherit-unknown-asset", core.NotFoundError,
     lambda f: f.desk.inherit_scene(f.scenes[4].id, [f.assets["Patio"].id, MISSING],
                                    actor="ana"), None),
    ("inherit-unknown-scene", core.NotFoundError,
     lambda f: f.desk.inherit_scene(MISSING, [f.assets["Patio"].id], actor="ana"), None),
    ("inherit-ids-not-a-list", core.ValidationError,
     lambda f: f.desk.inherit_scene(f.scenes[4].id, f.assets["Patio"].id, actor="ana"),
     None),
    ("map-unknown-asset", core.NotFoundError,
     lambda f: f.desk.map_scene_assets(f.scenes[4].id, [f.assets["Patio"].id, MISSING]),
     None),
    ("move-unknown-scene", core.NotFoundError,
     lambda f: f.desk.move_scene(MISSING, 1, actor="ana"), None),
    ("move-to-zero", core.ValidationError,
     lambda f: f.desk.move_scene(f.scenes[7].id, 0, actor="ana"), None),
    ("delete-unknown-scene", core.NotFoundError,
     lambda f: f.desk.delete_scene(MISSING, actor="ana"), None),
    ("revert-unknown-history", core.NotFoundError,
     lambda f: f.desk.revert_instance(_inst(f).id, 10**9, expected_version=_inst(f).version,
                                      actor="ana"), None),
    ("get-unknown-instance", core.NotFoundError,
     lambda f: f.desk.get_instance(MISSING), None),
    ("chain-unknown-instance", core.NotFoundError,
     lambda f: f.desk.inheritance_chain(MISSING), None),
    ("scene-instances-unknown-scene", core.NotFoundError,
     lambda f: f.desk.scene_instances(MISSING), None),
]


@pytest.fixture(scope="module")
def busy_film(make_film, tmp_path_factory):
    """The film with some state: Brick in 1, 2, 4 with tags and an override. Shared by the
    module: every case must leave it exactly as it was, which each case checks."""
    desk = core.open_desk(db_path=":memory:", image_root=tmp_path_factory.mktemp("images"))
    film = make_film(desk)
    film.place("Brick", 1, 2, 4)
    film.inherit(1, "Patio", "Porsche")
    film.edit(film.instance_in(1, "Brick"), description_override="Muddy coat",
              status_tags=["muddy", "torn"], reason="after the fall")
    yield film
    desk.close()


# rule: DESIGN §3 "Bad input" (with T1, I4, A4): refused whole, message names the problem
@pytest.mark.parametrize(("error", "call", "named"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_writes_nothing(busy_film, snapshot, error, call, named):
    before = snapshot(busy_film.desk)
    with pytest.raises(error) as exc:
        call(busy_film)
    assert str(exc.value).strip()                  # a message for the producer
    if named is not None:
        assert named in str(exc.value)
    assert snapshot(busy_film.desk) == before


def test_bad_input_leaves_the_desk_usable(film):  # rule: Bad input, T1
    (x1,) = film.inherit(1, "Brick")
    with pytest.raises(core.ValidationError):
        film.edit(x1, status_tags=["ok", "¡no!"])
    r = film.edit(x1, status_tags=["ok"])
    assert r.instance.status_tags == ["ok"]
