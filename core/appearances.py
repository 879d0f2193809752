"""One change to an asset's chain of appearances, as a unit: load the chain,
apply the change, settle it (`chain.settle`), write what differs with its
history rows. Every instance change in core goes through `change_chain`, so
propagation, re-linking and auditing have one home."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import chain, history, instances
from .db import utcnow
from .errors import NotFoundError
from .history import EDITABLE_FIELDS, Context
from .models import TagConflict


@dataclass
class ChainOutcome:
    rows: dict[str, dict] = field(default_factory=dict)   # id -> settled row
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)      # state changed, scene order
    propagated: list[str] = field(default_factory=list)   # visible change, not primary
    flagged: list[str] = field(default_factory=list)      # newly flagged, not propagated
    deleted: list[str] = field(default_factory=list)
    conflicts: list[TagConflict] = field(default_factory=list)   # T5, scene order
    change_id: str | None = None                                 # of its history rows


def lock_chain(cur, asset_id: str) -> None:
    """Serialize changes to one asset's chain (the `chain_revision` bump): concurrent
    ones now conflict, or wait on an engine that blocks. Take it before reading what
    a change is checked against (DESIGN "Storage seam"); taking it twice is harmless."""
    cur.execute(
        "UPDATE project_assets SET chain_revision = chain_revision + 1 WHERE id = ?",
        [asset_id],
    )


def master_description(cur, asset_id: str) -> str:
    r = cur.execute("SELECT description FROM project_assets WHERE id = ?", [asset_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Asset {asset_id} does not exist.")
    return r[0]


def change_chain(
    cur,
    asset_id: str,
    branch_id: str,
    mutate: Callable[[list[dict]], list[dict]],
    ctx: Context,
    *,
    primary: set[str] = frozenset(),
    old_master: str | None = None,
    propagation_reason: str | None = None,
    write: bool = True,
) -> ChainOutcome:
    """Apply `mutate` to the chain (a list of rows in scene order; it may edit,
    insert or drop rows), settle it and, when `write`, persist the difference.

    Rows in `primary` (and created rows) are audited with `ctx`; every other row
    whose state changed is audited as propagation.
    """
    if write:
        lock_chain(cur, asset_id)
    master = master_description(cur, asset_id)
    before = instances.load_chain(cur, branch_id, asset_id)
    old_by_id = {r["id"]: r for r in before}
    after = chain.settle(mutate([dict(r) for r in before]), master, old_master)

    out = ChainOutcome(rows={r["id"]: r for r in after})
    out.deleted = [i for i in old_by_id if i not in out.rows]
    now = utcnow()
    prop_ctx = Context(ctx.actor, "propagation", propagation_reason or ctx.reason)
    entries, inserts, updates = [], [], []
    for new in after:
        old = old_by_id.get(new["id"])
        is_primary = new["id"] in primary or old is None
        if old is None:
            out.created.append(new["id"])
        elif not chain.state_changed(old, new):
            continue
        elif not is_primary:
            conflict = chain.tag_conflict(old, new)
            if conflict:
                out.conflicts.append(TagConflict(new["id"], old["scene_number"],
                                                 old["asset_name"], *conflict))
            # every other instance whose state changed is reported, so callers can
            # refresh it: flagged when the only news is a new flag, else propagated
            if chain.newly_flagged(old, new) and not chain.visible_change(old, new):
                out.flagged.append(new["id"])
            else:
                out.propagated.append(new["id"])
        out.changed.append(new["id"])
        row_ctx = ctx if is_primary else prop_ctx
        changes = history.field_changes(old, new)
        edited = [c[0] for c in changes if c[0] in EDITABLE_FIELDS]
        new.update(
            version=(old["version"] + 1) if old else 1,
            modification_count=(old["modification_count"] + 1) if old else 0,
            last_modified_field=(edited or [c[0] for c in changes] or [None])[0]
            if old else None,
            modification_reason=row_ctx.reason if old else None,
            updated_at=now,
        )
        if old is None:
            new.setdefault("created_at", now)
            inserts.append(new)
        else:
            updates.append(new)
        entries += [(new, f, o, n, row_ctx) for f, o, n in changes]
    for gone in out.deleted:
        old = old_by_id[gone]
        entries += [(old, f, o, n, ctx) for f, o, n in history.field_changes(old, None)]

    if write:
        instances.delete_rows(cur, out.deleted)
        instances.update_rows(cur, updates)
        instances.insert_rows(cur, inserts)
        out.change_id = history.append(cur, entries)
    return out
