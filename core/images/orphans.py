"""Image files no row refers to (G5, G6). A file is written before the commit that
records its key, so a crash or a rolled-back change can leave it behind; such
files are swept at start. Which columns hold keys is decided here only: every
column of a table whose name ends in `image_key` (attempts, jobs, project and
global masters, and any added later)."""

from __future__ import annotations

import time

from core.images.store import ImageStore

GRACE_SECONDS = 600.0    # younger files may belong to a change not committed yet


def _held(cur) -> str:
    """SQL listing every key some row holds, as column `k`."""
    columns = cur.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
        "AND t.table_name = c.table_name WHERE t.table_type = 'BASE TABLE' "
        "AND c.table_schema = current_schema() AND right(c.column_name, 9) = 'image_key' "
        "ORDER BY 1, 2").fetchall()
    return " UNION ALL ".join(f'SELECT "{c}" AS k FROM "{t}" WHERE "{c}" IS NOT NULL'
                              for t, c in columns)


def referenced_keys(cur, project_id: str) -> set[str]:
    """The keys under `project_{project_id}/` that some row holds: the files a
    project export should ship."""
    rows = cur.execute(f"SELECT DISTINCT k FROM ({_held(cur)}) h WHERE starts_with(k, ?)",
                       [f"project_{project_id}/"]).fetchall()
    return {r[0] for r in rows}


def orphans(cur, keys: list[str]) -> list[str]:
    """Those of `keys` that lie under a project of this database and that no row
    holds, in one query. Keys of folders of other databases sharing the image
    root are never orphans here."""
    if not keys:
        return []
    rows = cur.execute(
        "SELECT k FROM unnest(?::VARCHAR[]) AS f(k) "
        "WHERE split_part(k, '/', 1) IN (SELECT 'project_' || id FROM projects) "
        f"EXCEPT SELECT k FROM ({_held(cur)}) h ORDER BY k", [list(keys)]).fetchall()
    return [r[0] for r in rows]


def sweep(db, store: ImageStore, grace: float = GRACE_SECONDS) -> list[str]:
    """Delete the files under the image root's `project_*/` folders that are older
    than `grace` seconds (by modification time) and that no row refers to —
    unreferenced images and stale `.part` temp files of a write a crash cut short.
    Returns their keys."""
    cutoff = time.time() - grace
    old = [k for k, mtime in store.modified("project_").items() if mtime <= cutoff]
    gone = db.transaction(lambda cur: orphans(cur, old))
    store.delete_many(gone)
    return gone
