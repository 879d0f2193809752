"""The Library page's import previews run once per file and choices: a rerun with the
same upload reuses the dry run (core.library.preview_cache via Desk.import_preview);
a changed choice, or data changed by the import itself, computes it afresh."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import check, demo_template, open_desk, run_page, use_copy

from core.intake import importing
from core.library import transfer

PAGE = "pages/library.py"
SAMPLE = Path("/work/shared/samples/brick-and-steel.fountain")
CSV = b"name,type,description,aliases\nRay,character,Detective,Detective Ray\n"


@pytest.fixture
def empty(tmp_path, monkeypatch):
    """The demo plus an empty project, the import target."""
    desk = open_desk(use_copy(demo_template(), tmp_path, monkeypatch))
    try:
        yield desk.create_project("Brick & Steel", actor="ana")
    finally:
        desk.close()
        st.cache_resource.clear()


def counting(monkeypatch, module, name) -> list:
    """Count the calls of a core function the dry run goes through (it still runs)."""
    calls, real = [], getattr(module, name)

    def counted(*args, **kw):
        calls.append(args)
        return real(*args, **kw)
    monkeypatch.setattr(module, name, counted)
    return calls


def uploader(at, key):
    return next(u for u in at.get("file_uploader") if u.proto.id.endswith(key))


def test_a_screenplay_preview_is_not_recomputed_on_a_rerun(empty, monkeypatch):
    at = run_page(PAGE, project=empty.id)
    at.radio(key="sp_target").set_value("this").run()
    calls = counting(monkeypatch, importing, "import_screenplay")
    uploader(at, "sp_upload_0").set_value(("brick-and-steel.fountain", SAMPLE.read_bytes(),
                                           "text/plain"))
    at.run()
    check(at)
    first = len(calls)
    assert first == 2            # the choices offered, then the preview with the defaults
    at.run()
    at.text_input(key="actor").input("bo").run()        # unrelated reruns
    check(at)
    assert len(calls) == first
    assert {m.label: m.value for m in at.metric}["New scenes"] == "8"
    at.checkbox[1].uncheck().run()                      # another choice: one new dry run
    assert len(calls) == first + 1


def test_a_csv_preview_is_not_recomputed_on_a_rerun(empty, monkeypatch):
    at = run_page(PAGE, project=empty.id)
    calls = counting(monkeypatch, transfer, "import_assets_csv")
    uploader(at, "assets_csv_in").set_value(("assets.csv", CSV, "text/csv"))
    at.run()
    at.run()
    check(at)
    assert len(calls) == 1
    assert any("Will create **1**" in m.value for m in at.markdown)
    next(b for b in at.button if b.key == "assets_csv_go").click().run()
    assert any("1 created" in s.value for s in at.success)
    # the import changed the project: the same file's preview is computed afresh
    assert any("Will create **0**" in m.value for m in at.markdown)
