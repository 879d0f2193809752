"""Library & import page (AppTest): a damaged project file gives st.error with the
producer's message and no exception or traceback (S4), and nothing is imported."""

from __future__ import annotations

import html
import io
import json
import zipfile

import pytest
import streamlit as st
from dashboard_support import demo_template, open_desk, run_page, use_copy

PAGE = "pages/library.py"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = use_copy(demo_template(), tmp_path, monkeypatch)
    desk = open_desk(path)
    try:
        demo = desk.projects()[0]
        export = desk.export_project(demo.id)
    finally:
        desk.close()
    yield {"path": path, "demo": demo, "export": export}
    st.cache_resource.clear()


def bad_crc(data: bytes) -> bytes:
    """The export with one byte flipped inside a stored image entry."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = next(i for i in zf.infolist() if i.filename.startswith("files/"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = bytearray(data)
    raw[start + info.compress_size // 2] ^= 0xFF
    return bytes(raw)


def damaged_manifest(data: bytes) -> bytes:
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("project.json"))
    manifest["tables"]["scenes"]["rows"][0] = "not a row"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in zf.infolist():
            if info.filename != "project.json":
                out.writestr(info.filename, zf.read(info.filename))
        out.writestr("project.json", json.dumps(manifest))
    return buf.getvalue()


@pytest.mark.parametrize(("damage", "message"), [
    (bad_crc, "damaged"),
    (damaged_manifest, "project.json is damaged: scenes row 1"),
])
def test_a_damaged_project_file_shows_an_error_not_a_traceback(db, damage, message):
    at = run_page(PAGE, project=db["demo"].id)
    upload = next(u for u in at.get("file_uploader") if u.proto.id.endswith("project_in"))
    upload.set_value(("film.zip", damage(db["export"]), "application/zip"))
    at.run()
    next(b for b in at.button if b.key == "project_in_go").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [html.unescape(e.value) for e in at.error]     # shown escaped (S1)
    assert len(errors) == 1 and message in errors[0], errors
    st.cache_resource.clear()
    desk = open_desk(db["path"])
    try:
        assert [p.id for p in desk.projects()] == [db["demo"].id]
    finally:
        desk.close()
