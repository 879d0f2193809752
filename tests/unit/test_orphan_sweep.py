"""G5/G6: image files no row refers to are swept at start — only those older than
the grace period, only under the image root's project folders of this database,
in one query; every column that holds a key protects its file."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from desk_factory import make_desk
from fakes import png_bytes

from core.images import orphans

HOUR_AGO = time.time() - 3600


def age(path: Path) -> Path:
    os.utime(path, (HOUR_AGO, HOUR_AGO))
    return path


def put(root: Path, key: str, data: bytes = b"x", old: bool = True) -> str:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if old:
        age(path)
    return key


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def film(tmp_path):
    """A file database whose project holds a generated image (job + attempt), an
    upload, a master image and a global-library master, all with old mtimes."""
    root, db = tmp_path / "images", tmp_path / "film.duckdb"
    desk = make_desk(db, image_root=root)
    p = desk.create_project("Sweep", actor="t")
    lamp = desk.add_asset(p.id, "Lamp", "prop", "Brass lamp")
    coat = desk.add_asset(p.id, "Coat", "prop", "Grey coat")
    s = desk.add_scene(p.id, 1, "INT. ROOM - NIGHT")
    lamp_1, coat_1 = desk.inherit_scene(s.id, [lamp.id, coat.id], actor="t")
    (job,) = desk.wait_for_jobs([j.id for j in desk.request_images([lamp_1.id], actor="t")])
    desk.upload_image(coat_1.id, png_bytes(), "coat.png", actor="t")
    desk.set_master_image(lamp.id, png_bytes((9, 9, 9)), expected_version=lamp.version,
                          actor="t")
    g = desk.add_global_asset("Hat", "prop", "Felt hat")
    global_key = put(root, f"project_{p.id}/masters/global_hat.png")
    with desk.db.cursor() as cur:
        cur.execute("UPDATE global_assets SET master_image_key = ? WHERE id = ?",
                    [global_key, g.id])
    referenced = files(root)
    for key in referenced:
        age(root / key)
    scene_dir = f"project_{p.id}/branch_{p.main_branch_id}/scene_{s.id}/scene-assets"
    desk.close()
    return db, root, p, job, referenced, scene_dir


def test_G6_startup_sweep_removes_only_old_unreferenced_files(film, snapshot):
    db, root, p, job, referenced, scene_dir = film
    assert job.status == "completed" and job.image_key in referenced
    assert len(referenced) == 4    # the job's image (also its attempt), upload, 2 masters
    old_orphans = {
        put(root, f"{scene_dir}/{p.id}_20260101T000000000000_dead.png", png_bytes()),
        put(root, f"{scene_dir}/tmpa1b2c3.part", b"half a png"),
        put(root, f"project_{p.id}/masters/lamp_crashed.png", png_bytes()),
    }
    kept = {
        put(root, f"{scene_dir}/young_orphan.png", png_bytes(), old=False),  # maybe mid-write
        put(root, "project_0ther-database/masters/x.png"),   # not a project of this database
        put(root, "notes/readme.txt"),                        # not under project_*/
        put(root, "loose.png"),
    }
    desk = make_desk(db, image_root=root)
    before = snapshot(desk)
    desk.resume_jobs()                                        # what the app does at start
    assert files(root) == referenced | kept
    assert snapshot(desk) == before                           # the database is untouched
    for key in referenced:                                    # and every image still shows
        assert desk.image_bytes(key)
    assert not (old_orphans & files(root))
    desk.close()


def test_G6_sweep_with_zero_grace_takes_young_orphans_and_reports_them(film):
    db, root, p, _, referenced, scene_dir = film
    young = put(root, f"{scene_dir}/young.png", old=False)
    part = put(root, f"{scene_dir}/tmpzz.part", old=False)
    desk = make_desk(db, image_root=root)
    assert desk.images.sweep() == []                           # default grace: too young
    assert sorted(desk.images.sweep(grace=0)) == sorted([young, part])
    assert files(root) == referenced
    desk.close()


HOLDERS = [("image_attempts", "image_key"), ("image_jobs", "image_key"),
           ("project_assets", "master_image_key"), ("global_assets", "master_image_key")]


def test_G6_every_column_holding_a_key_protects_its_file(film):
    db, root, p, _, _, _ = film
    held = {t: put(root, f"project_{p.id}/masters/held_by_{t}.png") for t, _ in HOLDERS}
    loose = put(root, f"project_{p.id}/masters/held_by_nobody.png")
    desk = make_desk(db, image_root=root)
    with desk.db.cursor() as cur:
        for table, column in HOLDERS:             # one row of each points at its own file
            cur.execute(f"UPDATE {table} SET {column} = ? "
                        f"WHERE id = (SELECT min(id) FROM {table})", [held[table]])
        assert orphans.orphans(cur, sorted([*held.values(), loose])) == [loose]
        assert set(held.values()) <= orphans.referenced_keys(cur, p.id)
    desk.close()


def test_G6_referenced_keys_are_what_a_project_export_should_ship(film):
    db, root, p, _, referenced, scene_dir = film
    put(root, f"{scene_dir}/orphan.png")
    desk = make_desk(db, image_root=root)
    other = desk.create_project("Other", actor="t")
    put(root, f"project_{other.id}/masters/orphan.png")
    with desk.db.cursor() as cur:
        assert orphans.referenced_keys(cur, p.id) == referenced
        assert orphans.referenced_keys(cur, other.id) == set()
    with zipfile.ZipFile(io.BytesIO(desk.export_project(p.id))) as zf:
        shipped = {n.removeprefix("files/") for n in zf.namelist() if n.startswith("files/")}
    assert shipped == referenced
    desk.close()


def test_G6_a_missing_image_root_sweeps_nothing(tmp_path):
    desk = make_desk(":memory:", image_root=tmp_path / "absent")
    desk.create_project("Empty", actor="t")
    assert desk.images.sweep(grace=0) == []
    assert not (tmp_path / "absent").exists()
    desk.close()
