"""Bulk generation page (pages/bulk.py) driven by AppTest on a copy of the demo film
without images: filters and the estimate, the confirmation dialog, jobs and the
gallery, the budget refusal, failed jobs with their reasons and retry, progress
after a reload, cancel, and the project settings."""

from __future__ import annotations

import threading
from html import unescape

import pytest
import streamlit as st
from dashboard_support import check as _check
from dashboard_support import run_page, use_copy
from image_support import (
    Offline,
    bare_template,
    elements,
    inst,
    project,
    texts,
    the_desk,
    use_provider,
)

from core.images.providers import ProviderFailure

PAGE = "pages/bulk.py"


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch):
    use_copy(bare_template(), tmp_path, monkeypatch)
    yield
    st.cache_resource.clear()


def check(at):
    _check(at)
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def scenes_key() -> str:
    return f"bulk_scenes_{project().main_branch_id}"


def only_scene(at, number: int):
    at.select_slider(key=scenes_key()).set_range(number, number).run()
    return check(at)


def generate(at):
    """Press Generate, check the dialog, confirm."""
    at.button(key="bulk_generate").click().run()
    check(at)
    assert at.button(key="bulk_dialog_confirm")
    at.button(key="bulk_dialog_confirm").click().run()
    return check(at)


def test_filters_change_the_count_and_the_preview():
    at = run_page(PAGE)
    assert metrics(at) == {"Images": "42", "New renders": "21", "Reused": "21"}
    assert "42 instances chosen" in texts(at)
    assert len(at.dataframe[0].value) == 42
    assert "Estimated cost: **0.00 credits**" in texts(at)

    at.button_group(key="bulk_types").set_value(["prop"]).run()
    props = len(the_desk().image_candidates(project().id, asset_types=["prop"]))
    assert metrics(check(at))["Images"] == str(props) and props < 42
    only_scene(at, 1)
    assert metrics(at)["Images"] == "3"
    assert set(at.dataframe[0].value["Asset"]) == {"Brass Lantern", "Harbor Ledger",
                                                   "Trench Coat"}
    at.button_group(key="bulk_which").set_value("stale").run()
    assert metrics(check(at))["Images"] == "0"
    assert at.button(key="bulk_generate").disabled
    assert "Nothing matches these filters." in texts(at)

    at.button_group(key="bulk_which").set_value("picked").run()
    pick = at.multiselect(key=f"bulk_pick_{project().main_branch_id}")
    assert pick.options == ["Scene 1 · Brass Lantern", "Scene 1 · Harbor Ledger",
                            "Scene 1 · Trench Coat"]
    pick.select("Scene 1 · Trench Coat").run()
    assert metrics(check(at))["Images"] == "1"


def test_confirm_creates_jobs_and_the_gallery_shows_the_results():
    at = run_page(PAGE)
    only_scene(at, 1)
    at.button(key="bulk_generate").click().run()
    assert "This will generate **6 images** for about **0.00 credits**. Continue?" in texts(at)
    at.button(key="bulk_dialog_cancel").click().run()    # Cancel closes it; nothing queued
    assert not _has(check(at), "bulk_dialog_confirm")
    assert the_desk().image_jobs(project().id) == []

    generate(at)
    assert not _has(at, "bulk_dialog_confirm")         # the dialog closed
    jobs = the_desk().image_jobs(project().id)
    assert len(jobs) == 6
    the_desk().wait_for_jobs([j.id for j in jobs], timeout=60)
    at.run()
    page = texts(check(at))
    assert "Run finished" in page and ":green-badge[completed 6]" in page
    assert [s.value for s in at.subheader] == ["Results"]
    assert len(elements(at, "image")) == 6
    links = [link.proto for link in elements(at, "page_link")]
    brick = inst(1, "Brick")
    assert len(links) == 6 and {link.page for link in links} == {"editor"}
    assert f"scene={brick.scene_id}&instance={brick.id}" in {link.query_string
                                                            for link in links}
    # Those six now have images: the default filter (missing or stale) has 36 left.
    assert metrics(at)["Images"] == "0"           # still scene 1 only
    assert "36 without an image" in at.caption[0].value


