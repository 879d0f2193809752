"""History page (AppTest): the project-wide audit log, its filters and editor links."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
import streamlit as st
from dashboard_support import check, demo_template, html_of, open_desk, run_page, use_copy

PAGE = "pages/history.py"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """The demo plus one edit by "ana" (Brick's tags in scene 9, his last appearance,
    so nothing propagates), as core sees it."""
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        project = desk.projects()[0]
        brick9 = next(i for i in desk.branch_instances(project.id)
                      if i.asset_name == "Brick" and i.scene_number == 9)
        desk.update_instance(brick9.id, expected_version=brick9.version, actor="ana",
                             status_tags=["sweaty"], reason="Ran up the motel stairs")
        info = {
            "project": project,
            "scenes": {s.scene_number: s for s in desk.scenes(project.id)},
            "assets": {a.name: a for a in desk.assets(project.id)},
            "log": desk.project_history(project.id),
            "brick9": brick9,
        }
    finally:
        desk.close()
    yield info
    st.cache_resource.clear()


BOOKKEEPING = {"inherited_description", "inherited_tags", "inherited_from_instance_id"}


def shown(log):
    return log[~log["field"].isin(BOOKKEEPING)]


def table(at):
    [df] = [d.value for d in at.dataframe]
    return df


def test_whole_log_newest_first_with_readable_columns(demo):
    at = run_page(PAGE)
    df = table(at)
    assert list(df.columns) == ["Open", "When", "Who", "Source", "Scene", "Asset", "Field",
                                "Change", "Reason"]
    assert len(df) == len(shown(demo["log"]))
    newest = df.iloc[0]
    assert (newest["Who"], newest["Source"], newest["Scene"], newest["Asset"]) == \
        ("ana", "user", "9", "Brick")
    assert newest["Field"] == "Tags" and newest["Change"] == "(none) → sweaty"
    assert newest["Reason"] == "Ran up the motel stairs"
    b = demo["brick9"]
    assert newest["Open"] == (f"./editor?scene={b.scene_id}&instance={b.id}"
                              f"&project={demo['project'].id}"
                              f"&branch={demo['project'].main_branch_id}")
    assert f"{len(df)} changes" in at.caption[1].value
    # Lists are joined, booleans read on/off.
    assert "muddy, bloody" in " ".join(df["Change"])
    assert "— → on" in set(df["Change"])


def test_filters_narrow_the_rows(demo):
    at = run_page(PAGE)
    total = len(table(at))
    brick = demo["assets"]["Brick"].id
    at.selectbox(key="history_asset").select(brick).run()
    check(at)
    df = table(at)
    assert 0 < len(df) < total and set(df["Asset"]) == {"Brick"}

    at.selectbox(key="history_scene").select(demo["scenes"][5].id).run()
    df = table(at)
    assert set(df["Scene"]) == {"5"} and set(df["Asset"]) == {"Brick"}
    assert "(none) → muddy, bloody" in set(df["Change"]) or \
        "muddy → muddy, bloody" in set(df["Change"])

    at.selectbox(key="history_source").select("user").run()
    df = table(at)
    assert set(df["Source"]) == {"user"}
    assert set(df["Reason"]) == {"Split eyebrow in the boathouse fight (scene 4)"}

    at.selectbox(key="history_asset").select("")
    at.selectbox(key="history_scene").select("")
    at.selectbox(key="history_source").select("")
    at.selectbox(key="history_actor").select("ana")
    at.run()
    df = table(at)
    assert set(df["Who"]) == {"ana"} and len(df) == len(
        shown(demo["log"][demo["log"]["actor"] == "ana"]))


def test_date_range_filter(demo):
    at = run_page(PAGE)
    total = len(table(at))
    today = demo["log"]["at"].iloc[0].date()
    at.date_input(key="history_dates").set_value((today, today)).run()
    check(at)
    assert len(table(at)) == total
    future = today + timedelta(days=2)
    at.date_input(key="history_dates").set_value((future, future + timedelta(days=1))).run()
    assert not at.dataframe
    assert any("No changes match" in i.value for i in at.info)
    at.date_input(key="history_dates").set_value((today - timedelta(days=30),
                                                  today - timedelta(days=1))).run()
    assert not at.dataframe


def test_bookkeeping_toggle_shows_inheritance_fields(demo):
    at = run_page(PAGE)
    assert "Inherits from" not in set(table(at)["Field"])
    at.toggle(key="history_bookkeeping").set_value(True).run()
    df = table(at)
    assert len(df) == len(demo["log"])
    inherits = df[df["Field"] == "Inherits from"]
    # Lineage is shown as the scene it inherits from, not as an instance id.
    assert set(inherits["Change"]) <= {f"— → scene {n}" for n in demo["scenes"]}


def test_selected_row_shows_the_full_values(demo):
    at = run_page(PAGE)
    at.session_state["history_table"] = {"selection": {"rows": [0], "columns": [],
                                                       "cells": []}}
    at.run()
    check(at)
    html = unescape(html_of(at))
    assert "Ran up the motel stairs" in html
    assert ">+sweaty</span>" in html and "(no tags)" in html
