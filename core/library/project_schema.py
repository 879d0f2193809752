"""What a project export may hold (S2): every table and column, which rows export
takes, and how import checks each value — with the Desk's own rules — and renews
its ids. Adding a column is one line here; a test fails while a column of the live
schema has no line.

Column kinds: `ID` (the row's own id: a UUID, renewed), `KEPT_ID` (shared library
ids, kept), `ref(table)` (must be an id of that table in the same file), `LOOSE`
(an id whose row may be gone, e.g. a deleted instance in the history: renewed, never
looked up), `key()` (an image key: must be a file of the archive), `seq(name)`
(numbers from a sequence, renumbered in order) and `value(check)` (checked and
cleaned by `check(value, row)`; `ids_in_text=True` renews the UUIDs inside it)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core import validation as v
from core.errors import ValidationError
from core.images.attempts import KINDS as ATTEMPT_KINDS
from core.images.progress import STATUSES as JOB_STATUSES
from core.intake.headings import SETTINGS
from core.intake.screenplay import FORMATS as SCREENPLAY_FORMATS
from core.intake.suggestions import SOURCES as SUGGESTION_SOURCES
from core.intake.suggestions import STATUSES as SUGGESTION_STATUSES
from core.search.query import parse
from core.store.history import SOURCES as HISTORY_SOURCES
from core.tags.normalize import normalize_tags

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_JSON = 200_000
MAX_INT32 = 2**31 - 1                  # the database's INTEGER


@dataclass(frozen=True)
class Column:
    kind: str                                   # id kept ref loose key seq value
    check: Callable | None = None               # value(check): check(value, row)
    table: str | None = None                    # ref: the table; seq: the sequence
    nullable: bool = False
    ids_in_text: bool = False


@dataclass(frozen=True)
class Table:
    columns: dict[str, Column]
    where: str = "project_id = ?"               # which rows export takes (? = project id)
    unique: tuple[tuple[str, ...], ...] = ()    # compared case-insensitively
    rules: tuple[Callable, ...] = ()            # rule(row, rows_by_id) on a checked row
    kept: bool = False                          # shared rows: an id already here is kept


ID = Column("id")
KEPT_ID = Column("kept")
LOOSE = Column("loose")
OPTIONAL_LOOSE = Column("loose", nullable=True)


def ref(table: str, *, nullable: bool = False) -> Column:
    return Column("ref", table=table, nullable=nullable)


def key(*, nullable: bool = False) -> Column:
    return Column("key", nullable=nullable)


def seq(sequence: str) -> Column:
    return Column("seq", table=sequence)


def value(check: Callable, *, ids_in_text: bool = False) -> Column:
    return Column("value", check=check, ids_in_text=ids_in_text)


PROJECT = ref("projects")


# --- checks (each check(value, row) returns the clean value) --------------------------------

def text(label: str, limit: int, *, required: bool = True, multiline: bool = True):
    return lambda x, _: v.text(x, label, limit, required=required, multiline=multiline)


def optional_text(label: str, limit: int):
    return lambda x, _: v.optional_text(x, label, limit)


def name(label: str, limit: int = v.MAX_NAME):
    return lambda x, _: v.name(x, label, limit)


def optional(check):
    return lambda x, row: None if x is None else check(x, row)


def integer(label: str, low: int = 0):
    return lambda x, _: v.integer(x, label, low, MAX_INT32)


def flag(label: str):
    return lambda x, _: v.flag(x, label)


def one_of(label: str, choices):
    def check(x, _):
        if x not in choices:
            raise ValidationError(f"{label} must be one of {', '.join(choices)}, not "
                                  f"{str(x)[:80]!r}.")
        return x
    return check


def pattern(label: str, regex: re.Pattern, what: str):
    def check(x, _):
        if not isinstance(x, str) or not regex.fullmatch(x):
            raise ValidationError(f"{label} must be {what}, not {str(x)[:80]!r}.")
        return x
    return check


def moment(label: str):
    def check(x, _):
        try:
            at = datetime.fromisoformat(x) if isinstance(x, str) else None
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise ValidationError(f"{label} must be a date and time with a time zone, "
                                  f"not {str(x)[:80]!r}.")
        return at
    return check


def amount(label: str):
    def check(x, _):
        if isinstance(x, bool) or not isinstance(x, (int, float)) \
                or not (isinstance(x, float) or abs(x) < 10**30) \
                or not math.isfinite(x) or x < 0:
            raise ValidationError(f"{label} must be a finite amount of 0 or more.")
        return float(x)
    return check


def aliases(x, row):
    return v.aliases(x, row["name"])


def json_text(label: str):
    def check(x, _):
        if not isinstance(x, str) or len(x) > MAX_JSON:
            raise ValidationError(f"{label} must be JSON text of at most {MAX_JSON:,} "
                                  "characters.")
        try:
            json.loads(x)
        except ValueError:
            raise ValidationError(f"{label} is not valid JSON.") from None
        return x
    return check


def text_list(label: str, limit: int):
    def check(x, _):
        if not isinstance(x, list) or len(x) > 10_000:
            raise ValidationError(f"{label} must be a list.")
        return [v.text(item, label, limit) for item in x]
    return check


def query(x, _):
    parse(x := v.text(x, "Search query", 2000))
    return x


SHA256 = pattern("The checksum", _SHA256, "64 hexadecimal digits")
CREATED = value(moment("Created at"))
UPDATED = value(moment("Updated at"))
VERSION = value(integer("Version", 1))
TAGS = value(lambda x, _: normalize_tags(x))


# --- cross-column rules ---------------------------------------------------------------------

def _same_branch_as_scene(row, by_id):
    scene = by_id["scenes"][row["scene_id"]]
    if scene["branch_id"] != row["branch_id"]:
        raise ValidationError("its branch is not the branch of its scene.")


def _job_key_matches(row, _by_id):
    expected = "|".join((row["project_asset_id"], row["state_hash"], row["provider"],
                         row["model"]))
    if row["job_key"] != expected:
        raise ValidationError("its job key does not match its asset, state, provider and "
                              "model.")


# --- the tables -----------------------------------------------------------------------------

TABLES: dict[str, Table] = {
    "projects": Table({
        "id": ID,
        "name": value(name("Project name")),
        "visual_style": value(text("Visual style", v.MAX_DESCRIPTION, required=False)),
        "budget": value(lambda x, _: v.budget(x)),
        "main_branch_id": ref("branches"),
        "version": VERSION,
        "created_at": CREATED,
        "script_prologue": value(optional_text("Script prologue", v.MAX_SCRIPT)),
        "image_requests": value(integer("Image requests")),
    }, where="id = ?"),
    "branches": Table({
        "id": ID,
        "project_id": PROJECT,
        "name": value(name("Branch name")),
        "parent_branch_id": ref("branches", nullable=True),
        "forked_at_scene_number": value(optional(lambda x, _: v.scene_number(x))),
        "created_at": CREATED,
    }, unique=(("name",),)),
    "scenes": Table({
        "id": ID,
        "project_id": PROJECT,
        "branch_id": ref("branches"),
        "scene_number": value(lambda x, _: v.scene_number(x)),
        "label": value(lambda x, _: v.optional_name(x, "Scene label", v.MAX_LABEL)),
        "heading": value(text("Scene heading", v.MAX_HEADING, multiline=False)),
        "script_excerpt": value(text("Script excerpt", v.MAX_SCRIPT, required=False)),
        "end_state_summary": value(text("End-state summary", v.MAX_DESCRIPTION,
                                        required=False)),
        "story_day": value(lambda x, _: v.story_day(x)),
        "created_at": CREATED,
        "setting": value(optional(one_of("Scene setting", SETTINGS))),
        "time_of_day": value(optional(name("Time of day", 80))),
        "qualifiers": value(optional(text_list("Scene qualifier", v.MAX_NAME))),
    }, unique=(("branch_id", "scene_number"),)),
    "shots": Table({
        "id": ID,
        "scene_id": ref("scenes"),
        "position": value(integer("Shot position")),
        "description": value(text("Shot", v.MAX_DESCRIPTION)),
    }, where="scene_id IN (SELECT id FROM scenes WHERE project_id = ?)",
        unique=(("scene_id", "position"),)),
    "global_assets": Table({
        "id": KEPT_ID,
        "name": value(name("Asset name")),
        "aliases": value(aliases),
        "asset_type": value(lambda x, _: v.asset_type(x)),
        "description": value(text("Description", v.MAX_DESCRIPTION)),
        "master_image_key": key(nullable=True),
        "created_at": CREATED,
    }, where="id IN (SELECT global_asset_id FROM project_assets WHERE project_id = ?)",
        kept=True),
    "project_assets": Table({
        "id": ID,
        "project_id": PROJECT,
        "name": value(name("Asset name")),
        "aliases": value(aliases),
        "asset_type": value(lambda x, _: v.asset_type(x)),
        "description": value(text("Master description", v.MAX_DESCRIPTION)),
        "master_image_key": key(nullable=True),
        "approved": value(flag("Approved")),
        "global_asset_id": ref("global_assets", nullable=True),
        "version": VERSION,
        "chain_revision": value(integer("Chain revision")),
        "created_at": CREATED,
        "updated_at": UPDATED,
        "master_image_hash": value(optional(SHA256)),
        "parent_asset_id": ref("project_assets", nullable=True),
        "look_of_asset_id": ref("project_assets", nullable=True),
        "description_source": value(lambda x, _: v.description_source(x)),
    }, unique=(("name",),)),
    "scene_assets": Table({
        "scene_id": ref("scenes"),
        "project_asset_id": ref("project_assets"),
        "source": value(name("Mapping source", 40)),
    }, where="scene_id IN (SELECT id FROM scenes WHERE project_id = ?)",
        unique=(("scene_id", "project_asset_id"),)),
    "scene_asset_instances": Table({
        "id": ID,
        "project_id": PROJECT,
        "branch_id": ref("branches"),
        "scene_id": ref("scenes"),
        "project_asset_id": ref("project_assets"),
        "description_override": value(optional(text("Description override",
                                                     v.MAX_DESCRIPTION))),
        "inherited_description": value(optional_text("Inherited description",
                                                     v.MAX_DESCRIPTION)),
        "effective_description": value(text("Effective description", v.MAX_DESCRIPTION)),
        "inherited_tags": TAGS,
        "status_tags": TAGS,
        "carry_forward": value(flag("Carry forward")),
        "inherited_from_instance_id": OPTIONAL_LOOSE,
        "locked": value(flag("Locked")),
        "pending_review": value(flag("Pending review")),
        "upstream_description_changed": value(flag("Upstream description changed")),
        "upstream_tags_changed": value(flag("Upstream tags changed")),
        "version": VERSION,
        "modification_count": value(integer("Modification count")),
        "last_modified_field": value(optional(pattern("Last modified field", _FIELD,
                                                      "a field name"))),
        "modification_reason": value(optional_text("Reason", v.MAX_REASON)),
        "created_at": CREATED,
        "updated_at": UPDATED,
        "seen_upstream_description": value(optional(text("Seen upstream description",
                                                         v.MAX_DESCRIPTION, required=False))),
        "seen_upstream_tags": value(optional(TAGS.check)),
    }, unique=(("scene_id", "project_asset_id"),), rules=(_same_branch_as_scene,)),
    "instance_history": Table({
        "id": seq("history_id_seq"),
        "instance_id": LOOSE,
        "project_id": PROJECT,
        "branch_id": ref("branches"),
        "scene_id": LOOSE,
        "project_asset_id": ref("project_assets"),
        "field": value(pattern("History field", _FIELD, "a field name")),
        "old_value": value(optional(json_text("Old value")), ids_in_text=True),
        "new_value": value(optional(json_text("New value")), ids_in_text=True),
        "actor": value(lambda x, _: v.actor(x)),
        "source": value(one_of("History source", HISTORY_SOURCES)),
        "reason": value(optional_text("Reason", v.MAX_REASON)),
        "changed_at": value(moment("Changed at")),
        "change_id": OPTIONAL_LOOSE,
        "instance_version": value(optional(integer("Instance version", 1))),
    }),
    "image_jobs": Table({
        "id": ID,
        "project_id": PROJECT,
        "project_asset_id": ref("project_assets"),
        "instance_id": LOOSE,
        "state_hash": value(SHA256),
        "provider": value(name("Provider", 40)),
        "model": value(name("Model")),
        "job_key": value(text("Job key", 400, multiline=False), ids_in_text=True),
        "status": value(one_of("Job status", JOB_STATUSES)),
        "tries": value(integer("Tries")),
        "error_code": value(lambda x, _: v.optional_name(x, "Error code")),
        "error_message": value(optional_text("Error message", v.MAX_DESCRIPTION)),
        "estimated_cost": value(amount("Estimated cost")),
        "actual_cost": value(optional(amount("Actual cost"))),
        "prompt": value(text("Prompt", v.MAX_SCRIPT)),
        "aspect_ratio": value(name("Aspect ratio", 20)),
        "image_key": key(nullable=True),
        "requested_by": value(lambda x, _: v.actor(x)),
        "created_at": CREATED,
        "started_at": value(optional(moment("Started at"))),
        "finished_at": value(optional(moment("Finished at"))),
        "updated_at": UPDATED,
        "lease_owner": value(optional(text("Lease owner", 200, multiline=False))),
        "lease_until": value(optional(moment("Lease until"))),
    }, rules=(_job_key_matches,)),
    "image_attempts": Table({
        "id": ID,
        "instance_id": ref("scene_asset_instances"),
        "project_id": PROJECT,
        "kind": value(one_of("Attempt kind", ATTEMPT_KINDS)),
        "image_key": key(),
        "state_hash": value(SHA256),
        "job_id": ref("image_jobs", nullable=True),
        "selected": value(flag("Selected")),
        "created_at": CREATED,
    }),
    "image_job_targets": Table({
        "job_id": ref("image_jobs"),
        "instance_id": ref("scene_asset_instances"),
    }, where="job_id IN (SELECT id FROM image_jobs WHERE project_id = ?)",
        unique=(("job_id", "instance_id"),)),
    "scene_signoffs": Table({
        "id": ID,
        "scene_id": ref("scenes"),
        "fingerprint": value(SHA256),
        "actor": value(lambda x, _: v.actor(x)),
        "signed_at": value(moment("Signed at")),
    }, where="scene_id IN (SELECT id FROM scenes WHERE project_id = ?)"),
    "asset_suggestions": Table({
        "id": ID,
        "project_id": PROJECT,
        "branch_id": ref("branches"),
        "scene_id": LOOSE,
        "name": value(name("Suggested name")),
        "asset_type": value(lambda x, _: v.asset_type(x)),
        "description": value(text("Suggested description", v.MAX_DESCRIPTION)),
        "reason": value(text("Reason", v.MAX_REASON, required=False)),
        "source": value(one_of("Suggestion source", tuple(SUGGESTION_SOURCES))),
        "status": value(one_of("Suggestion status", SUGGESTION_STATUSES)),
        "project_asset_id": ref("project_assets", nullable=True),
        "version": VERSION,
        "created_by": value(lambda x, _: v.actor(x)),
        "created_at": CREATED,
        "decided_by": value(optional(lambda x, _: v.actor(x))),
        "decided_at": value(optional(moment("Decided at"))),
    }),
    "screenplay_imports": Table({
        "id": ID,
        "project_id": PROJECT,
        "branch_id": ref("branches"),
        "format": value(one_of("Screenplay format", tuple(SCREENPLAY_FORMATS))),
        "title": value(optional_text("Title", v.MAX_DESCRIPTION)),
        "file_sha256": value(SHA256),
        "actor": value(lambda x, _: v.actor(x)),
        "scenes_created": value(integer("Scenes created")),
        "scenes_updated": value(integer("Scenes updated")),
        "assets_created": value(integer("Assets created")),
        "mappings_created": value(integer("Mappings created")),
        "warnings": value(text_list("Warning", v.MAX_SCRIPT)),
        "imported_at": value(moment("Imported at")),
    }),
    "saved_searches": Table({
        "id": ID,
        "project_id": PROJECT,
        "name": value(name("Search name", 80)),
        "query": value(query),
        "created_by": value(lambda x, _: v.actor(x)),
        "created_at": CREATED,
        "updated_at": UPDATED,
    }, unique=(("name",),)),
}


# --- checking a file's rows -----------------------------------------------------------------

@dataclass
class Checked:
    """A file's rows, checked and with new ids: table -> rows (column -> value)."""

    rows: dict[str, list[dict]]
    id_map: dict[str, str]


