"""History shows a text change in full (issue 11, item 8): a change near the end of a long
description is visible in the History page's table, in full with a word diff when the row
is selected, and in the editor's history."""

from __future__ import annotations

import pytest
import streamlit as st
from dashboard_support import check, demo_template, html_of, open_desk, run_page, use_copy

LONG = ("Long camel trench coat, belt knotted, collar up against the wind, buttons of dark "
        "horn, the left pocket torn at the seam and mended with {} thread.")


@pytest.fixture
def edited(tmp_path, monkeypatch):
    """Scene 9's Harbor Ledger (its last appearance) given a long own description by
    "ana", then changed in one word near the end."""
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        project = desk.projects()[0]
        ledger = next(i for i in desk.branch_instances(project.id)
                      if i.asset_name == "Harbor Ledger" and i.scene_number == 9)
        r = desk.update_instance(ledger.id, expected_version=ledger.version, actor="ana",
                                 description_override=LONG.format("grey"))
        desk.update_instance(ledger.id, expected_version=r.instance.version, actor="ana",
                             description_override=LONG.format("red"))
        info = {"ledger": ledger, "scene": ledger.scene_id}
    finally:
        desk.close()
    yield info
    st.cache_resource.clear()


def test_history_table_shows_the_words_that_changed(edited):
    at = run_page("pages/history.py")
    [df] = [d.value for d in at.dataframe]
    first = df[df["Field"] == "Own description"].iloc[0]      # newest first: grey -> red
    before, after = first["Change"].split(" → ")
    assert "grey" in before and "red" in after
    assert len(before) <= 60 and len(after) <= 60


def test_selected_history_row_shows_the_full_text_with_a_word_diff(edited):
    at = run_page("pages/history.py")
    at.session_state["history_table"] = {"selection": {"rows": [0], "columns": [],
                                                       "cells": []}}
    at.run()
    check(at)
    html = html_of(at)
    assert "<del>grey</del>" in html and "<ins>red</ins>" in html
    assert "Long camel trench coat" in html   # the whole text, not a cut


def test_editor_history_shows_the_full_text_with_a_word_diff(edited):
    at = run_page("pages/editor.py", scene=edited["scene"], instance=edited["ledger"].id)
    html = html_of(at)
    assert "<del>grey</del> <ins>red</ins> thread" in html
    assert "Long camel trench coat, belt knotted" in html
