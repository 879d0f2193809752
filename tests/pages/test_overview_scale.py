"""The Overview at film scale (AppTest, issue 13 item 7): the matrix shows a window of
scenes (range control, earlier / later), a compact view of every scene, filters a link
reopens (widgets bound to the URL), and open issues grouped by kind and asset with
counts instead of a flat list. Chromium checks the sticky header: tests/e2e."""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from html import unescape
from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import demo_template, run_page, use_copy
from desk_factory import make_desk

SCENES = 45
PEOPLE = ["BRICK", "STEEL", "MARGOT", "RAY", "DOT", "PIKE", "IRIS", "OTTO"]
PLACES = ["HARBOUR", "PIER", "DINER", "ROOFTOP", "MOTEL"]


def _screenplay() -> str:
    out = ["Title: Long Film", ""]
    for n in range(1, SCENES + 1):
        cast = [PEOPLE[(n + k) % len(PEOPLE)] for k in (0, 3)]
        out += [f"INT. {PLACES[n % len(PLACES)]} - DAY", "",
                f"{cast[0]} and {cast[1]} wait by the door.", ""]
        out += [cast[0], f"Line of scene {n}.", "", cast[1], "Another line.", ""]
    return "\n".join(out)


@functools.cache
def _long_film() -> Path:
    """A 45-scene film: each scene holds its place and only its first speaker (the
    second is named in the scene but not in it: one `named_not_in_scene` per scene)."""
    directory = Path(tempfile.mkdtemp(prefix="continuity-long-film-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    desk = make_desk(directory / "template.duckdb", image_root=directory / "images",
                     provider="offline")
    try:
        rep = desk.import_screenplay_as_project("Long Film", _screenplay(), actor="test",
                                                populate=False)  # placed by hand below
        names = {a.name.upper(): a.id for a in desk.assets(rep.project_id)}
        scenes = desk.scenes(rep.project_id)
        held = {s.id: [names[PEOPLE[s.scene_number % len(PEOPLE)]],
                       names[PLACES[s.scene_number % len(PLACES)]]] for s in scenes}
        desk.inherit_scenes([s.id for s in scenes], held, actor="test")
    finally:
        desk.close()
    return directory / "template.duckdb"


@pytest.fixture
def long_film(tmp_path, monkeypatch):
    use_copy(_long_film(), tmp_path, monkeypatch)
    yield
    st.cache_resource.clear()


@pytest.fixture
def demo(tmp_path, monkeypatch):
    use_copy(demo_template(), tmp_path, monkeypatch)
    yield
    st.cache_resource.clear()


def matrix_html(at) -> str:
    [html] = [m.value for m in at.markdown if 'class="cd-matrix"' in m.value
              or 'class="cd-compact"' in m.value]
    return unescape(html)


def header_scenes(html: str) -> list[str]:
    """The scene labels of the detailed matrix's header row."""
    head = html.split("</thead>")[0]
    return re.findall(r'<a href="\./scenes\?[^"]*"[^>]*>Scene ([^<]+)</a>', head)


def cell_scenes(html: str, scene_numbers: dict[str, int]) -> set[int]:
    return {scene_numbers[sid] for sid in re.findall(r'href="\./editor\?scene=([^&"]+)', html)}


def marks(html: str) -> list[str]:
    return re.findall(r'<a href="\./editor\?[^"]+" target="_self" class="cd-m[^"]*"', html)


def test_the_detailed_view_shows_a_window_of_scenes(long_film):
    at = run_page()
    html = matrix_html(at)
    assert header_scenes(html) == [str(n) for n in range(1, 21)]
    assert any("Scenes 1–20: 20 of 45" in c.value for c in at.caption)
    assert at.slider(key="matrix_scenes").value == (1, 20)
    at.button(key="matrix_later").click().run()
    assert header_scenes(matrix_html(at)) == [str(n) for n in range(21, 41)]
    at.button(key="matrix_later").click().run()          # the last window stays full
    assert at.slider(key="matrix_scenes").value == (26, 45)
    assert at.button(key="matrix_later").disabled
    at.slider(key="matrix_scenes").set_value((30, 34)).run()
    html = matrix_html(at)
    assert header_scenes(html) == ["30", "31", "32", "33", "34"]
    numbers = {sid: n for sid, n in zip(
        re.findall(r'href="\./scenes\?scene=([^&"]+)', html.split("</thead>")[0]),
        range(30, 35), strict=True)}
    assert cell_scenes(html, numbers) == set(range(30, 35))
    at.button(key="matrix_earlier").click().run()
    assert at.slider(key="matrix_scenes").value == (25, 29)


def test_the_compact_view_shows_every_scene_with_one_mark_per_appearance(long_film):
    at = run_page(matrix_view="Compact")
    assert at.segmented_control(key="matrix_view").value == "compact"
    html = matrix_html(at)
    head = html.split("</thead>")[0]
    assert len(re.findall(r"<th[ >]", head)) == 1 + SCENES
    assert len(re.findall(r'href="\./scenes\?scene=', head)) == SCENES
    instances = {m.label: m.value for m in at.metric}["Instances"]
    assert len(marks(html)) == int(instances) == 2 * SCENES
    # The detailed window (scenes 1–20) is shaded.
    assert html.count('<col class="cd-in">') == 20
    titles = re.findall(r'class="cd-m[^"]*" title="([^"]*)"', html)
    assert len(titles) == 2 * SCENES
    assert all(re.fullmatch(r"\w+ · scene \d+ · no tags", t) for t in titles), titles[:3]


def test_a_link_reopens_the_same_view(demo):
    at = run_page(matrix_view="Compact", matrix_types="Props", matrix_tags="cracked",
                  matrix_scenes=["2", "4"])
    assert at.segmented_control(key="matrix_view").value == "compact"
    assert at.pills(key="matrix_types").value == ["prop"]
    assert at.multiselect(key="matrix_tags").value == ["cracked"]
    assert at.slider(key="matrix_scenes").value == (2, 4)
    html = matrix_html(at)
    titles = re.findall(r'class="cd-m[^"]*" title="([^"]*)"', html)
    assert titles and all(t.startswith("Brass Lantern · scene") for t in titles)
    assert "Props (1)" in html and "Characters (" not in html
    at.segmented_control(key="matrix_view").set_value("detailed").run()
    html = matrix_html(at)
    assert header_scenes(html) == ["2", "3", "4"]
    assert {t.split(" · ")[0] for t in re.findall(r'class="cd-cell[^"]*" title="([^"]*)"',
                                                  html)} == {"Brass Lantern"}


def test_values_a_link_cannot_hold_fall_back_to_the_defaults(demo):
    at = run_page(matrix_view="Sideways", matrix_types="Spaceships", matrix_tags="nope",
                  matrix_scenes=["0", "99"])
    assert at.segmented_control(key="matrix_view").value == "detailed"
    assert at.pills(key="matrix_types").value == []
    assert at.multiselect(key="matrix_tags").value == []
    assert at.slider(key="matrix_scenes").value == (1, 9)    # all 8 scenes fit
    assert len(header_scenes(matrix_html(at))) == 8          # no scene 6


def test_open_issues_are_grouped_by_kind_and_asset_with_counts(long_film):
    at = run_page()
    # One "named but not in the scene" per scene: 45 issues, one group, one line per asset.
    assert any(s.value == "Open issues (45)" for s in at.subheader)
    [named] = [e for e in at.expander if e.label.startswith("Named in the script")]
    assert named.label == "Named in the script, not in the scene · 45 in 45 scenes · 8 assets"
    assert not named.proto.expanded
    [body] = [m.value for m in named.markdown]
    assert body.count("<li>") == 8
    lines = re.findall(r"<li>.*?</li>", unescape(body), flags=re.S)
    assert all(re.search(r"<b>[A-Za-z]+</b> · \d+ scenes: ", line) for line in lines)
    assert sum(len(re.findall(r'class="cd-sn"', line)) for line in lines) == 45
    # No flat list of issues anywhere on the page.
    assert not any(m.value.count("<li>") > 8 for m in at.markdown)
    assert "is named in scene 7" in unescape(body)             # each scene's tooltip


def test_a_small_group_opens_and_lists_its_issues_in_full(demo):
    at = run_page()
    groups = {e.label.split(" · ")[0]: e for e in at.expander}
    review = groups["Carried conditions await review"]
    assert review.label == "Carried conditions await review · 1 in 1 scene"
    assert review.proto.expanded
    assert "Pike: carried conditions (muddy) await review." in unescape(
        review.markdown[0].value)
    assert "Reference images to make" not in " ".join(groups)   # every image is made
