"""One change to assets' chains of appearances, as a unit: load the chains,
apply the change, settle them (`chain.settle`), write what differs with its
history rows. Every instance change in core goes through `change_chains` (one
chain: `change_chain`), so propagation, re-linking and auditing have one home."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from core.chain import rules
from core.errors import NotFoundError
from core.models import TagConflict
from core.store import history, instances, read_model
from core.store.db import any_of, utcnow
from core.store.history import EDITABLE_FIELDS, Context


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
    anchors: dict[tuple[str, str], dict] = field(default_factory=dict)  # (branch, asset)
    masters: dict[str, dict] = field(default_factory=dict)   # asset id -> `read_masters`


_ASSET_COLUMNS = ("id", "description", "name", "asset_type", "master_image_hash",
                  "master_image_key", "project_id")


def _masters(rows, asset_ids: list[str]) -> dict[str, dict]:
    found = {r[0]: dict(zip(_ASSET_COLUMNS, r, strict=True)) for r in rows}
    for aid in asset_ids:
        if aid not in found:
            raise NotFoundError(f"Asset {aid} does not exist.")
    return found


def lock_chains(cur, asset_ids: list[str]) -> dict[str, dict]:
    """Serialize changes to these assets' chains (the `chain_revision` bump): concurrent
    ones now conflict, or wait on an engine that blocks. Take it before reading what
    a change is checked against (DESIGN "Storage seam"); taking it twice is harmless.
    Returns the assets' master fields as `read_masters` does, read under the lock."""
    asset_ids = list(asset_ids)
    where, params = any_of("id", asset_ids)
    return _masters(cur.execute(
        "UPDATE project_assets SET chain_revision = chain_revision + 1 "
        f"WHERE {where} RETURNING {', '.join(_ASSET_COLUMNS)}", params).fetchall(), asset_ids)


def lock_chain(cur, asset_id: str) -> dict[str, dict]:
    return lock_chains(cur, [asset_id])


def read_masters(cur, asset_ids: list[str]) -> dict[str, dict]:
    """The assets' master fields by id (`description`, `name`, `asset_type`,
    `master_image_hash`, `master_image_key`, `project_id`); NotFoundError names a
    missing asset."""
    asset_ids = list(asset_ids)
    where, params = any_of("id", asset_ids)
    return _masters(cur.execute(f"SELECT {', '.join(_ASSET_COLUMNS)} FROM project_assets "
                                f"WHERE {where}", params).fetchall(), asset_ids)


def master_descriptions(cur, asset_ids: list[str]) -> dict[str, str]:
    return {aid: m["description"] for aid, m in read_masters(cur, asset_ids).items()}


def master_description(cur, asset_id: str) -> str:
    return master_descriptions(cur, [asset_id])[asset_id]


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
    from_scene: int | None = None,
    write: bool = True,
    masters: dict[str, dict] | None = None,
) -> ChainOutcome:
    """`change_chains` for one asset's chain in one branch; `mutate(rows)`."""
    return change_chains(
        cur, [asset_id], branch_id, lambda _aid, rows: mutate(rows), ctx, primary=primary,
        old_masters=None if old_master is None else {asset_id: old_master},
        propagation_reason=propagation_reason, from_scene=from_scene, write=write,
        masters=masters,
    )


def _collector_paused(function):
    """Run `function` with the cyclic garbage collector paused (`read_model.bulk`): a
    long chain makes thousands of dicts and lists, and none of them hold cycles."""
    @functools.wraps(function)
    def paused(*args, **kwargs):
        with read_model.bulk():
            return function(*args, **kwargs)
    return paused


