"""Reusing an import preview (dry run) while nothing it depends on changed: a small
LRU keyed by (kind, project, SHA-256 of the file, options, the project's data
version). A page that reruns with the same uploaded file gets the cached report
for the price of one query (`data_version`). One cache per open database
(`for_database`)."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

SIZE = 16


def data_version(cur, project_id: str) -> tuple:
    """What an import preview of the project depends on, in one query: its assets
    (count, versions), scenes (count, newest), mapping, history, applied imports, and
    the global library (only ever added to). Any change a preview could see changes it."""
    return cur.execute(
        "SELECT (SELECT count(*) FROM project_assets WHERE project_id = ?), "
        "(SELECT sum(version) FROM project_assets WHERE project_id = ?), "
        "(SELECT count(*) FROM scenes WHERE project_id = ?), "
        "(SELECT max(created_at) FROM scenes WHERE project_id = ?), "
        "(SELECT count(*) FROM scene_assets m JOIN scenes s ON s.id = m.scene_id "
        " WHERE s.project_id = ?), "
        "(SELECT max(id) FROM instance_history WHERE project_id = ?), "
        "(SELECT max(imported_at) FROM screenplay_imports WHERE project_id = ?), "
        "(SELECT count(*) FROM global_assets)",
        [project_id] * 7).fetchone()


class PreviewCache:
    """The last `SIZE` previews; thread-safe."""

    def __init__(self, size: int = SIZE):
        self._size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, cur, kind: str, project_id: str, data: bytes | str, options: tuple,
            compute: Callable[[], Any]):
        """The cached preview for this file and these options if the project's data
        is unchanged since; else `compute()` (cached)."""
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        key = (kind, project_id, hashlib.sha256(raw).hexdigest(), repr(options),
               data_version(cur, project_id))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def for_database(db) -> PreviewCache:
    """The previews of one open database, made on first use and gone with it."""
    with _CACHES_LOCK:
        return _CACHES.setdefault(db, PreviewCache())
