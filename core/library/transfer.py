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
A zip: `project.json` holds every row of the project, table by table as
`core.library.project_schema.TABLES` lists them (the project's own rows, their shots,
scene-asset links, job targets and sign-offs, and the library entries its assets
were cloned from). `files/` holds every file under the image root whose key starts
with `project_{projectId}/`, each listed with its SHA-256.

Project import (S2, S3) always creates a **new project with new ids**. The archive
is read entry by entry with running byte caps (`core.library.archive`). Every row is checked
against `project_schema`: known tables and columns only, every value with the
Desk's own rules, every reference to a row of the same file, every image key to a
file of the archive under the exported project's folder. Every id becomes a fresh
UUID wherever it occurs (ids, references, image keys, the JSON values of the
history); history ids get new sequence numbers in the same order. Files are verified
(SHA-256, then Pillow with the pixel budget) and written under the new project's
folder, then the rows go in, one INSERT per table in one transaction; if anything
fails, the new folder is removed. Library entries keep their ids (they are shared):
missing ones are added.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from core import validation as v
from core.catalog import asset_bulk
from core.catalog import assets as assets_mod
from core.catalog.projects import get_project, new_id
from core.chain import appearances
from core.errors import ConflictError, ValidationError
from core.images import orphans
from core.images.store import MAX_STORED_BYTES, ImageStore, master_key, to_png
from core.intake.screenplay import MAX_BYTES, name_key
from core.library.archive import Archive
from core.library.project_schema import TABLES, check_rows, renew
from core.models import Asset
from core.store.db import utcnow
from core.store.history import Context

CSV_COLUMNS = ("name", "type", "description", "aliases", "approved")
FORMAT = "continuity-desk-project"
FORMAT_VERSION = 1
MAX_ZIP_ENTRIES = 100_000
MAX_UNPACKED = 4 * 1024 ** 3          # bytes decompressed from one project file, in total
MAX_MANIFEST = 256 * 1024 ** 2        # project.json, decompressed (spooled to disk)
EXPORT_BATCH = 32                     # images read at once (concurrently from a bucket)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


class DryRun(Exception):
    def __init__(self, report):
        super().__init__("dry run")
        self.report = report


# --- CSV ------------------------------------------------------------------------------

def _guarded(text: str) -> bool:
    """Whether a cell needs a leading `'`: it would start a formula, or it is one
    already written that way (so `'=x` survives the round trip)."""
    return text.lstrip("'").startswith(_FORMULA)


