"""Library I/O: assets and library CSV, master images, and the whole-project
export -> import round trip (table by table, file by file)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from desk_factory import make_desk
from import_support import rich_demo, table_snapshot
from PIL import Image

import core
from core.library import transfer
from core.library.project_schema import TABLES

ACTOR = "ana"


@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


@pytest.fixture
def project(desk):
    return desk.create_project("Library", actor=ACTOR)


def png(colour=(200, 30, 30), size=(8, 8), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


# --- CSV ----------------------------------------------------------------------------------

def test_assets_csv_round_trip(desk, project):
    desk.add_asset(project.id, "Brick", "character", "Retired detective, grey stubble",
                   aliases=["Brick Malone", "Malone"])
    desk.add_asset(project.id, "Lantern", "prop", "-1 dB of brass; =SUM(A1)", approved=False)
    text = desk.export_assets_csv(project.id)
    assert text.splitlines()[0] == "name,type,description,aliases,approved"
    assert "Brick Malone; Malone" in text
    assert "'-1 dB of brass" in text                 # no formula for spreadsheets
    other = desk.create_project("Copy", actor=ACTOR)
    rep = desk.import_assets_csv(other.id, text.encode("utf-8-sig"), actor=ACTOR)
    assert rep.created == ["Brick", "Lantern"]

    def view(pid):
        return [(a.name, a.asset_type, a.description, a.aliases, a.approved)
                for a in desk.assets(pid)]
    assert view(other.id) == view(project.id)
    again = desk.import_assets_csv(other.id, text, actor=ACTOR)
    assert again.created == [] and again.updated == [] and again.unchanged == ["Brick",
                                                                                "Lantern"]


def test_csv_updates_by_name_or_alias_with_versions(desk, project):
    brick = desk.add_asset(project.id, "Brick", "character", "Old", aliases=["Malone"])
    csv_text = ("Name,Type,Description,Aliases\n"
                "malone,character,New description,Brick Malone\n"
                "Dot,character,Bait-shop owner,\n")
    preview = desk.import_assets_csv(project.id, csv_text, actor=ACTOR, dry_run=True)
    assert (preview.created, preview.updated) == (["Dot"], ["malone"])
    assert desk.get_asset(brick.id).version == brick.version          # preview wrote nothing
    desk.import_assets_csv(project.id, csv_text, actor=ACTOR)
    now = desk.get_asset(brick.id)
    assert (now.name, now.description, now.aliases) == ("malone", "New description",
                                                        ["Brick Malone"])
    assert now.version == brick.version + 1


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"\x00\x01\x02", "binary"),
    ("name,kind\nBrick,character\n", "missing: type, description"),
    ("name,type,description,colour\nBrick,character,x,red\n", "Unknown CSV column 'colour'"),
    ("name,type,description\nBrick,character,Fine\n,prop,No name\n", "row 3: Name cannot"),
    ("name,type,description\nBrick,vehicle,Fast\n", "row 2: Unknown asset type 'vehicle'"),
    ("name,type,description\nBrick,character,a\nbrick,prop,b\n", "row 3: 'brick' is also"),
    ("name,type,description,approved\nBrick,character,a,maybe\n", "row 2: Approved must"),
    ("name,type,description\nBrick,character," + "x" * 5000 + "\n", "row 2: Description is too"),
])
def test_bad_csv_names_the_problem_and_writes_nothing(desk, project, data, message):
    desk.add_asset(project.id, "Dot", "character", "Bait-shop owner")
    before = table_snapshot(desk)
    with pytest.raises(core.ValidationError, match=message):
        desk.import_assets_csv(project.id, data, actor=ACTOR)
    assert table_snapshot(desk) == before


def test_csv_refused_late_row_rolls_back_earlier_rows(desk, project):
    desk.add_asset(project.id, "Dot", "character", "Bait-shop owner")
    before = table_snapshot(desk)
    many = ";".join(f"alias {i}" for i in range(25))
    with pytest.raises(core.ValidationError, match="row 3: At most 20 aliases"):
        desk.import_assets_csv(project.id, "name,type,description,aliases\nNew,prop,fine,\n"
                               f"Dot,character,changed,{many}\n", actor=ACTOR)
    assert table_snapshot(desk) == before


def test_library_csv(desk):
    desk.add_global_asset("Rotary Telephone", "prop", "Black rotary phone", aliases=["Phone"])
    desk.add_global_asset("Beat Cop", "character", "Patrol officer")
    text = desk.export_library_csv()
    assert "Rotary Telephone,prop,Black rotary phone,Phone,yes" in text
    rep = desk.import_library_csv(text + "Harbor Crane,prop,Rusty crane,Crane,yes\n",
                                  actor=ACTOR)
    assert rep.created == ["Harbor Crane"] and rep.skipped == ["Beat Cop", "Rotary Telephone"]
    assert "Harbor Crane" in {g.name for g in desk.global_assets()}


# --- master images ------------------------------------------------------------------------

def test_master_image_upload(desk, project, tmp_path):
    a = desk.add_asset(project.id, "Brick", "character", "Retired detective")
    updated = desk.set_master_image(a.id, png(fmt="JPEG"), expected_version=a.version,
                                    actor=ACTOR)
    key = updated.master_image_key
    assert key.startswith(f"project_{project.id}/masters/{a.id}_") and key.endswith(".png")
    stored = tmp_path / "images" / key
    assert Image.open(stored).format == "PNG"
    assert updated.version == a.version + 1
    assert not list(stored.parent.glob("*.part"))
    before = table_snapshot(desk)
    with pytest.raises(core.ConflictError):
        desk.set_master_image(a.id, png(), expected_version=a.version, actor=ACTOR)
    for bad, message in ((b"", "empty"), (b"not an image", "not a readable"),
                         (png(fmt="GIF"), "GIF"), (b"\x89PNG" + b"0" * (6 * 1024 * 1024),
                                                   "at most 5 MB")):
        with pytest.raises(core.ValidationError, match=message):
            desk.set_master_image(a.id, bad, expected_version=updated.version, actor=ACTOR)
    assert table_snapshot(desk) == before
    assert len(list(stored.parent.iterdir())) == 1


# --- whole project ------------------------------------------------------------------------

def test_S2_an_uploaded_jpeg_stored_as_a_png_over_5_mb_survives_a_backup(desk, project):
    """An upload is at most 5 MB, but the PNG it is stored as may be larger; the
    project's own export must import again."""
    noise = Image.frombytes("RGB", (1600, 1600), os.urandom(1600 * 1600 * 3))
    jpeg = io.BytesIO()
    noise.save(jpeg, "JPEG", quality=75)
    a = desk.add_asset(project.id, "Brick", "character", "Retired detective")
    a = desk.set_master_image(a.id, jpeg.getvalue(), expected_version=a.version, actor=ACTOR)
    stored = desk.images.store.read(a.master_image_key)
    assert len(stored) > 5 * 1024 * 1024
    done = desk.import_project(desk.export_project(project.id), actor=ACTOR)
    (copy,) = desk.assets(done.project_id)
    assert desk.images.store.read(copy.master_image_key) == stored