def test_budget_refusal_is_shown_with_the_numbers():
    at = run_page(PAGE)
    use_provider(Offline(price=0.5))
    exp = at.expander[0]
    assert "Project settings" in exp.label
    at.toggle(key=f"bulk_budget_on_{project().id}").set_value(True).run()
    at.number_input(key=f"bulk_budget_{project().id}").set_value(1.0).run()
    at.button(key="bulk_budget_save").click().run()
    assert the_desk().get_project(project().id).budget == 1.0
    page = texts(check(at))
    assert "Budget set to 1.00 credits." in page
    assert "Estimated cost: **10.50 credits**" in page
    assert "Budget 1.00 · 0.00 spent or reserved · 1.00 left" in page
    assert any("exceed the budget by 9.50" in w.value for w in at.warning)

    at.button(key="bulk_generate").click().run()
    assert "for about **10.50 credits**" in texts(at)
    at.button(key="bulk_dialog_confirm").click().run()
    [error] = [unescape(e.value) for e in at.error]
    assert error.startswith("Over budget. ") and "10.50" in error and "1.00" in error
    assert "Nothing was queued" in error
    assert the_desk().image_jobs(project().id) == []


def test_failed_jobs_list_their_reason_and_retry_queues_them_again():
    at = run_page(PAGE)
    use_provider(Offline(fail=ProviderFailure("safety", "Blocked by the safety filter.")))
    at.button_group(key="bulk_types").set_value(["prop"]).run()
    only_scene(at, 1)
    generate(at)
    jobs = the_desk().image_jobs(project().id)
    assert len(jobs) == 3
    the_desk().wait_for_jobs([j.id for j in jobs], timeout=30)
    at.run()
    page = texts(check(at))
    assert ":red-badge[failed 3]" in page and "**3 failed jobs**" in page
    assert "<b>Trench Coat · scene 1</b> — safety: Blocked by the safety filter." in page
    assert len(elements(at, "image")) == 0
    assert "Failed" in page                                  # the gallery's placeholders

    use_provider(Offline())
    at.button(key="bulk_retry").click().run()
    new = the_desk().image_jobs(project().id, statuses=("queued", "running", "completed"))
    assert len(new) == 3
    the_desk().wait_for_jobs([j.id for j in new], timeout=30)
    at.run()
    page = texts(check(at))
    # The page itself: the sidebar names the store, whose path holds this test's name.
    main = texts(at.main)
    assert ":green-badge[completed 3]" in main and "failed" not in main.split("Results")[0]
    assert len(elements(at, "image")) == 3


def test_progress_survives_a_reload_and_cancel_stops_the_run():
    gate = threading.Event()
    at = run_page(PAGE)
    use_provider(Offline(gate=gate))
    try:
        ids = [i.id for i in the_desk().image_candidates(project().id, scene_range=(2, 2))]
        jobs = the_desk().request_images(ids, actor="another tab")
        # A new session (a reload, or another tab): the active jobs are found in the DB.
        at = run_page(PAGE)
        page = texts(at)
        assert "Generating…" in page and f"0 of {len(jobs)} jobs done" in page
        assert at.button(key="bulk_cancel")
        at.button(key="bulk_cancel").click().run()
        check(at)
        assert {j.status for j in the_desk().image_jobs(project().id)} == {"cancelled"}
        page = texts(at)
        assert "Run finished" in page and f":orange-badge[cancelled {len(jobs)}]" in page
        assert f"Retry failed ({len(jobs)})" in [b.label for b in at.button]
    finally:
        gate.set()


def test_visual_style_is_saved_from_the_settings():
    at = run_page(PAGE)
    at.text_area(key=f"bulk_style_{project().id}").input("1970s Kodachrome, soft grain").run()
    at.button(key="bulk_style_save").click().run()
    assert the_desk().get_project(project().id).visual_style == "1970s Kodachrome, soft grain"
    assert any("Visual style saved" in s.value for s in check(at).success)


def _has(at, key: str) -> bool:
    return any(b.key == key for b in at.button)
