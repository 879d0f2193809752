"""Producer edits of one instance: update, preview, remove, lock, tag review,
upstream decisions, revert and undo. Each is a version-checked change to the
instance's chain (`appearances.change_chain`), so P2 and A1 apply to all.

A change is decided on the instance as read, then written only after taking the
chain lock and checking that the version it was decided on is still current
(DESIGN "Storage seam"); a no-op writes nothing. A stale `update_instance` merges
three-way (A6); every other action keeps the strict check: it decides on the
whole state the producer saw (a lock, a review, an upstream decision, a revert
or undo, a removal)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core import validation as v
from core.chain import appearances, rules
from core.errors import ConflictError, LockedError, NotFoundError, ValidationError
from core.models import UNSET, Instance, Reached, TagConflict, UpdateResult
from core.store import history, instances
from core.store.history import EDITABLE_FIELDS, Context
from core.tags.normalize import normalize_tags

PREVIEW = Context("preview", "user")
FIELD_LABELS = {"description_override": "the description", "status_tags": "the tags",
                "carry_forward": "carry-forward"}
# A6: the stored fields that move with each editable field; a change of any of them
# since the edit's version is a change of "the same field"
FIELD_GROUPS = {
    "description_override": ("description_override", "effective_description",
                             "inherited_description", "upstream_description_changed"),
    "status_tags": ("status_tags", "inherited_tags", "pending_review", "upstream_tags_changed"),
    "carry_forward": ("carry_forward",),
}


def _where(row: dict) -> str:
    return f"{row['asset_name']} in scene {row['scene_number']}"


def _stale(row: dict, expected_version: int) -> ConflictError:
    return ConflictError(
        f"{_where(row)} was changed by someone else (version {row['version']}, you had "
        f"{expected_version}). Nothing was saved; review the current state and apply your "
        "change again.",
        current=instances.to_instance(row),
    )


def _refuse_locked(row: dict) -> None:
    if row["locked"]:
        raise LockedError(f"{_where(row)} is locked; unlock it to edit.")


def _current(cur, rows: list[dict], row: dict) -> dict:
    """The instance's row in its chain as read under the chain's lock, if it is still
    the version the change was decided on (`row`, read before the lock: an engine that
    blocks lets a concurrent change finish first); else ConflictError."""
    for r in rows:
        if r["id"] == row["id"] and r["version"] == row["version"]:
            return r
    raise _stale(instances.load_row(cur, row["id"]), row["version"])


def _load_for_edit(cur, instance_id: str, expected_version: int, *, allow_locked=False) -> dict:
    row = instances.load_row(cur, instance_id)
    if row["version"] != expected_version:
        raise _stale(row, expected_version)
    if not allow_locked:
        _refuse_locked(row)
    return row


def _load_for_preview(cur, instance_id: str) -> dict:
    row = instances.load_row(cur, instance_id)
    _refuse_locked(row)
    return row


_BOOKKEEPING = ("version", "modification_count", "last_modified_field", "modification_reason",
               "updated_at")


def _apply(cur, row: dict, change: Callable[[dict], None], ctx: Context, *,
           write=True) -> UpdateResult:
    """Run `change` on the instance's row inside its chain, settle and (maybe) write."""
    target, before = row["id"], {}
    masters = appearances.lock_chain(cur, row["project_asset_id"]) if write else None

    def mutate(rows):
        current = _current(cur, rows, row)
        before.update(current)
        change(current)
        return rows

    out = appearances.change_chain(
        cur, row["project_asset_id"], row["branch_id"], mutate, ctx, primary={target},
        propagation_reason=f"{row['asset_name']} edited in scene {row['scene_number']}",
        from_scene=row["scene_number"], write=write,   # earlier appearances cannot change
        masters=masters,
    )
    settled = out.rows[target]
    if not write:   # a preview: the settled state on the instance as it is stored now
        settled = {**settled, **{f: before[f] for f in _BOOKKEEPING}}
    return _result(instances.to_instance(instances.restate(settled)), out)