def comparable(desk, project_id, id_map=None):
    """Every row of the project (what export writes), ids mapped by `id_map`, sequence
    numbers dropped (kept in order), so two projects compare equal table by table."""
    with desk.db.cursor() as cur:
        rows = transfer.project_rows(cur, project_id)
    out = {}
    for t, (cols, data) in rows.items():
        seq = [i for i, c in enumerate(cols) if TABLES[t].columns[c].kind == "seq"]
        fixed = []
        for r in (sorted(data, key=lambda r: r[seq[0]]) if seq else data):
            fixed.append([transfer.remap(transfer._plain(x), id_map or {}, cols[i])
                          for i, x in enumerate(r) if i not in seq])
        out[t] = fixed if seq else sorted(fixed, key=repr)
    return out


def files_of(root: Path, project_id: str) -> dict[str, bytes]:
    base = root / f"project_{project_id}"
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in base.rglob("*") if p.is_file()} if base.exists() else {}


@pytest.fixture(scope="module")
def rich_desk(tmp_path_factory):
    root = tmp_path_factory.mktemp("rich")
    d = make_desk(":memory:", image_root=root / "images")
    yield d, root
    d.close()


@pytest.fixture(scope="module")
def rich(rich_desk):
    """The demo film with a row in every table (`import_support.rich_demo`), shared by
    the round-trip tests (each compares against its own before/after)."""
    return rich_demo(rich_desk[0])


def test_every_column_of_the_live_schema_has_an_import_rule(desk):
    """S2: every table and column of the database (all migrations applied) has its entry
    in the import schema, so a new migration cannot slip a column past validation."""
    with desk.db.cursor() as cur:
        columns = cur.dialect.table_columns(cur)
    live = {t: sorted(c for c, _, _ in cols) for t, cols in columns.items()}
    assert live == {t: sorted(spec.columns) for t, spec in TABLES.items()}


