"""The editor's asset drawer with many assets (ui/editor/drawer.py, AppTest on the demo
film): groups by type with counts, the assets already in the scene set apart, search by
name and alias narrows every group, and a run reads the same for 10 or 200 assets."""

from __future__ import annotations

import sys
from html import unescape
from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import use_copy
from test_editor import check, demo_without_images, open_editor, scene, the_desk

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from query_count import count_queries  # noqa: E402


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch):
    yield use_copy(demo_without_images(), tmp_path, monkeypatch)
    st.cache_resource.clear()


def groups(at) -> list[str]:
    return [e.label for e in at.expander
            if e.label.split(" · ")[0] in ("Characters", "Locations", "Props")]


def add_buttons(at) -> list[str]:
    return [unescape(b.help) for b in at.button if b.key and b.key.startswith("ed_add_")]


def test_groups_show_counts_and_what_is_in_the_scene(db):
    at = open_editor(1, "Brick")
    assert groups(at) == ["Characters · 3 · 2 in scene", "Locations · 5 · 1 in scene",
                          "Props · 3 · 3 in scene"]
    assert add_buttons(at) == ["Add Pike to scene 1", "Add Dot's Pickup to scene 1",
                               "Add Gull Point Marsh to scene 1",
                               "Add Pike's Boathouse to scene 1",
                               "Add Seabreeze Motel to scene 1"]
    shown = unescape("\n".join(m.value for m in at.markdown))
    assert "In this scene: Brick, Dot" in shown
    assert "In this scene: Brass Lantern, Harbor Ledger, Trench Coat" in shown


def test_searching_by_name_or_alias_narrows_every_group(db):
    at = open_editor(1, "Brick")
    desk = the_desk()
    project = desk.projects()[0]
    desk.add_asset(project.id, "Gull", "prop", "A herring gull", aliases=["Seagull"])
    check(at.text_input(key="ed_q").set_value("pike").run())
    assert groups(at) == ["Characters · 1 of 3", "Locations · 1 of 5"]     # no empty group
    assert add_buttons(at) == ["Add Pike to scene 1", "Add Pike's Boathouse to scene 1"]
    check(at.text_input(key="ed_q").set_value("SEAGULL").run())
    assert groups(at) == ["Props · 1 of 4"]
    assert add_buttons(at) == ["Add Gull to scene 1"]


def test_200_assets_stay_bounded_and_are_read_once(db, monkeypatch):
    dragged = []

    def fake_drop(available, key):
        dragged.append(list(available))
        return []

    monkeypatch.setattr("ui.dragdrop.drop_assets", fake_drop)
    at = open_editor(1, "Brick")
    desk = the_desk()
    with count_queries(desk) as few:
        check(at.run())
    project = desk.projects()[0]
    small_runs = len(dragged)
    for n in range(190):
        desk.add_asset(project.id, f"Extra {n:03}", ("character", "location", "prop")[n % 3],
                       f"Extra number {n}", aliases=[f"X{n}"])
    with count_queries(desk) as many:
        check(at.run())
    assert many.count == few.count, (few.count, many.count)
    assert groups(at) == ["Characters · 67 · 2 in scene", "Locations · 68 · 1 in scene",
                          "Props · 66 · 3 in scene"]
    assert len(add_buttons(at)) == 3 * 40                       # per group, then search
    assert len(dragged) == small_runs             # the drop box waits for a narrower list
    assert any("195 assets to add: search to narrow" in c.value for c in at.caption)
    assert any("…and 25 more: refine the search." in c.value for c in at.caption)
    check(at.text_input(key="ed_q").set_value("x12").run())     # X12, X120..X129 (aliases)
    assert sum(int(g.split(" · ")[1].split()[0]) for g in groups(at)) == 11
    assert sorted(dragged[-1]) == ["Extra 012", *(f"Extra 12{k}" for k in range(10))]
    assert scene(1).id == at.query_params["scene"]
