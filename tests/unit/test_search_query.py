"""T4: the search query language — parsing, errors that name the bad term and where it
is, hostile text as data, and (hypothesis) that any query parses or raises
ValidationError and that a parsed query returns exactly what a plain Python filter
over `desk.branch_instances` returns."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from fakes import png_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core
from core.search.query import QueryError, parse

ACTOR = "ana"


# --- parsing ---------------------------------------------------------------------------

def test_terms_are_read_into_parameters():
    q = parse('tag:bloody tag:Torn,MUDDY -tag:clean asset:"brick malone" -asset:steel '
              'type:character -type:prop scene:3..7 scene:..6 "dark coat" -smoke '
              "locked:no stale:yes pending:no image:yes")
    assert q.any_tags == [["bloody"], ["torn", "muddy"]]
    assert q.no_tags == ["clean"]
    assert q.assets == [(False, "brick malone"), (True, "steel")]
    assert q.types == [(False, "character"), (True, "prop")]
    assert (q.scene_from, q.scene_to) == (3, 6)
    assert q.texts == [(False, "dark coat"), (True, "smoke")]
    assert (q.locked, q.stale, q.pending, q.image) == (False, True, False, True)


@pytest.mark.parametrize("text, lo, hi", [
    ("scene:4", 4, 4), ("scene:..5", None, 5), ("scene:12..", 12, None),
    ("scene:2..9 scene:4..", 4, 9)])
def test_scene_ranges_and_open_ends(text, lo, hi):
    q = parse(text)
    assert (q.scene_from, q.scene_to) == (lo, hi)


def test_flags_accept_true_false_and_negation():
    assert parse("locked:TRUE").locked is True
    assert parse("-locked:yes").locked is False
    assert parse("-pending:no").pending is True
    assert parse("stale:false").stale is False


def test_empty_query_and_white_space_match_everything():
    for text in ("", "   ", "\t\n"):
        q = parse(text)
        assert q == parse("")


@pytest.mark.parametrize("query, term, position", [
    ("colour:red", "colour:red", 1),
    ("tag:bloody tag:", "tag:", 12),
    ("tag:muddy scene:9..2", "scene:9..2", 11),
    ("scene:x", "scene:x", 1),
    ("  type:vehicle", "type:vehicle", 3),
    ('tag:wet "open', '"open', 9),
    ("tag:bad!tag", "tag:bad!tag", 1),
    ("a -scene:3", "-scene:3", 3),
    ("locked:maybe", "locked:maybe", 1),
    ("locked:yes -locked:yes", "-locked:yes", 12),
    ("tag:a,,b", "tag:a,,b", 1),
    ('"a"b', '"a"b', 1),
    ('ab"c', 'ab"c', 1),
    ("12:30", "12:30", 1),
    ("--x", "--x", 1),
    ("-", "-", 1),
    ("scene:99999999999", "scene:99999999999", 1),
    ("ä tag:" + "x" * 40, "tag:" + "x" * 40, 3),
])
def test_malformed_query_names_the_bad_term_and_its_position(query, term, position):
    with pytest.raises(QueryError) as err:
        parse(query)
    assert (err.value.term, err.value.position) == (term, position)
    assert f"“{term}”" in str(err.value) and f"position {position}" in str(err.value)
    assert isinstance(err.value, core.ValidationError)


@pytest.mark.parametrize("query, term, advice", [
    ("muddy OR bloody", "OR", "tag:muddy,bloody"),
    ("tag:wet | tag:dry", "|", "tag:wet,dry"),
    ("tag:wet AND torn", "AND", "leave the word out"),
    ("NOT tag:clean", "NOT", "-tag:clean"),
])
def test_T4_boolean_operators_are_refused_with_the_query_to_write(query, term, advice):
    with pytest.raises(QueryError) as err:
        parse(query)
    assert err.value.term == term and advice in str(err.value)


def test_T4_operator_words_stay_searchable_when_quoted_or_lower_case():
    assert parse('"OR" or').texts == [(False, "OR"), (False, "or")]


def test_control_characters_and_overlong_queries_are_refused():
    with pytest.raises(core.ValidationError, match="position 5"):
        parse("tag:\x00x")
    with pytest.raises(core.ValidationError, match="too long"):
        parse("x " * 1001)


# --- a film to search ------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Scenes 1, 2, 4, 7 with three assets in varied states: tags, overrides, a lock,
    a pending review, images (one stale), and a second branch."""
    desk = make_desk(":memory:", image_root=tmp_path_factory.mktemp("images"))
    p = desk.create_project("Brick & Steel", actor=ACTOR)
    scenes = {n: desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY", story_day=1 + n // 4)
              for n in (1, 2, 4, 7)}
    brick = desk.add_asset(p.id, "Brick", "character", "Retired detective, grey stubble",
                           aliases=["Brick Braddock", "Mr. O'Hara"])
    steel = desk.add_asset(p.id, "Steel", "character", "Young partner in a navy suit")
    car = desk.add_asset(p.id, "Porsche", "prop", "Red 1970 Porsche 911, 100% original")
    desk.add_asset(p.id, "Yard", "location", "Muddy yard; a sign says \"KEEP OUT\"")
    for s in scenes.values():
        desk.inherit_scene(s.id, actor=ACTOR)

    def at(n, asset):
        return next(i for i in desk.scene_instances(scenes[n].id)
                    if i.project_asset_id == asset.id)

    def edit(n, asset, **kw):
        i = at(n, asset)
        return desk.update_instance(i.id, expected_version=i.version, actor=ACTOR, **kw)

    desk.upload_image(at(1, brick).id, png_bytes(), "b.png", actor=ACTOR)
    desk.upload_image(at(2, car).id, png_bytes(), "c.png", actor=ACTOR)
    edit(2, brick, status_tags=["bloody", "torn"])
    edit(4, brick, status_tags=["bloody", "clean"], description_override="Bandaged brow")
    edit(2, car, status_tags=["muddy", "wet"])           # the image is now stale
    edit(1, steel, status_tags=["wet"])                  # carried: pending review later
    i = at(7, steel)
    desk.review_tags(i.id, keep=["wet"], expected_version=i.version, actor=ACTOR)
    i = at(4, car)
    desk.review_tags(i.id, keep=["muddy"], expected_version=i.version, actor=ACTOR)
    i = at(4, car)
    desk.lock_instance(i.id, expected_version=i.version, actor=ACTOR)
    alt = desk.create_branch(p.id, "Alt", up_to_scene_number=2, actor=ACTOR)
    yield desk, p, alt
    desk.close()


