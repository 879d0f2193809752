"""Producer edits of one instance: update, preview, remove, lock, tag review,
upstream decisions and revert. Each is a version-checked change to the
instance's chain (`appearances.change_chain`), so P2 and A1 apply to all."""

from __future__ import annotations

from collections.abc import Callable

from . import appearances, chain, history, instances
from . import validation as v
from .errors import ConflictError, LockedError, NotFoundError, ValidationError
from .history import Context
from .models import UNSET, UpdateResult
from .tags import normalize_tags


def _load_for_edit(cur, instance_id: str, expected_version: int, *, allow_locked=False) -> dict:
    row = instances.load_row(cur, instance_id)
    if row["version"] != expected_version:
        raise ConflictError(
            f"{row['asset_name']} in scene {row['scene_number']} was changed by someone else "
            f"(version {row['version']}, you had {expected_version}). Nothing was saved; "
            "review the current state and apply your change again.",
            current=instances.to_instance(row),
        )
    if row["locked"] and not allow_locked:
        raise LockedError(
            f"{row['asset_name']} in scene {row['scene_number']} is locked; unlock it to edit."
        )
    return row


def _apply(cur, row: dict, change: Callable[[dict], None], ctx: Context, *, write=True,
           reason_label: str | None = None) -> UpdateResult:
    """Run `change` on the instance's row inside its chain, settle and (maybe) write."""
    target = row["id"]

    def mutate(rows):
        for r in rows:
            if r["id"] == target:
                change(r)
        return rows

    label = reason_label or f"{row['asset_name']} edited in scene {row['scene_number']}"
    out = appearances.change_chain(
        cur, row["project_asset_id"], row["branch_id"], mutate, ctx,
        primary={target}, propagation_reason=label, write=write,
    )
    settled = out.rows[target]
    instance = instances.get(cur, target) if write else instances.to_instance(
        {**row, **{k: settled[k] for k in settled if k in chain.STATE_FIELDS}}
    )
    return UpdateResult(instance, out.propagated, out.flagged)


def _edit_changes(row: dict, description_override, status_tags, carry_forward) -> dict:
    """Validate the requested edit; returns the fields that really change."""
    changes: dict = {}
    if description_override is not UNSET:
        value = None if description_override is None else v.text(
            description_override, "Description", v.MAX_DESCRIPTION)
        if value != row["description_override"]:
            changes["description_override"] = value
    if status_tags is not UNSET:
        tags = normalize_tags(status_tags)
        if tags != row["status_tags"]:
            changes["status_tags"] = tags
    if carry_forward is not UNSET:
        value = v.flag(carry_forward, "Carry forward")
        if value != row["carry_forward"]:
            changes["carry_forward"] = value
    return changes


def _set_fields(changes: dict) -> Callable[[dict], None]:
    def change(r):
        r.update(changes)
        if "description_override" in changes:
            r["upstream_description_changed"] = False   # P4: editing the field answers it
        if "status_tags" in changes:
            r["upstream_tags_changed"] = False
            r["pending_review"] = False                  # T3: any tag edit answers the review
    return change


def update_instance(cur, instance_id, expected_version, ctx: Context, *, write=True,
                    description_override=UNSET, status_tags=UNSET,
                    carry_forward=UNSET) -> UpdateResult:
    row = _load_for_edit(cur, instance_id, expected_version)
    changes = _edit_changes(row, description_override, status_tags, carry_forward)
    if not changes:
        return UpdateResult(instances.to_instance(row), [], [])
    return _apply(cur, row, _set_fields(changes), ctx, write=write)


def preview_update(cur, instance_id, *, description_override=UNSET, status_tags=UNSET,
                   carry_forward=UNSET) -> UpdateResult:
    """P3: what `update_instance` would do, computed the same way, written nowhere."""
    row = instances.load_row(cur, instance_id)
    if row["locked"]:
        raise LockedError(
            f"{row['asset_name']} in scene {row['scene_number']} is locked; unlock it to edit."
        )
    changes = _edit_changes(row, description_override, status_tags, carry_forward)
    if not changes:
        return UpdateResult(instances.to_instance(row), [], [])
    return _apply(cur, row, _set_fields(changes), Context("preview", "user"), write=False)


