"""The editor's image controls (ui/image_panel.py inside pages/editor.py) driven by
AppTest on a copy of the demo film without images. AppTest cannot upload through
st.file_uploader, so uploads go through the Desk the app cached (as another tab
would) and the page is checked after a rerun."""

from __future__ import annotations

import io
import json
import uuid
from html import unescape

import pytest
import streamlit as st
from dashboard_support import check as _check
from dashboard_support import run_page, use_copy
from image_support import Offline, bare_template, elements, inst, texts, the_desk, use_provider
from PIL import Image
from s3_server import BUCKET

from core.images.providers import ProviderFailure

PAGE = "pages/editor.py"


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch):
    use_copy(bare_template(), tmp_path, monkeypatch)
    yield
    st.cache_resource.clear()


def check(at):
    _check(at)
    return at


def png(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 60), colour).save(out, "PNG")
    return out.getvalue()


def open_brick():
    at = run_page()                      # opens (and caches) the desk
    brick = inst(1, "Brick")
    at.switch_page(PAGE)
    at.query_params.update({"scene": brick.scene_id, "instance": brick.id})
    return check(at.run()), brick


def key(name: str, iid: str) -> str:
    return f"ip_{name}_{iid}"


def test_generate_creates_a_job_then_shows_the_image_and_regenerate():
    at, brick = open_brick()
    page = texts(at)
    assert "**Reference image** :gray-badge[:material/hide_image: no image]" in page
    assert "No image yet" in page and "**Attempts** <span class='ip-note'>· 0</span>" in page
    gen = at.button(key=key("gen", brick.id))
    assert gen.label == "Generate image"
    gen.click().run()
    [job] = the_desk().instance_image_jobs(brick.id)
    # the offline renderer may finish before this rerun is drawn: either is right
    page = texts(check(at))
    assert ("Rendering the image" in page
            or the_desk().instance_image_jobs(brick.id)[0].status == "completed")
    the_desk().wait_for_jobs([job.id], timeout=30)
    at.run()
    page = texts(check(at))
    assert ":green-badge[:material/image: current]" in page
    assert ":green-badge[:material/check: selected]" in page
    assert the_desk().get_instance(brick.id).image_key is not None
    assert at.button(key=key("gen", brick.id)).label == "Regenerate"
    at.button(key=key("gen", brick.id)).click().run()
    jobs = the_desk().instance_image_jobs(brick.id)
    assert len(jobs) == 2 and jobs[0].id != job.id        # regenerate: a new job (G4)
    the_desk().wait_for_jobs([jobs[0].id], timeout=30)
    at.run()
    assert "**Attempts** <span class='ip-note'>· 2</span>" in texts(check(at))


def test_a_failed_render_shows_its_reason_and_changes_nothing():
    at, brick = open_brick()
    use_provider(Offline(fail=ProviderFailure("safety", "Blocked by the safety filter.")))
    at.button(key=key("gen", brick.id)).click().run()
    [job] = the_desk().instance_image_jobs(brick.id)
    the_desk().wait_for_jobs([job.id], timeout=30)
    at.run()
    assert not at.exception
    assert [unescape(e.value) for e in at.error] == [
        "The last render failed — safety: Blocked by the safety filter."]
    assert the_desk().get_instance(brick.id).image_key is None


def test_uploaded_attempts_fill_the_strip_and_select_switches_the_image():
    at, brick = open_brick()
    desk = the_desk()
    first = desk.upload_image(brick.id, png(), "first.png", actor="ana")
    second = desk.upload_image(brick.id, png((200, 40, 40)), "second.png", actor="ana")
    at.run()
    page = texts(check(at))
    assert "**Attempts** <span class='ip-note'>· 2</span>" in page
    assert page.count("Uploaded") == 2
    assert not any(b.key == f"ip_sel_{second}" for b in at.button)   # the selected one
    at.button(key=f"ip_sel_{first}").click().run()
    check(at)
    selected = next(a for a in desk.attempts(brick.id) if a.selected)
    assert selected.id == first
    assert desk.get_instance(brick.id).image_key == selected.image_key
    assert desk.history(brick.id)[-1].field == "image"                    # audited (A1)
    assert any(b.key == f"ip_sel_{second}" for b in at.button)


def test_stale_badge_after_an_edit():
    at, brick = open_brick()
    desk = the_desk()
    desk.upload_image(brick.id, png(), "brick.png", actor="ana")
    current = desk.get_instance(brick.id)
    desk.update_instance(brick.id, expected_version=current.version, actor="ana",
                         status_tags=["muddy"])
    at.run()
    page = texts(check(at))
    assert ":orange-badge[:material/image: stale image]" in page
    assert "shows an earlier state" in page and ":orange-badge[stale]" in page
    assert at.button(key=key("gen", brick.id)).label == "Generate image"


def test_use_master_image_is_disabled_without_one_and_works_with_one():
    at, brick = open_brick()
    button = at.button(key=key("master", brick.id))
    assert button.disabled and "No master image yet" in texts(at)
    desk = the_desk()
    asset = desk.get_asset(brick.project_asset_id)
    desk.set_master_image(asset.id, png((10, 160, 90)), expected_version=asset.version,
                          actor="ana")
    at.run()
    button = at.button(key=key("master", brick.id))
    assert not button.disabled
    button.click().run()
    check(at)
    [attempt] = desk.attempts(brick.id)
    assert attempt.kind == "master" and attempt.selected
    assert "Using the master image for this scene." in texts(at)


def test_download_local_context_is_offered_as_json():
    at, brick = open_brick()
    [button] = [d for d in elements(at, "download_button")
                if d.proto.label == "Download local context (JSON)"]
    assert button.proto.id
    # The JSON the button serves is the scene's local context (R2).
    context = json.loads(json.dumps(the_desk().local_context(brick.scene_id)))
    assert {a["name"] for a in context["assets"]} >= {"Brick", "Dot"}


def test_a_bucket_store_shows_its_images_from_bytes(monkeypatch, s3_endpoint):
    """G5 with the images in an S3-compatible bucket: the panel shows the selected image
    and the strip every attempt, read from the bucket (no file to point at)."""
    monkeypatch.setenv("CONTINUITY_IMAGE_ROOT", f"s3://{BUCKET}/{uuid.uuid4().hex}")
    st.cache_resource.clear()
    at, brick = open_brick()
    desk = the_desk()
    assert desk.image_root.startswith("s3://")
    desk.upload_image(brick.id, png(), "first.png", actor="ana")
    desk.upload_image(brick.id, png((200, 40, 40)), "second.png", actor="ana")
    at.run()
    assert "**Attempts** <span class='ip-note'>· 2</span>" in texts(check(at))
    assert len(elements(at, "image")) == 3            # the selected image and two attempts