def renew(value: str, id_map: dict[str, str]) -> str:
    """`value` with every UUID of `id_map` replaced by its new id."""
    return UUID.sub(lambda m: id_map.get(m.group(0), m.group(0)), value)


def check_rows(tables_in: dict[str, tuple[list[str], list[list]]], project_id: str,
               file_keys: set[str], new_id: Callable[[], str]) -> Checked:
    """Check every row of a project file against `TABLES` and give every id a new one.
    `tables_in`: table -> (columns, rows) as the file holds them; `project_id`: the
    exported project; `file_keys`: the image keys the archive holds."""
    for table, (columns, _) in tables_in.items():
        if table not in TABLES:
            raise ValidationError(f"The project file has a table this desk does not know "
                                  f"({table}); it was exported by a newer version.")
        unknown = [c for c in columns if c not in TABLES[table].columns]
        if unknown:
            raise ValidationError(f"The project file has a column this desk does not know "
                                  f"({table}.{unknown[0]}); it was exported by a newer version.")
    raw = {t: [dict(zip(cols, r, strict=True)) for r in rows]
           for t, (cols, rows) in tables_in.items()}
    defined, id_map = _ids(raw, new_id)
    if defined.get("projects") != {project_id}:
        raise ValidationError("The project file must hold exactly its one project.")
    out: dict[str, list[dict]] = {}
    for table, spec in TABLES.items():
        rows = []
        for n, row in enumerate(raw.get(table, []), start=1):
            clean: dict = {}
            for col, c in spec.columns.items():
                try:
                    clean[col] = _cell(c, row.get(col), clean, defined, id_map, file_keys,
                                       project_id, new_id)
                except ValidationError as exc:
                    raise ValidationError(f"The project file's {table} row {n}, {col}: "
                                          f"{exc}") from None
            rows.append(clean)
        out[table] = rows
    by_id = {t: {r["id"]: r for r in rows if "id" in r} for t, rows in out.items()}
    for table, rows in out.items():
        spec = TABLES[table]
        _unique(table, spec, rows)
        for n, row in enumerate(rows, start=1):
            for col, c in spec.columns.items():
                if row[col] is not None and (c.kind == "key" or c.ids_in_text):
                    row[col] = renew(row[col], id_map)
            for rule in spec.rules:
                try:
                    rule(row, by_id)
                except ValidationError as exc:
                    raise ValidationError(f"The project file's {table} row {n}: {exc}") \
                        from None
    return Checked(out, id_map)


