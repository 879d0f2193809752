"""The continuity rules for one asset's appearances in one branch, as pure functions.

A *chain* is the asset's instances in scene order; each one's source is the one
before it (I1). `settle` recomputes every instance from its source after any
change — an edit, a new or removed appearance, a master edit — applying
inheritance (I2, I3), following and propagation (P1, P2) and the effective
description (E1). It knows nothing of storage: the database layer loads a
chain, changes it, settles it and writes back what differs, and previews are
the same computation without the write.

A state row is a dict with the keys of `STATE_FIELDS` and `SEEN_FIELDS` plus `id`.
"""

from __future__ import annotations

STATE_FIELDS = (
    "description_override",
    "inherited_description",
    "effective_description",
    "inherited_tags",
    "status_tags",
    "carry_forward",
    "inherited_from_instance_id",
    "locked",
    "pending_review",
    "upstream_description_changed",
    "upstream_tags_changed",
)
# A5: the upstream value a flagged field last saw; None while the field is not flagged.
# They change only together with a flag, whose history row records the change.
SEEN_FIELDS = ("seen_upstream_description", "seen_upstream_tags")


def blank_row(instance_id: str) -> dict:
    """A new appearance before `settle` fills in what it inherits."""
    return {
        "id": instance_id,
        "description_override": None,
        "inherited_description": None,
        "effective_description": None,
        "inherited_tags": [],
        "status_tags": [],
        "carry_forward": True,
        "inherited_from_instance_id": None,
        "locked": False,
        "pending_review": False,
        "upstream_description_changed": False,
        "upstream_tags_changed": False,
        "seen_upstream_description": None,
        "seen_upstream_tags": None,
    }


def passed_on(row: dict) -> tuple[str | None, list[str]]:
    """What an instance hands to the asset's next appearance (I2, I3)."""
    if row["carry_forward"]:
        return row["effective_description"], list(row["status_tags"])
    return None, []


def follows_tags(row: dict) -> bool:
    """P1: an unlocked instance follows in tags while they equal what it inherited."""
    return not row["locked"] and set(row["status_tags"]) == set(row["inherited_tags"])


def follows_description(row: dict) -> bool:
    """P1: an unlocked instance follows in description while it has no override."""
    return not row["locked"] and row["description_override"] is None


def settle(rows: list[dict], master: str, old_master: str | None = None,
           prev: dict | None = None) -> list[dict]:
    """Recompute the chain in order; returns new rows (the inputs are not changed).

    `old_master` is the master description the stored rows were computed with,
    when it differs from `master` (a master edit). `prev` is the settled appearance
    just before `rows` when they are the tail of a chain (earlier ones cannot
    change: each row depends only on those before it).
    """
    old_master = master if old_master is None else old_master
    out: list[dict] = []
    for row in rows:
        new = dict(row)
        if prev is None:
            inh_desc, inh_tags = None, []
        else:
            inh_desc, inh_tags = passed_on(prev)
        new["inherited_from_instance_id"] = prev["id"] if prev else None

        old_base = row["inherited_description"]
        old_base = old_master if old_base is None else old_base
        new_base = master if inh_desc is None else inh_desc
        new["inherited_description"] = inh_desc
        if follows_description(row):
            new["effective_description"] = new_base
        else:
            if not row["locked"]:
                new["effective_description"] = row["description_override"]
            if new_base != old_base:
                _flag(new, "description", old_base)
        if new["seen_upstream_description"] == new_base:
            _unflag(new, "description")             # A5: the reason is gone

        if set(inh_tags) != set(row["inherited_tags"]):
            if follows_tags(row):
                new["status_tags"] = list(inh_tags)
                if set(inh_tags) - set(row["inherited_tags"]):
                    new["pending_review"] = True
            else:
                _flag(new, "tags", list(row["inherited_tags"]))
        new["inherited_tags"] = list(inh_tags)
        seen_tags = new["seen_upstream_tags"]
        if seen_tags is not None and set(seen_tags) == set(inh_tags):
            _unflag(new, "tags")                    # A5: the reason is gone
        if not set(new["status_tags"]) & set(inh_tags):
            new["pending_review"] = False           # T3: nothing carried to review
        for kind in ("description", "tags"):
            if not new[f"upstream_{kind}_changed"]:
                new[f"seen_upstream_{kind}"] = None
        out.append(new)
        prev = new
    return out


def _flag(row: dict, kind: str, seen) -> None:
    """P2: flag the field, remembering the upstream value it last saw (kept while
    already flagged; an instance flagged before that was recorded keeps None)."""
    if not row[f"upstream_{kind}_changed"]:
        row[f"upstream_{kind}_changed"] = True
        row[f"seen_upstream_{kind}"] = seen


def _unflag(row: dict, kind: str) -> None:
    row[f"upstream_{kind}_changed"] = False
    row[f"seen_upstream_{kind}"] = None


def upstream_base(row: dict, master: str) -> str:
    """The description the source passes on (E1): inherited, else the master."""
    return master if row["inherited_description"] is None else row["inherited_description"]


def tag_conflict(old: dict, new: dict) -> tuple[list[str], list[str], list[str]] | None:
    """T5: an instance that keeps its own tags while the tags passed on to it change:
    (its tags, kept; tags upstream adds; its tags upstream no longer passes on)."""
    if (follows_tags(old) or not new["upstream_tags_changed"]
            or set(old["inherited_tags"]) == set(new["inherited_tags"])):
        return None
    own, upstream = list(new["status_tags"]), new["inherited_tags"]
    adds = [t for t in upstream if t not in own]
    removes = [t for t in old["inherited_tags"] if t in own and t not in upstream]
    return own, adds, removes


def state_changed(old: dict, new: dict) -> bool:
    return any(_norm(old.get(f)) != _norm(new.get(f)) for f in STATE_FIELDS + SEEN_FIELDS)


def visible_change(old: dict, new: dict) -> bool:
    """Did what the instance shows (description or tags) change?"""
    return old["effective_description"] != new["effective_description"] or list(
        old["status_tags"]
    ) != list(new["status_tags"])


def newly_flagged(old: dict, new: dict) -> bool:
    return (new["upstream_description_changed"] and not old["upstream_description_changed"]) or (
        new["upstream_tags_changed"] and not old["upstream_tags_changed"]
    )


def _norm(value):
    return list(value) if isinstance(value, (list, tuple)) else value
