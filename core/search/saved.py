"""Saved tag searches (T4), per project: a name and a query that parses.

Names are unique per project, compared case-insensitively; saving under an existing
name replaces that search's query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import validation as v
from core.catalog.projects import get_project, new_id
from core.errors import NotFoundError
from core.search.query import parse
from core.store.db import utcnow

MAX_SEARCH_NAME = 80


@dataclass(frozen=True)
class SavedSearch:
    id: str
    project_id: str
    name: str
    query: str
    created_by: str
    created_at: datetime
    updated_at: datetime


_COLS = "id, project_id, name, query, created_by, created_at, updated_at"


def list_saved(cur, project_id: str) -> list[SavedSearch]:
    get_project(cur, project_id)
    rows = cur.execute(f"SELECT {_COLS} FROM saved_searches WHERE project_id = ? "
                       "ORDER BY lower(name), id", [project_id]).fetchall()
    return [SavedSearch(*r) for r in rows]


def save(cur, project_id: str, name: str, query: str, actor: str) -> SavedSearch:
    get_project(cur, project_id)
    name = v.name(name, "Search name", MAX_SEARCH_NAME)
    query = v.text(query, "Search query", 2000)
    parse(query)                       # refuse a query that would not run
    now = utcnow()
    hit = cur.execute("SELECT id FROM saved_searches WHERE project_id = ? AND "
                      "lower(name) = lower(?)", [project_id, name]).fetchone()
    if hit:
        sid = hit[0]
        cur.execute("UPDATE saved_searches SET name = ?, query = ?, updated_at = ? "
                    "WHERE id = ?", [name, query, now, sid])
    else:
        sid = new_id()
        cur.execute(f"INSERT INTO saved_searches ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [sid, project_id, name, query, actor, now, now])
    return SavedSearch(*cur.execute(f"SELECT {_COLS} FROM saved_searches WHERE id = ?",
                                    [sid]).fetchone())


def delete(cur, search_id: str) -> None:
    hit = cur.execute("SELECT id FROM saved_searches WHERE id = ?", [search_id]).fetchone()
    if hit is None:
        raise NotFoundError(f"Saved search {search_id} does not exist.")
    cur.execute("DELETE FROM saved_searches WHERE id = ?", [search_id])