def _ids(raw, new_id):
    """table -> the ids its rows define; old id -> new id (kept ids map to themselves)."""
    defined: dict[str, set[str]] = {}
    id_map: dict[str, str] = {}
    for table, rows in raw.items():
        c = TABLES[table].columns.get("id")
        if c is None or c.kind not in ("id", "kept"):
            continue
        for n, row in enumerate(rows, start=1):
            old = row.get("id")
            if not isinstance(old, str) or not UUID.fullmatch(old):
                raise ValidationError(f"The project file's {table} row {n}, id: "
                                      f"{str(old)[:80]!r} is not an id.")
            if old in id_map:
                raise ValidationError(f"The project file's {table} row {n}, id: {old} is "
                                      "used twice.")
            id_map[old] = old if c.kind == "kept" else new_id()
            defined.setdefault(table, set()).add(old)
    return defined, id_map


def _cell(c: Column, x, clean, defined, id_map, file_keys, project_id, new_id):
    if c.kind == "value":
        return c.check(x, clean)
    if x is None and c.nullable:
        return None
    if c.kind in ("id", "kept"):
        return id_map[x]
    if c.kind == "ref":
        if not isinstance(x, str) or x not in defined.get(c.table, ()) \
                or (c.table == "projects" and x != project_id):
            raise ValidationError(f"{str(x)[:80]!r} is not a {c.table} row of this file.")
        return id_map[x]
    if c.kind == "loose":
        if not isinstance(x, str) or not UUID.fullmatch(x):
            raise ValidationError(f"{str(x)[:80]!r} is not an id.")
        if x not in id_map:
            id_map[x] = new_id()
        return id_map[x]
    if c.kind == "key":
        if not isinstance(x, str) or x not in file_keys:
            raise ValidationError(f"the image {str(x)[:200]!r} is not a file of this "
                                  "project file.")
        return x
    return v.integer(x, "Sequence number", 1, 2**63 - 1)             # seq


def _unique(table: str, spec: Table, rows: list[dict]) -> None:
    cols = [c for c, col in spec.columns.items() if col.kind == "seq"]
    for group in (*spec.unique, *((c,) for c in cols)):
        seen: dict[tuple, int] = {}
        for n, row in enumerate(rows, start=1):
            k = tuple(row[c].casefold() if isinstance(row[c], str) else row[c] for c in group)
            if k in seen:
                raise ValidationError(f"The project file's {table} rows {seen[k]} and {n} "
                                      f"have the same {', '.join(group)}.")
            seen[k] = n
