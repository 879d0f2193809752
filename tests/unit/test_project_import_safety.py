"""Whole-project import safety (S2, S3, S4) and CSV oddities (issue 10): a project file
can never write into or refer to another project, every row is checked with the
Desk's rules, the archive is read with running byte caps, and every refusal is a
ValidationError that leaves every table and the image store exactly as they were."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from desk_factory import make_desk
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from import_support import table_snapshot
from PIL import Image

import core
from core import validation as val
from core.library import transfer

ACTOR = "ana"
ROOT = Path(__file__).resolve().parents[2]


def png(colour=(200, 30, 30), size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@dataclass
class Film:
    project: core.Project
    scenes: list
    asset: core.Asset
    instances: list


@dataclass
class World:
    desk: core.Desk
    root: Path
    victim: Film
    attacker: Film
    export: bytes


def _film(desk, name: str, colour) -> Film:
    p = desk.create_project(name, actor=ACTOR)
    scenes = [desk.add_scene(p.id, n, f"INT. HOUSE {n} - DAY") for n in (1, 2)]
    a = desk.add_asset(p.id, "Brick", "character", "Retired detective, grey stubble")
    a = desk.set_master_image(a.id, png(colour), expected_version=a.version, actor=ACTOR)
    first = desk.inherit_scene(scenes[0].id, [a.id], actor=ACTOR)[0]
    desk.upload_image(first.id, png(colour, (9, 9)), "brick.png", actor=ACTOR)
    second = desk.inherit_scene(scenes[1].id, [a.id], actor=ACTOR)[0]
    jobs = desk.request_images([second.id], actor=ACTOR)
    desk.wait_for_jobs([j.id for j in jobs], timeout=60)
    return Film(p, scenes, desk.get_asset(a.id), [desk.get_instance(first.id),
                                                   desk.get_instance(second.id)])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("safety") / "images"
    desk = make_desk(":memory:", image_root=root)
    victim = _film(desk, "Victim", (10, 120, 10))
    attacker = _film(desk, "Attacker", (120, 10, 10))
    yield World(desk, root, victim, attacker, desk.export_project(attacker.project.id))
    desk.close()


def store_snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder of the image store."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


def refused(world: World, data: bytes, *patterns: str) -> str:
    """Import `data`: it must raise ValidationError whose message holds every pattern,
    with every table and the image store unchanged."""
    before, files = table_snapshot(world.desk), store_snapshot(world.root)
    with pytest.raises(core.ValidationError) as err:
        world.desk.import_project(data, actor=ACTOR)
    message = str(err.value)
    for pattern in patterns:
        assert pattern in message, message
    assert table_snapshot(world.desk) == before
    assert store_snapshot(world.root) == files
    return message


# --- building tampered files ----------------------------------------------------------------

def manifest_of(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("project.json"))


def rezip(data: bytes, manifest=None, files: dict[str, bytes] | None = None,
          raw_manifest: bytes | None = None) -> bytes:
    """The export with its manifest replaced and `files` entries added or replaced."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    files = files or {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in zf.infolist():
            if info.filename != "project.json" and info.filename not in files:
                out.writestr(info.filename, zf.read(info.filename))
        for name, blob in files.items():
            out.writestr(name, blob)
        out.writestr("project.json", raw_manifest if raw_manifest is not None
                     else json.dumps(manifest if manifest is not None else manifest_of(data)))
    return buf.getvalue()


def column(m: dict, table: str, col: str) -> int:
    return m["tables"][table]["columns"].index(col)


def cell(m: dict, table: str, col: str, row: int = 0):
    return m["tables"][table]["rows"][row][column(m, table, col)]


def set_cell(m: dict, table: str, col: str, value, row: int = 0) -> dict:
    m["tables"][table]["rows"][row][column(m, table, col)] = value
    return m


def add_row(m: dict, table: str, **values) -> int:
    """A copy of the table's first row with `values` set; returns its row number (1-based)."""
    rows = m["tables"][table]["rows"]
    rows.append(list(rows[0]))
    for col, value in values.items():
        set_cell(m, table, col, value, len(rows) - 1)
    return len(rows)


def with_file(m: dict, key: str, blob: bytes) -> dict[str, bytes]:
    m["files"].append({"key": key, "sha256": hashlib.sha256(blob).hexdigest(),
                       "size": len(blob)})
    return {"files/" + key: blob}


