"""Bad input (DESIGN §3 "Bad input", T1, I4, A4): every refused call raises the domain
error and leaves every table exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from desk_factory import make_desk
from fakes import png_bytes
from image_bombs import bomb_png

import core
from core.validation import MAX_SCENE_NUMBER

MISSING = "00000000-0000-0000-0000-000000000000"
LONG_TEXT = "x" * 5000
LONG_NAME = "N" * 200
SURROGATE = "\ud800"
# S4: refused in names, shown by code point: NUL, an ANSI colour (ESC[31m), a bidi
# override and a zero-width space
HIDDEN = {"nul": ("\x00", "U+0000"), "ansi": ("\x1b[31m", "U+001B"),
          "rlo": ("\u202e", "U+202E"), "zwsp": ("\u200b", "U+200B")}


def _inst(film):
    return film.instance_in(1, "Brick")


def _master(film, data):
    brick = film.desk.get_asset(film.assets["Brick"].id)
    return film.desk.set_master_image(brick.id, data, expected_version=brick.version,
                                      actor="ana")


def _hidden_cases():
    """Each hidden character in each kind of name: asset, alias, scene label, actor."""
    out = []
    for kind, (ch, code) in HIDDEN.items():
        out += [
            (f"asset-name-{kind}", core.ValidationError,
             lambda f, ch=ch: f.desk.add_asset(f.project.id, f"Ha{ch}t", "prop", "A hat"),
             code),
            (f"rename-asset-{kind}", core.ValidationError,
             lambda f, ch=ch: f.edit_master("Brick", name=f"Bri{ch}ck"), code),
            (f"alias-{kind}", core.ValidationError,
             lambda f, ch=ch: f.desk.add_asset(f.project.id, "Hat", "prop", "A hat",
                                               aliases=[f"Cap{ch}"]), code),
            (f"scene-label-{kind}", core.ValidationError,
             lambda f, ch=ch: f.desk.add_scene(f.project.id, 9, "INT. ATTIC - DAY",
                                               label=f"9{ch}A"), code),
            (f"actor-{kind}", core.ValidationError,
             lambda f, ch=ch: f.edit(_inst(f), description_override="Fine",
                                     actor=f"a{ch}na"), code),
        ]
    return out


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
    ("suggestions-unknown-scene", core.NotFoundError,
     lambda f: f.desk.suggestions(MISSING), None),
    ("suggestions-unknown-status", core.ValidationError,
     lambda f: f.desk.suggestions(f.scenes[4].id, status="maybe"), "maybe"),
    ("assets-unknown-project", core.NotFoundError,
     lambda f: f.desk.assets(MISSING), "Project"),
    ("branches-unknown-project", core.NotFoundError,
     lambda f: f.desk.branches(MISSING), "Project"),
    ("scenes-unknown-branch", core.NotFoundError,
     lambda f: f.desk.scenes(f.project.id, MISSING), "Branch"),
    ("scenes-unknown-project-known-branch", core.NotFoundError,
     lambda f: f.desk.scenes(MISSING, f.project.main_branch_id), "Project"),
    ("scenes-unknown-project", core.NotFoundError,
     lambda f: f.desk.scenes(MISSING), "Project"),
    # S4: keys and file names
    ("image-key-nul", core.ValidationError,
     lambda f: f.desk.image_bytes("project_x/masters/a\x00b.png"), "unsafe image key"),
    ("image-key-not-text", core.ValidationError,
     lambda f: f.desk.image_bytes(b"project_x/a.png"), "unsafe image key"),
    ("image-key-surrogate", core.ValidationError,
     lambda f: f.desk.image_bytes(f"project_x/{SURROGATE}.png"), "unsafe image key"),
    ("upload-file-name-nul", core.ValidationError,
     lambda f: f.desk.upload_image(_inst(f).id, png_bytes(), "ref\x00.png", actor="ana"),
     "U+0000"),
    ("map-source-ansi", core.ValidationError,
     lambda f: f.desk.map_scene_assets(f.scenes[4].id, [f.assets["Patio"].id],
                                       source="user\x1b[31m"), "U+001B"),
    # S4: lone surrogates never reach DuckDB
    ("asset-name-surrogate", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, f"Hat{SURROGATE}", "prop", "A hat"), "U+D800"),
    ("asset-description-surrogate", core.ValidationError,
     lambda f: f.desk.add_asset(f.project.id, "Hat", "prop", f"A {SURROGATE}hat"), "U+D800"),
    ("master-description-surrogate", core.ValidationError,
     lambda f: f.edit_master("Brick", description=f"Grey{SURROGATE}"), "U+D800"),
    ("override-surrogate", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override=f"Mud{SURROGATE}"), "U+D800"),
    ("reason-surrogate", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override="Fine", reason=SURROGATE), "U+D800"),
    ("heading-surrogate", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 9, f"INT. {SURROGATE} - DAY"), "U+D800"),
    ("script-surrogate", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 9, "INT. ATTIC - DAY",
                                script_excerpt=f"Dust.{SURROGATE}"), "U+D800"),
    ("tag-surrogate", core.ValidationError,
     lambda f: f.edit(_inst(f), status_tags=[f"mud{SURROGATE}"]), "U+D800"),
    ("search-surrogate", core.ValidationError,
     lambda f: f.desk.search(f.project.id, f"tag:mud{SURROGATE}"), None),
    ("search-bidi-term", core.ValidationError,
     lambda f: f.desk.search(f.project.id, "tag:mud\u202edy"), "U+202E"),
    ("style-surrogate", core.ValidationError,
     lambda f: f.desk.set_project_style(f.project.id, f"Kodachrome{SURROGATE}", actor="ana"),
     "U+D800"),
    ("project-name-surrogate", core.ValidationError,
     lambda f: f.desk.create_project(f"Film{SURROGATE}", actor="ana"), "U+D800"),
    ("screenplay-surrogate", core.ValidationError,
     lambda f: f.desk.import_screenplay(f.project.id, f"INT. HOUSE - DAY\n\nBOB{SURROGATE}\n"
                                        "Hi.\n", actor="ana"), "U+D800"),
    # S4: ids and numbers that no check names still give a domain error (core.store.db)
    ("instance-id-surrogate", core.ValidationError,
     lambda f: f.desk.get_instance(SURROGATE), "not valid Unicode"),
    ("inherit-asset-id-surrogate", core.ValidationError,
     lambda f: f.desk.inherit_scene(f.scenes[4].id, [SURROGATE], actor="ana"),
     "not valid Unicode"),
    ("estimate-id-surrogate", core.ValidationError,
     lambda f: f.desk.estimate_images([SURROGATE]), "not valid Unicode"),
    ("history-limit-2**70", core.ValidationError,
     lambda f: f.desk.project_history(f.project.id, limit=2**70), "too large"),
    ("screenplay-nul", core.ValidationError,
     lambda f: f.desk.import_screenplay(f.project.id, "INT. HOUSE - DAY\n\nBO\x00B\nHi.\n",
                                        actor="ana"), "binary"),
    ("screenplay-bytes-nul", core.ValidationError,
     lambda f: f.desk.import_screenplay(f.project.id, b"INT. HOUSE - DAY\n\nBO\x00B\nHi.\n",
                                        actor="ana"), "binary"),
    # S4: other names refuse hidden characters too
    ("project-name-bidi", core.ValidationError,
     lambda f: f.desk.create_project("Film\u202egnp.exe", actor="ana"), "U+202E"),
    ("branch-name-zero-width", core.ValidationError,
     lambda f: f.desk.create_branch(f.project.id, "Alt\u200b", up_to_scene_number=2,
                                    actor="ana"), "U+200B"),
    ("heading-ansi", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 9, "INT. \x1b[31mATTIC - DAY"), "U+001B"),
    ("description-bidi", core.ValidationError,
     lambda f: f.edit(_inst(f), description_override="Mud \u202eon the coat"), "U+202E"),
    ("tag-zero-width", core.ValidationError,
     lambda f: f.edit(_inst(f), status_tags=["mud\u200bdy"]), "U+200B"),
    # S4: numbers out of range (INT32 columns, and room to renumber)
    ("scene-number-2**40", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 2**40, "INT. ATTIC - DAY"), "100,000"),
    ("scene-number-2**31-1", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 2**31 - 1, "INT. ATTIC - DAY"), "100,000"),
    ("scene-number-past-max", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, MAX_SCENE_NUMBER + 1, "INT. ATTIC - DAY"),
     "100,000"),
    ("insert-at-2**31-1", core.ValidationError,
     lambda f: f.desk.insert_scene(f.project.id, 2**31 - 1, "INT. ATTIC - DAY"), "100,000"),
    ("move-to-2**40", core.ValidationError,
     lambda f: f.desk.move_scene(f.scenes[7].id, 2**40, actor="ana"), "100,000"),
    ("story-day-2**40", core.ValidationError,
     lambda f: f.desk.add_scene(f.project.id, 9, "INT. ATTIC - DAY", story_day=2**40),
     "Story day"),
    ("branch-up-to-2**40", core.ValidationError,
     lambda f: f.desk.create_branch(f.project.id, "Alt", up_to_scene_number=2**40,
                                    actor="ana"), "100,000"),
    ("budget-nan", core.ValidationError,
     lambda f: f.desk.set_budget(f.project.id, float("nan"), actor="ana"), "nan"),
    ("budget-inf", core.ValidationError,
     lambda f: f.desk.set_budget(f.project.id, float("inf"), actor="ana"), "inf"),
    ("budget-negative", core.ValidationError,
     lambda f: f.desk.set_budget(f.project.id, -1, actor="ana"), "-1"),
    ("budget-text", core.ValidationError,
     lambda f: f.desk.set_budget(f.project.id, "25", actor="ana"), "budget"),
    # S3: pixel bombs (tiny files, huge images) refused before decoding
    ("upload-pixel-bomb", core.ValidationError,
     lambda f: f.desk.upload_image(_inst(f).id, bomb_png(13000, 13000, rgb=False),
                                   "bomb.png", actor="ana"), "megapixels"),
    ("master-pixel-bomb", core.ValidationError,
     lambda f: _master(f, bomb_png(13000, 13000, rgb=False)), "megapixels"),
    ("master-pillow-bomb", core.ValidationError,
     lambda f: _master(f, bomb_png(20000, 20000, rgb=False)), "megapixels"),
    *_hidden_cases(),
]


@pytest.fixture(scope="module")
def busy_film(make_film, tmp_path_factory):
    """The film with some state: Brick in 1, 2, 4 with tags and an override. Shared by the
    module: every case must leave it exactly as it was, which each case checks."""
    desk = make_desk(":memory:", image_root=tmp_path_factory.mktemp("images"))
    film = make_film(desk)
    film.place("Brick", 1, 2, 4)
    film.inherit(1, "Patio", "Porsche")
    film.edit(film.instance_in(1, "Brick"), description_override="Muddy coat",
              status_tags=["muddy", "torn"], reason="after the fall")
    desk.upload_image(film.instance_in(1, "Brick").id, png_bytes(), "ref.png", actor="ana")
    yield film
    desk.close()


def store_snapshot(desk) -> dict[str, bytes]:
    """Every file under the image root (temp files included)."""
    root = Path(desk.image_root)
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# rule: DESIGN §3 "Bad input" (with T1, I4, A4): refused whole, message names the problem
@pytest.mark.parametrize(("error", "call", "named"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_writes_nothing(busy_film, snapshot, error, call, named):
    before = snapshot(busy_film.desk), store_snapshot(busy_film.desk)
    assert before[1]                               # the store has a file to keep
    with pytest.raises(error) as exc:
        call(busy_film)
    assert str(exc.value).strip()                  # a message for the producer
    if named is not None:
        assert named in str(exc.value)
    assert str(exc.value).isprintable()            # S4: never a raw control character
    assert (snapshot(busy_film.desk), store_snapshot(busy_film.desk)) == before


def test_bad_input_leaves_the_desk_usable(film):  # rule: Bad input, T1
    (x1,) = film.inherit(1, "Brick")
    with pytest.raises(core.ValidationError):
        film.edit(x1, status_tags=["ok", "¡no!"])
    r = film.edit(x1, status_tags=["ok"])
    assert r.instance.status_tags == ["ok"]
