"""Issue 12 item 5: a page run reads its data once, not once per widget. Every Desk
method a run calls is counted (a wrapper around the real methods: the reads still go
to DuckDB); on Bulk generation and Tag search each is called at most once a run."""

from __future__ import annotations

import functools
from collections import Counter

import pytest
import streamlit as st
from dashboard_support import check, demo_template, run_page, use_copy
from image_support import bare_template

import core

# `image_bytes` and `image_bytes_many` read image files (one image, or one list), no
# database read. ui/live.py (app.py's A6 watch) reads the change marker once a full run:
# its polling fragment's first run is that run, so it reads nothing more.
NOT_COUNTED = {"image_bytes", "image_bytes_many"}


@pytest.fixture
def desk_calls(monkeypatch) -> Counter:
    calls: Counter = Counter()

    def counting(name, method):
        @functools.wraps(method)
        def wrapper(self, *args, **kw):
            calls[name] += 1
            return method(self, *args, **kw)
        return wrapper

    for name, member in vars(core.Desk).items():
        if not name.startswith("_") and callable(member) and not isinstance(
                member, staticmethod):
            monkeypatch.setattr(core.Desk, name, counting(name, member))
    return calls


def repeated(calls: Counter) -> dict[str, int]:
    return {n: k for n, k in calls.items() if k > 1 and n not in NOT_COUNTED}


def test_bulk_generation_reads_the_branch_once_a_run(tmp_path, monkeypatch, desk_calls):
    use_copy(bare_template(), tmp_path, monkeypatch)
    at = run_page()
    desk_calls.clear()
    at.switch_page("pages/bulk.py").run()
    check(at)
    assert desk_calls["image_rows"] == 1 and repeated(desk_calls) == {}, desk_calls
    assert not desk_calls["branch_instances"] and not desk_calls["image_candidates"]
    desk_calls.clear()
    at.button_group(key="bulk_types").set_value(["prop"]).run()     # a widget's rerun
    check(at)
    assert desk_calls["image_rows"] == 1 and repeated(desk_calls) == {}, desk_calls
    st.cache_resource.clear()


def test_tag_search_reads_once_a_run(tmp_path, monkeypatch, desk_calls):
    use_copy(demo_template(), tmp_path, monkeypatch)
    at = run_page()
    desk_calls.clear()
    at.switch_page("pages/search.py")
    at.query_params["q"] = "tag:muddy"
    at.run()
    check(at)
    assert desk_calls["search"] == 1 and desk_calls["asset_timeline"] == 1, desk_calls
    assert repeated(desk_calls) == {}, desk_calls
    st.cache_resource.clear()


def test_the_editor_reads_the_chosen_instance_once_with_its_scene(tmp_path, monkeypatch):
    """The image panel (its attempts' staleness, its jobs) and the fallback of an
    overridden description use the instance as the scene read brought it: no run reads
    the instance's row again by id, nor the gatekeeper the scene's instances; the edit
    preview and the inheritance chain share one read of the asset's chain."""
    from core.review import readiness
    from core.store import instances
    from ui.context import get_desk

    use_copy(demo_template(), tmp_path, monkeypatch)
    at = run_page()
    desk = get_desk()
    target = next(i for i in desk.branch_instances(desk.projects()[0].id)
                  if i.description_override is not None and i.image_key is not None)
    loads: Counter = Counter()
    real = instances.load_row
    monkeypatch.setattr(instances, "load_row",
                        lambda cur, iid: loads.update([iid]) or real(cur, iid))
    real_scene = readiness._scene_instances        # the gatekeeper's own read (R1)
    monkeypatch.setattr(readiness, "_scene_instances",
                        lambda cur, sid: loads.update([sid]) or real_scene(cur, sid))
    at.switch_page("pages/editor.py")
    at.query_params.update(scene=target.scene_id, instance=target.id)
    at.run()
    check(at)
    assert at.text_area(key=f"ed_desc_{target.id}").value == target.description_override
    assert "Attempts" in "".join(m.value for m in at.markdown)
    assert loads == Counter(), loads
    # an edit's run (the propagation preview, the inheritance chain) reads the chain once
    chains: Counter = Counter()
    real_chain = instances.load_chain
    monkeypatch.setattr(instances, "load_chain",
                        lambda cur, *key: chains.update([key]) or real_chain(cur, *key))
    at.text_area(key=f"ed_desc_{target.id}").set_value("Soaked to the bone.").run()
    check(at)
    assert "what saving will do" in "".join(m.value for m in at.markdown)
    assert list(chains.values()) == [1], chains
    # the save's run: its message names the scenes from the save's own result, so only
    # the page's chain (after the save) is read
    chains.clear()
    at.button(key=f"ed_save_{target.id}").click().run()
    check(at)
    said = [m.value for m in at.success]
    assert any("Saved" in m and "Scene " in m for m in said), said   # names where it went
    assert list(chains.values()) == [1], chains
    st.cache_resource.clear()


def test_scenes_checks_readiness_on_the_instances_it_shows(tmp_path, monkeypatch):
    """The Scenes page's R1 box uses the scene's instances the page read for its list."""
    from core.review import readiness

    use_copy(demo_template(), tmp_path, monkeypatch)
    at = run_page()
    reads: Counter = Counter()
    real = readiness._scene_instances
    monkeypatch.setattr(readiness, "_scene_instances",
                        lambda cur, sid: reads.update([sid]) or real(cur, sid))
    at.switch_page("pages/scenes.py").run()
    check(at)
    assert any("blocker" in str(e.value).lower() or "Ready" in str(e.value)
               for kind in ("success", "warning", "error", "markdown") for e in getattr(at, kind))
    assert reads == Counter(), reads
    st.cache_resource.clear()