NEW_ID = "0d5e1a3c-5b0e-4c52-9d7e-6a1f5f0c0b11"


# --- S2: nothing can reach another project ----------------------------------------------------

def test_forged_history_row_in_another_projects_audit_log_is_refused(world):
    m = manifest_of(world.export)
    v = world.victim
    n = add_row(m, "instance_history", id=10**6, instance_id=v.instances[0].id,
                project_id=v.project.id,
                branch_id=v.project.main_branch_id, scene_id=v.scenes[0].id,
                project_asset_id=v.asset.id, actor="forged-actor")
    refused(world, rezip(world.export, m), f"instance_history row {n}, project_id",
            "not a projects row of this file")


def test_history_row_naming_another_projects_instance_gets_a_fresh_id(world):
    """A history row may name an instance that is gone (deleted instances keep their
    history): its id is renewed like every other, so it never lands in the victim's log."""
    v = world.victim
    m = manifest_of(world.export)
    add_row(m, "instance_history", id=10**6, instance_id=v.instances[0].id,
            scene_id=v.scenes[0].id, actor="forged-actor")
    victim_log = world.desk.history(v.instances[0].id)
    victim_project_log = world.desk.project_history(v.project.id)
    done = world.desk.import_project(rezip(world.export, m), actor=ACTOR)
    assert world.desk.history(v.instances[0].id) == victim_log
    assert world.desk.project_history(v.project.id).equals(victim_project_log)
    forged = world.desk.project_history(done.project_id, actor="forged-actor")
    assert len(forged) == 1
    assert done.id_map[v.instances[0].id] != v.instances[0].id


def test_scene_injected_into_another_projects_branch_is_refused(world):
    m = manifest_of(world.export)
    n = add_row(m, "scenes", id=NEW_ID, scene_number=99,
                branch_id=world.victim.project.main_branch_id)
    refused(world, rezip(world.export, m), f"scenes row {n}, branch_id",
            "not a branches row of this file")


def test_instance_in_another_projects_scene_is_refused(world):
    m = manifest_of(world.export)
    set_cell(m, "scene_asset_instances", "scene_id", world.victim.scenes[0].id)
    refused(world, rezip(world.export, m), "scene_asset_instances row 1, scene_id")


def test_file_planted_in_another_projects_scene_folder_is_refused(world):
    v = world.victim
    m = manifest_of(world.export)
    key = (f"project_{v.project.id}/branch_{v.project.main_branch_id}/scene_{v.scenes[0].id}"
           f"/scene-assets/{v.asset.id}_planted.png")
    refused(world, rezip(world.export, m, with_file(m, key, png())),
            "lies outside its project's folder")
    m = manifest_of(world.export)
    sneaky = f"project_{world.attacker.project.id}/../project_{v.project.id}/x.png"
    refused(world, rezip(world.export, m, with_file(m, sneaky, png())), "unsafe image key")


def test_attempt_pointing_at_another_projects_image_is_refused(world):
    victim_key = world.victim.instances[0].image_key
    assert victim_key and (world.root / victim_key).is_file()
    m = manifest_of(world.export)
    set_cell(m, "image_attempts", "image_key", victim_key)
    refused(world, rezip(world.export, m), "image_attempts row 1, image_key",
            "is not a file of this project file")
    m = manifest_of(world.export)
    set_cell(m, "project_assets", "master_image_key", world.victim.asset.master_image_key)
    refused(world, rezip(world.export, m), "project_assets row 1, master_image_key")


def test_job_keyed_to_another_projects_asset_is_refused(world):
    """A job key is what G4 reuses across scenes: one naming the victim's asset would
    hand the attacker's image to the victim."""
    m = manifest_of(world.export)
    key = cell(m, "image_jobs", "job_key").split("|")
    set_cell(m, "image_jobs", "job_key", "|".join([world.victim.asset.id, *key[1:]]))
    refused(world, rezip(world.export, m), "image_jobs row 1", "job key does not match")


def test_export_ships_no_file_of_another_project(world):
    zf = zipfile.ZipFile(io.BytesIO(world.export))
    own = f"files/project_{world.attacker.project.id}/"
    names = [n for n in zf.namelist() if n != "project.json"]
    assert names and all(n.startswith(own) for n in names)


