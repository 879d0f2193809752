"""Overview page (AppTest): counts, the continuity matrix, open issues, scene links."""

from __future__ import annotations

import re
from html import unescape

import pytest
import streamlit as st
from dashboard_support import demo_template, html_of, open_desk, run_page, use_copy

from core.demo import ASSETS, PROJECT_NAME
from ui.safe import esc


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    yield path
    st.cache_resource.clear()


def matrix_cells(html: str) -> list[str]:
    """The link (href) and text of every instance cell of the matrix."""
    return re.findall(r'<a href="(\./editor\?[^"]+)" target="_self" class="([^"]+)" '
                      r'title="[^"]*">(.*?)</a></td>', html, flags=re.S)


def test_counts(db):
    at = run_page()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Scenes"] == "8"
    assert metrics["Assets"] == str(len(ASSETS))
    assert metrics["Instances"] == "42"
    assert metrics["Pending review"] == "1"       # Pike's mud carried into scene 8
    assert metrics["Upstream changed"] == "0"
    assert metrics["Ready scenes"] == "7 / 8"
    assert PROJECT_NAME in at.caption[0].value


def test_matrix_shows_tags_changes_and_links_to_the_editor(db):
    at = run_page()
    html = html_of(at)
    assert 'class="cd-matrix"' in html
    for name in ASSETS:
        assert f'<td class="cd-asset">{esc(name)}</td>' in html, name
    for group in ("Characters (3)", "Locations (5)", "Props (3)"):
        assert group in html
    cells = matrix_cells(unescape(html))
    assert len(cells) == 42
    assert all("scene=" in href and "instance=" in href for href, _, _ in cells)
    text = " ".join(body for _, _, body in cells)
    for tag in ("muddy", "bloody", "wet", "torn", "cracked"):
        assert f">{tag}</span>" in text, tag
    changed = [c for c in cells if "cd-changed" in c[1]]
    assert changed and all("Δ" in body for _, _, body in changed)
    # Brick in scene 7 is cleaned up: the dropped tags show struck through.
    assert "−bloody" in text and "cd-gone" in text
    # The tooltip says what changed.
    assert "Changed since scene 4: +bloody; description changed" in unescape(html)
    # Pike's pending review is marked; nothing is locked or flagged yet.
    assert sum("carried conditions await review" in body for _, _, body in cells) == 1
    assert not any("cd-locked" in c[1] or "cd-upstream" in c[1] for c in cells)


def test_matrix_marks_locked_and_upstream_changed_cells(db):
    desk = open_desk(db)
    try:
        project = desk.projects()[0]
        scenes = {s.scene_number: s for s in desk.scenes(project.id)}
        dot = {i.scene_number: i for i in desk.branch_instances(project.id)
               if i.asset_name == "Dot"}
        desk.lock_instance(dot[8].id, expected_version=dot[8].version, actor="ana")
        # Dot's scene 7 tags change; scene 8 is locked, so it is flagged, not changed.
        desk.update_instance(dot[7].id, expected_version=dot[7].version, actor="ana",
                             status_tags=["dusty"])
        locked_id = dot[8].id
    finally:
        desk.close()
    at = run_page()
    cells = matrix_cells(unescape(html_of(at)))
    [locked] = [c for c in cells if f"instance={locked_id}" in c[0]]
    assert "cd-locked" in locked[1] and "cd-upstream" in locked[1]
    assert 'aria-label="locked"' in locked[2] and 'aria-label="upstream changed"' in locked[2]
    assert {m.label: m.value for m in at.metric}["Upstream changed"] == "1"
    assert f"scene={scenes[8].id}" in locked[0]


def test_open_issues_and_scene_links(db):
    at = run_page()
    # Pike's carried mud awaits review (R1) and, by C1, survives into day 2; the script
    # of scene 4 names the marsh and the ledger, which are not in it.
    assert any(s.value.startswith("Open issues (4)") for s in at.subheader)
    html = unescape(html_of(at))
    assert "Pike: carried conditions (muddy) await review." in html
    assert "Pike is still “muddy” on story day 2" in html
    assert "Harbor Ledger is named in scene 4" in html and "Add it in the editor →" in html
    scene_list = html.split('<div class="cd-scenes">', 1)[1].split("</div>", 1)[0]
    labels = re.findall(r'<a href="\./scenes\?scene=[^"]+" target="_self" title="[^"]+">'
                        r'<span class="cd-(?:ok|bad)">.</span> ([^<]+?)(?: <span class="cd-muted">'
                        r'\d+ blockers?</span>)?</a>', scene_list)
    assert len(labels) == 8
    assert labels[0] == "Scene 1 · EXT. BRICK'S PATIO - DAY"
    assert not any(label.startswith("Scene 6 ") for label in labels)


def test_project_without_scenes_shows_the_empty_state(db):
    desk = open_desk(db)
    try:
        empty = desk.create_project("Untitled short", actor="ana")
    finally:
        desk.close()
    at = run_page()
    at.sidebar.selectbox(key="project_id").select(empty.id).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Scenes"] == "0"
    assert any("no scenes yet" in i.value for i in at.info)
    assert 'class="cd-matrix"' not in html_of(at)
