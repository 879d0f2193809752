"""S1 on every page (AppTest): the hostile film's names, headings, labels, descriptions
and reasons reach Streamlit only escaped — no raw HTML or Markdown of theirs in any
markdown, caption, heading, alert, label or help — and read back as the text they
are. What Chromium makes of it: tests/e2e/test_hostile_text.py."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from html import unescape
from pathlib import Path

import pytest
from dashboard_support import run_page, use_copy
from hostile_support import (
    ASSET,
    END_STATE,
    HEADING_1,
    HEADING_2,
    LABEL_1,
    LABEL_2,
    LIBRARY,
    MASTER,
    OVERRIDE,
    PROJECT,
    PROP,
    REASON,
    seed,
)

from ui.safe import WORD_JOINER

# Fragments of the hostile text that must never reach a Markdown source unescaped.
RAW = ["<img src=", "<b>bold</b>", "**bold**", "[link](", "![img](", "$x^2$", "<iframe",
       "<base", "<object", "# heading", "http://evil"]
MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                  "error", "success", "toast")
LABELLED_KINDS = ("button", "checkbox", "toggle", "expander", "tabs", "metric", "radio",
                  "select_slider", "text_input", "text_area", "selectbox", "multiselect")


@functools.cache
def _template() -> tuple[Path, dict]:
    directory = Path(tempfile.mkdtemp(prefix="continuity-hostile-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    ids = seed(directory / "template.duckdb", directory / "images")
    return directory / "template.duckdb", ids


@pytest.fixture
def ids(tmp_path, monkeypatch) -> dict:
    template, ids = _template()
    use_copy(template, tmp_path, monkeypatch)
    return ids


def _sources(at) -> list[str]:
    """Every string the page hands Streamlit's Markdown renderer."""
    out = [e.value for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    for kind in LABELLED_KINDS:
        for e in getattr(at, kind):
            out += [e.label, getattr(e, "help", None) or ""]
            if kind in ("radio", "select_slider"):   # their options are Markdown too
                out += [str(o) for o in e.options]
    for link in at.get("page_link"):
        out += [link.proto.label, link.proto.help]
    return [str(s) for s in out]


def _check(at, *shown: str) -> None:
    sources = _sources(at)
    raw = [(frag, s[:120]) for s in sources for frag in RAW if frag in s]
    assert raw == [], raw
    text = unescape("\n".join(sources)).replace(WORD_JOINER, "")
    for s in shown:
        assert s in text, s


def test_overview(ids):
    at = run_page()
    _check(at, PROJECT, ASSET, PROP, f"Scene {LABEL_1}", f"Scene {LABEL_2} · {HEADING_2}",
           HEADING_1)


def test_scenes(ids):
    at = run_page("pages/scenes.py", scene=ids["scene2"])
    _check(at, PROJECT, f"Scene {LABEL_2} · {HEADING_2}", f"← Scene {LABEL_1}", END_STATE,
           ASSET, PROP)


def test_asset_editor(ids):
    at = run_page("pages/editor.py", scene=ids["scene2"], instance=ids["brick2"])
    _check(at, ASSET, OVERRIDE, MASTER, END_STATE, REASON, LIBRARY, f"SCENE {LABEL_2}",
           f"SCENE {LABEL_1} ENDED")


def test_history(ids):
    at = run_page("pages/history.py")
    at.session_state["history_table"] = {"selection": {"rows": [0], "columns": [],
                                                       "cells": []}}
    at.run()
    _check(at, PROJECT, ASSET, REASON, f"scene {LABEL_2}")


def test_tag_search(ids):
    at = run_page("pages/search.py", q="tag:muddy")
    _check(at, PROJECT, f"Open {ASSET} in scene {LABEL_1} in the editor", f"Timeline · {ASSET}",
           OVERRIDE)


def test_bulk_generation(ids):
    at = run_page("pages/bulk.py")
    _check(at, PROJECT, f"Scene {LABEL_2}", HEADING_2, ASSET)


def test_library(ids):
    at = run_page("pages/library.py")
    _check(at, PROJECT)
