"""The asset editor page (pages/editor.py) driven by AppTest on a demo-seeded temporary
database. "Another tab" is simulated by calling the Desk the app has cached directly
between two runs."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import time
from html import unescape
from pathlib import Path

import pytest
import streamlit as st
from dashboard_support import make_template, use_copy
from streamlit.testing.v1 import AppTest

import core
from ui.editor.history import HISTORY_PAGE, PRODUCER_FIELDS

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
TIMEOUT = 60  # the first run seeds the demo film


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@functools.cache
def demo_without_images() -> Path:
    """The demo film seeded once per test process, copied for every test."""
    directory = Path(tempfile.mkdtemp(prefix="editor-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_template(directory, images=False)


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_copy(demo_without_images(), tmp_path, monkeypatch)


# --- helpers --------------------------------------------------------------------------
def the_desk() -> core.Desk:
    """The Desk the app opened (st.cache_resource), as another browser tab would use it."""
    from ui.context import get_desk
    return get_desk()


def scene(number: int) -> core.Scene:
    desk = the_desk()
    project = desk.projects()[0]
    return next(s for s in desk.scenes(project.id) if s.scene_number == number)


def inst(number: int, name: str) -> core.Instance:
    return next(i for i in the_desk().scene_instances(scene(number).id) if i.asset_name == name)


def check(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_editor(number: int | None = None, name: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    check(at.run())                       # seeds the demo film
    at.switch_page("pages/editor.py")
    if number is not None:
        at.query_params["scene"] = scene(number).id
    if name is not None:
        at.query_params["instance"] = inst(number, name).id
    at.query_params.update(params)
    return check(at.run())


def key(name: str, instance: core.Instance | str) -> str:
    return f"ed_{name}_{instance if isinstance(instance, str) else instance.id}"


def texts(at: AppTest) -> str:
    """Everything the page says, in one string (as shown: references decoded)."""
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in getattr(at, kind)]
    parts += [b.label for b in at.button]
    return unescape("\n".join(str(p) for p in parts))


def messages(at: AppTest, kind: str) -> list[str]:
    return [unescape(e.value) for e in getattr(at, kind)]


def click(at: AppTest, k: str) -> AppTest:
    return check(at.button(key=k).click().run())


# --- selection and deep links -------------------------------------------------------------
def test_deep_link_opens_the_instance_and_reload_keeps_it():
    at = open_editor(5, "Dot")
    dot = inst(5, "Dot")
    assert at.text_area(key=key("desc", dot)).value == dot.effective_description
    assert at.selectbox(key="ed_scene_pick").value == scene(5).id
    assert ":material/person: Dot" in [h.value for h in at.subheader]
    assert at.query_params["scene"] == scene(5).id
    assert at.query_params["instance"] == dot.id
    # a reload is a new session on the same URL
    again = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    again.query_params.update(at.query_params)
    check(again.run())
    again.switch_page("pages/editor.py")
    check(again.run())
    assert again.text_area(key=key("desc", dot)).value == dot.effective_description


def test_instance_link_alone_finds_its_scene():
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    check(at.run())
    at.switch_page("pages/editor.py")
    pike = inst(8, "Pike")
    at.query_params["instance"] = pike.id
    check(at.run())
    assert at.selectbox(key="ed_scene_pick").value == scene(8).id
    assert at.query_params["scene"] == scene(8).id
    assert at.text_area(key=key("desc", pike)).value == pike.effective_description


def test_link_into_another_branch_offers_to_switch():
    at = open_editor(1)
    desk = the_desk()
    project = desk.projects()[0]
    alt = desk.create_branch(project.id, "Alt ending", up_to_scene_number=5, actor="test")
    alt4 = next(s for s in desk.scenes(project.id, alt.id) if s.scene_number == 4)
    at.query_params["scene"] = alt4.id
    check(at.run())
    assert any("Alt ending branch" in w for w in messages(at, "warning"))
    click(at, "ed_switch")
    assert at.sidebar.selectbox(key="branch_id").value == alt.id
    assert at.selectbox(key="ed_scene_pick").value == alt4.id
    assert at.query_params["scene"] == alt4.id


def test_choosing_a_scene_and_an_instance_updates_the_url():
    at = open_editor()
    assert at.query_params["scene"] == scene(1).id       # the first scene by default
    check(at.selectbox(key="ed_scene_pick").set_value(scene(4).id).run())
    assert at.query_params["scene"] == scene(4).id
    pike = inst(4, "Pike")
    click(at, f"ed_pick_{pike.id}")
    assert at.query_params["instance"] == pike.id
    assert at.text_area(key=key("desc", pike)).value == pike.effective_description


def test_rows_show_source_status_and_tags():
    at = open_editor(8, "Brick")
    page = texts(at)
    assert ":gray-badge[from Scene 4]" in page                          # Pike's source
    assert ":violet-badge[:material/rule: review tags]" in page         # Pike pending
    assert ":gray-badge[Master (reset after scene 5)]" in page          # the spare coat
    assert ">muddy</span>" in page                                      # tag chip
    at = open_editor(5, "Brick")
    assert ":orange-badge[:material/edit: edited]" in texts(at)


# --- editing ----------------------------------------------------------------------------
def test_edit_description_with_preview_then_save():
    at = open_editor(1, "Brick")
    brick = inst(1, "Brick")
    text = "Brick Malone in a clean white shirt, reading glasses pushed up on his head."
    check(at.text_area(key=key("desc", brick)).set_value(text).run())
    infos = messages(at, "info")
    assert "Will also update scenes 2, 3, 4; scene 5 has its own value and will be flagged." \
        in infos
    check(at.text_input(key=key("reason", brick)).set_value("costume test").run())
    click(at, key("save", brick))
    assert any(m.startswith("Saved. Also updated scenes 2, 3, 4") for m in messages(at, "success"))
    rows = the_desk().history(brick.id)
    assert any(h.field == "description_override" and h.new_value == text
               and h.actor == "producer" and h.reason == "costume test" for h in rows)
    assert inst(3, "Brick").effective_description == text          # followers updated
    assert inst(5, "Brick").upstream_description_changed            # own value: flagged
    assert at.text_area(key=key("desc", brick)).value == text
    assert not at.text_input(key=key("reason", brick)).value
    assert "No unsaved changes." in texts(at)
    assert "Own description" in texts(at)                           # shown in the history


def test_save_without_seeing_the_preview_asks_to_check_it_first():
    at = open_editor(1, "Brick")
    brick = inst(1, "Brick")
    at.text_area(key=key("desc", brick)).set_value("Brick, sunburnt.")
    # the first run has no Save button yet: set the text and press Save in one go by
    # changing the text again after a preview was shown
    check(at.run())
    at.text_area(key=key("desc", brick)).set_value("Brick, badly sunburnt.")
    check(at.button(key=key("save", brick)).click().run())
    assert any("Check where this change goes" in m for m in messages(at, "warning"))
    assert inst(1, "Brick").description_override is None            # not saved yet
    click(at, key("save", brick))
    assert inst(1, "Brick").description_override == "Brick, badly sunburnt."


def test_clear_override_falls_back_to_the_inherited_description():
    at = open_editor(5, "Brick")
    brick5, brick4 = inst(5, "Brick"), inst(4, "Brick")
    assert brick5.description_override is not None
    assert "Clearing the override falls back to scene 4" in texts(at)
    click(at, key("clear", brick5))
    assert any("follows scene 4 again" in m for m in messages(at, "success"))
    now = inst(5, "Brick")
    assert now.description_override is None
    assert now.effective_description == brick4.effective_description   # E1: not the master
    assert at.text_area(key=key("desc", brick5)).value == brick4.effective_description


def test_tags_are_normalized_and_a_bad_tag_is_named():
    at = open_editor(1, "Dot")
    dot = inst(1, "Dot")
    check(at.multiselect(key=key("tags", dot)).set_value(["Salt Stained", "wet"]).run())
    assert at.multiselect(key=key("tags", dot)).value == ["salt-stained", "wet"]
    check(at.multiselect(key=key("tags", dot)).set_value(["wet", "soaked!"]).run())
    errors = messages(at, "error")
    assert any("soaked!" in e for e in errors), errors
    click(at, key("save", dot))
    assert any("soaked!" in e for e in messages(at, "error"))
    assert inst(1, "Dot").status_tags == []                           # nothing written
    check(at.multiselect(key=key("tags", dot)).set_value(["wet"]).run())
    assert not messages(at, "error")
    click(at, key("save", dot))
    assert inst(1, "Dot").status_tags == ["wet"]
    assert inst(2, "Dot").status_tags == ["wet"]                      # it carried forward


def test_carry_forward_switch_resets_the_next_appearance():
    at = open_editor(7, "Brick")
    brick7 = inst(7, "Brick")
    check(at.toggle(key=key("cf", brick7)).set_value(False).run())
    assert "what saving will do" in texts(at)
    click(at, key("save", brick7))
    assert inst(7, "Brick").carry_forward is False
    assert inst(8, "Brick").source_label == "Master (reset after scene 7)"


def test_revert_from_the_history():
    at = open_editor(7, "Brick")
    brick7 = inst(7, "Brick")
    row = next(h for h in the_desk().history(brick7.id)
               if h.field == "status_tags" and h.new_value == ["muddy", "bloody"])
    click(at, key(f"revert_{row.id}", brick7))
    click(at, key("revert_confirm", brick7))          # after its preview (A5)
    assert inst(7, "Brick").status_tags == ["muddy", "bloody"]
    assert the_desk().history(brick7.id)[-1].source == "revert"
    assert at.multiselect(key=key("tags", brick7)).value == ["muddy", "bloody"]
    assert any(m.startswith(f"Reverted to history #{row.id}") for m in messages(at, "success"))


def test_a_long_history_draws_the_newest_changes_and_older_ones_on_request():
    """A page run draws at most HISTORY_PAGE changes however long the history is."""
    brick = inst(3, "Brick")
    desk = the_desk()
    for n in range(HISTORY_PAGE + 5):
        brick = desk.update_instance(brick.id, expected_version=brick.version, actor="test",
                                     description_override=f"Brick, take {n}.").instance
    at = open_editor(3, "Brick")
    shown = len([h for h in desk.history(brick.id) if h.field in PRODUCER_FIELDS])
    assert shown > 2 * HISTORY_PAGE

    def drawn(at):
        return [m.value for m in at.markdown if "class='ed-hist'" in m.value]

    assert len(drawn(at)) == HISTORY_PAGE
    assert f"<ins>{HISTORY_PAGE + 4}.</ins>" in unescape(drawn(at)[0])   # newest first
    assert f"The newest {HISTORY_PAGE} of {shown} changes." in texts(at)
    click(at, key("hist_more", brick))
    assert len(drawn(at)) == 2 * HISTORY_PAGE
    assert f"The newest {2 * HISTORY_PAGE} of {shown} changes." in texts(at)


# --- lock, conflicts, upstream ------------------------------------------------------------
def test_lock_then_edit_is_refused_until_unlocked():
    other = open_editor(2, "Brick")                  # a second tab, opened before the lock
    at = open_editor(2, "Brick")
    brick = inst(2, "Brick")
    click(at, key("lock", brick))
    assert inst(2, "Brick").locked
    assert any("Locked" in m for m in messages(at, "info"))
    for widget in (at.text_area(key=key("desc", brick)), at.multiselect(key=key("tags", brick)),
                   at.toggle(key=key("cf", brick))):
        assert widget.disabled
    # removing a locked instance is refused with the reason
    click(at, key("remove", brick))
    assert any("is locked; unlock it to edit" in e for e in messages(at, "error"))
    # the other tab still had the unlocked form: what it typed is kept, saving is refused
    check(other.text_area(key=key("desc", brick)).set_value("Brick with a black eye").run())
    assert other.text_area(key=key("desc", brick)).value == "Brick with a black eye"
    assert any("Locked** since you started editing" in m for m in messages(other, "warning"))
    click(other, key("save", brick))
    assert any("is locked; unlock it to edit" in e for e in messages(other, "error"))
    assert other.text_area(key=key("desc", brick)).value == "Brick with a black eye"
    assert inst(2, "Brick").description_override is None
    # unlocking keeps the unsaved text; then it saves
    click(other, key("unlock", brick))
    assert not inst(2, "Brick").locked
    assert other.text_area(key=key("desc", brick)).value == "Brick with a black eye"
    assert not other.text_area(key=key("desc", brick)).disabled
    click(other, key("save", brick))
    assert inst(2, "Brick").description_override == "Brick with a black eye"
    # the first tab's clean form follows the saved state
    check(at.run())
    assert at.text_area(key=key("desc", brick)).value == "Brick with a black eye"


def test_conflict_keeps_the_unsaved_text_and_offers_the_current_version():
    at = open_editor(1, "Brick")
    brick = inst(1, "Brick")
    mine = "Brick in his Sunday suit, tie loosened."
    check(at.text_area(key=key("desc", brick)).set_value(mine).run())
    # another tab saves first
    the_desk().update_instance(brick.id, expected_version=brick.version, actor="ben",
                               description_override="Brick in a fishing vest.")
    click(at, key("save", brick))
    errors = messages(at, "error")
    assert any("someone else changed this asset" in e for e in errors), errors
    assert at.text_area(key=key("desc", brick)).value == mine        # nothing typed is lost
    page = texts(at)
    assert "Brick in a fishing vest." in page and "ben" in page
    assert f"version {brick.version + 1}" in page
    assert inst(1, "Brick").description_override == "Brick in a fishing vest."
    # still mine after another rerun
    check(at.run())
    assert at.text_area(key=key("desc", brick)).value == mine
    click(at, key("load_current", brick))
    assert at.text_area(key=key("desc", brick)).value == "Brick in a fishing vest."
    assert [c.value for c in at.code] == [mine]                      # still there to copy


def test_conflict_rebase_keeps_my_edit_on_the_current_version():
    at = open_editor(1, "Brick")
    brick = inst(1, "Brick")
    check(at.text_area(key=key("desc", brick)).set_value("Brick, tanned.").run())
    # the same field as mine (different fields would merge, A6), and the tags
    the_desk().update_instance(brick.id, expected_version=brick.version, actor="ben",
                               description_override="Brick, pale.", status_tags=["dusty"])
    click(at, key("save", brick))
    click(at, key("rebase", brick))
    assert at.text_area(key=key("desc", brick)).value == "Brick, tanned."
    assert at.multiselect(key=key("tags", brick)).value == ["dusty"]  # theirs kept
    click(at, key("save", brick))
    now = inst(1, "Brick")
    assert now.description_override == "Brick, tanned." and now.status_tags == ["dusty"]


def test_upstream_change_notice_and_mark_reviewed():
    at = open_editor(5, "Brick")
    b1 = inst(1, "Brick")
    the_desk().update_instance(b1.id, expected_version=b1.version, actor="ben",
                               description_override="Brick in a yellow raincoat.")
    check(at.run())
    brick5 = inst(5, "Brick")
    assert brick5.upstream_description_changed
    page = texts(at)
    assert "The earlier scene changed" in page and "Brick in a yellow raincoat." in page
    assert "blocker" in page                                         # the gate says so
    click(at, key("reviewed", brick5))
    assert not inst(5, "Brick").upstream_changed
    assert inst(5, "Brick").description_override == brick5.description_override


def test_take_upstream():
    at = open_editor(5, "Brick")
    b1 = inst(1, "Brick")
    the_desk().update_instance(b1.id, expected_version=b1.version, actor="ben",
                               description_override="Brick in a yellow raincoat.")
    check(at.run())
    click(at, key("take", inst(5, "Brick")))
    now = inst(5, "Brick")
    assert not now.upstream_changed
    assert now.effective_description == "Brick in a yellow raincoat."


# --- carried-conditions review and the gate --------------------------------------------------
def test_review_pending_tags_per_tag():
    at = open_editor(8, "Brick")
    pike = inst(8, "Pike")
    assert "Carried conditions to review" in texts(at)
    assert "Pike: carried conditions (muddy) await review." in texts(at)
    check(at.checkbox(key=f"ed_keep_{pike.id}_muddy").uncheck().run())
    click(at, f"ed_rv_save_{pike.id}")
    now = inst(8, "Pike")
    assert not now.pending_review and now.status_tags == []
    assert "Carried conditions to review" not in texts(at)
    assert "carried conditions (muddy) await review" not in texts(at)   # the gate agrees
    assert the_desk().history(pike.id)[-1].actor == "producer"


def test_review_keep_all():
    at = open_editor(8)
    pike = inst(8, "Pike")
    click(at, f"ed_rv_all_{pike.id}")
    now = inst(8, "Pike")
    assert not now.pending_review and now.status_tags == ["muddy"]


def test_readiness_blocker_opens_its_instance():
    at = open_editor(8, "Brick")
    pike = inst(8, "Pike")
    assert "Pike: carried conditions (muddy) await review." in texts(at)
    assert "Dot: no reference image yet." in texts(at)
    click(at, f"ed_block_pending_review_{pike.id}")
    assert at.query_params["instance"] == pike.id
    assert at.text_area(key=key("desc", pike)).value == pike.effective_description


def test_gate_signs_off_a_ready_scene_and_the_sign_off_lapses_on_change():
    at = open_editor(2, "Dot")
    desk = the_desk()
    assert "ed_mark_ready" not in [b.key for b in at.button]        # blocked: no images
    jobs = desk.request_images([i.id for i in desk.scene_instances(scene(2).id)], actor="test")
    desk.wait_for_jobs([j.id for j in jobs], timeout=60)
    check(at.run())
    assert ":green-badge[:material/check: Ready]" in texts(at)
    click(at, "ed_mark_ready")
    assert any(m.startswith("Signed off") for m in messages(at, "success"))
    assert "Signed off by producer" in texts(at)
    dot = inst(2, "Dot")
    check(at.multiselect(key=key("tags", dot)).set_value(["sweaty"]).run())
    click(at, key("save", dot))
    page = texts(at)
    assert "An earlier sign-off lapsed" in page and "Dot: the image shows an earlier state" in page


# --- inheriting and the drawer ----------------------------------------------------------------
def test_inherit_candidates_are_shown_then_created():
    at = open_editor(1)
    project = the_desk().projects()[0]
    new = the_desk().add_scene(project.id, 10, "EXT. HARBOR - DAWN")
    check(at.run())                                  # the picker lists the new scene
    check(at.selectbox(key="ed_scene_pick").set_value(new.id).run())
    assert "No assets in this scene yet" in texts(at)
    names = {unescape(c.label) for c in at.checkbox
             if c.key and c.key.startswith(f"ed_inh_{new.id}")}
    assert names == {"Brick", "Dot", "Brick's Patio", "Brass Lantern", "Harbor Ledger"}
    lantern = next(c for c in at.checkbox if c.label == "Brass Lantern")
    check(lantern.uncheck().run())
    click(at, f"ed_inherit_{new.id}_empty")
    got = {i.asset_name for i in the_desk().scene_instances(new.id)}
    assert got == {"Brick", "Dot", "Brick's Patio", "Harbor Ledger"}
    assert any(m.startswith("Added 4 asset(s)") for m in messages(at, "success"))
    brick = next(i for i in the_desk().scene_instances(new.id) if i.asset_name == "Brick")
    assert brick.source_label == "Scene 9"
    # inheriting again offers only what is left
    names = {unescape(c.label) for c in at.checkbox
             if c.key and c.key.startswith(f"ed_inh_{new.id}")}
    assert names == {"Brass Lantern"}


def test_remove_from_scene_and_bulk_actions():
    at = open_editor(9, "Dot")
    dot = inst(9, "Dot")
    click(at, key("remove", dot))
    assert "Dot" not in {i.asset_name for i in the_desk().scene_instances(scene(9).id)}
    assert any("Removed Dot" in m for m in messages(at, "success"))
    ids = [inst(9, "Brick").id, inst(9, "Harbor Ledger").id]
    check(at.multiselect(key=f"ed_bulk_{scene(9).id}").set_value(ids).run())
    click(at, "ed_bulk_lock")
    assert inst(9, "Brick").locked and inst(9, "Harbor Ledger").locked
    check(at.multiselect(key=f"ed_bulk_{scene(9).id}").set_value(ids).run())
    click(at, "ed_bulk_unlock")
    assert not inst(9, "Brick").locked
    check(at.multiselect(key=f"ed_bulk_{scene(9).id}").set_value(ids).run())
    click(at, "ed_bulk_remove")
    assert {i.asset_name for i in the_desk().scene_instances(scene(9).id)} == \
        {"Brick's Patio", "Brass Lantern"}
    # Dot is a candidate again (the script maps it to scene 9)
    assert any(c.label == "Dot" for c in at.checkbox)


def test_add_from_the_drawer_clone_and_create():
    at = open_editor(1, "Brick")
    desk = the_desk()
    project = desk.projects()[0]
    pike = next(a for a in desk.assets(project.id) if a.name == "Pike")
    click(at, f"ed_add_{pike.id}")
    pike1 = inst(1, "Pike")
    assert pike1.source_label == "Master"
    assert at.query_params["instance"] == pike1.id                   # the new one is selected
    cop = next(g for g in desk.global_assets() if g.name == "Beat Cop")
    click(at, f"ed_clone_{cop.id}")
    assert any(a.name == "Beat Cop" and a.global_asset_id == cop.id
               for a in desk.assets(project.id))
    click(at, f"ed_gadd_{cop.id}")
    assert inst(1, "Beat Cop").asset_type == "character"
    # create: a clash is named and what was typed stays
    at.text_input(key="ed_new_name").set_value("Dot")
    at.text_area(key="ed_new_desc").set_value("Someone else")
    click(at, "ed_new_create")
    assert any("already has an asset named 'Dot'" in e for e in messages(at, "error"))
    assert at.text_input(key="ed_new_name").value == "Dot"
    at.text_input(key="ed_new_name").set_value("Gull")
    at.selectbox(key="ed_new_type").set_value("prop")
    at.text_input(key="ed_new_aliases").set_value("Seagull; Bird")
    click(at, "ed_new_create")
    gull = inst(1, "Gull")
    assert gull.asset_type == "prop"
    assert desk.get_asset(gull.project_asset_id).aliases == ["Seagull", "Bird"]
    assert at.text_input(key="ed_new_name").value == ""


def test_drawer_search_and_type_filter():
    at = open_editor(1, "Brick")
    check(at.text_input(key="ed_q").set_value("boat").run())
    adds = [b for b in at.button if b.key and b.key.startswith("ed_add_")]
    assert [unescape(b.help) for b in adds] == ["Add Pike's Boathouse to scene 1"]
    check(at.text_input(key="ed_q").set_value("").run())
    check(at.selectbox(key="ed_kind").set_value("Characters").run())
    adds = [unescape(b.help) for b in at.button if b.key and b.key.startswith("ed_add_")]
    assert adds == ["Add Pike to scene 1"]


def test_drag_and_drop_adds_the_dropped_assets(monkeypatch):
    calls = []

    def fake_drop(available, key):
        calls.append((list(available), key))
        return ["Pike", "Seabreeze Motel"] if key.endswith("_0") else []

    monkeypatch.setattr("ui.dragdrop.drop_assets", fake_drop)
    at = open_editor(1, "Brick")
    names = {i.asset_name for i in the_desk().scene_instances(scene(1).id)}
    assert {"Pike", "Seabreeze Motel"} <= names
    assert "Pike" in calls[0][0] and "Brick" not in calls[0][0]      # only what is not here
    assert calls[-1][1].endswith("_1")                                # the box starts empty
    assert any(m.startswith("Added to the scene: Pike") for m in messages(at, "success"))


# --- speed -----------------------------------------------------------------------------------
def test_a_scene_with_150_instances_responds_quickly():
    at = open_editor(1)
    desk = the_desk()
    project = desk.projects()[0]
    big = desk.add_scene(project.id, 20, "INT. GRAND CENTRAL - CROWD SCENE")
    ids = [desk.add_asset(project.id, f"Extra {n:03}", "character", f"Commuter number {n}").id
           for n in range(150)]
    desk.inherit_scene(big.id, ids, actor="test")
    check(at.run())
    check(at.selectbox(key="ed_scene_pick").set_value(big.id).run())
    started = time.perf_counter()
    check(at.run())
    elapsed = time.perf_counter() - started
    print(f"\neditor rerun with 150 instances: {elapsed:.3f}s")
    assert elapsed < 3.0