def test_an_id_used_twice_is_refused(world):
    m = manifest_of(world.export)
    add_row(m, "shots" if "shots" in m["tables"] else "scenes",
            id=cell(m, "project_assets", "id"), scene_number=98)
    refused(world, rezip(world.export, m), "is used twice")


# --- S2: every row is checked with the Desk's rules ----------------------------------------

@pytest.mark.parametrize(("table", "col", "value", "message"), [
    ("scene_asset_instances", "status_tags", ["muddy", "mud!dy"], "mud!dy"),
    ("scene_asset_instances", "inherited_tags", [f"t{k}" for k in range(21)], "At most 20"),
    ("project_assets", "name", "N" * 5000, "too long: 5000 characters"),
    ("project_assets", "name", "Brick\u202e", "bidirectional"),
    ("project_assets", "asset_type", "spaceship", "spaceship"),
    ("scenes", "scene_number", -7, "-7"),
    ("scenes", "scene_number", "7", "whole number"),
    ("scenes", "created_at", 12345, "date and time"),
    ("project_assets", "aliases", {"a": 1}, "Aliases must be given as a list"),
    ("project_assets", "version", [1], "Version"),
    ("instance_history", "source", "hacker", "hacker"),
    ("instance_history", "new_value", "{not json", "not valid JSON"),
    ("image_attempts", "kind", "stolen", "stolen"),
    ("image_jobs", "status", "paid", "paid"),
    ("image_jobs", "estimated_cost", -5, "Estimated cost"),
    ("projects", "budget", float("inf"), "budget"),
])
def test_bad_values_are_refused_naming_table_row_and_column(world, table, col, value, message):
    m = manifest_of(world.export)
    set_cell(m, table, col, value)
    refused(world, rezip(world.export, m), f"{table} row 1, {col}", message)


def test_two_scenes_with_one_number_are_refused(world):
    m = manifest_of(world.export)
    set_cell(m, "scenes", "scene_number", cell(m, "scenes", "scene_number", 1), 0)
    refused(world, rezip(world.export, m), "scenes rows 1 and 2 have the same branch_id, "
                                           "scene_number")


def test_non_image_bytes_stored_as_an_image_are_refused(world):
    m = manifest_of(world.export)
    key = m["files"][-1]["key"]
    blob = b"#!/bin/sh\necho not an image\n"
    m["files"][-1]["sha256"] = hashlib.sha256(blob).hexdigest()
    refused(world, rezip(world.export, m, {"files/" + key: blob}), "not a readable")


def test_a_checksum_mismatch_is_refused(world):
    m = manifest_of(world.export)
    refused(world, rezip(world.export, m, {"files/" + m["files"][-1]["key"]: png((1, 2, 3))}),
            "checksum mismatch")


# --- S4: a damaged archive or manifest is a ValidationError ----------------------------------

