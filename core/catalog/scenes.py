"""Scenes and their shots. Changes of order re-link appearances (I1) through
`appearances.change_chain`."""

from __future__ import annotations

from core import validation as v
from core.catalog.projects import new_id, resolve_branch
from core.chain import appearances
from core.errors import NotFoundError, ValidationError
from core.intake.headings import split_heading
from core.models import Scene
from core.store.db import utcnow
from core.store.history import Context

_COLS = (
    "id, project_id, branch_id, scene_number, label, heading, script_excerpt, "
    "end_state_summary, story_day, setting, time_of_day, qualifiers"
)


def scene_row(r, shots: list[str] | None = None) -> Scene:
    """A Scene from a row of `_COLS`."""
    r = list(r)
    r[11] = list(r[11] or [])
    return Scene(*r, shots=shots or [])


def _shots(cur, scene_ids: list[str]) -> dict[str, list[str]]:
    if not scene_ids:
        return {}
    rows = cur.execute(
        "SELECT scene_id, description FROM shots WHERE scene_id = ANY(?::VARCHAR[]) "
        "ORDER BY scene_id, position",
        [scene_ids],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for sid, desc in rows:
        out.setdefault(sid, []).append(desc)
    return out


def require_scene(cur, scene_id: str) -> None:
    """NotFoundError unless the scene exists (a key lookup, without its shots)."""
    if cur.execute("SELECT 1 FROM scenes WHERE id = ?", [scene_id]).fetchone() is None:
        raise NotFoundError(f"Scene {scene_id} does not exist.")


def get_scene(cur, scene_id: str) -> Scene:
    r = cur.execute(f"SELECT {_COLS} FROM scenes WHERE id = ?", [scene_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Scene {scene_id} does not exist.")
    return scene_row(r, _shots(cur, [scene_id]).get(scene_id, []))


def list_scenes(cur, project_id: str, branch_id: str | None = None) -> list[Scene]:
    """The branch's scenes (Main when none is named) in story order, in one statement;
    the project and branch are checked only when it finds no scenes."""
    branch = "?" if branch_id is not None else \
        "(SELECT main_branch_id FROM projects WHERE id = ?)"
    rows = cur.execute(
        f"SELECT {_COLS} FROM scenes WHERE branch_id = {branch} AND project_id = ? "
        "ORDER BY scene_number", [branch_id if branch_id is not None else project_id,
                                  project_id]
    ).fetchall()
    if not rows:
        resolve_branch(cur, project_id, branch_id)   # NotFoundError / ValidationError
    shots = _shots(cur, [r[0] for r in rows])
    return [scene_row(r, shots.get(r[0], [])) for r in rows]


def _fields(heading, script_excerpt, label, end_state_summary, story_day, shots) -> dict:
    """Checked scene fields; the heading's scene data (N1) comes with it."""
    heading = v.text(heading, "Scene heading", v.MAX_HEADING, multiline=False)
    data = split_heading(heading)
    return {
        "heading": heading,
        "setting": data.setting,
        "time_of_day": data.time_of_day,
        "qualifiers": data.qualifiers,
        "script_excerpt": v.text(script_excerpt, "Script excerpt", v.MAX_SCRIPT, required=False),
        "label": v.optional_name(label, "Scene label", v.MAX_LABEL),
        "end_state_summary": v.text(
            end_state_summary, "End-state summary", v.MAX_DESCRIPTION, required=False
        ),
        "story_day": v.story_day(story_day),
        "shots": [v.text(s, "Shot", v.MAX_DESCRIPTION) for s in (shots or [])],
    }


def add_scene(cur, project_id, scene_number, heading, *, branch_id=None, script_excerpt="",
              label=None, end_state_summary="", story_day=None, shots=None) -> Scene:
    branch_id = resolve_branch(cur, project_id, branch_id)
    number = v.scene_number(scene_number)
    f = _fields(heading, script_excerpt, label, end_state_summary, story_day, shots)
    taken = cur.execute(
        "SELECT 1 FROM scenes WHERE branch_id = ? AND scene_number = ?", [branch_id, number]
    ).fetchone()
    if taken:
        raise ValidationError(
            f"Scene number {number} is already used in this branch; "
            "insert the scene before it instead."
        )
    sid = new_id()
    cur.execute(
        f"INSERT INTO scenes ({_COLS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
        [sid, project_id, branch_id, number, f["label"] or str(number), f["heading"],
         f["script_excerpt"], f["end_state_summary"], f["story_day"], f["setting"],
         f["time_of_day"], f["qualifiers"], utcnow()],
    )
    for pos, desc in enumerate(f["shots"], start=1):
        cur.execute(
            "INSERT INTO shots (id, scene_id, position, description) VALUES (?, ?, ?, ?)",
            [new_id(), sid, pos, desc],
        )
    return get_scene(cur, sid)


def insert_scene(cur, project_id, before_scene_number, heading, *, branch_id=None, **kw) -> Scene:
    """Insert a scene at `before_scene_number`, renumbering that scene and the later ones."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    number = v.scene_number(before_scene_number)
    _fields(heading, kw.get("script_excerpt", ""), kw.get("label"),
            kw.get("end_state_summary", ""), kw.get("story_day"), kw.get("shots"))
    last = cur.execute("SELECT max(scene_number) FROM scenes WHERE branch_id = ?",
                       [branch_id]).fetchone()[0]
    if last is not None and last >= number and last + 1 > v.MAX_SCENE_NUMBER:
        raise ValidationError(
            f"Inserting here would renumber scene {last} to {last + 1}, past the last "
            f"allowed scene number {v.MAX_SCENE_NUMBER:,}; move or delete scenes at the end "
            "first.")
    _shift(cur, branch_id, number, None, +1)
    return add_scene(cur, project_id, number, heading, branch_id=branch_id, **kw)


def _shift(cur, branch_id: str, first: int, last: int | None, delta: int) -> None:
    """Renumber scenes first..last (open-ended when last is None) by delta. Goes
    through negative numbers because DuckDB checks the unique (branch, number)
    key row by row during an UPDATE."""
    cur.execute(
        "UPDATE scenes SET scene_number = -(scene_number + ?) "
        "WHERE branch_id = ? AND scene_number >= ? AND (? IS NULL OR scene_number <= ?)",
        [delta, branch_id, first, last, last],
    )
    cur.execute(
        "UPDATE scenes SET scene_number = -scene_number WHERE branch_id = ? AND scene_number < 0",
        [branch_id],
    )


def assets_in_branch(cur, branch_id: str, scene_ids: list[str] | None = None) -> list[str]:
    sql = "SELECT DISTINCT project_asset_id FROM scene_asset_instances WHERE branch_id = ?"
    params: list = [branch_id]
    if scene_ids is not None:
        sql += " AND scene_id = ANY(?::VARCHAR[])"
        params.append(scene_ids)
    return [r[0] for r in cur.execute(sql + " ORDER BY 1", params).fetchall()]


def delete_scene(cur, scene_id: str, ctx: Context) -> list[str]:
    """Delete a scene with its instances (history kept) and re-link each asset's
    next appearance (I1). Later scenes keep their numbers. Returns deleted instance ids."""
    scene = get_scene(cur, scene_id)
    deleted = appearances.change_chains(
        cur, assets_in_branch(cur, scene.branch_id, [scene_id]), scene.branch_id,
        lambda _aid, rows: [r for r in rows if r["scene_id"] != scene_id],
        ctx, propagation_reason=f"scene {scene.display_label} deleted",
        from_scene=scene.scene_number,
    ).deleted
    cur.execute("DELETE FROM scene_assets WHERE scene_id = ?", [scene_id])
    cur.execute("DELETE FROM shots WHERE scene_id = ?", [scene_id])
    cur.execute("DELETE FROM scenes WHERE id = ?", [scene_id])
    return deleted


def move_scene(cur, scene_id: str, new_number: int, ctx: Context) -> Scene:
    """Move a scene to another position in its branch; the scenes in between shift
    by one and every moved appearance is re-linked (I1, then P2)."""
    scene = get_scene(cur, scene_id)
    new_number = v.scene_number(new_number)
    old = scene.scene_number
    if new_number == old:
        return scene
    cur.execute("UPDATE scenes SET scene_number = 0 WHERE id = ?", [scene_id])
    if new_number > old:
        _shift(cur, scene.branch_id, old + 1, new_number, -1)
    else:
        _shift(cur, scene.branch_id, new_number, old - 1, +1)
    cur.execute("UPDATE scenes SET scene_number = ? WHERE id = ?", [new_number, scene_id])
    appearances.change_chains(
        cur, assets_in_branch(cur, scene.branch_id, [scene_id]), scene.branch_id,
        lambda _aid, rows: rows, ctx,
        propagation_reason=f"scene {scene.display_label} moved to {new_number}",
        from_scene=min(old, new_number),
    )
    return get_scene(cur, scene_id)


def update_scene_text(cur, scene_id: str, *, heading=None, script_excerpt=None,
                      shots=None) -> Scene:
    """Replace a scene's heading, script excerpt and/or shots (a revised draft).
    Number, label and instances are untouched. None leaves a field as it is."""
    scene = get_scene(cur, scene_id)
    f = _fields(scene.heading if heading is None else heading,
                scene.script_excerpt if script_excerpt is None else script_excerpt,
                scene.label, scene.end_state_summary, scene.story_day,
                scene.shots if shots is None else shots)
    cur.execute("UPDATE scenes SET heading = ?, script_excerpt = ?, setting = ?, "
                "time_of_day = ?, qualifiers = ? WHERE id = ?",
                [f["heading"], f["script_excerpt"], f["setting"], f["time_of_day"],
                 f["qualifiers"], scene_id])
    if shots is not None and f["shots"] != scene.shots:
        cur.execute("DELETE FROM shots WHERE scene_id = ?", [scene_id])
        for pos, desc in enumerate(f["shots"], start=1):
            cur.execute(
                "INSERT INTO shots (id, scene_id, position, description) VALUES (?, ?, ?, ?)",
                [new_id(), scene_id, pos, desc],
            )
    return get_scene(cur, scene_id)
