"""T1 (tag normalization) and T2 (vocabulary)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core.tags import vocabulary
from core.tags.normalize import normalize_tag

normalize = core.Desk.normalize_tags


# --- T1 examples -----------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("muddy", "muddy"),
    ("MUDDY", "muddy"),                                   # case-folded
    ("Straße", "strasse"),                                # full case folding
    ("  wet \t", "wet"),                                  # trimmed
    ("blood stained", "blood-stained"),
    ("blood__stained", "blood-stained"),
    ("blood - _ \t stained", "blood-stained"),            # mixed run -> one '-'
    ("half-torn", "half-torn"),
    ("e\u0301clabousse\u0301", "éclaboussé"),              # NFC
    ("ГРЯЗНЫЙ", "грязный"),                               # Cyrillic
    ("血まみれ", "血まみれ"),                              # CJK / kana
    ("मैला", "मैला"),                                      # Devanagari with combining marks
    ("عرق", "عرق"),                                       # Arabic
    ("scar2", "scar2"),                                   # digits
    ("a" * 32, "a" * 32),
    ("  " + "A" * 32 + "  ", "a" * 32),                   # trim before counting
    ("a" * 16 + " _ " + "b" * 15, "a" * 16 + "-" + "b" * 15),   # 32 after collapsing
    ("e\u0301" * 32, "é" * 32),                           # 64 code points, 32 after NFC
])
def test_T1_normalization_examples(raw, expected):
    assert normalize_tag(raw) == expected
    assert unicodedata.is_normalized("NFC", normalize_tag(raw))


@pytest.mark.parametrize("raw", [
    "a" * 33,
    "ß" * 17,                       # 34 characters after case folding
    "mud!",
    "wet.",
    "-wet",
    "wet-",
    "_wet",
    "muddy 🙂",
    "a/b",
    "50%",
    "tag\u200bzero-width",
])
def test_T1_bad_tags_are_refused_with_a_message_naming_them(raw):
    with pytest.raises(core.ValidationError) as exc:
        normalize(["fine", raw])
    assert raw in str(exc.value) or repr(raw) in str(exc.value)


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", " - ", "__"])
def test_T1_empty_tags_are_refused(raw):
    with pytest.raises(core.ValidationError):
        normalize([raw])


@pytest.mark.parametrize("raw", [None, 5, ["muddy"]])
def test_T1_non_text_tags_are_refused(raw):
    with pytest.raises(core.ValidationError):
        normalize([raw])


def test_T1_tags_must_be_a_list():
    with pytest.raises(core.ValidationError):
        normalize("muddy")


def test_T1_duplicates_dropped_keeping_order_of_addition():
    assert normalize(["Wet", "muddy", "WET", " wet ", "torn", "Muddy"]) == [
        "wet", "muddy", "torn"]
    assert normalize(["blood stained", "Blood_Stained", "blood-stained"]) == ["blood-stained"]


def test_T1_at_most_20_tags_counted_after_duplicates_are_dropped():
    twenty = [f"tag{k}" for k in range(20)]
    assert normalize(twenty) == twenty
    assert normalize([*twenty, "TAG0", "tag19"]) == twenty
    with pytest.raises(core.ValidationError):
        normalize([*twenty, "tag20"])


def test_T1_instance_edit_normalizes_and_refuses_bad_tags(film, snapshot):
    (x1,) = film.inherit(1, "Brick")
    r = film.edit(x1, status_tags=["  Muddy", "BLOOD stained", "muddy"])
    assert r.instance.status_tags == ["muddy", "blood-stained"]
    before = snapshot(film.desk)
    with pytest.raises(core.ValidationError) as exc:
        film.edit(x1, status_tags=["muddy", "on fire!"])
    assert "on fire!" in str(exc.value)
    assert snapshot(film.desk) == before


# --- T1 properties ---------------------------------------------------------------

_alphabet = st.characters(codec="utf-8", exclude_categories=("Cs",))
_tagish = st.one_of(
    st.text(_alphabet, max_size=40),
    st.text(st.sampled_from("aZé\u0301ß_- \tЖ字0١"), max_size=40),
)


def _accepted(raw):
    try:
        return normalize_tag(raw)
    except core.ValidationError:
        return None


def _matches_grammar(tag: str) -> bool:
    if not 1 <= len(tag) <= 32 or not unicodedata.is_normalized("NFC", tag):
        return False
    words = tag.split("-")
    return all(
        w and all(unicodedata.category(c)[0] in "LM" or unicodedata.category(c) == "Nd"
                  for c in w)
        for w in words
    )


@settings(max_examples=60, deadline=None)
@given(_tagish)
def test_T1_normalization_is_idempotent(raw):
    tag = _accepted(raw)
    if tag is not None:
        assert normalize_tag(tag) == tag
        assert normalize([tag, raw]) == [tag]


@settings(max_examples=60, deadline=None)
@given(_tagish)
def test_T1_anything_accepted_matches_the_grammar(raw):
    tag = _accepted(raw)
    if tag is not None:
        assert _matches_grammar(tag), tag
        assert tag == tag.casefold() or normalize_tag(tag.casefold()) == tag


@settings(max_examples=60, deadline=None)
@given(st.lists(_tagish, max_size=25))
def test_T1_list_normalization_is_idempotent_and_duplicate_free(raws):
    try:
        tags = normalize(raws)
    except core.ValidationError:
        return
    assert len(tags) == len(set(tags)) <= 20
    assert normalize(tags) == tags
    assert all(_matches_grammar(t) for t in tags)


# --- T2 --------------------------------------------------------------------------

T2_CATEGORIES = {
    "condition": {"muddy", "bloody", "dirty", "dusty", "sweaty"},
    "damage": {"torn", "ripped", "broken", "cracked", "shattered"},
    "temporal": {"wet", "dry", "aged", "weathered"},
    "appearance": {"clean", "polished", "worn", "faded"},
}


def test_T2_vocabulary_has_the_design_categories():
    by_category: dict[str, set[str]] = {}
    for entry in vocabulary.VOCABULARY:
        by_category.setdefault(entry.category, set()).add(entry.name)
        assert isinstance(entry.persists, bool)
        assert normalize_tag(entry.name) == entry.name
    for category, names in T2_CATEGORIES.items():
        assert names <= by_category[category], category
        for name in names:
            assert vocabulary.category_of(name) == category
            assert vocabulary.colour_of(name) == vocabulary.CATEGORY_COLOURS[category]


@pytest.mark.parametrize(("tag", "persists"), [
    ("torn", True), ("broken", True), ("wet", False), ("muddy", False), ("sweaty", False),
])
def test_T2_persists_flags(tag, persists):
    assert vocabulary.lookup(tag).persists is persists


def test_T2_custom_tags_are_allowed_and_have_their_own_category(film):
    (x1,) = film.inherit(1, "Brick")
    r = film.edit(x1, status_tags=["scorched", "wet"])
    assert r.instance.status_tags == ["scorched", "wet"]
    assert vocabulary.lookup("scorched") is None
    assert vocabulary.category_of("scorched") == "custom"


def test_T2_suggestions_put_project_tags_first(film):
    x1, x2, x4 = film.place("Brick", 1, 2, 4)
    (p1,) = film.inherit(1, "Porsche")
    film.edit(p1, status_tags=["scorched"])
    film.edit(x1, status_tags=["wet", "Soot Covered"])   # x2, x4 follow: wet x3
    suggestions = film.desk.tag_suggestions(film.project.id)
    in_use = {"wet", "soot-covered", "scorched"}
    assert set(suggestions[:3]) == in_use
    assert suggestions[0] in {"wet", "soot-covered"}      # most used first
    rest = suggestions[3:]
    assert [t.name for t in vocabulary.VOCABULARY if t.name not in in_use] == rest
    assert len(suggestions) == len(set(suggestions))


def test_T2_suggestions_without_project_tags_are_the_vocabulary(film):
    assert film.desk.tag_suggestions(film.project.id) == [
        t.name for t in vocabulary.VOCABULARY]
