"""The Breakdown page (pages/breakdown.py) under AppTest on the demo film (no images):
groups with counts, search, tick → summary → apply in one change, refused removals
named before applying, a stale grid reported (ticks kept), and S1 on the hostile film.
AppTest cannot edit a data_editor, so ticks here go through the page's "whole rows"
control; tests/e2e/test_breakdown.py clicks the grid's cells in Chromium."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from html import unescape
from pathlib import Path

import pytest
from dashboard_support import check, make_template, run_page, use_copy
from hostile_support import ASSET, LABEL_1, LABEL_2, PROJECT, PROP, seed
from test_hostile_text_pages import _check as check_escaped

import core

PAGE = "pages/breakdown.py"


@functools.cache
def demo_without_images() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="breakdown-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_template(directory, images=False)


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    return use_copy(demo_without_images(), tmp_path, monkeypatch)


def the_desk() -> core.Desk:
    from ui.context import get_desk
    return get_desk()


def ids():
    desk = the_desk()
    project = desk.projects()[0]
    return (desk, project, {a.name: a.id for a in desk.assets(project.id)},
            {s.scene_number: s.id for s in desk.scenes(project.id)})


def text_of(at) -> str:
    return unescape("\n".join([*(m.value for m in at.markdown), *(c.value for c in at.caption),
                               *(w.value for w in at.warning), *(e.value for e in at.error),
                               *(s.value for s in at.success), *(b.label for b in at.button)]))


def fill(at, names: list[str], tick: bool):
    _, _, assets, _ = ids()
    at.multiselect(key="bd_fill_assets").set_value([assets[n] for n in names]).run()
    at.button(key="bd_fill_tick" if tick else "bd_fill_untick").click().run()
    check(at)
    return at


def test_groups_show_counts_and_search_narrows_them(demo):
    at = run_page(PAGE)
    text = text_of(at)
    assert "**Characters** · 3" in text and "**Locations** · 5" in text
    assert "**Props** · 3" in text
    assert "Nothing is saved until you apply" in text
    at.text_input(key="bd_q").set_value("pike").run()
    check(at)
    text = text_of(at)
    assert "**Characters** · 1 of 3" in text and "**Locations** · 1 of 5" in text
    assert "**Props** · 0 of 3" in text and "No asset of this type matches." in text
    at.text_input(key="bd_q").set_value("").run()
    at.button_group(key="bd_types").set_value(["prop"]).run()
    check(at)
    assert "Characters" not in text_of(at) and "**Props** · 3" in text_of(at)


def test_tick_summary_apply(demo):
    at = run_page(PAGE)
    desk, project, assets, scenes = ids()
    fill(at, ["Pike", "Gull Point Marsh"], tick=True)
    # Pike is in 3, 4, 8 and the marsh in 3: 2 x 8 scenes - 4 present = 12 new, in 7 scenes
    text = text_of(at)
    assert "Adds 12 appearances in 7 scenes, removes 0." in text
    assert "Apply 12 changes" in text
    assert desk.breakdown(project.id).scenes_of[assets["Pike"]] == [3, 4, 8]   # not yet
    at.button(key="bd_apply").click().run()
    check(at)
    assert "Placed 12 appearances and removed 0." in text_of(at)
    grid = desk.breakdown(project.id)
    assert grid.scenes_of[assets["Pike"]] == [1, 2, 3, 4, 5, 7, 8, 9]
    pike5 = next(i for i in desk.scene_instances(scenes[5]) if i.asset_name == "Pike")
    pike4 = next(i for i in desk.scene_instances(scenes[4]) if i.asset_name == "Pike")
    assert pike5.inherited_from_instance_id == pike4.id                  # I1, story order
    assert "Nothing is saved until you apply" in text_of(at)            # ticks cleared


def test_refused_removals_are_named_before_applying(demo):
    at = run_page(PAGE)
    desk, project, assets, scenes = ids()
    fill(at, ["Pike", "Gull Point Marsh"], tick=False)
    text = text_of(at)
    # Pike 3 and 8 and the marsh go; Pike 4 has its own tags and stays
    assert "Adds 0 appearances in 0 scenes, removes 3." in text
    assert "1 unticked appearance stays" in text
    assert "Pike in scene 4 has its own tags" in text
    at.button(key="bd_apply").click().run()
    check(at)
    assert desk.breakdown(project.id).scenes_of[assets["Pike"]] == [4]
    assert assets["Gull Point Marsh"] not in {
        i.project_asset_id for i in desk.scene_instances(scenes[3])}


def test_a_stale_grid_is_reported_and_the_ticks_stay(demo):
    at = run_page(PAGE)
    desk, project, assets, scenes = ids()
    fill(at, ["Pike"], tick=True)
    desk.inherit_scene(scenes[1], [assets["Pike"]], actor="other tab")     # meanwhile
    at.button(key="bd_apply").click().run()
    assert any("Someone else placed or removed Pike" in e.value for e in at.error)
    # the grid now shows the current breakdown, the remaining ticks are offered again
    assert "Adds 4 appearances in 4 scenes, removes 0." in text_of(at)
    at.button(key="bd_apply").click().run()
    check(at)
    assert desk.breakdown(project.id).scenes_of[assets["Pike"]] == [1, 2, 3, 4, 5, 7, 8, 9]


def test_discard_forgets_the_ticks(demo):
    at = run_page(PAGE)
    fill(at, ["Pike"], tick=True)
    at.button(key="bd_discard").click().run()
    check(at)
    assert "Nothing is saved until you apply" in text_of(at)


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    directory = tmp_path / "seed"
    directory.mkdir()
    seed(directory / "template.duckdb", directory / "images")
    use_copy(directory / "template.duckdb", tmp_path, monkeypatch)


def test_hostile_names_are_escaped(hostile):
    at = run_page(PAGE)
    desk, project, assets, scenes = ids()
    fill(at, [PROP], tick=False)                  # the hat: scene 1 goes; both have images
    check_escaped(at, PROJECT, f"Scene {LABEL_1}", f"Scene {LABEL_2}",
                  f"{PROP} in scene {LABEL_1} has 1 generated", f"{PROP} in scene {LABEL_2}")
    fill(at, [ASSET], tick=False)
    check_escaped(at, f"{ASSET} in scene {LABEL_2}")