def _result(instance: Instance | None, out: appearances.ChainOutcome) -> UpdateResult:
    reached = {i: Reached(r["scene_id"], r["scene_number"], bool(r["locked"]))
               for i in (*out.propagated, *out.flagged) for r in (out.rows[i],)}
    return UpdateResult(instance, out.propagated, out.flagged, out.conflicts, out.change_id,
                        reached)


def _unchanged(row: dict) -> UpdateResult:
    return UpdateResult(instances.to_instance(row), [], [])


def _requested(description_override, status_tags, carry_forward) -> dict:
    """The fields an edit names, validated and normalized."""
    out: dict = {}
    if description_override is not UNSET:
        out["description_override"] = None if description_override is None else v.text(
            description_override, "Description", v.MAX_DESCRIPTION)
    if status_tags is not UNSET:
        out["status_tags"] = normalize_tags(status_tags)
    if carry_forward is not UNSET:
        out["carry_forward"] = v.flag(carry_forward, "Carry forward")
    return out


def _merge(cur, row: dict, expected_version: int, requested: dict) -> dict:
    """A6: an edit based on an older version keeps the fields it changed against that
    version; it conflicts only where someone else changed the same field since."""
    since = (history.since_version(cur, row["id"], expected_version, row["version"])
             if isinstance(expected_version, int) and 0 < expected_version < row["version"]
             else None)
    if since is None:
        raise _stale(row, expected_version)
    base: dict = {}
    for h in since:   # the oldest row of a field holds its value at expected_version
        base.setdefault(h.field, h.old_value)
    mine = {}
    for name, value in requested.items():
        start = base.get(name, row[name])
        if name == "status_tags":
            start = list(start or [])
        if value in (start, row[name]):
            continue   # this edit did not change the field, or made the same change
        others = [h for h in since if h.field in FIELD_GROUPS[name]]
        if others:
            who = ", ".join(dict.fromkeys(
                h.actor + (" (through an earlier scene)" if h.source == "propagation" else "")
                for h in others))
            raise ConflictError(
                f"{_where(row)}: {who} changed {FIELD_LABELS[name]} since you opened it "
                f"(version {expected_version}, now {row['version']}). Nothing was saved; "
                "review the current state and apply your change again.",
                current=instances.to_instance(row),
            )
        mine[name] = value
    return mine


def _set_fields(changes: dict) -> Callable[[dict], None]:
    def change(r):
        r.update(changes)
        if "description_override" in changes:
            r["upstream_description_changed"] = False   # P4: editing the field answers it
        if "status_tags" in changes:
            r["upstream_tags_changed"] = False
            r["pending_review"] = False                  # T3: any tag edit answers the review
    return change


def _differing(row: dict, changes: dict) -> dict:
    return {k: val for k, val in changes.items() if val != row[k]}


def update_instance(cur, instance_id, expected_version, ctx: Context, *,
                    description_override=UNSET, status_tags=UNSET,
                    carry_forward=UNSET) -> UpdateResult:
    requested = _requested(description_override, status_tags, carry_forward)
    row = instances.load_to_decide(cur, instance_id)   # the full row only where it is shown
    if row["version"] != expected_version:
        row = instances.load_row(cur, instance_id)
        requested = _merge(cur, row, expected_version, requested)
    _refuse_locked(row)
    changes = _differing(row, requested)
    if not changes:
        return _unchanged(instances.load_row(cur, instance_id))
    return _apply(cur, row, _set_fields(changes), ctx)


def preview_update(cur, instance_id, *, description_override=UNSET, status_tags=UNSET,
                   carry_forward=UNSET) -> UpdateResult:
    """P3: what `update_instance` would do, computed the same way, written nowhere
    (decided on the stored state, as `update_instance` is: the chain read brings the
    rest of the row)."""
    row = instances.load_to_decide(cur, instance_id)
    _refuse_locked(row)
    changes = _differing(row, _requested(description_override, status_tags, carry_forward))
    if not changes:
        return _unchanged(instances.load_row(cur, instance_id))
    return _apply(cur, row, _set_fields(changes), PREVIEW, write=False)