def remove_instance(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    """Remove an asset from a scene; its history stays, its next appearance re-links (I1)."""
    row = _load_for_edit(cur, instance_id, expected_version)
    out = appearances.change_chain(
        cur, row["project_asset_id"], row["branch_id"],
        lambda rows: [r for r in rows if r["id"] != instance_id], ctx,
        propagation_reason=f"{row['asset_name']} removed from scene {row['scene_number']}",
    )
    return UpdateResult(None, out.propagated, out.flagged)


def lock_instance(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    row = _load_for_edit(cur, instance_id, expected_version)
    if row["pending_review"]:
        raise ValidationError(
            f"Review the carried conditions of {row['asset_name']} before locking it."
        )

    def lock(r):
        r["locked"] = True
    return _apply(cur, row, lock, ctx)


def unlock_instance(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    """Unlock; the instance follows again where P1 says (settle recomputes it)."""
    row = _load_for_edit(cur, instance_id, expected_version, allow_locked=True)
    if not row["locked"]:
        return UpdateResult(instances.to_instance(row), [], [])

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
        return UpdateResult(instances.to_instance(row), [], [])

    def review(r):
        r["status_tags"] = tags
        r["pending_review"] = False
        r["upstream_tags_changed"] = False
    return _apply(cur, row, review, ctx)


def take_upstream(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    """P4: replace the flagged fields with what the source now passes on."""
    row = _load_for_edit(cur, instance_id, expected_version)
    if not (row["upstream_description_changed"] or row["upstream_tags_changed"]):
        return UpdateResult(instances.to_instance(row), [], [])

    def take(r):
        if r["upstream_description_changed"]:
            r["description_override"] = None
            r["upstream_description_changed"] = False
        if r["upstream_tags_changed"]:
            r["status_tags"] = list(r["inherited_tags"])
            r["upstream_tags_changed"] = False
            r["pending_review"] = bool(r["inherited_tags"])
    return _apply(cur, row, take, ctx)


def mark_reviewed(cur, instance_id, expected_version, ctx: Context) -> UpdateResult:
    """P4: keep this instance's own values and clear its upstream flags."""
    row = _load_for_edit(cur, instance_id, expected_version)
    if not (row["upstream_description_changed"] or row["upstream_tags_changed"]):
        return UpdateResult(instances.to_instance(row), [], [])

    def clear(r):
        r["upstream_description_changed"] = False
        r["upstream_tags_changed"] = False
    return _apply(cur, row, clear, ctx)


REVERTABLE_FIELDS = frozenset({"description_override", "effective_description",
                               "inherited_description", "status_tags", "inherited_tags",
                               "carry_forward"})


def revert_instance(cur, instance_id, history_id, expected_version, ctx: Context) -> UpdateResult:
    """A3: make the field's effective value what history row H recorded as new."""
    row = _load_for_edit(cur, instance_id, expected_version)
    h = history.get(cur, history_id)
    if h is None or h.instance_id != instance_id:
        raise NotFoundError(f"History entry {history_id} is not part of this instance's history.")
    if h.field == "description_override":
        changes = {"description_override": h.new_value}
    elif h.field in ("effective_description", "inherited_description"):
        if h.new_value is None:
            raise ValidationError("That history entry holds no description to restore.")
        base = row["inherited_description"]
        if base is None:
            base = appearances.master_description(cur, row["project_asset_id"])
        changes = {"description_override": None if h.new_value == base else h.new_value}
    elif h.field in ("status_tags", "inherited_tags"):
        changes = {"status_tags": list(h.new_value or [])}
    elif h.field == "carry_forward":
        changes = {"carry_forward": bool(h.new_value)}
    else:
        raise ValidationError(
            f"The field {h.field!r} cannot be reverted; only description, tags and "
            "carry-forward can."
        )
    changes = {k: val for k, val in changes.items() if val != row[k]}
    if not changes:
        return UpdateResult(instances.to_instance(row), [], [])
    revert_ctx = Context(ctx.actor, "revert", ctx.reason or f"reverted to history #{history_id}")
    return _apply(cur, row, _set_fields(changes), revert_ctx)

