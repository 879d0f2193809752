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
    old_scenes = [r[0] for r in cur.execute(
        "SELECT id FROM scenes WHERE branch_id = ? AND scene_number <= ?", [source, last]
    ).fetchall()]
    scene_map = {old: new_id() for old in old_scenes}
    pairs, params = cur.dialect.rows([("old", "text"), ("new", "text")],
                                     [list(scene_map), list(scene_map.values())])
    cur.execute(
        "INSERT INTO scenes (id, project_id, branch_id, scene_number, label, heading, "
        "script_excerpt, end_state_summary, story_day, setting, time_of_day, qualifiers, "
        "created_at) "
        "SELECT m.new, s.project_id, ?, s.scene_number, s.label, s.heading, s.script_excerpt, "
        "s.end_state_summary, s.story_day, s.setting, s.time_of_day, s.qualifiers, ? "
        f"FROM scenes s JOIN ({pairs}) m ON m.old = s.id",
        [bid, now, *params])
    cur.execute(
        "INSERT INTO shots (id, scene_id, position, description) "
        f"SELECT {cur.dialect.new_uuid()}, m.new, h.position, h.description FROM shots h "
        f"JOIN ({pairs}) m ON m.old = h.scene_id", params)
    cur.execute(
        "INSERT INTO scene_assets (scene_id, project_asset_id, source) "
        f"SELECT m.new, a.project_asset_id, a.source FROM scene_assets a "
        f"JOIN ({pairs}) m ON m.old = a.scene_id", params)
    rows = instances.load_rows(cur, [r[0] for r in cur.execute(
        "SELECT id FROM scene_asset_instances WHERE scene_id = ANY(?::VARCHAR[])",
        [old_scenes]).fetchall()])
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
    if id_map:
        # attempts come along, sharing the files (a file is deleted only when nothing
        # refers to it any more)
        pairs, params = cur.dialect.rows([("old", "text"), ("new", "text")],
                                         [list(id_map), list(id_map.values())])
        cur.execute(
            "INSERT INTO image_attempts (id, instance_id, project_id, kind, image_key, "
            f"state_hash, job_id, selected, created_at) SELECT {cur.dialect.new_uuid()}, "
            "m.new, t.project_id, t.kind, t.image_key, t.state_hash, t.job_id, t.selected, "
            f"t.created_at FROM image_attempts t JOIN ({pairs}) m ON m.old = t.instance_id",
            params)
    return next(b for b in branches(cur, project_id) if b.id == bid)
