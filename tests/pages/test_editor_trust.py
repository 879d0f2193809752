"""Editing you can trust (issue 11) in the asset editor, driven by AppTest on a copy of
the demo film. "Another session" is the Desk the app cached, called between two runs."""

from __future__ import annotations

import atexit
import functools
import html
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


# --- item 5: edits of different fields merge, and the page says so -----------------------
def test_a_save_merged_with_another_change_says_whose():
    at = open_editor(9, "Brick")
    brick = inst(9, "Brick")
    text = "Brick in a dry shirt, hair combed, the bandage gone."
    check(at.text_area(key=key("desc", brick)).set_value(text).run())
    the_desk().update_instance(brick.id, expected_version=brick.version, actor="ana",
                               status_tags=["sweaty"])
    check(at.button(key=key("save", brick)).click().run())
    said = [html.unescape(m.value) for m in at.success]
    assert any(m.startswith("Saved, merged with ana's change to the tags.") for m in said), said
    now = inst(9, "Brick")
    assert (now.effective_description, now.status_tags) == (text, ["sweaty"])
    assert at.multiselect(key=key("tags", brick)).value == ["sweaty"]   # the form shows both


def captions(at: AppTest) -> str:
    return html.unescape("\n".join(c.value for c in at.caption))


# --- item 2: take upstream merging tags; the save preview names tag conflicts -------------
def test_save_preview_names_tag_conflicts_and_take_upstream_can_merge_tags():
    b9 = inst(9, "Brick")
    the_desk().update_instance(b9.id, expected_version=b9.version, actor="ana",
                               status_tags=["sweaty"])                 # scene 9: own tags
    at = open_editor(8, "Brick")
    b8 = inst(8, "Brick")
    check(at.multiselect(key=key("tags", b8)).set_value(["wet"]).run())
    assert "Scene 9 keeps its own tags (sweaty) and will be flagged: upstream adds wet." \
        in captions(at)
    check(at.button(key=key("save", b8)).click().run())
    assert inst(9, "Brick").upstream_tags_changed

    at = open_editor(9, "Brick")
    assert "Replace: tags become wet; merge: tags become sweaty, wet" in captions(at)
    check(at.button(key=key("take_merge", b9)).click().run())
    now = inst(9, "Brick")
    assert now.status_tags == ["sweaty", "wet"] and not now.upstream_changed
    assert any("merging the tags" in html.unescape(m.value) for m in at.success)


# --- item 3: revert shows its preview and asks; restore the value before a change --------
def test_revert_shows_its_preview_and_waits_for_confirm():
    at = open_editor(7, "Brick")
    b7 = inst(7, "Brick")
    row = next(h for h in the_desk().history(b7.id)
               if h.field == "status_tags" and h.new_value == ["muddy", "bloody"])
    check(at.button(key=key(f"revert_{row.id}", b7)).click().run())
    assert f"**Revert to change #{row.id}?**" in texts(at)
    assert [html.unescape(i.value) for i in at.info] == ["Will also update scenes 8, 9."]
    assert inst(7, "Brick").status_tags != ["muddy", "bloody"]         # nothing yet
    check(at.button(key=key("revert_cancel", b7)).click().run())
    assert f"Revert to change #{row.id}?" not in texts(at)
    check(at.button(key=key(f"revert_{row.id}", b7)).click().run())
    check(at.button(key=key("revert_confirm", b7)).click().run())
    assert inst(7, "Brick").status_tags == ["muddy", "bloody"]


def test_a_current_value_can_be_restored_to_what_it_was_before():
    b9 = inst(9, "Brick")
    before = b9.effective_description
    the_desk().update_instance(b9.id, expected_version=b9.version, actor="ana",
                               description_override="Brick, soaked to the bone.")
    at = open_editor(9, "Brick")
    row = next(h for h in reversed(the_desk().history(b9.id))
               if h.field == "description_override")
    check(at.button(key=key(f"before_{row.id}", b9)).click().run())
    assert f"**Restore the value before change #{row.id}?**" in texts(at)
    check(at.button(key=key("revert_confirm", b9)).click().run())
    assert inst(9, "Brick").effective_description == before


# --- item 7: undo a whole save ------------------------------------------------------------
def test_undo_this_save_previews_then_restores_every_field_of_the_save():
    at = open_editor(9, "Brick")
    b9 = inst(9, "Brick")
    check(at.text_area(key=key("desc", b9)).set_value("Brick, asleep in a chair.").run())
    check(at.multiselect(key=key("tags", b9)).set_value(["sweaty"]).run())
    check(at.button(key=key("save", b9)).click().run())
    saved = inst(9, "Brick")
    assert saved.status_tags == ["sweaty"]
    assert not [b for b in at.button if b.key == key("undo", b9)]    # asked first
    check(at.button(key=key("undo_ask", b9)).click().run())
    assert "Restores every field your last save changed here" in captions(at)
    assert "Only this scene changes." in [html.unescape(i.value) for i in at.info]
    check(at.button(key=key("undo", b9)).click().run())
    now = inst(9, "Brick")
    assert (now.effective_description, now.status_tags) == (b9.effective_description,
                                                            b9.status_tags)
    assert {h.change_id for h in the_desk().history(b9.id)[-2:]} != {None}
    assert any(m.value.startswith("Undid your last save of Brick")
               for m in at.success)
    assert not [b for b in at.button
                if b.key in (key("undo", b9), key("undo_ask", b9))]      # one undo per save