def ids(frame):
    return list(frame["instance_id"])


def test_search_frame_columns_and_flags(world):
    desk, p, _ = world
    frame = desk.search(p.id, "stale:yes")
    assert [(r.scene_number, r.asset_name) for r in frame.itertuples()] == [(2, "Porsche")]
    row = frame.iloc[0]
    assert row["image_stale"] is True and row["image_key"].endswith(".png")
    assert {"instance_id", "scene_id", "scene_number", "scene_label", "asset_id",
            "asset_name", "asset_type", "status_tags", "effective_description", "locked",
            "pending_review", "upstream_changed", "image_key", "image_stale",
            "story_day"} <= set(frame.columns)
    assert all(isinstance(t, list) for t in desk.search(p.id, "")["status_tags"])
    locked = desk.search(p.id, "locked:yes")
    assert [(r.scene_number, r.asset_name) for r in locked.itertuples()] == [(4, "Porsche")]
    assert set(desk.search(p.id, "image:yes")["asset_name"]) == {"Brick", "Porsche"}


def test_G7_every_result_row_says_whether_its_image_is_stale(world):
    """Not only a stale: query: any result tells a stale image from a current one, as
    the instance read does."""
    desk, p, _ = world
    expected = {i.id: i.image_stale for i in desk.branch_instances(p.id)}
    frame = desk.search(p.id, "")
    assert dict(zip(frame["instance_id"], frame["image_stale"], strict=True)) == expected
    assert sorted(set(expected.values())) == [False, True]
    images = desk.search(p.id, "image:yes")
    assert {i: s for i, s in zip(images["instance_id"], images["image_stale"],
                                 strict=True)} == {
        i.id: i.image_stale for i in desk.branch_instances(p.id) if i.image_key}


def test_alias_apostrophes_percent_and_quotes_are_plain_data(world):
    desk, p, _ = world
    assert set(desk.search(p.id, "asset:o'hara")["asset_name"]) == {"Brick"}
    assert set(desk.search(p.id, '"100%"')["asset_name"]) == {"Porsche"}
    assert desk.search(p.id, '"10_%"').empty                 # no LIKE wildcards
    assert set(desk.search(p.id, "keep")["asset_name"]) == {"Yard"}
    assert desk.search(p.id, "\"'; DROP TABLE scenes; --\"").empty
    assert desk.search(p.id, "asset:ブリック").empty
    assert len(desk.scenes(p.id)) == 4


def test_search_takes_a_branch(world):
    desk, p, alt = world
    assert set(desk.search(p.id, "", branch_id=alt.id)["scene_number"]) == {1, 2}
    with pytest.raises(core.NotFoundError):
        desk.search(p.id, "", branch_id="nope")


def test_csv_export_is_formula_safe_and_joins_tags(world):
    desk, p, _ = world
    desk_csv = desk.search_csv(p.id, "tag:bloody")
    lines = desk_csv.splitlines()
    assert lines[0].startswith("scene,label,heading,story day,asset,type,tags,description")
    assert any("bloody; torn" in line for line in lines)
    import pandas as pd
    frame = pd.DataFrame({c: [None] for c in core.search.query.COLUMNS})
    frame.loc[0, "effective_description"] = "=HYPERLINK(\"x\")"
    frame.at[0, "status_tags"] = ["a"]
    assert "'=HYPERLINK" in core.search.query.to_csv(frame)


