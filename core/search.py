"""Tag search across a branch (T4): a small query language compiled to bound SQL.

    tag:bloody tag:torn -tag:clean asset:brick type:character scene:3..7 "porsche"

Terms AND together; `tag:a,b` means any of them; `-` negates a term; quoted or
bare words search the description and asset name. Values are always bound as
parameters, never spliced into the SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from . import validation as v
from .errors import ValidationError
from .projects import resolve_branch
from .tags import normalize_tag

_TOKEN = re.compile(r'\s*(-?)(?:(\w+):)?("([^"]*)"?|[^\s"]+)')
KEYS = ("tag", "asset", "type", "scene")


@dataclass
class Query:
    any_tags: list[list[str]] = field(default_factory=list)   # each group: any of
    no_tags: list[str] = field(default_factory=list)
    assets: list[tuple[bool, str]] = field(default_factory=list)   # (negated, text)
    types: list[tuple[bool, str]] = field(default_factory=list)
    scene_from: int | None = None
    scene_to: int | None = None
    texts: list[tuple[bool, str]] = field(default_factory=list)


def parse(query: str) -> Query:
    if not isinstance(query, str):
        raise ValidationError("The search query must be text.")
    v.text(query, "Search query", 2000, required=False)
    q = Query()
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise ValidationError(f"Cannot read the search query from {query[pos:]!r}.")
        pos = m.end()
        neg, key, raw = m.group(1) == "-", m.group(2), m.group(3)
        term = m.group(0).strip()
        quoted = raw.startswith('"')
        if quoted and not raw.endswith('"') or raw == '"':
            raise ValidationError(f"Unclosed quote in search term {term!r}.")
        value = m.group(4) if quoted else raw
        if key is None and not quoted and re.fullmatch(r"-?\w+:", raw):
            raise ValidationError(f"Search term {term!r} needs a value.")
        if key is None:
            if not value.strip():
                raise ValidationError(f"Empty search term {term!r}.")
            q.texts.append((neg, value.strip()))
            continue
        key = key.lower()
        if key not in KEYS:
            raise ValidationError(
                f"Unknown search term {term!r}: use tag:, asset:, type: or scene:."
            )
        if not value.strip():
            raise ValidationError(f"Search term {term!r} needs a value.")
        if key == "tag":
            try:
                tags = [normalize_tag(t) for t in value.split(",")]
            except ValidationError as e:
                raise ValidationError(f"In search term {term!r}: {e}") from None
            if neg:
                q.no_tags += tags
            else:
                q.any_tags.append(tags)
        elif key == "asset":
            q.assets.append((neg, value.strip()))
        elif key == "type":
            try:
                q.types.append((neg, v.asset_type(value)))
            except ValidationError as e:
                raise ValidationError(f"In search term {term!r}: {e}") from None
        else:
            if neg:
                raise ValidationError(f"Search term {term!r}: a scene range cannot be negated.")
            _scene_range(q, value, term)
    return q


def _scene_range(q: Query, value: str, term: str) -> None:
    m = re.fullmatch(r"(\d*)(\.\.(\d*))?", value)
    if not m or (not m.group(1) and not m.group(3)):
        raise ValidationError(
            f"Search term {term!r}: write a scene or range such as scene:3, scene:3..7, "
            "scene:3.. or scene:..7."
        )
    lo = int(m.group(1)) if m.group(1) else None
    hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(f"Search term {term!r}: the range starts after it ends.")
    if lo is not None:
        q.scene_from = lo if q.scene_from is None else max(q.scene_from, lo)
    if hi is not None:
        q.scene_to = hi if q.scene_to is None else min(q.scene_to, hi)


COLUMNS = [
    "instance_id", "scene_id", "scene_number", "scene_label", "heading", "asset_id",
    "asset_name", "asset_type", "effective_description", "status_tags", "pending_review",
    "locked", "upstream_changed",
]


def search(cur, project_id: str, query: str, branch_id: str | None = None) -> pd.DataFrame:
    branch_id = resolve_branch(cur, project_id, branch_id)
    q = parse(query)
    where, params = ["i.branch_id = ?"], [branch_id]
    for group in q.any_tags:
        where.append("i.status_tags && ?::VARCHAR[]")
        params.append(group)
    if q.no_tags:
        where.append("NOT (i.status_tags && ?::VARCHAR[])")
        params.append(q.no_tags)
    for neg, text in q.assets:
        cond = ("(strpos(lower(a.name), lower(?)) > 0 OR EXISTS (SELECT 1 FROM "
                "UNNEST(a.aliases) AS al(alias) WHERE strpos(lower(al.alias), lower(?)) > 0))")
        where.append(f"NOT {cond}" if neg else cond)
        params += [text, text]
    for neg, typ in q.types:
        where.append("a.asset_type <> ?" if neg else "a.asset_type = ?")
        params.append(typ)
    if q.scene_from is not None:
        where.append("s.scene_number >= ?")
        params.append(q.scene_from)
    if q.scene_to is not None:
        where.append("s.scene_number <= ?")
        params.append(q.scene_to)
    for neg, text in q.texts:
        cond = ("(strpos(lower(i.effective_description), lower(?)) > 0 "
                "OR strpos(lower(a.name), lower(?)) > 0)")
        where.append(f"NOT {cond}" if neg else cond)
        params += [text, text]
    rows = cur.execute(
        f"""
        SELECT i.id, s.id, s.scene_number, s.label, s.heading, a.id, a.name, a.asset_type,
               i.effective_description, i.status_tags, i.pending_review, i.locked,
               i.upstream_description_changed OR i.upstream_tags_changed
        FROM scene_asset_instances i
        JOIN scenes s ON s.id = i.scene_id
        JOIN project_assets a ON a.id = i.project_asset_id
        WHERE {' AND '.join(where)}
        ORDER BY s.scene_number,
                 CASE a.asset_type WHEN 'character' THEN 0 WHEN 'location' THEN 1 ELSE 2 END,
                 lower(a.name)
        """,
        params,
    ).fetchall()
    frame = pd.DataFrame([list(r) for r in rows], columns=COLUMNS, dtype=object)
    frame["status_tags"] = [list(t) for t in frame["status_tags"]]
    if len(frame):
        frame["scene_number"] = frame["scene_number"].astype(int)
    return frame