@_collector_paused
def change_chains(
    cur,
    asset_ids: list[str],
    branch_id: str | None,
    mutate: Callable[[str, list[dict]], list[dict]],
    ctx: Context,
    *,
    primary: set[str] = frozenset(),
    old_masters: dict[str, str] | None = None,
    propagation_reason: str | Callable[[str], str] | None = None,
    from_scene: int | None = None,
    write: bool = True,
    masters: dict[str, dict] | None = None,
) -> ChainOutcome:
    """Apply `mutate(asset_id, rows)` to each asset's chain (its rows in scene order;
    it may edit, insert or drop rows), settle them and, when `write`, persist the
    difference: one read, then one DELETE / UPDATE / INSERT and one history INSERT
    for all chains, whatever their number.

    `branch_id` None: the assets' chains in every branch (a master edit; `mutate` then
    sees only chains that have rows). `from_scene`: only the rows from that scene number
    on can change (each chain's latest earlier row is their fixed source), so only
    they are read and settled. `old_masters`: the master descriptions the stored rows
    were computed with, where a master edit changed them. `propagation_reason`: the
    reason of propagation rows, or a function of the asset id giving it.
    Rows in `primary` (and created rows) are audited with `ctx`; every other row
    whose state changed is audited as propagation. `masters`: what `lock_chains`
    returned to a caller that already holds the lock (it is not taken again).

    The settled rows (`ChainOutcome.rows`) carry the read model's columns as a read
    after the write would give them (created rows: no image yet), without their
    state hash (`instances.restate`); each anchor (the row before `from_scene`) is
    in `ChainOutcome.anchors`.
    """
    asset_ids = list(dict.fromkeys(asset_ids))
    if masters is None:
        masters = (lock_chains if write else read_masters)(cur, asset_ids)
    loaded = instances.load_chains(cur, asset_ids, branch_id, from_scene)
    keys = list(loaded) if branch_id is None else [(branch_id, a) for a in asset_ids]
    styles = [rows[0]["visual_style"] for rows in loaded.values()]   # one project
    before, after = [], []
    out = ChainOutcome(masters=masters)
    for key in keys:
        rows, anchor = loaded.get(key, []), None
        if from_scene is not None and rows and rows[0]["scene_number"] < from_scene:
            anchor, rows = rows[0], rows[1:]
            out.anchors[key] = anchor
        aid = key[1]
        before += rows
        settled = rules.settle(mutate(aid, [dict(r) for r in rows]),
                               masters[aid]["description"], (old_masters or {}).get(aid),
                               prev=anchor)
        instances.link_sources(settled, anchor)
        after += settled
    if any(r.get("asset_name") is None for r in after):       # created rows: the joins
        style = styles[0] if styles else instances.visual_style(
            cur, masters[asset_ids[0]]["project_id"])
        for r in after:
            if r.get("asset_name") is None:
                m = masters[r["project_asset_id"]]
                r.update(asset_name=m["name"], asset_type=m["asset_type"],
                         master_image_hash=m["master_image_hash"], visual_style=style,
                         image_key=None, image_hash=None)
    old_by_id = {r["id"]: r for r in before}

    out.rows = {r["id"]: r for r in after}
    out.deleted = [i for i in old_by_id if i not in out.rows]
    now = utcnow()
    entries, inserts, updates = [], [], []
    for new in after:
        old = old_by_id.get(new["id"])
        is_primary = new["id"] in primary or old is None
        if old is None:
            out.created.append(new["id"])
        elif not rules.state_changed(old, new):
            continue
        elif not is_primary:
            conflict = rules.tag_conflict(old, new)
            if conflict:
                out.conflicts.append(TagConflict(new["id"], old["scene_number"],
                                                 old["asset_name"], *conflict))
            # every other instance whose state changed is reported, so callers can
            # refresh it: flagged when the only news is a new flag, else propagated
            if rules.newly_flagged(old, new) and not rules.visible_change(old, new):
                out.flagged.append(new["id"])
            else:
                out.propagated.append(new["id"])
        out.changed.append(new["id"])
        if is_primary:
            row_ctx = ctx
        else:
            reason = propagation_reason
            if callable(reason):
                reason = reason(new["project_asset_id"])
            row_ctx = Context(ctx.actor, "propagation", reason or ctx.reason)
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
        instances.update_rows(cur, updates, old_by_id)
        instances.insert_rows(cur, inserts)
        out.change_id = history.append(cur, entries)
    return out
