"""Branches (B1): story variants copied from another branch up to a scene and
independent from then on."""

from __future__ import annotations

from core import validation as v
from core.catalog.projects import branches, new_id, resolve_branch
from core.errors import ValidationError
from core.models import Branch
from core.store import history, instances
from core.store.db import utcnow
from core.store.history import Context


def create_branch(cur, project_id: str, name: str, from_branch_id: str | None,
                  up_to_scene_number: int, ctx: Context) -> Branch:
    source = resolve_branch(cur, project_id, from_branch_id)
    name = v.name(name, "Branch name")
    last = v.scene_number(up_to_scene_number)
    for b in branches(cur, project_id):
        if b.name.casefold() == name.casefold():
            raise ValidationError(f"The project already has a branch named {b.name!r}.")
    bid, now = new_id(), utcnow()
    cur.execute(
        "INSERT INTO branches (id, project_id, name, parent_branch_id, forked_at_scene_number, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [bid, project_id, name, source, last, now],
    )
    scene_map = {
        old: new_id() for (old,) in cur.execute(
            "SELECT id FROM scenes WHERE branch_id = ? AND scene_number <= ?", [source, last]
        ).fetchall()
    }
    for old, new in scene_map.items():
        cur.execute(
            "INSERT INTO scenes (id, project_id, branch_id, scene_number, label, heading, "
            "script_excerpt, end_state_summary, story_day, created_at) "
            "SELECT ?, project_id, ?, scene_number, label, heading, script_excerpt, "
            "end_state_summary, story_day, ? FROM scenes WHERE id = ?",
            [new, bid, now, old],
        )
        cur.execute(
            "INSERT INTO shots (id, scene_id, position, description) "
            "SELECT uuid()::VARCHAR, ?, position, description FROM shots WHERE scene_id = ?",
            [new, old],
        )
        cur.execute(
            "INSERT INTO scene_assets SELECT ?, project_asset_id, source FROM scene_assets "
            "WHERE scene_id = ?",
            [new, old],
        )
    rows = []
    for old_scene in scene_map:
        rows += [instances.load_row(cur, i.id) for i in instances.for_scene(cur, old_scene)]
    id_map = {r["id"]: new_id() for r in rows}
    entries = []
    reason = f"branch {name} created"
    for r in rows:
        copied_from = r["id"]
        r.update(id=id_map[copied_from], branch_id=bid, scene_id=scene_map[r["scene_id"]],
                 inherited_from_instance_id=id_map.get(r["inherited_from_instance_id"]),
                 created_at=now, updated_at=now)
        entries.append((r, "copied_from_instance_id", None, copied_from,
                        Context(ctx.actor, "inheritance", reason)))
    instances.insert_rows(cur, rows)
    history.append(cur, entries)
    for old_id, new_iid in id_map.items():
        # attempts come along, sharing the files (a file is deleted only when nothing
        # refers to it any more)
        for (attempt_id,) in cur.execute(
                "SELECT id FROM image_attempts WHERE instance_id = ?", [old_id]).fetchall():
            cur.execute(
                "INSERT INTO image_attempts (id, instance_id, project_id, kind, image_key, "
                "state_hash, job_id, selected, created_at) SELECT ?, ?, project_id, kind, "
                "image_key, state_hash, job_id, selected, created_at FROM image_attempts "
                "WHERE id = ?", [new_id(), new_iid, attempt_id])
    return next(b for b in branches(cur, project_id) if b.id == bid)
