"""Projects (films) and their branches."""

from __future__ import annotations

import uuid

from core import validation as v
from core.errors import NotFoundError, ValidationError
from core.models import Branch, Project
from core.store.db import utcnow

MAIN_BRANCH = "Main"


def new_id() -> str:
    return str(uuid.uuid4())


def create_project(cur, name: str) -> Project:
    name = v.name(name, "Project name")
    pid, bid, now = new_id(), new_id(), utcnow()
    cur.execute(
        "INSERT INTO projects (id, name, main_branch_id, created_at) VALUES (?, ?, ?, ?)",
        [pid, name, bid, now],
    )
    cur.execute(
        "INSERT INTO branches (id, project_id, name, created_at) VALUES (?, ?, ?, ?)",
        [bid, pid, MAIN_BRANCH, now],
    )
    return get_project(cur, pid)


_PROJECT_COLS = ("id, name, main_branch_id, visual_style, budget, version, created_at, "
                 "script_prologue")


def get_project(cur, project_id: str) -> Project:
    r = cur.execute(f"SELECT {_PROJECT_COLS} FROM projects WHERE id = ?", [project_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Project {project_id} does not exist.")
    return Project(*r)


def list_projects(cur) -> list[Project]:
    rows = cur.execute(f"SELECT {_PROJECT_COLS} FROM projects ORDER BY created_at, name")
    return [Project(*r) for r in rows.fetchall()]


def branches(cur, project_id: str) -> list[Branch]:
    rows = cur.execute(
        "SELECT id, project_id, name, parent_branch_id, forked_at_scene_number FROM branches "
        "WHERE project_id = ? ORDER BY created_at, name",
        [project_id],
    ).fetchall()
    if not rows:
        get_project(cur, project_id)    # NotFoundError for an unknown project
    return [Branch(*r) for r in rows]


def resolve_branch(cur, project_id: str, branch_id: str | None) -> str:
    """The branch to use: the given one (checked to belong to the project) or Main."""
    if branch_id is None:
        r = cur.execute("SELECT main_branch_id FROM projects WHERE id = ?",
                        [project_id]).fetchone()
        if r is None:
            raise NotFoundError(f"Project {project_id} does not exist.")
        return r[0]
    known, owner = cur.execute(
        "SELECT (SELECT count(*) FROM projects WHERE id = ?), "
        "(SELECT project_id FROM branches WHERE id = ?)", [project_id, branch_id]).fetchone()
    if not known:
        raise NotFoundError(f"Project {project_id} does not exist.")
    if owner is None:
        raise NotFoundError(f"Branch {branch_id} does not exist.")
    if owner != project_id:
        raise ValidationError("That branch belongs to another project.")
    return branch_id


def set_style(cur, project_id: str, style: str) -> Project:
    """The project's visual style, part of every prompt and state hash (G2, G4)."""
    get_project(cur, project_id)
    style = v.text(style, "Visual style", v.MAX_DESCRIPTION, required=False)
    cur.execute("UPDATE projects SET visual_style = ?, version = version + 1 WHERE id = ?",
                [style, project_id])
    return get_project(cur, project_id)


def set_budget(cur, project_id: str, budget: float | None) -> Project:
    """The project's image budget (G9): None for no limit, else a finite amount >= 0."""
    get_project(cur, project_id)
    cur.execute("UPDATE projects SET budget = ?, version = version + 1 WHERE id = ?",
                [v.budget(budget), project_id])
    return get_project(cur, project_id)
