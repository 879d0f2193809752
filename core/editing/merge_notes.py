"""A6 in words: after an edit based on an older version was merged three-way, which
other changes it was merged with ("ana's change to the tags"). A pure function over
the instance's history rows (they record the version after each change)."""

from __future__ import annotations

from core.editing.edits import FIELD_GROUPS, FIELD_LABELS
from core.models import HistoryRow

_LABEL = {f: FIELD_LABELS[name] for name, group in FIELD_GROUPS.items() for f in group}


def merged_with(rows: list[HistoryRow], base_version: int, change_id: str | None) -> str:
    """The changes since `base_version` other than the save `change_id`, as
    "ana's change to the tags and ben's change to carry-forward" ("" when none)."""
    found: dict[tuple[str, bool], list[str]] = {}
    for h in rows:
        if (h.instance_version is None or h.instance_version <= base_version
                or h.change_id == change_id or h.field not in _LABEL):
            continue
        labels = found.setdefault((h.actor, h.source == "propagation"), [])
        if _LABEL[h.field] not in labels:
            labels.append(_LABEL[h.field])
    return " and ".join(
        f"{actor}'s change to {' and '.join(labels)}"
        + (" (through an earlier scene)" if upstream else "")
        for (actor, upstream), labels in found.items())
