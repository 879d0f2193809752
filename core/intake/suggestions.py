"""Running asset detection on a scene and keeping what it found (D1–D3).

`detect_assets` runs the deterministic detector (D1) or Gemini (D2) and, unless
`persist=False`, records in one transaction: the found assets in the scene-asset
mapping (I5; source `detection` or `ai`), and each `new_assets_required` as a
pending suggestion (D3). A Gemini call happens *between* two transactions (one
to read the inputs, one to write), never inside one.

A suggestion whose name is already a project asset (name or alias) is not
stored: that asset is reported as relevant instead. A name already suggested
for the scene — pending, accepted or dismissed — is not suggested again, so a
dismissed suggestion stays dismissed.

Accepting a suggestion creates the project asset (approved: the producer chose
it; or links the existing asset of that name), maps it to the scene and creates
its instance through the inheritance rules (I1–I4), all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import validation as v
from core.catalog import assets as assets_mod
from core.catalog.projects import new_id
from core.catalog.scenes import get_scene
from core.chain import inheritance
from core.errors import ConflictError, NotFoundError, ValidationError
from core.intake import detection
from core.intake.screenplay import name_key
from core.store.db import utcnow
from core.store.history import Context

STATUSES = ("pending", "accepted", "dismissed")
SOURCES = {"deterministic": "detection", "gemini": "ai"}


@dataclass(frozen=True)
class Suggestion:
    id: str
    project_id: str
    branch_id: str
    scene_id: str
    name: str
    asset_type: str
    description: str
    reason: str
    source: str
    status: str
    project_asset_id: str | None
    version: int
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None


_COLS = ("id, project_id, branch_id, scene_id, name, asset_type, description, reason, source, "
         "status, project_asset_id, version, created_by, created_at, decided_by, decided_at")


def get(cur, suggestion_id: str) -> Suggestion:
    r = cur.execute(f"SELECT {_COLS} FROM asset_suggestions WHERE id = ?",
                    [suggestion_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Suggestion {suggestion_id} does not exist.")
    return Suggestion(*r)


def for_scene(cur, scene_id: str, status: str | None = "pending") -> list[Suggestion]:
    """The scene's suggestions; the scene joined in, so an unknown one is told apart
    from one without suggestions in the same statement."""
    cond, params = _status(status, "g.status")
    cols = ", ".join(f"g.{c.strip()}" for c in _COLS.split(","))
    rows = cur.execute(
        f"SELECT {cols} FROM scenes s LEFT JOIN asset_suggestions g ON g.scene_id = s.id"
        f"{cond} WHERE s.id = ? "
        "ORDER BY g.created_at, lower(g.name)", [*params, scene_id]).fetchall()
    if not rows:
        raise NotFoundError(f"Scene {scene_id} does not exist.")
    return [Suggestion(*r) for r in rows if r[0] is not None]


def for_project(cur, project_id: str, status: str | None = "pending") -> list[Suggestion]:
    cond, params = _status(status)
    rows = cur.execute(f"SELECT {_COLS} FROM asset_suggestions WHERE project_id = ?{cond} "
                       "ORDER BY created_at, lower(name)", [project_id, *params]).fetchall()
    return [Suggestion(*r) for r in rows]


def _status(status: str | None, column: str = "status") -> tuple[str, list]:
    """The SQL condition on `column` (` AND status = ?`, or none) and its parameters."""
    if status is None:
        return "", []
    if status not in STATUSES:
        raise ValidationError(f"Unknown suggestion status {status!r}: use one of {STATUSES}.")
    return f" AND {column} = ?", [status]


# --- detection -----------------------------------------------------------------------

def asset_refs(cur, project_id: str, approved_only: bool = False) -> list[detection.AssetRef]:
    sql = "SELECT id, name, asset_type, aliases FROM project_assets WHERE project_id = ?"
    if approved_only:
        sql += " AND approved"
    rows = cur.execute(sql + " ORDER BY lower(name)", [project_id]).fetchall()
    return [detection.AssetRef(r[0], r[1], r[2], tuple(r[3])) for r in rows]


def present_ids(cur, scene_id: str) -> set[str]:
    return {r[0] for r in cur.execute(
        "SELECT project_asset_id FROM scene_asset_instances WHERE scene_id = ?", [scene_id]
    ).fetchall()}


def detect_deterministic(cur, scene_id: str) -> detection.DetectionResult:
    scene = get_scene(cur, scene_id)
    return detection.detect(scene_id, scene.heading, scene.script_excerpt, scene.shots,
                            asset_refs(cur, scene.project_id), present_ids(cur, scene_id))


def detect_assets(db, scene_id: str, *, method: str = "deterministic", actor: str = "detector",
                  persist: bool = True, detector=None) -> detection.DetectionResult:
    actor = v.actor(actor)
    if method == "deterministic":
        def work(cur):
            result = detect_deterministic(cur, scene_id)
            if persist:
                record(cur, result, actor)
            return result
        return db.transaction(work)
    if method != "gemini":
        raise ValidationError(f"Unknown detection method {method!r}: use deterministic or "
                              "gemini.")
    from core.intake import gemini_detect

    detector = detector or gemini_detect.from_env()
    request = db.transaction(lambda cur: gemini_detect.build_request(cur, scene_id))
    output = detector.detect(request)           # the network call: outside any transaction

    def apply(cur):
        result = gemini_detect.interpret(cur, scene_id, output)
        if persist:
            record(cur, result, actor)
        return result
    return db.transaction(apply)


def record(cur, result: detection.DetectionResult, actor: str) -> None:
    """Map what was found to the scene and store new assets as pending suggestions."""
    scene = get_scene(cur, result.scene_id)
    source = SOURCES[result.method]
    existing = {}
    for a in asset_refs(cur, scene.project_id):
        for n in (a.name, *a.aliases):
            existing.setdefault(name_key(n), a)
    present = present_ids(cur, scene.id)
    keep = []
    for need in result.new_assets_required:
        hit = existing.get(name_key(need.name))
        if hit is None:
            keep.append(need)
            continue
        found = detection.DetectedAsset(hit.id, hit.name, hit.asset_type,
                                        [f"named as new: {need.name}"])
        known = {d.asset_id for d in (*result.relevant, *result.already_present)}
        if hit.id not in known:
            (result.already_present if hit.id in present else result.relevant).append(found)
    result.new_assets_required = keep
    mapped = {r[0] for r in cur.execute(
        "SELECT project_asset_id FROM scene_assets WHERE scene_id = ?", [scene.id]).fetchall()}
    ids = [a for a in (*result.relevant_asset_ids, *result.already_present_ids)
           if a not in mapped]
    if ids:
        inheritance.map_assets(cur, scene.id, ids, source)
    result.mapped_ids = ids
    taken = {name_key(r[0]) for r in cur.execute(
        "SELECT name FROM asset_suggestions WHERE scene_id = ?", [scene.id]).fetchall()}
    now = utcnow()
    for need in keep:
        key = name_key(need.name)
        if key in taken:
            continue
        taken.add(key)
        cur.execute(
            f"INSERT INTO asset_suggestions ({_COLS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, 1, ?, ?, NULL, NULL)",
            [new_id(), scene.project_id, scene.branch_id, scene.id,
             v.text(need.name, "Suggested name", v.MAX_NAME), v.asset_type(need.asset_type),
             v.text(need.description or need.name, "Suggested description",
                    v.MAX_DESCRIPTION),
             (need.reason or "")[: v.MAX_REASON], result.method, actor, now])
    result.suggestion_ids = [s.id for s in for_scene(cur, scene.id, "pending")]


# --- deciding ---------------------------------------------------------------------------

def _pending(cur, suggestion_id: str, expected_version: int | None) -> Suggestion:
    s = get(cur, suggestion_id)
    if s.status != "pending":
        raise ConflictError(f"The suggestion {s.name!r} was already {s.status}.", current=s)
    if expected_version is not None and s.version != expected_version:
        raise ConflictError(f"The suggestion {s.name!r} was changed by someone else.",
                            current=s)
    return s


def accept(cur, suggestion_id: str, actor: str, *, expected_version: int | None = None,
           name: str | None = None, asset_type: str | None = None,
           description: str | None = None) -> tuple[Suggestion, list[str]]:
    """Create (or link) the asset, map it and inherit its instance. Returns the
    accepted suggestion and the new instance ids (empty if it was already there)."""
    actor = v.actor(actor)
    s = _pending(cur, suggestion_id, expected_version)
    name = v.text(name if name is not None else s.name, "Asset name", v.MAX_NAME)
    kind = v.asset_type(asset_type if asset_type is not None else s.asset_type)
    text = v.text(description if description is not None else s.description,
                  "Master description", v.MAX_DESCRIPTION)
    hit = next((a for a in asset_refs(cur, s.project_id)
                if name_key(name) in {name_key(n) for n in (a.name, *a.aliases)}), None)
    if hit is not None and hit.asset_type != kind:
        raise ValidationError(f"The project already has a {hit.asset_type} named "
                              f"{hit.name!r}; choose another name for this {kind}.")
    asset_id = hit.id if hit else assets_mod.add_asset(
        cur, s.project_id, name, kind, text, approved=True).id
    inheritance.map_assets(cur, s.scene_id, [asset_id], SOURCES.get(s.source, "detection"))
    created = inheritance.inherit_scene(
        cur, s.scene_id, [asset_id],
        Context(actor, "inheritance", f"accepted suggestion “{s.name}”"))
    cur.execute(
        "UPDATE asset_suggestions SET status = 'accepted', project_asset_id = ?, "
        "version = version + 1, decided_by = ?, decided_at = ? WHERE id = ?",
        [asset_id, actor, utcnow(), s.id])
    return get(cur, s.id), created


def dismiss(cur, suggestion_id: str, actor: str, *,
            expected_version: int | None = None) -> Suggestion:
    actor = v.actor(actor)
    s = _pending(cur, suggestion_id, expected_version)
    cur.execute(
        "UPDATE asset_suggestions SET status = 'dismissed', version = version + 1, "
        "decided_by = ?, decided_at = ? WHERE id = ?", [actor, utcnow(), s.id])
    return get(cur, s.id)
