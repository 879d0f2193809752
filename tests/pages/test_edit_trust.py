"""Editing you can trust (issue 11) in the asset editor, driven by AppTest on a copy of
the demo film. "Another session" is the Desk the app cached, called between two runs."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import make_template, use_copy
from streamlit.testing.v1 import AppTest

import core

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@functools.cache
def demo_without_images() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="edit-trust-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_template(directory, images=False)


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_copy(demo_without_images(), tmp_path, monkeypatch)


def the_desk() -> core.Desk:
    from ui.context import get_desk
    return get_desk()


def inst(number: int, name: str) -> core.Instance:
    desk = the_desk()
    project = desk.projects()[0]
    return next(i for i in desk.branch_instances(project.id)
                if i.scene_number == number and i.asset_name == name)


def check(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_editor(number: int, name: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    check(at.run())
    at.switch_page("pages/editor.py")
    target = inst(number, name)
    at.query_params["scene"] = target.scene_id
    at.query_params["instance"] = target.id
    return check(at.run())


def key(name: str, instance: core.Instance | str) -> str:
    return f"ed_{name}_{instance if isinstance(instance, str) else instance.id}"


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# --- item 1: an edit is never saved into another asset ---------------------------------
def test_instance_removed_meanwhile_keeps_the_typed_text_and_switches_to_nothing():
    at = open_editor(8, "Trench Coat")
    coat, brick = inst(8, "Trench Coat"), inst(8, "Brick")
    typed = "Trench coat soaked through, a fresh tear along the left sleeve."
    check(at.text_area(key=key("desc", coat)).set_value(typed).run())
    # another session removes the coat from scene 8
    the_desk().remove_instance(coat.id, expected_version=coat.version, actor="ana")
    check(at.button(key=key("save", coat)).click().run())

    [warning] = [w.value for w in at.warning]
    assert "Trench Coat was removed from scene 8 by ana at" in warning
    assert [c.value for c in at.code] == [typed]              # kept, to copy or re-apply
    assert not at.error                                        # no raw "does not exist"
    assert not [t for t in at.text_area if t.value == typed]   # in no other asset's form
    assert at.session_state["ed_instance"] == coat.id          # no silent switch to Brick
    assert "### :material/person: Brick" not in texts(at)

    # choosing Brick shows Brick's own description; nothing was written anywhere
    check(at.button(key=f"ed_pick_{brick.id}").click().run())
    assert at.text_area(key=key("desc", brick)).value == brick.effective_description
    desk = the_desk()
    project = desk.projects()[0]
    assert not [i for i in desk.branch_instances(project.id)
                if typed in (i.effective_description or "")]


def test_closing_the_notice_forgets_the_edits_and_opens_the_scene():
    at = open_editor(8, "Trench Coat")
    coat = inst(8, "Trench Coat")
    check(at.text_area(key=key("desc", coat)).set_value("Coat, wet.").run())
    the_desk().remove_instance(coat.id, expected_version=coat.version, actor="ana")
    check(at.run())
    assert [c.value for c in at.code] == ["Coat, wet."]
    check(at.button(key=f"ed_lost_close_{coat.id}").click().run())
    assert not at.code and not at.warning
    assert at.session_state["ed_instance"] == inst(8, "Brick").id