def _flip_in_entry(data: bytes, name: str) -> bytes:
    """Flip one byte inside the stored data of entry `name` (so its CRC no longer fits)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = bytearray(data)
    raw[start + info.compress_size // 2] ^= 0xFF
    return bytes(raw)


def test_bad_crc_is_refused(world):
    m = manifest_of(world.export)
    image = "files/" + m["files"][-1]["key"]
    message = refused(world, _flip_in_entry(world.export, image), "damaged")
    assert "bad checksum" in message or "not a readable" in message
    stored = rezip(world.export, m)
    refused(world, _flip_in_entry(stored, "project.json"), "project.json")


def _damaged_manifests(export: bytes):
    m = manifest_of(export)

    def variant(change):
        copy = json.loads(json.dumps(m))
        change(copy)
        return copy
    yield "no tables", variant(lambda x: x.pop("tables")), "lists no tables"
    yield "tables a list", variant(lambda x: x.update(tables=[1, 2])), "lists no tables"
    yield "rows not a list", variant(lambda x: x["tables"]["scenes"].update(rows=7)), "rows"
    yield "short row", variant(lambda x: x["tables"]["scenes"]["rows"][0].pop()), "scenes row 1"
    yield "row a string", variant(lambda x: x["tables"]["scenes"]["rows"].append("x")), "row 3"
    yield "columns numbers", variant(lambda x: x["tables"]["shots" if "shots" in x["tables"]
                                                             else "scenes"].update(
        columns=[1, 2])), "columns"
    yield "table a string", variant(lambda x: x["tables"].update(scenes="x")), "columns"
    yield "files a dict", variant(lambda x: x.update(files={})), "no list of images"
    yield "file a string", variant(lambda x: x["files"].append("x")), "image"
    yield "file without key", variant(lambda x: x["files"][0].pop("key")), "image 1"
    yield "no project", variant(lambda x: x["tables"]["projects"].update(rows=[])), \
        "holds no project"
    yield "unknown table", variant(lambda x: x["tables"].update(
        quantum={"columns": ["id"], "rows": []})), "newer version"
    yield "unknown column", variant(lambda x: x["tables"]["scenes"]["columns"].__setitem__(
        3, "warp_factor")), "scenes.warp_factor"
    yield "a list", [1, 2, 3], "not a Continuity Desk export"
    yield "version a dict", variant(lambda x: x.update(version={"a": 1})), "format version"


@pytest.mark.parametrize("case", range(15))
def test_damaged_manifest_is_refused(world, case):
    name, manifest, message = list(_damaged_manifests(world.export))[case]
    refused(world, rezip(world.export, manifest), message)


@pytest.mark.parametrize(("raw", "message"), [
    (b"{not json", "not readable JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not readable JSON"),
    (b"\xff\xfe\x00garbage", "not readable JSON"),
    (b'{"format": "continuity-desk-project", "version": 1, "n": 1' + b"0" * 5000 + b"}",
     "not readable JSON"),
])
def test_unreadable_manifest_is_refused(world, raw, message):
    refused(world, rezip(world.export, raw_manifest=raw), message)


def test_no_manifest_and_not_a_zip_are_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    refused(world, buf.getvalue(), "no project.json")
    refused(world, b"PK\x03\x04 not really", "not a zip archive")
    refused(world, world.export[: len(world.export) // 2], "not a zip archive")


def test_corrupted_bytes_anywhere_give_a_validation_error(world):
    """S4: a byte flipped anywhere in a (small) export is a ValidationError or imports
    fine, never a raw exception."""
    small = rezip(world.export, manifest_of(world.export))
    step = max(1, len(small) // 60)
    for at in range(0, len(small), step):
        raw = bytearray(small)
        raw[at] ^= 0x5A
        try:
            world.desk.import_project(bytes(raw), actor=ACTOR)
        except core.ValidationError:
            pass


def test_bzip2_entries_are_refused(world):
    m = manifest_of(world.export)
    buf = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(world.export))
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            if info.filename != "project.json":
                out.writestr(info.filename, src.read(info.filename),
                             compress_type=zipfile.ZIP_BZIP2)
        out.writestr("project.json", json.dumps(m))
    refused(world, buf.getvalue(), "only stored and deflate")


# --- S3: memory stays bounded ----------------------------------------------------------------

def _raw_zip(entries) -> bytes:
    """A zip written by hand: entries (name, data as stored, method, crc, size)."""
    out, central = io.BytesIO(), []
    for name, payload, method, crc, size in entries:
        offset = out.tell()
        fname = name.encode()
        out.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, method, 0, 33,
                              crc, len(payload), size, len(fname), 0))
        out.write(fname)
        out.write(payload)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, method,
                                   0, 33, crc, len(payload), size, len(fname), 0, 0, 0, 0, 0,
                                   offset) + fname)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))
    return out.getvalue()


def _deflated(chunk: bytes, times: int) -> tuple[bytes, int]:
    """`chunk * times`, deflated without ever holding it (each full flush repeats)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return piece * times + c.flush(), crc


CHILD = """
import json, sys
sys.path[:0] = [sys.argv[3], sys.argv[3] + "/tests"]
from desk_factory import make_desk

def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

desk = make_desk(":memory:", image_root=sys.argv[2])
data = open(sys.argv[1], "rb").read()
before = peak_kb()
try:
    desk.import_project(data, actor="ana")
    error, message = None, None
except Exception as exc:
    error, message = type(exc).__name__, str(exc)
print(json.dumps({"before_kb": before, "after_kb": peak_kb(), "error": error,
                  "message": message}))
"""