def test_tag_counts(world):
    desk, p, _ = world
    counts = desk.tag_counts(p.id)
    got = dict(zip(counts["tag"], counts["count"], strict=True))
    assert got["bloody"] >= 2 and got["wet"] >= 2
    cats = dict(zip(counts["tag"], counts["category"], strict=True))
    assert cats["bloody"] == "condition" and cats["torn"] == "damage"


# --- property tests ---------------------------------------------------------------------

TAGS = ["muddy", "bloody", "torn", "wet", "clean", "nope"]
ASSET_TEXT = ["brick", "BRI", "steel", "porsche", "braddock", "o'hara", "yard", "zzz", "r"]
TEXT = ["grey", "red 19", "navy", "brow", "porsche", "keep out", "100%", "zzz", "a"]


@st.composite
def terms(draw):
    neg = draw(st.booleans())
    kind = draw(st.sampled_from(["tag", "asset", "type", "scene", "flag", "text"]))
    sign = "-" if neg else ""
    if kind == "tag":
        tags = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=3))
        return f"{sign}tag:{','.join(t.upper() if draw(st.booleans()) else t for t in tags)}"
    if kind == "asset":
        return f'{sign}asset:"{draw(st.sampled_from(ASSET_TEXT))}"'
    if kind == "type":
        return f"{sign}type:{draw(st.sampled_from(['character', 'location', 'prop']))}"
    if kind == "scene":
        lo = draw(st.one_of(st.none(), st.integers(0, 8)))
        hi = draw(st.one_of(st.none(), st.integers(0, 8)))
        if lo is None and hi is None:
            return f"scene:{draw(st.integers(0, 8))}"
        return f"scene:{'' if lo is None else lo}..{'' if hi is None else hi}"
    if kind == "flag":
        key = draw(st.sampled_from(["locked", "stale", "pending", "image"]))
        return f"{sign}{key}:{draw(st.sampled_from(['yes', 'no']))}"
    return f'{sign}"{draw(st.sampled_from(TEXT))}"'


_SEEN: dict = {}


def oracle(desk, p, query: str) -> list[str]:
    """The same query as a plain Python filter over `desk.branch_instances` (read once:
    the module's film does not change after it is built)."""
    if p.id not in _SEEN:
        _SEEN[p.id] = ({a.id: a for a in desk.assets(p.id)}, desk.branch_instances(p.id))
    assets, every = _SEEN[p.id]
    q = parse(query)

    def named(inst, text):
        a = assets[inst.project_asset_id]
        return any(text.lower() in n.lower() for n in (a.name, *a.aliases))

    def keep(i) -> bool:
        return (all(any(t in i.status_tags for t in group) for group in q.any_tags)
                and not any(t in i.status_tags for t in q.no_tags)
                and all(named(i, text) != neg for neg, text in q.assets)
                and all((i.asset_type == typ) != neg for neg, typ in q.types)
                and (q.scene_from is None or i.scene_number >= q.scene_from)
                and (q.scene_to is None or i.scene_number <= q.scene_to)
                and all((text.lower() in i.effective_description.lower()
                         or text.lower() in i.asset_name.lower()) != neg
                        for neg, text in q.texts)
                and (q.locked is None or i.locked == q.locked)
                and (q.pending is None or i.pending_review == q.pending)
                and (q.stale is None or i.image_stale == q.stale)
                and (q.image is None or (i.image_key is not None) == q.image))
    order = {"character": 0, "location": 1}
    found = [i for i in every if keep(i)]
    found.sort(key=lambda i: (i.scene_number, order.get(i.asset_type, 2),
                              i.asset_name.lower()))
    return [i.id for i in found]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(terms(), max_size=4))
def test_parsed_queries_match_a_plain_python_filter(world, parts):
    desk, p, _ = world
    query = " ".join(parts)
    try:
        expected = oracle(desk, p, query)
    except core.ValidationError:       # e.g. scene:5..2 or contradicting flags
        with pytest.raises(core.ValidationError):
            desk.search(p.id, query)
        return
    assert ids(desk.search(p.id, query)) == expected, query


FRAGMENTS = st.sampled_from(['"', "-", ":", ",", "..", " ", "tag", "tag:", "scene:",
                             "asset:", "locked:", "yes", "3", "é", "ß", "\u0301", "'", "%",
                             "_", ";", "\\", "\t", "🎬", "type:", "prop", "\u00a0"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(FRAGMENTS, max_size=14).map("".join)))
def test_any_query_parses_or_raises_validation_error(text):
    try:
        parse(text)
    except core.ValidationError as exc:
        assert str(exc)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FRAGMENTS, max_size=14).map("".join))
def test_any_query_that_parses_also_runs(world, text):
    desk, p, _ = world
    try:
        parse(text)
    except core.ValidationError:
        return
    frame = desk.search(p.id, text)
    assert list(frame["instance_id"]) == oracle(desk, p, text)