def test_project_round_trip_into_the_same_database(rich_desk, rich):
    desk, tmp = rich_desk
    root = tmp / "images"
    data = desk.export_project(rich.id)
    result = desk.import_project(data, actor=ACTOR)
    assert result.project_id != rich.id and result.name == rich.name
    old, new = comparable(desk, rich.id, result.id_map), comparable(desk, result.project_id)
    assert set(old) == set(new)
    assert {"scenes", "shots", "scene_assets", "scene_asset_instances", "instance_history",
            "project_assets", "asset_suggestions", "screenplay_imports", "image_attempts",
            "image_jobs", "image_job_targets", "saved_searches", "branches",
            "scene_signoffs", "global_assets"} <= set(old)
    gone = {r[0] for r in old["instance_history"]} - {r[0] for r in old["scene_asset_instances"]}
    assert gone                     # history of a removed instance: renewed, kept
    for table in old:
        assert new[table] == old[table], table
    # file by file, at the remapped keys
    old_files = files_of(root, rich.id)
    assert old_files and any("/masters/" in k for k in old_files)
    new_files = files_of(root, result.project_id)
    assert new_files == {result.new_key(k): b for k, b in old_files.items()}
    # the imported project works: its scenes, assets and instances are there
    assert len(desk.scenes(result.project_id)) == len(desk.scenes(rich.id))
    assert len(desk.branch_instances(result.project_id)) == len(desk.branch_instances(rich.id))


def test_project_round_trip_into_an_empty_database(rich_desk, rich, tmp_path):
    desk, tmp = rich_desk
    data = desk.export_project(rich.id)
    other = make_desk(tmp_path / "other.duckdb", image_root=tmp_path / "other")
    try:
        result = other.import_project(data, actor=ACTOR, name="Restored")
        old, new = comparable(desk, rich.id, result.id_map), comparable(other,
                                                                        result.project_id)
        projects_old = old.pop("projects")
        projects_new = new.pop("projects")
        assert projects_new[0][1] == "Restored" and projects_old[0][2:] == projects_new[0][2:]
        assert new == old
        assert files_of(tmp_path / "other", result.project_id) == {
            result.new_key(k): b for k, b in files_of(tmp / "images", rich.id).items()}
        # the restored project exports the same again
        again = zipfile.ZipFile(io.BytesIO(other.export_project(result.project_id)))
        assert len(json.loads(again.read("project.json"))["files"]) == len(
            files_of(tmp / "images", rich.id))
    finally:
        other.close()


def test_an_export_made_before_a_migration_imports_with_its_new_columns_empty(rich_desk,
                                                                             rich):
    """Columns a later migration added (005: history change ids, seen upstream values)
    are absent from older exports; they import as NULL."""
    desk, _ = rich_desk
    data = desk.export_project(rich.id)
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("project.json"))
    newer = {"instance_history": ("change_id", "instance_version"),
             "scene_asset_instances": ("seen_upstream_description", "seen_upstream_tags")}
    for table, cols in newer.items():
        spec = manifest["tables"][table]
        keep = [i for i, c in enumerate(spec["columns"]) if c not in cols]
        spec["columns"] = [spec["columns"][i] for i in keep]
        spec["types"] = [spec["types"][i] for i in keep]
        spec["rows"] = [[r[i] for i in keep] for r in spec["rows"]]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in zf.infolist():
            if info.filename != "project.json":
                out.writestr(info.filename, zf.read(info.filename))
        out.writestr("project.json", json.dumps(manifest))
    result = desk.import_project(buf.getvalue(), actor=ACTOR)
    new = comparable(desk, result.project_id)
    assert len(new["instance_history"]) == len(manifest["tables"]["instance_history"]["rows"])
    with desk.db.cursor() as cur:
        assert cur.execute(
            "SELECT count(*) FROM instance_history WHERE project_id = ? AND (change_id IS NOT "
            "NULL OR instance_version IS NOT NULL)", [result.project_id]).fetchone()[0] == 0


def test_bad_project_files_write_nothing(rich_desk, rich):
    desk, tmp = rich_desk
    data = desk.export_project(rich.id)
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("project.json"))

    def rezip(manifest=manifest, drop=None, tamper=None) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for info in zf.infolist():
                if info.filename in ("project.json", drop):
                    continue
                blob = zf.read(info.filename)
                out.writestr(info.filename, b"tampered" if info.filename == tamper else blob)
            out.writestr("project.json", json.dumps(manifest))
        return buf.getvalue()

    first_file = "files/" + manifest["files"][0]["key"]
    newer = json.loads(json.dumps(manifest))
    newer["tables"]["quantum_table"] = {"columns": ["id"], "types": ["VARCHAR"], "rows": []}
    evil = json.loads(json.dumps(manifest))
    evil["files"][0]["key"] = "../../etc/passwd"
    before = table_snapshot(desk)
    files_before = sorted(p for p in (tmp / "images").rglob("*"))
    for bad, message in (
            (b"", "empty"), (b"PK not really", "not a zip"),
            (rezip(manifest={"format": "other"}), "not a Continuity Desk export"),
            (rezip(drop=first_file), "lacks the image"),
            (rezip(tamper=first_file), "checksum"),
            (rezip(manifest=newer), "newer version"),
            (rezip(manifest=evil), "unsafe image key")):
        with pytest.raises(core.ValidationError, match=message):
            desk.import_project(bad, actor=ACTOR)
    assert table_snapshot(desk) == before
    assert sorted(p for p in (tmp / "images").rglob("*")) == files_before