def _in_child(tmp_path: Path, data: bytes) -> dict:
    path = tmp_path / "bomb.zip"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(tmp_path / "images"),
                           str(ROOT)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_zip_bomb_image_is_refused_with_bounded_memory(world, tmp_path):
    """S3: an entry of 2 GiB of zeros (2 MB compressed, sizes declared truthfully) is
    refused after the image cap, in a child process whose peak RSS grows < 300 MB."""
    zf = zipfile.ZipFile(io.BytesIO(world.export))
    m = manifest_of(world.export)
    key = f"project_{world.attacker.project.id}/masters/bomb.png"
    m["files"].append({"key": key, "sha256": "0" * 64, "size": 100})
    bomb, crc = _deflated(bytes(1 << 20), 2048)
    entries = [(i.filename, zf.read(i.filename), 0, i.CRC, i.file_size)
               for i in zf.infolist() if i.filename != "project.json"]
    manifest = json.dumps(m).encode()
    entries += [("files/" + key, bomb, 8, crc, 2048 << 20),
                ("project.json", manifest, 0, zlib.crc32(manifest), len(manifest))]
    data = _raw_zip(entries)
    assert len(data) < 4 * 1024 * 1024
    seen = _in_child(tmp_path, data)
    assert seen["error"] == "ValidationError", seen
    assert "unpacks to more than 80 MB" in seen["message"]
    assert seen["after_kb"] - seen["before_kb"] < 300 * 1024, seen
    assert not (tmp_path / "images").exists() or not any((tmp_path / "images").rglob("*.png"))


def test_zip_bomb_manifest_is_refused_with_bounded_memory(world, tmp_path):
    """S3: a project.json of 2 GiB (spaces) is refused at the manifest cap; the child's
    peak RSS grows < 300 MB (the capped bytes are spooled to disk)."""
    bomb, crc = _deflated(b" " * (1 << 20), 2048)
    data = _raw_zip([("project.json", bomb, 8, crc, 2048 << 20)])
    seen = _in_child(tmp_path, data)
    assert seen["error"] == "ValidationError", seen
    assert "project.json in the project file unpacks to more than 256 MB" in seen["message"]
    assert seen["after_kb"] - seen["before_kb"] < 300 * 1024, seen


def test_declared_sizes_that_lie_are_caught(world):
    """A zip declaring a tiny size for a big entry: the bytes read stop at the declared
    size and the CRC no longer fits; a ValidationError, nothing written."""
    bomb, crc = _deflated(bytes(1 << 20), 64)
    m = manifest_of(world.export)
    key = f"project_{world.attacker.project.id}/masters/liar.png"
    m["files"].append({"key": key, "sha256": "0" * 64, "size": 10})
    zf = zipfile.ZipFile(io.BytesIO(world.export))
    entries = [(i.filename, zf.read(i.filename), 0, i.CRC, i.file_size)
               for i in zf.infolist() if i.filename != "project.json"]
    manifest = json.dumps(m).encode()
    entries += [("files/" + key, bomb, 8, crc, 10),
                ("project.json", manifest, 0, zlib.crc32(manifest), len(manifest))]
    refused(world, _raw_zip(entries), "damaged")


# --- CSV oddities ----------------------------------------------------------------------------

@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


CSV = "name,type,description,aliases\nBrick,character,Retired detective,Brick Malone\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                      "utf-8-sig"])
def test_utf16_and_utf32_csv_with_bom_is_read(desk, encoding):
    p = desk.create_project("CSV", actor=ACTOR)
    data = CSV.replace("Brick", "Brück").encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        bom = "\ufeff".encode(encoding)
        data = bom + data
    rep = desk.import_assets_csv(p.id, data, actor=ACTOR)
    assert rep.created == ["Brück"]
    assert desk.assets(p.id)[0].aliases == ["Brück Malone"]


def test_utf16_csv_with_a_bad_row_names_the_row(desk):
    p = desk.create_project("CSV", actor=ACTOR)
    before = table_snapshot(desk)
    with pytest.raises(core.ValidationError, match="CSV row 3: Unknown asset type 'spaceship'"):
        desk.import_assets_csv(p.id, (CSV + "Rocket,spaceship,Fast\n").encode("utf-16"),
                               actor=ACTOR)
    assert table_snapshot(desk) == before


def test_nul_in_a_csv_cell_names_the_row(desk):
    p = desk.create_project("CSV", actor=ACTOR)
    before = table_snapshot(desk)
    with pytest.raises(core.ValidationError, match=r"CSV row 3: Name contains a control "
                                                   r"character \(U\+0000\)"):
        desk.import_assets_csv(p.id, (CSV + "Do\x00t,character,Bait-shop owner\n").encode(),
                               actor=ACTOR)
    assert table_snapshot(desk) == before