def remove_instance(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    """Remove an asset from a scene; its history stays, its next appearance re-links (I1)."""
    row = _load_for_edit(cur, instance_id, expected_version)
    masters = appearances.lock_chain(cur, row["project_asset_id"])

    def drop(rows):
        gone = _current(cur, rows, row)
        return [r for r in rows if r is not gone]

    out = appearances.change_chain(
        cur, row["project_asset_id"], row["branch_id"], drop, ctx,
        propagation_reason=f"{row['asset_name']} removed from scene {row['scene_number']}",
        masters=masters,
    )
    return _result(None, out)


def _refuse_pending(row: dict) -> None:
    """E2: locking waits for the tag review (T3)."""
    if row["pending_review"]:
        raise ValidationError(f"Review the carried conditions of {_where(row)} before "
                              "locking it.")


def lock_instance(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    row = _load_for_edit(cur, instance_id, expected_version)
    _refuse_pending(row)

    def lock(r):
        r["locked"] = True
    return _apply(cur, row, lock, ctx)


def unlock_instance(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    """Unlock; the instance follows again where P1 says (settle recomputes it)."""
    row = _load_for_edit(cur, instance_id, expected_version, allow_locked=True)
    if not row["locked"]:
        return _unchanged(row)

    def unlock(r):
        r["locked"] = False
    return _apply(cur, row, unlock, ctx)


def review_tags(cur, instance_id, keep, expected_version, ctx: Context) -> UpdateResult:
    """T3: keep only the carried conditions that really carry into this scene."""
    row = _load_for_edit(cur, instance_id, expected_version)
    keep = normalize_tags(keep)
    unknown = [t for t in keep if t not in row["status_tags"]]
    if unknown:
        raise ValidationError(
            f"{', '.join(unknown)} is not among the tags of {row['asset_name']} here."
        )
    tags = [t for t in row["status_tags"] if t in keep]
    if tags == row["status_tags"] and not row["pending_review"]:
        return _unchanged(row)

    def review(r):
        r["status_tags"] = tags
        r["pending_review"] = False
        r["upstream_tags_changed"] = False
    return _apply(cur, row, review, ctx)


def _take(cur, row: dict, merge_tags: bool, ctx: Context, write=True) -> UpdateResult:
    """P4, T5: replace the flagged fields with what the source now passes on; with
    `merge_tags`, keep the instance's own tags first and add the upstream ones."""
    if not (row["upstream_description_changed"] or row["upstream_tags_changed"]):
        return _unchanged(row)

    def take(r):
        if r["upstream_description_changed"]:
            r["description_override"] = None
            r["upstream_description_changed"] = False
        if r["upstream_tags_changed"]:
            upstream, own = list(r["inherited_tags"]), list(r["status_tags"])
            added = [t for t in upstream if t not in own] if merge_tags else upstream
            r["status_tags"] = own + added if merge_tags else upstream
            r["upstream_tags_changed"] = False
            r["pending_review"] = bool(added)   # T3: what upstream added is reviewed
    return _apply(cur, row, take, ctx, write=write)


def take_upstream(cur, instance_id, expected_version, ctx: Context, *,
                  merge_tags: bool = False) -> UpdateResult:
    return _take(cur, _load_for_edit(cur, instance_id, expected_version), merge_tags, ctx)


def preview_take_upstream(cur, instance_id, *, merge_tags: bool = False) -> UpdateResult:
    return _take(cur, _load_for_preview(cur, instance_id), merge_tags, PREVIEW, write=False)


def mark_reviewed(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    """P4: keep this instance's own values and clear its upstream flags."""
    row = _load_for_edit(cur, instance_id, expected_version)
    if not (row["upstream_description_changed"] or row["upstream_tags_changed"]):
        return _unchanged(row)

    def clear(r):
        r["upstream_description_changed"] = False
        r["upstream_tags_changed"] = False
    return _apply(cur, row, clear, ctx)


REVERTABLE_FIELDS = frozenset({"description_override", "effective_description",
                               "inherited_description", "status_tags", "inherited_tags",
                               "carry_forward"})


def _revert_changes(cur, row: dict, history_id: int, before: bool) -> dict:
    """A3: the edit that makes the field's effective value what history row H
    recorded as new (or, with `before`, as old: the value before that change)."""
    h = history.get(cur, history_id)
    if h is None or h.instance_id != row["id"]:
        raise NotFoundError(f"History entry {history_id} is not part of this instance's history.")
    value = h.old_value if before else h.new_value
    if h.field == "description_override":
        changes = {"description_override": value}
    elif h.field in ("effective_description", "inherited_description"):
        if value is None:
            raise ValidationError("That history entry holds no description to restore.")
        base = rules.upstream_base(
            row, appearances.master_description(cur, row["project_asset_id"]))
        changes = {"description_override": None if value == base else value}
    elif h.field in ("status_tags", "inherited_tags"):
        changes = {"status_tags": list(value or [])}
    elif h.field == "carry_forward":
        if value is None:
            raise ValidationError("That history entry holds no carry-forward to restore.")
        changes = {"carry_forward": bool(value)}
    else:
        raise ValidationError(
            f"The field {h.field!r} cannot be reverted; only description, tags and "
            "carry-forward can."
        )
    return _differing(row, changes)


def _revert(cur, row, history_id, before, ctx: Context, write=True) -> UpdateResult:
    changes = _revert_changes(cur, row, history_id, before)
    if not changes:
        return _unchanged(row)
    which = "the value before" if before else "history"
    revert_ctx = Context(ctx.actor, "revert", ctx.reason or f"reverted to {which} #{history_id}")
    return _apply(cur, row, _set_fields(changes), revert_ctx, write=write)


def revert_instance(cur, instance_id, history_id, expected_version, ctx: Context, *,
                    before: bool = False) -> UpdateResult:
    row = _load_for_edit(cur, instance_id, expected_version)
    return _revert(cur, row, history_id, before, ctx)


def preview_revert(cur, instance_id, history_id, *, before: bool = False) -> UpdateResult:
    """A5: what `revert_instance` would do, computed the same way, written nowhere."""
    return _revert(cur, _load_for_preview(cur, instance_id), history_id, before, PREVIEW,
                   write=False)


def _undo_changes(cur, row: dict, change_id: str) -> tuple[dict, str]:
    """A3: the edit restoring every field one save changed on this instance, and a
    reason naming the save; refused when one of them changed again since."""
    if not isinstance(change_id, str):
        raise ValidationError(f"A change id is text, not {change_id!r}.")
    rows = history.of_change(cur, row["id"], change_id)
    if not rows:
        raise NotFoundError("That change is not part of this instance's history.")
    if any(h.field == "effective_description" and h.old_value is None for h in rows):
        raise ValidationError("That change created the instance; remove it instead.")
    edits = [h for h in rows if h.field in EDITABLE_FIELDS and h.source in ("user", "revert")]
    if not edits:
        raise ValidationError(
            "That change edited no description, tags or carry-forward here; nothing to undo.")
    again = [h.field for h in edits if row[h.field] != h.new_value]
    if again:
        raise ConflictError(
            f"{_where(row)}: {', '.join(FIELD_LABELS[f] for f in again)} changed again since "
            "that save, so it cannot be undone as a whole. Nothing was changed; revert single "
            "fields from the history instead.",
            current=instances.to_instance(row),
        )
    changes = {h.field: list(h.old_value or []) if h.field == "status_tags" else h.old_value
               for h in edits}
    first = edits[0]
    return changes, f"undo of the save by {first.actor} at {first.at:%Y-%m-%d %H:%M} UTC"


def _undo(cur, row, change_id, ctx: Context, write=True) -> UpdateResult:
    changes, reason = _undo_changes(cur, row, change_id)
    undo_ctx = Context(ctx.actor, "revert", ctx.reason or reason)
    return _apply(cur, row, _set_fields(changes), undo_ctx, write=write)


def undo_change(cur, instance_id, change_id, expected_version, ctx: Context) -> UpdateResult:
    row = _load_for_edit(cur, instance_id, expected_version)
    return _undo(cur, row, change_id, ctx)


def preview_undo(cur, instance_id, change_id) -> UpdateResult:
    """A3: what `undo_change` would do, written nowhere."""
    return _undo(cur, _load_for_preview(cur, instance_id), change_id, PREVIEW, write=False)


# --- bulk lock, unlock and removal (the editor's multi-select) ----------------------

@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: `instances` it changed (as now; none for a removal),
    `removed` ids and their (project, branch, scene, asset) ids in `removed_places`,
    `skipped` ids already in the asked state, and downstream effects as in
    `UpdateResult`."""

    instances: list[Instance] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    removed_places: list[tuple[str, str, str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    propagated: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    conflicts: list[TagConflict] = field(default_factory=list)
    change_id: str | None = None


def _pairs(items) -> dict[str, int]:
    """(instance_id, expected_version) pairs, validated; the first pair of an id wins."""
    if isinstance(items, (str, bytes, dict)) or not isinstance(items, (list, tuple)):
        raise ValidationError("Give the instances as a list of (instance id, version) pairs.")
    out: dict[str, int] = {}
    for item in items:
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not isinstance(item[0], str)):
            raise ValidationError(f"{item!r} is not an (instance id, version) pair.")
        out.setdefault(item[0], item[1])
    return out


def _bulk(cur, items, ctx: Context, action: str) -> BulkResult:
    """Lock, unlock or remove many instances in one change, all or nothing: a stale
    version, a lock (removal) or a pending review (lock) refuses the whole batch
    before anything is written. A bounded number of queries, whatever the number."""
    wanted = _pairs(items)
    if not wanted:
        return BulkResult()
    rows = instances.load_rows(cur, list(wanted))
    for row in rows:
        if row["version"] != wanted[row["id"]]:
            raise _stale(row, wanted[row["id"]])
    skip = {"lock": lambda r: r["locked"], "unlock": lambda r: not r["locked"],
            "remove": lambda r: False}[action]
    targets = [r for r in rows if not skip(r)]
    for row in targets:
        if action == "lock":
            _refuse_pending(row)
        elif action == "remove":
            _refuse_locked(row)
    skipped = [r["id"] for r in rows if skip(r)]
    if not targets:
        return BulkResult(skipped=skipped)
    by_id = {r["id"]: r for r in targets}
    asset_ids = list(dict.fromkeys(r["project_asset_id"] for r in targets))
    masters = appearances.lock_chains(cur, asset_ids)
    now = dict(cur.execute("SELECT id, version FROM scene_asset_instances "
                           "WHERE id = ANY(?::VARCHAR[])", [list(by_id)]).fetchall())
    for iid, row in by_id.items():
        if now.get(iid) != row["version"]:
            raise _stale(instances.load_row(cur, iid), row["version"])

    def mutate(_aid, chain_rows):
        if action == "remove":
            return [r for r in chain_rows if r["id"] not in by_id]
        for r in chain_rows:
            if r["id"] in by_id:
                r["locked"] = action == "lock"
        return chain_rows

    def reason(aid):
        mine = [r for r in targets if r["project_asset_id"] == aid]
        where = ", ".join(str(r["scene_number"]) for r in mine)
        verb = "removed from" if action == "remove" else "edited in"
        return f"{mine[0]['asset_name']} {verb} scene{'s' if len(mine) > 1 else ''} {where}"

    branches = {r["branch_id"] for r in targets}
    out = appearances.change_chains(
        cur, asset_ids, branches.pop() if len(branches) == 1 else None, mutate, ctx,
        primary=set(by_id), propagation_reason=reason, masters=masters)
    changed = [] if action == "remove" else [
        instances.to_instance(instances.restate(out.rows[i])) for i in by_id]
    places = [(r["project_id"], r["branch_id"], r["scene_id"], r["project_asset_id"])
              for r in targets if r["id"] in out.deleted]
    return BulkResult(changed, out.deleted, places, skipped, out.propagated, out.flagged,
                      out.conflicts, out.change_id)


def lock_instances(cur, items, ctx: Context) -> BulkResult:
    """Lock many instances (E2) in one change; those already locked are skipped."""
    return _bulk(cur, items, ctx, "lock")


def unlock_instances(cur, items, ctx: Context) -> BulkResult:
    """Unlock many instances in one change; those not locked are skipped."""
    return _bulk(cur, items, ctx, "unlock")


def remove_instances(cur, items, ctx: Context) -> BulkResult:
    """Remove many instances in one change; their next appearances re-link (I1)."""
    return _bulk(cur, items, ctx, "remove")
