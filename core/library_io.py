"""Library import/export: project assets and the global library as CSV, master
image upload, and the whole-project export/import (the backup story).

CSV
---
Columns `name, type, description, aliases, approved` (header required, any
order, case-insensitive; `aliases` separated by `;`, `approved` yes/no — both
optional). Rows match existing assets by name or alias, case-insensitively:
changed rows update the asset (versioned, so a master description edit flows as
E1/P2 say), new names create assets. Any bad row refuses the whole file with its
row number; nothing is written. Cells that a spreadsheet would run as a formula
(`=`, `+`, `-`, `@` first) are written with a leading `'`, which import removes.

Project export
--------------
A zip: `project.json` holds every row that belongs to the project, table by
table, found generically: rows of tables with a `project_id` column, then —
repeated until nothing new turns up — rows of any table whose `*_id` column
refers to a row already exported (scenes -> shots, instances -> attempts, jobs
-> job targets, and any table added later), plus the global-library entries the
project's assets were cloned from. `files/` holds every file under the image
root whose key starts with `project_{projectId}/`, and the master images the
rows refer to (also those outside that folder). Each file is listed with its
SHA-256.

Project import always creates a **new project with new ids**: every id of the
export is replaced by a fresh UUID wherever it occurs — id columns, references,
image keys (`project_{id}/...`), the JSON values in the history — so a backup
can be restored next to the original, in the same database or another. Rows
keep their order and timestamps; columns filled from a sequence (history ids)
get new numbers in the same order. Files are verified against their SHA-256 and
written atomically before the rows; if the rows fail, the files are removed.
Library entries keep their ids (they are shared): missing ones are added.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from . import assets as assets_mod
from . import validation as v
from .db import utcnow
from .errors import ConflictError, ValidationError
from .history import Context
from .images.store import ImageStore, master_key, to_png
from .projects import get_project
from .screenplay import decode, name_key

CSV_COLUMNS = ("name", "type", "description", "aliases", "approved")
FORMAT = "continuity-desk-project"
FORMAT_VERSION = 1
MAX_ZIP_ENTRIES = 100_000
MAX_UNPACKED = 4 * 1024 ** 3
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class DryRun(Exception):
    def __init__(self, report):
        super().__init__("dry run")
        self.report = report


# --- CSV ------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in _FORMULA and text[1:] else text


def _write_csv(rows) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for name, kind, desc, aliases, approved in rows:
        w.writerow([_cell(name), kind, _cell(desc), _cell("; ".join(aliases)),
                    "yes" if approved else "no"])
    return out.getvalue()


def export_assets_csv(cur, project_id: str) -> str:
    return _write_csv((a.name, a.asset_type, a.description, a.aliases, a.approved)
                      for a in assets_mod.list_assets(cur, project_id))


def export_library_csv(cur) -> str:
    return _write_csv((g.name, g.asset_type, g.description, g.aliases, True)
                      for g in assets_mod.list_global_assets(cur))


@dataclass
class CsvRow:
    line: int
    name: str
    asset_type: str
    description: str
    aliases: list[str]
    approved: bool | None


@dataclass
class CsvReport:
    dry_run: bool
    created: list[str] = field(default_factory=list)       # names
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)        # library: already there


_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def parse_csv(data: bytes | str) -> list[CsvRow]:
    text = decode(data, "The CSV file")
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if "\n" in sample else None
    except csv.Error:
        dialect = None
    reader = csv.reader(io.StringIO(text), dialect or csv.excel)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValidationError(f"The CSV file could not be read: {exc}.") from exc
    if not rows:
        raise ValidationError("The CSV file is empty.")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("name", "type", "description") if c not in header]
    if missing:
        raise ValidationError("The CSV file's first row must name the columns; missing: "
                              + ", ".join(missing) + f" (expected {', '.join(CSV_COLUMNS)}).")
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if unknown:
        raise ValidationError(f"Unknown CSV column {unknown[0]!r}; use {', '.join(CSV_COLUMNS)}.")
    col = {h: i for i, h in enumerate(header) if h}
    out: list[CsvRow] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def get(name: str, row=row) -> str:
            i = col.get(name)
            return _uncell(row[i].strip()) if i is not None and i < len(row) else ""
        try:
            name = v.text(get("name"), "Name", v.MAX_NAME)
            kind = v.asset_type(get("type"))
            desc = v.text(get("description"), "Description", v.MAX_DESCRIPTION)
            aliases = v.aliases([a.strip() for a in get("aliases").split(";") if a.strip()],
                                name)
            flag = get("approved").lower()
            if "approved" in col and flag not in _YES | _NO:
                raise ValidationError(f"Approved must be yes or no, not {flag!r}.")
        except ValidationError as exc:
            raise ValidationError(f"CSV row {n}: {exc}") from None
        key = name_key(name)
        if key in seen:
            raise ValidationError(f"CSV row {n}: {name!r} is also on row {seen[key]}.")
        seen[key] = n
        out.append(CsvRow(n, name, kind, desc, aliases,
                          (flag in _YES) if "approved" in col else None))
    return out


def import_assets_csv(cur, project_id: str, data, actor: str, dry_run: bool) -> CsvReport:
    get_project(cur, project_id)
    ctx = Context(v.actor(actor), "user", "CSV import")
    rows = parse_csv(data)
    report = CsvReport(dry_run)
    for row in rows:
        current = assets_mod.list_assets(cur, project_id)
        hit = next((a for a in current if name_key(a.name) == name_key(row.name)), None) \
            or next((a for a in current if name_key(row.name)
                     in {name_key(x) for x in a.aliases}), None)
        try:
            if hit is None:
                assets_mod.add_asset(cur, project_id, row.name, row.asset_type,
                                     row.description, aliases=row.aliases,
                                     approved=True if row.approved is None else row.approved)
                report.created.append(row.name)
                continue
            changes = {"name": row.name, "asset_type": row.asset_type,
                       "description": row.description, "aliases": row.aliases}
            if row.approved is not None:
                changes["approved"] = row.approved
            after = assets_mod.update_asset(cur, hit.id, hit.version, ctx, **changes)
            (report.updated if after.version != hit.version else report.unchanged).append(
                after.name)
        except ValidationError as exc:
            raise ValidationError(f"CSV row {row.line}: {exc}") from None
    if dry_run:
        raise DryRun(report)
    return report


def import_library_csv(cur, data, actor: str, dry_run: bool) -> CsvReport:
    v.actor(actor)
    rows = parse_csv(data)
    report = CsvReport(dry_run)
    have = {(name_key(g.name), g.asset_type) for g in assets_mod.list_global_assets(cur)}
    for row in rows:
        if (name_key(row.name), row.asset_type) in have:
            report.skipped.append(row.name)
            continue
        assets_mod.add_global_asset(cur, row.name, row.asset_type, row.description,
                                    aliases=row.aliases)
        report.created.append(row.name)
    if dry_run:
        raise DryRun(report)
    return report


# --- files ------------------------------------------------------------------------------

def _safe_path(root: Path, key: str) -> Path:
    return ImageStore(root).path(key)


def write_atomic(root: Path, key: str, data: bytes) -> Path:
    return ImageStore(root).write(key, data)


def set_master_image(db, image_root: Path, asset_id: str, data: bytes, *,
                     expected_version: int, actor: str):
    """Store a verified master image at `project_{pid}/masters/{assetId}_{random}.png`
    (atomic write) and point the asset at it; versioned like any asset edit."""
    v.actor(actor)
    png = to_png(data, "The master image")
    asset = db.transaction(lambda cur: assets_mod.get_asset(cur, asset_id))
    if asset.version != expected_version:
        raise ConflictError(f"{asset.name} was changed by someone else; the image was not "
                            "saved.", current=asset)
    key = master_key(asset.project_id, asset.id)
    path = write_atomic(image_root, key, png)

    def work(cur):
        now = assets_mod.get_asset(cur, asset_id)
        if now.version != expected_version:
            raise ConflictError(f"{now.name} was changed by someone else; the image was not "
                                "saved.", current=now)
        cur.execute("UPDATE project_assets SET master_image_key = ?, version = version + 1, "
                    "updated_at = ? WHERE id = ?", [key, utcnow(), asset_id])
        cur.execute("UPDATE project_assets SET master_image_hash = ? WHERE id = ?",
                    [hashlib.sha256(png).hexdigest(), asset_id])
        return assets_mod.get_asset(cur, asset_id)
    try:
        return db.transaction(work)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


# --- whole-project export -----------------------------------------------------------------

def _tables(cur) -> dict[str, list[tuple[str, str, str | None]]]:
    """table -> [(column, type, default)] for every base table but the migrations log."""
    rows = cur.execute(
        "SELECT c.table_name, c.column_name, c.data_type, c.column_default "
        "FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
        "WHERE t.table_type = 'BASE TABLE' AND c.table_schema = 'main' "
        "ORDER BY c.table_name, c.ordinal_position").fetchall()
    out: dict[str, list] = {}
    for table, col, kind, default in rows:
        if table != "schema_migrations":
            out.setdefault(table, []).append((col, kind, default))
    return out


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(x) for x in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _owned_rows(cur, project_id: str, tables) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {}
    seen: dict[str, set[str]] = {}
    ids: set[str] = {project_id}

    def take(table: str, where: str, params: list) -> None:
        cols = ", ".join(f'"{c}"' for c, _, _ in tables[table])
        got = cur.execute(f'SELECT {cols} FROM "{table}" WHERE {where}', params).fetchall()
        have = seen.setdefault(table, set())
        new = [r for r in got if repr(r) not in have]
        if new:
            have.update(repr(r) for r in new)
            rows.setdefault(table, []).extend(new)
            names = [c for c, _, _ in tables[table]]
            if "id" in names:
                i = names.index("id")
                ids.update(str(r[i]) for r in new if r[i] is not None)

    take("projects", "id = ?", [project_id])
    for table, cols in tables.items():
        if table not in ("projects", "global_assets") and any(c == "project_id"
                                                              for c, _, _ in cols):
            take(table, "project_id = ?", [project_id])
    while True:
        before = sum(len(r) for r in rows.values())
        for table, cols in tables.items():
            if table in ("projects", "global_assets"):
                continue
            refs = [c for c, kind, _ in cols
                    if c.endswith("_id") and c != "project_id" and kind == "VARCHAR"]
            if not refs:
                continue
            where = " OR ".join(f'"{c}" IN (SELECT unnest(?::VARCHAR[]))' for c in refs)
            take(table, where, [sorted(ids)] * len(refs))
        if sum(len(r) for r in rows.values()) == before:
            break
    if "project_assets" in rows and "global_assets" in tables:
        names = [c for c, _, _ in tables["project_assets"]]
        gids = sorted({r[names.index("global_asset_id")] for r in rows["project_assets"]
                       if r[names.index("global_asset_id")]})
        if gids:
            take("global_assets", "id IN (SELECT unnest(?::VARCHAR[]))", [gids])
    return rows


def _file_keys(root: Path, project_id: str, rows, tables) -> list[str]:
    root = Path(root)
    keys: set[str] = set()
    base = root / f"project_{project_id}"
    if base.is_dir():
        for path in base.rglob("*"):
            if path.is_file() and not path.name.endswith(".part"):
                keys.add(path.relative_to(root).as_posix())
    for table, data in rows.items():
        names = [c for c, _, _ in tables[table]]
        for col in names:
            if col.endswith("image_key"):
                i = names.index(col)
                for r in data:
                    key = r[i]
                    if isinstance(key, str) and key and (root / key).is_file():
                        keys.add(key)
    return sorted(keys)


def export_project(cur, image_root: Path, project_id: str) -> bytes:
    project = get_project(cur, project_id)
    tables = _tables(cur)
    rows = _owned_rows(cur, project_id, tables)
    keys = _file_keys(image_root, project_id, rows, tables)
    migrations = [r[0] for r in cur.execute(
        "SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    manifest = {
        "format": FORMAT, "version": FORMAT_VERSION, "exported_at": utcnow().isoformat(),
        "project": {"id": project.id, "name": project.name}, "migrations": migrations,
        "tables": {t: {"columns": [c for c, _, _ in tables[t]],
                       "types": [k for _, k, _ in tables[t]],
                       "rows": [[_plain(x) for x in r] for r in data]}
                   for t, data in sorted(rows.items())},
        "files": [],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for key in keys:
            data = (Path(image_root) / key).read_bytes()
            manifest["files"].append({"key": key, "sha256": hashlib.sha256(data).hexdigest(),
                                      "size": len(data)})
            zf.writestr("files/" + key, data, compress_type=zipfile.ZIP_STORED)
        zf.writestr("project.json", json.dumps(manifest, ensure_ascii=False))
    return buf.getvalue()


# --- whole-project import -------------------------------------------------------------------

@dataclass
class ProjectImport:
    project_id: str
    name: str
    id_map: dict[str, str]
    rows: dict[str, int]
    files: list[str]                     # new keys written
    warnings: list[str] = field(default_factory=list)

    def new_key(self, old: str) -> str:
        return remap(old, self.id_map)


def remap(value, id_map: dict[str, str], column: str | None = None):
    """Replace exported ids by new ones: UUIDs wherever they occur (keys, JSON text),
    and any other id when it is the whole value of an `id` / `*_id` column."""
    if isinstance(value, str):
        if column and (column == "id" or column.endswith("_id")) and value in id_map:
            return id_map[value]
        return _UUID.sub(lambda m: id_map.get(m.group(0), m.group(0)), value)
    if isinstance(value, list):
        return [remap(x, id_map, column) for x in value]
    return value


def _read_zip(data: bytes):
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationError("The project file is empty.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise ValidationError("The project file is not a Continuity Desk export (not a zip "
                              "archive).") from exc
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise ValidationError("The project file is too large to import.")
    try:
        manifest = json.loads(zf.read("project.json"))
    except KeyError as exc:
        raise ValidationError("The project file has no project.json; it is not a Continuity "
                              "Desk export.") from exc
    except (ValueError, zipfile.BadZipFile) as exc:
        raise ValidationError("The project file's project.json is damaged.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationError("The project file is not a Continuity Desk export.")
    if manifest.get("version") != FORMAT_VERSION:
        raise ValidationError(f"The project file has format version {manifest.get('version')}; "
                              f"this desk reads version {FORMAT_VERSION}.")
    if not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("files"),
                                                                       list):
        raise ValidationError("The project file's project.json is incomplete.")
    return zf, manifest


def _convert(value, kind: str, table: str, col: str):
    if value is None:
        return None
    try:
        if kind.startswith("TIMESTAMP") and isinstance(value, str):
            return datetime.fromisoformat(value)
        if kind.endswith("[]") and not isinstance(value, list):
            raise ValueError("a list was expected")
    except ValueError as exc:
        raise ValidationError(f"The project file has a bad value in {table}.{col}: "
                              f"{exc}.") from None
    return value


def import_project(db, image_root: Path, data: bytes, actor: str,
                   name: str | None = None) -> ProjectImport:
    v.actor(actor)
    zf, manifest = _read_zip(data)
    tables_in = manifest["tables"]
    if "projects" not in tables_in or len(tables_in["projects"].get("rows", [])) != 1:
        raise ValidationError("The project file holds no project.")
    new_name = v.text(name, "Project name", v.MAX_NAME) if name is not None else None

    # check the files before touching anything
    files = []
    for entry in manifest["files"]:
        try:
            key, digest = entry["key"], entry["sha256"]
        except (TypeError, KeyError):
            raise ValidationError("The project file's list of images is damaged.") from None
        _safe_path(image_root, key)
        try:
            blob = zf.read("files/" + key)
        except KeyError:
            raise ValidationError(f"The project file lacks the image {key}.") from None
        if hashlib.sha256(blob).hexdigest() != digest:
            raise ValidationError(f"The image {key} in the project file is damaged "
                                  "(checksum mismatch).")
        files.append((key, blob))

    with db.cursor() as cur:
        tables = _tables(cur)
        known_globals = {r[0] for r in cur.execute("SELECT id FROM global_assets").fetchall()}
    for t, spec in tables_in.items():
        if t not in tables:
            raise ValidationError(f"The project file has a table this desk does not know ({t}); "
                                  "it was exported by a newer version.")
        cols = {c for c, _, _ in tables[t]}
        unknown = [c for c in spec.get("columns", []) if c not in cols]
        if unknown:
            raise ValidationError(f"The project file has a column this desk does not know "
                                  f"({t}.{unknown[0]}); it was exported by a newer version.")

    id_map: dict[str, str] = {}
    for t, spec in tables_in.items():
        cols = spec["columns"]
        if "id" not in cols or t == "global_assets":
            continue
        i = cols.index("id")
        for r in spec["rows"]:
            if isinstance(r[i], str):
                id_map.setdefault(r[i], str(uuid.uuid4()))
    old_pid = tables_in["projects"]["rows"][0][tables_in["projects"]["columns"].index("id")]
    warnings: list[str] = []

    written: list[Path] = []
    new_keys: list[str] = []
    try:
        for key, blob in files:
            new_key = remap(key, id_map)
            path = _safe_path(image_root, new_key)
            if not new_key.startswith(f"project_{id_map[old_pid]}/") and path.exists():
                if path.read_bytes() != blob:
                    warnings.append(f"{new_key} already exists with other content; the "
                                    "existing file was kept.")
                continue
            written.append(write_atomic(image_root, new_key, blob))
            new_keys.append(new_key)

        def work(cur):
            counts = {}
            for t in _insert_order(tables_in):
                spec = tables_in[t]
                kinds = {c: k for c, k, _ in tables[t]}
                seq = {c for c, _, d in tables[t] if d and "nextval" in str(d)}
                cols = [c for c in spec["columns"] if c not in seq]
                idx = [spec["columns"].index(c) for c in cols]
                rows = spec["rows"]
                if seq:
                    key = spec["columns"].index(sorted(seq)[0])
                    rows = sorted(rows, key=lambda r, k=key: (r[k] is None, r[k]))
                out = []
                for r in rows:
                    if t == "global_assets" and r[spec["columns"].index("id")] in known_globals:
                        continue
                    vals = [_convert(remap(r[i], id_map, c), kinds[c], t, c)
                            for i, c in zip(idx, cols, strict=True)]
                    if t == "projects" and new_name:
                        vals[cols.index("name")] = new_name
                    out.append(vals)
                if out:
                    names = ", ".join(f'"{c}"' for c in cols)
                    marks = ", ".join("?" for _ in cols)
                    cur.executemany(f'INSERT INTO "{t}" ({names}) VALUES ({marks})', out)
                counts[t] = len(out)
            return counts
        counts = db.transaction(work)
    except duckdb.Error as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise ValidationError(f"The project file could not be imported ({exc}).") from None
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    project = db.transaction(lambda cur: get_project(cur, id_map[old_pid]))
    return ProjectImport(project.id, project.name, id_map, counts, new_keys, warnings)


def _insert_order(tables_in: dict) -> list[str]:
    first = [t for t in ("projects", "branches", "scenes", "project_assets") if t in tables_in]
    return first + sorted(t for t in tables_in if t not in first)
