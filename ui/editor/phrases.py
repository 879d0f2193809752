"""The editor's words: badges, short values, and where a change goes (P3)."""

from __future__ import annotations

import core
from ui.safe import esc


def short(text: str | None, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compact(value, limit: int = 90) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "(none)"
    return short(str(value), limit)


SCENES_LISTED = 12    # a longer list names the first of them and the last scene


def scenes_phrase(labels: list[str]) -> str:
    """`labels` (in scene order) in words: "scene 4", "scenes 2, 3", and past
    `SCENES_LISTED`, "46 scenes: 5, 23, …, 193"."""
    if len(labels) == 1:
        return f"scene {labels[0]}"
    if len(labels) <= SCENES_LISTED:
        return "scenes " + ", ".join(labels)
    return f"{len(labels)} scenes: " + ", ".join(labels[:SCENES_LISTED - 1]) + f", …, {labels[-1]}"


def badges(inst: core.Instance) -> str:
    """Source and status badges (markdown badge syntax)."""
    src = inst.source_label
    out = [f":gray-badge[{'from ' if src.startswith('Scene') else ''}{esc(src)}]"]
    if inst.pending_review:
        out.append(":violet-badge[:material/rule: review tags]")
    if inst.edited:
        out.append(":orange-badge[:material/edit: edited]")
    if inst.locked:
        out.append(":gray-badge[:material/lock: locked]")
    if inst.upstream_changed:
        out.append(":red-badge[:material/warning: upstream changed]")
    if inst.image_stale:
        out.append(":orange-badge[:material/image: stale image]")
    return " ".join(out)


def reach(result: core.UpdateResult, labels: dict[str, str], *, done: bool) -> str:
    """P3 in words: which later scenes a change updates, which it only flags."""
    where = result.reached

    def label(iid: str) -> str:
        r = where[iid]
        return labels.get(r.scene_id, str(r.scene_number))

    updated = [label(i) for i in result.propagated]
    locked = [label(i) for i in result.flagged if where[i].locked]
    own = [label(i) for i in result.flagged if not where[i].locked]
    parts = []
    if updated:
        parts.append(("also updated " if done else "will also update ") + scenes_phrase(updated))
    for group, why in ((own, "its own value"), (locked, "locked")):
        if not group:
            continue
        verb = "has" if len(group) == 1 else "have"
        if why == "locked":
            verb = "is" if len(group) == 1 else "are"
        tail = "was flagged" if done else "will be flagged"
        if len(group) > 1:
            tail = "were flagged" if done else "will be flagged"
        parts.append(f"{scenes_phrase(group)} {verb} {why} and {tail}")
    if not parts:
        return "Only this scene changed." if done else "Only this scene changes."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