def formula_safe(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading `'` where it would run a formula."""
    return "'" + text if _guarded(text) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and _guarded(text[1:]) else text


def _write_csv(rows) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for name, kind, desc, aliases, approved in rows:
        w.writerow([formula_safe(name), kind, formula_safe(desc),
                    formula_safe(assets_mod.join_aliases(aliases)),
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


def decode_csv(data: bytes | str) -> str:
    """The text of a CSV file: UTF-8, or UTF-16/32 with a byte-order mark (as
    spreadsheets save "Unicode text"); ValidationError naming the problem otherwise."""
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data)
        if len(data) > MAX_BYTES:
            raise ValidationError(f"The CSV file is {len(data) / 1024 / 1024:.1f} MB; at most "
                                  f"{MAX_BYTES // 1024 // 1024} MB is accepted.")
        if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            raise ValidationError("The CSV file is a spreadsheet workbook (.xlsx or .xls), not "
                                  "CSV; save it as CSV and import that.")
        encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
        try:
            data = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValidationError(f"The CSV file is not {encoding.split('-sig')[0].upper()} "
                                  f"text (bad byte at position {exc.start}); save it as CSV "
                                  "UTF-8 and try again.") from exc
    if not isinstance(data, str):
        raise ValidationError("The CSV file must be text.")
    data = data.removeprefix("\ufeff")
    if "\x00" in data.split("\n", 1)[0]:
        raise ValidationError("The CSV file's first row contains NUL characters: it looks like "
                              "a binary file or UTF-16 text without a byte-order mark; save "
                              "it as CSV UTF-8 and try again.")
    if not data.strip():
        raise ValidationError("The CSV file is empty.")
    return data


def _delimiter(text: str) -> str:
    """The delimiter (`,` `;` or tab) under which the first row names the columns."""
    first = text.split("\n", 1)[0]
    for delimiter in ",;\t":
        header = {h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter))}
        if {"name", "type", "description"} <= header:
            return delimiter
    return ","


def parse_csv(data: bytes | str) -> list[CsvRow]:
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
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
            name = v.name(get("name"), "Name")
            kind = v.asset_type(get("type"))
            desc = v.text(get("description"), "Description", v.MAX_DESCRIPTION)
            aliases = v.aliases(assets_mod.split_aliases(get("aliases")), name)
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
    """Match every row against the project's assets (read once), in file order as if
    the rows were applied one by one; then write new assets in one INSERT and changed
    ones in one UPDATE. A master description change flows as E1/P2 say."""
    before = {a.id: a for a in assets_mod.list_assets(cur, project_id)}
    ctx = Context(v.actor(actor), "user", "CSV import")
    rows = parse_csv(data)
    index = _AssetIndex(before.values())
    report = CsvReport(dry_run)
    created: dict[str, Asset] = {}
    changed: dict[str, Asset] = {}
    for row in rows:
        hit = index.find(row.name)
        try:
            if hit is None:
                asset = asset_bulk.new_asset(
                    project_id, row.name, row.asset_type, row.description,
                    aliases=row.aliases, approved=True if row.approved is None else row.approved)
                asset_bulk.check_unique_name(index.names, asset.name)
                created[asset.id] = asset
                index.put(asset)
                report.created.append(row.name)
                continue
            changes = {"name": row.name, "asset_type": row.asset_type,
                       "description": row.description, "aliases": row.aliases}
            if row.approved is not None:
                changes["approved"] = row.approved
            after = asset_bulk.edited(hit, **changes)
            if after is hit:
                report.unchanged.append(hit.name)
                continue
            if after.name != hit.name:
                asset_bulk.check_unique_name(index.names, after.name, exclude=hit.id)
            (created if hit.id in created else changed)[hit.id] = after
            index.put(after)
            report.updated.append(after.name)
        except ValidationError as exc:
            raise ValidationError(f"CSV row {row.line}: {exc}") from None
    if dry_run:
        raise DryRun(report)
    asset_bulk.insert(cur, list(created.values()))
    asset_bulk.update(cur, list(changed.values()))
    edited = {a.id: before[a.id].description for a in changed.values()
              if a.description != before[a.id].description}
    if edited:                       # master edits flow on (E1, P2), all chains at once
        appearances.change_chains(
            cur, list(edited), None, lambda _aid, rows: rows,
            Context(ctx.actor, "propagation", ctx.reason), old_masters=edited,
            propagation_reason="master edited")
    return report


class _AssetIndex:
    """The project's assets by name key and alias key, kept current as rows apply.
    A name matches an asset's name first, then an alias; among several, the first in
    `list_assets` order."""

    def __init__(self, assets):
        self._by_id: dict[str, Asset] = {}
        self._names: dict[str, dict[str, Asset]] = {}
        self._aliases: dict[str, dict[str, Asset]] = {}
        self.names: dict[str, Asset] = {}          # by lower-case name
        for a in assets:
            self.put(a)

    def put(self, asset: Asset) -> None:
        old = self._by_id.get(asset.id)
        if old is not None:
            self._names[name_key(old.name)].pop(old.id, None)
            for x in old.aliases:
                self._aliases[name_key(x)].pop(old.id, None)
            self.names.pop(old.name.lower(), None)
        self._by_id[asset.id] = asset
        self.names[asset.name.lower()] = asset
        self._names.setdefault(name_key(asset.name), {})[asset.id] = asset
        for x in asset.aliases:
            self._aliases.setdefault(name_key(x), {})[asset.id] = asset

    def find(self, name: str) -> Asset | None:
        key = name_key(name)
        for table in (self._names, self._aliases):
            hits = table.get(key)
            if hits:
                return min(hits.values(), key=_listed_order)
        return None


def _listed_order(a: Asset) -> tuple[int, str]:
    return ({"character": 0, "location": 1}.get(a.asset_type, 2), a.name.lower())


def import_library_csv(cur, data, actor: str, dry_run: bool) -> CsvReport:
    """New library entries in one INSERT; rows whose name and type are there already
    are skipped."""
    v.actor(actor)
    rows = parse_csv(data)
    report = CsvReport(dry_run)
    have = {(name_key(g.name), g.asset_type) for g in assets_mod.list_global_assets(cur)}
    new = []
    for row in rows:
        there = (name_key(row.name), row.asset_type) in have
        (report.skipped if there else report.created).append(row.name)
        if not there:
            new.append(row)
    if dry_run:
        raise DryRun(report)
    if new:
        sql, params = cur.dialect.rows(
            [("id", "text"), ("name", "text"), ("aliases", "text[]"), ("asset_type", "text"),
             ("description", "text")],
            [[new_id() for _ in new], [r.name for r in new], [r.aliases for r in new],
             [r.asset_type for r in new], [r.description for r in new]])
        cur.execute("INSERT INTO global_assets (id, name, aliases, asset_type, description, "
                    f"created_at) SELECT r.*, ? FROM ({sql}) r", [utcnow(), *params])
    return report


# --- files ------------------------------------------------------------------------------

def set_master_image(db, store: ImageStore, asset_id: str, data: bytes, *,
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
    store.write(key, png)

    def work(cur):
        appearances.lock_chain(cur, asset_id)      # before the version check
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
        store.delete(key)
        raise


# --- whole-project export -----------------------------------------------------------------

def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(x) for x in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def project_rows(cur, project_id: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of the project, table by table as `project_schema.TABLES` lists them:
    table -> (columns, rows). One query per table."""
    out = {}
    for table, spec in TABLES.items():
        cols = list(spec.columns)
        names = ", ".join(f'"{c}"' for c in cols)
        rows = cur.execute(f'SELECT {names} FROM "{table}" WHERE {spec.where} ORDER BY 1',
                           [project_id]).fetchall()
        if rows:
            out[table] = (cols, rows)
    return out


def _file_keys(cur, store: ImageStore, project_id: str) -> list[str]:
    """The project's files that some row refers to (never a file a crash left behind)."""
    return sorted(orphans.referenced_keys(cur, project_id)
                  & store.modified(f"project_{project_id}/").keys())


def export_project(cur, store: ImageStore, project_id: str) -> bytes:
    project = get_project(cur, project_id)
    tables = cur.dialect.table_columns(cur)
    rows = project_rows(cur, project_id)
    migrations = [r[0] for r in cur.execute(
        "SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    types = {t: dict((c, k) for c, k, _ in cols) for t, cols in tables.items()}
    manifest = {
        "format": FORMAT, "version": FORMAT_VERSION, "exported_at": utcnow().isoformat(),
        "project": {"id": project.id, "name": project.name}, "migrations": migrations,
        "tables": {t: {"columns": cols, "types": [types[t][c] for c in cols],
                       "rows": [[_plain(x) for x in r] for r in data]}
                   for t, (cols, data) in rows.items()},
        "files": [],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        keys = _file_keys(cur, store, project_id)
        for start in range(0, len(keys), EXPORT_BATCH):
            batch = store.read_many(keys[start:start + EXPORT_BATCH])
            for key, data in batch.items():
                manifest["files"].append({"key": key,
                                          "sha256": hashlib.sha256(data).hexdigest(),
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
        return renew(old, self.id_map)


def remap(value, id_map: dict[str, str], column: str | None = None):
    """Replace exported ids by new ones: UUIDs wherever they occur (keys, JSON text),
    and any other id when it is the whole value of an `id` / `*_id` column."""
    if isinstance(value, str):
        if column and (column == "id" or column.endswith("_id")) and value in id_map:
            return id_map[value]
        return renew(value, id_map)
    if isinstance(value, list):
        return [remap(x, id_map, column) for x in value]
    return value


def _damaged(what: str) -> ValidationError:
    return ValidationError(f"The project file's project.json is damaged: {what}.")


def _read_manifest(archive: Archive) -> dict:
    if "project.json" not in archive:
        raise ValidationError("The project file has no project.json; it is not a Continuity "
                              "Desk export.")
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as tmp:
        archive.copy("project.json", tmp, MAX_MANIFEST, "project.json")
        tmp.seek(0)
        try:
            manifest = json.load(tmp)
        except (ValueError, RecursionError) as exc:
            raise _damaged("it is not readable JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationError("The project file is not a Continuity Desk export.")
    if manifest.get("version") != FORMAT_VERSION:
        raise ValidationError(f"The project file has format version "
                              f"{str(manifest.get('version'))[:20]}; this desk reads version "
                              f"{FORMAT_VERSION}.")
    return manifest


def _manifest_tables(manifest: dict) -> dict[str, tuple[list[str], list[list]]]:
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        raise _damaged("it lists no tables")
    out = {}
    for table, spec in tables.items():
        cols = spec.get("columns") if isinstance(spec, dict) else None
        rows = spec.get("rows") if isinstance(spec, dict) else None
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols) \
                or len(set(cols)) != len(cols):
            raise _damaged(f"the columns of {str(table)[:80]} are not a list of names")
        if not isinstance(rows, list):
            raise _damaged(f"the rows of {table} are not a list")
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != len(cols):
                raise _damaged(f"{table} row {n} does not have {len(cols)} values")
        out[table] = (cols, rows)
    projects = out.get("projects", ([], []))
    if len(projects[1]) != 1 or "id" not in projects[0]:
        raise ValidationError("The project file holds no project.")
    return out


def _manifest_files(manifest: dict, store: ImageStore, project_id) -> dict[str, str]:
    """key -> SHA-256 of every file the manifest lists, each under the project's folder."""
    files = manifest.get("files")
    if not isinstance(files, list):
        raise _damaged("it has no list of images")
    out: dict[str, str] = {}
    for n, entry in enumerate(files, start=1):
        key = entry.get("key") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(key, str) or not isinstance(digest, str) or key in out:
            raise _damaged(f"image {n} of its list has no key and checksum of its own")
        store.check(key)
        if not key.startswith(f"project_{project_id}/"):
            raise ValidationError(f"The project file's image {key[:200]!r} lies outside its "
                                  "project's folder; refused.")
        out[key] = digest
    return out


def import_project(db, store: ImageStore, data: bytes, actor: str,
                   name: str | None = None) -> ProjectImport:
    """A new project from an export (S2, S3): every row checked with the Desk's rules,
    every id new, every image verified; all or nothing."""
    v.actor(actor)
    new_name = v.name(name, "Project name") if name is not None else None
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationError("The project file is empty.")
    archive = Archive(bytes(data), "the project file", max_entries=MAX_ZIP_ENTRIES,
                      max_total=MAX_UNPACKED)
    manifest = _read_manifest(archive)
    tables_in = _manifest_tables(manifest)
    cols, rows = tables_in["projects"]
    old_pid = rows[0][cols.index("id")]
    files = _manifest_files(manifest, store, old_pid)
    checked = check_rows(tables_in, old_pid, set(files), new_id)
    if new_name:
        checked.rows["projects"][0]["name"] = new_name
    new_pid = checked.id_map[old_pid]
    folder = f"project_{new_pid}/"
    written = []
    try:
        for key, digest in files.items():
            label = f"The image {key}"
            blob = _image(archive, "files/" + key, label)
            if hashlib.sha256(blob).hexdigest() != digest:
                raise ValidationError(f"{label} in the project file is damaged (checksum "
                                      "mismatch).")
            new_key = renew(key, checked.id_map)
            store.write(new_key, to_png(blob, label, MAX_STORED_BYTES))
            written.append(new_key)
        counts = db.transaction(lambda cur: insert_rows(cur, checked.rows))
    except db.dialect.error as exc:
        store.delete_prefix(folder)
        raise ValidationError(f"The project file could not be imported: the database refused "
                              f"it ({str(exc).splitlines()[0][:200]}).") from None
    except BaseException:
        store.delete_prefix(folder)
        raise
    project = db.transaction(lambda cur: get_project(cur, new_pid))
    return ProjectImport(project.id, project.name, checked.id_map, counts, written)


def _image(archive: Archive, entry: str, label: str) -> bytes:
    if entry not in archive:
        raise ValidationError(f"The project file lacks the image {entry[6:]}.")
    return archive.read(entry, MAX_STORED_BYTES, label)


def insert_rows(cur, rows: dict[str, list[dict]], *, renumber: bool = True) -> dict[str, int]:
    """One INSERT per table (column arrays unnested), in `TABLES` order. Sequence
    columns get fresh numbers in the rows' order, or keep theirs if not `renumber`."""
    types = {t: {c: k for c, k, _ in cols}
             for t, cols in cur.dialect.table_columns(cur).items()}
    counts = {}
    for table, spec in TABLES.items():
        data = rows.get(table, [])
        if spec.kept and data:
            have = {r[0] for r in cur.execute(
                f'SELECT id FROM "{table}" WHERE id = ANY(?::VARCHAR[])',
                [[r["id"] for r in data]]).fetchall()}
            data = [r for r in data if r["id"] not in have]
        for col, c in spec.columns.items():
            if c.kind == "seq" and data and renumber:
                fresh = sorted(r[0] for r in cur.execute(
                    f"SELECT nextval('{c.table}') FROM generate_series(1, ?)",
                    [len(data)]).fetchall())
                for r, number in zip(sorted(data, key=lambda r: r[col]), fresh, strict=True):
                    r[col] = number
        counts[table] = len(data)
        if not data:
            continue
        cols = list(spec.columns)
        sql, params = cur.dialect.rows([(f'"{c}"', types[table][c]) for c in cols],
                                       [[r[c] for r in data] for c in cols])
        names = ", ".join(f'"{c}"' for c in cols)
        cur.execute(f'INSERT INTO "{table}" ({names}) {sql}', params)
    return counts
