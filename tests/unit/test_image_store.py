"""G5/G6 on both backends of the image store — a folder and an S3-compatible bucket
(moto on 127.0.0.1, tests/s3_server.py): keys under a prefix with their modification
times, reads, copies and deletes; unsafe keys refused before any request; the start-up
sweep, a project export and import, and a failed import's clean-up through the store."""

from __future__ import annotations

import time

import pytest
from desk_factory import make_desk
from fakes import png_bytes

import core
from core.config import from_env
from core.images.bucket import BucketFiles
from core.images.store import ImageStore
from core.library import transfer

KEYS = ["project_a/masters/lamp_1.png", "project_a/branch_b/scene_s/scene-assets/x_1.png",
        "project_a/branch_b/scene_s/scene-assets/y_1.png", "project_ab/masters/z.png",
        "loose.png"]


@pytest.fixture
def store(image_root):
    s = ImageStore(image_root, s3_endpoint_url=from_env().s3_endpoint_url)
    for key in KEYS:
        s.write(key, key.encode())
    return s


def test_G5_keys_under_a_prefix_with_their_modification_times(store):
    assert set(store.modified()) == set(KEYS)
    assert set(store.modified("project_")) == set(KEYS[:4])
    assert set(store.modified("project_a/")) == set(KEYS[:3])
    assert set(store.modified("project_a/branch_b/scene_s/scene-assets/x_")) == {KEYS[1]}
    assert store.modified("project_none/") == {} and store.modified("project_a/masters/q") == {}
    now = time.time()
    assert all(now - 3600 < m <= now + 1 for m in store.modified().values())


def test_G5_read_copy_and_delete_by_key(store):
    assert store.read(KEYS[0]) == KEYS[0].encode() and store.exists(KEYS[0])
    assert store.read_many([KEYS[1], "project_a/missing.png", KEYS[1]]) == {
        KEYS[1]: KEYS[1].encode()}
    with pytest.raises(FileNotFoundError):
        store.read("project_a/missing.png")
    store.copy(KEYS[0], "project_a/masters/copy.png")
    assert store.read("project_a/masters/copy.png") == KEYS[0].encode()
    store.delete_many([KEYS[0], "project_a/missing.png"])   # a missing key is no error
    assert not store.exists(KEYS[0]) and not store.exists("project_a/missing.png")
    store.delete_prefix("project_a/")
    assert set(store.modified()) == {KEYS[3], KEYS[4]}      # project_ab/ is another folder
    with pytest.raises(core.ValidationError, match="not a folder"):
        store.delete_prefix("project_")


UNSAFE = ["../outside.png", "project_a/../../x.png", "/etc/passwd", "project_a\\x.png",
          "project_a//x.png", "project_a/\x00.png", "project_a/\ud800.png", "", None]
OPERATIONS = {
    "write": lambda s, k: s.write(k, png_bytes()), "read": lambda s, k: s.read(k),
    "read_many": lambda s, k: s.read_many([k]), "exists": lambda s, k: s.exists(k),
    "copy_from": lambda s, k: s.copy(k, "project_a/c.png"),
    "copy_to": lambda s, k: s.copy(KEYS[0], k), "delete": lambda s, k: s.delete(k),
    "modified": lambda s, k: s.modified(k),
    "delete_prefix": lambda s, k: s.delete_prefix(f"{k}/" if isinstance(k, str) else k),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_S4_unsafe_keys_are_refused_on_every_operation(store, operation):
    before = {k: store.read(k) for k in store.modified()}
    for key in UNSAFE:
        if operation == "modified" and key == "":
            continue                                          # "" is every key
        with pytest.raises(core.ValidationError, match="unsafe image key"):
            OPERATIONS[operation](store, key)
    assert {k: store.read(k) for k in store.modified()} == before


@pytest.mark.parametrize("root", ["s3://", "s3:///images", "s3://b/../up", "s3://b/a//c"])
def test_a_bucket_address_that_is_not_one_is_refused(root):
    with pytest.raises(core.ValidationError, match="not a bucket address"):
        ImageStore(root)


def test_bucket_failures_name_the_setting_and_never_the_credentials(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-never-shown")
    files = BucketFiles("s3://images/desk", "http://127.0.0.1:9")
    denied = files.failure("read an image", PermissionError("Access Denied"))
    down = files.failure("read an image", ConnectionError("refused"))
    assert isinstance(down, core.DeskError) and isinstance(down, OSError)
    assert "AWS_SECRET_ACCESS_KEY" in str(denied) and "CONTINUITY_S3_ENDPOINT_URL" in str(down)
    assert "s3://images/desk" in str(down)
    assert not any("s3cr3t" in str(e) for e in (denied, down))


def test_the_endpoint_setting_is_read_from_the_environment():
    env = {"CONTINUITY_IMAGE_ROOT": "s3://images/desk",
           "CONTINUITY_S3_ENDPOINT_URL": "http://minio:9000"}
    settings = from_env(env)
    assert (settings.image_root, settings.s3_endpoint_url) == ("s3://images/desk",
                                                               "http://minio:9000")


@pytest.fixture
def desk(image_root, tmp_path):
    d = make_desk(tmp_path / "store.duckdb", image_root=image_root)
    yield d
    d.close()


def test_G6_sweep_takes_old_unreferenced_files_only(desk):
    p = desk.create_project("Sweep", actor="t")
    lamp = desk.add_asset(p.id, "Lamp", "prop", "Brass lamp")
    desk.set_master_image(lamp.id, png_bytes(), expected_version=lamp.version, actor="t")
    held = desk.get_asset(lamp.id).master_image_key
    store = desk.images.store
    orphan, other = f"project_{p.id}/masters/crashed.png", "project_0ther/masters/x.png"
    store.write(orphan, png_bytes())
    store.write(other, png_bytes())
    assert desk.images.sweep(grace=3600) == []                 # too young to be sure
    assert desk.images.sweep(grace=0) == [orphan]
    assert set(store.modified()) == {held, other}              # another database's folder


def test_S2_a_project_round_trip_carries_its_images(desk, monkeypatch):
    p = desk.create_project("Trip", actor="t")
    lamp = desk.add_asset(p.id, "Lamp", "prop", "Brass lamp")
    scene = desk.add_scene(p.id, 1, "INT. ROOM - NIGHT")
    desk.set_master_image(lamp.id, png_bytes((1, 2, 3)), expected_version=lamp.version,
                          actor="t")
    (inst,) = desk.inherit_scene(scene.id, [lamp.id], actor="t")
    desk.upload_image(inst.id, png_bytes((9, 9, 9)), "lamp.png", actor="t")
    data = desk.export_project(p.id)
    got = desk.import_project(data, actor="t", name="Copy")
    store = desk.images.store
    old = {k: store.read(k) for k in store.modified(f"project_{p.id}/")}
    assert len(old) == 3                                   # master, its copy, the upload
    assert {k: store.read(k) for k in store.modified(f"project_{got.project_id}/")} == {
        got.new_key(k): b for k, b in old.items()}
    # An import that fails after its images were written leaves none of them behind.
    before = {k: store.read(k) for k in store.modified()}

    def refused(cur, rows, **kw):
        raise core.ValidationError("refused late")
    monkeypatch.setattr(transfer, "insert_rows", refused)
    with pytest.raises(core.ValidationError, match="refused late"):
        desk.import_project(data, actor="t")
    assert {k: store.read(k) for k in store.modified()} == before