def test_utf16_without_bom_or_binary_is_refused_as_not_csv_text(desk):
    p = desk.create_project("CSV", actor=ACTOR)
    for data, message in ((CSV.encode("utf-16-le"), "NUL characters"),
                          (png(), "not UTF-8 text"),
                          (b"PK\x03\x04rest", "spreadsheet workbook")):
        with pytest.raises(core.ValidationError, match=message) as err:
            desk.import_assets_csv(p.id, data, actor=ACTOR)
        assert "screenplay" not in str(err.value)


TRICKY = [
    ("'=SUM(A1)", "'-starts with a quote and a minus", ["Smith; Jr", ";lead", "trail;"]),
    ("O'Brien, \"the Hat\"", "Line one\nline two, with a comma", ["=cmd", "+1", "@home"]),
    ("''+x", "\t-indented? no: stripped", ["a;;b", "'quoted'"]),
    ("Brück 東京 ☂", "=HYPERLINK(\"x\")", []),
]


def test_csv_export_reimports_every_name_the_desk_accepts(desk):
    src = desk.create_project("Source", actor=ACTOR)
    for k, (name, description, aliases) in enumerate(TRICKY):
        desk.add_asset(src.id, name, ("character", "location", "prop")[k % 3], description,
                       aliases=aliases, approved=k % 2 == 0)
    text = desk.export_assets_csv(src.id)
    dst = desk.create_project("Copy", actor=ACTOR)
    rep = desk.import_assets_csv(dst.id, text.encode("utf-8"), actor=ACTOR)
    assert len(rep.created) == len(TRICKY)

    def view(pid):
        return [(a.name, a.asset_type, a.description, a.aliases, a.approved)
                for a in desk.assets(pid)]
    assert view(dst.id) == view(src.id)
    assert desk.import_assets_csv(dst.id, text, actor=ACTOR).unchanged == rep.created


_NAME_CHARS = st.one_of(st.sampled_from(list("';=+-@\",  ab") + ["é", "東"]),
                        st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")))
_NAME = st.lists(_NAME_CHARS, min_size=1, max_size=12).map("".join)
_PROSE = st.lists(st.one_of(_NAME_CHARS, st.sampled_from("\t\r\n")), min_size=1,
                  max_size=16).map("".join)


def _accepted(check, *args):
    try:
        return check(*args)
    except core.ValidationError:
        assume(False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(name=_NAME, description=_PROSE, aliases=st.lists(_NAME, max_size=4),
       approved=st.booleans())
def test_csv_round_trip_of_any_accepted_row(name, description, aliases, approved):
    """Whatever name, description and aliases the Desk accepts comes back from its own
    CSV export unchanged (quotes, `;`, leading `'=`, newlines, any script)."""
    name = _accepted(val.name, name, "Asset name")
    description = _accepted(val.text, description, "Master description", val.MAX_DESCRIPTION)
    aliases = _accepted(val.aliases, aliases, name)
    [row] = transfer.parse_csv(transfer._write_csv(
        [(name, "prop", description, aliases, approved)]).encode("utf-8"))
    assert (row.name, row.description, row.aliases, row.approved) == (
        name, description, aliases, approved)


def test_csv_guard_inverts(desk):
    for text in ("=x", "'=x", "''=x", "'Tis", "'", "plain", "-", "'-"):
        assert transfer._uncell(transfer.formula_safe(text)) == text


def test_archive_caps_count_bytes_actually_unpacked():
    """S3: the running total and the entry count are enforced on what is read."""
    from core.library.archive import Archive
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(3):
            zf.writestr(f"e{k}", bytes(400_000))
    data = buf.getvalue()
    archive = Archive(data, "the test file", max_entries=3, max_total=1_000_000)
    assert len(archive.read("e0", 500_000, "e0")) == 400_000
    assert len(archive.read("e1", 500_000, "e1")) == 400_000
    with pytest.raises(core.ValidationError, match="more than 1 MB in all"):
        archive.read("e2", 500_000, "e2")
    with pytest.raises(core.ValidationError, match="e0 in the test file unpacks to more"):
        Archive(data, "the test file", max_entries=3, max_total=10**9).read("e0", 1000, "e0")
    with pytest.raises(core.ValidationError, match="holds 3 entries; at most 2"):
        Archive(data, "the test file", max_entries=2, max_total=10**9)
