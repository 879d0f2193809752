"""Attempts (G6): every image an instance has had — generated, uploaded, the
master copied, or inherited (I2) — exactly one selected, older unselected ones
pruned past 8 (files too, once nothing refers to them). Selecting is audited
(A1, source `image`) and does not change the instance's version (A4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.catalog.projects import new_id
from core.errors import NotFoundError, ValidationError
from core.images import orphans
from core.images.store import ImageStore, scene_key, to_png
from core.store import history, instances
from core.store.db import utcnow
from core.store.history import Context

KEEP_UNSELECTED = 8
KINDS = ("generated", "uploaded", "master", "inherited")


@dataclass(frozen=True)
class Attempt:
    id: str
    instance_id: str
    kind: str
    image_key: str
    state_hash: str
    job_id: str | None
    selected: bool
    created_at: datetime
    stale: bool = False


_COLS = "id, instance_id, kind, image_key, state_hash, job_id, selected, created_at"


def list_attempts(cur, instance_id: str, state_hash: str | None = None) -> list[Attempt]:
    """Newest first; stale: of another state than `state_hash` (None: the stored
    instance's)."""
    if state_hash is None:
        state_hash = instances.load_row(cur, instance_id)["state_hash"]
    rows = cur.execute(
        f"SELECT {_COLS} FROM image_attempts WHERE instance_id = ? ORDER BY created_at DESC, id",
        [instance_id],
    ).fetchall()
    return [Attempt(*r, stale=r[4] != state_hash) for r in rows]


def add(cur, store: ImageStore, row: dict, kind: str, ctx: Context, *, png: bytes | None = None,
        source_key: str | None = None, state_hash: str | None = None,
        job_id: str | None = None, own_key: str | None = None) -> str:
    """Store an image for the instance `row` (a loaded instance row) and select it.

    The file comes from `png` (written under a new scene key), from `source_key`
    (copied under a new scene key, G5) or is `own_key` (already written for this
    scene). Returns the attempt id."""
    if own_key is not None:
        key = own_key
    else:
        key = scene_key(row["project_id"], row["branch_id"], row["scene_id"],
                        row["project_asset_id"])
        if png is not None:
            store.write(key, png)
        else:
            store.copy(source_key, key)
    attempt_id = new_id()
    cur.execute(
        f"INSERT INTO image_attempts ({_COLS}, project_id) VALUES (?, ?, ?, ?, ?, ?, false, ?, ?)",
        [attempt_id, row["id"], kind, key, state_hash or row["state_hash"], job_id, utcnow(),
         row["project_id"]],
    )
    _select(cur, row, attempt_id, key, ctx)
    prune(cur, store, row["id"])
    return attempt_id


def select(cur, instance_id: str, attempt_id: str, ctx: Context) -> None:
    row = instances.load_row(cur, instance_id)
    found = cur.execute(
        "SELECT image_key FROM image_attempts WHERE id = ? AND instance_id = ?",
        [attempt_id, instance_id],
    ).fetchone()
    if found is None:
        raise NotFoundError(f"Image attempt {attempt_id} is not one of this instance's images.")
    _select(cur, row, attempt_id, found[0], ctx)


def _select(cur, row: dict, attempt_id: str, key: str, ctx: Context) -> None:
    if row.get("image_key") == key and cur.execute(
            "SELECT selected FROM image_attempts WHERE id = ?", [attempt_id]).fetchone()[0]:
        return
    cur.execute("UPDATE image_attempts SET selected = (id = ?) WHERE instance_id = ?",
                [attempt_id, row["id"]])
    history.append(cur, [(row, "image", row.get("image_key"), key,
                          Context(ctx.actor, "image", ctx.reason))])
    row["image_key"] = key


def prune(cur, store: ImageStore, instance_id: str) -> None:
    """Drop unselected attempts past the newest 8; delete files nothing refers to."""
    old = cur.execute(
        "SELECT id, image_key FROM image_attempts WHERE instance_id = ? AND NOT selected "
        "ORDER BY created_at DESC, id OFFSET ?",
        [instance_id, KEEP_UNSELECTED],
    ).fetchall()
    for attempt_id, key in old:
        cur.execute("DELETE FROM image_attempts WHERE id = ?", [attempt_id])
        delete_if_unused(cur, store, key)


def delete_if_unused(cur, store: ImageStore, key: str) -> bool:
    """Delete the file unless a row refers to it (core.images.orphans decides)."""
    unused = bool(orphans.orphans(cur, [key]))
    if unused:
        store.delete(key)
    return unused


def upload(cur, store: ImageStore, instance_id: str, data: bytes, filename: str,
           ctx: Context) -> str:
    """An uploaded png/jpeg/webp (≤ 5 MB, checked by content, not by name)."""
    row = instances.load_row(cur, instance_id)
    name = filename if isinstance(filename, str) and filename.strip() else "upload"
    png = to_png(data, f"The file {name!r}")
    return add(cur, store, row, "uploaded", ctx, png=png)


def use_master(cur, store: ImageStore, instance_id: str, ctx: Context) -> str:
    """Use the asset's master image for this scene: fresh until the state changes."""
    row = instances.load_row(cur, instance_id)
    master = cur.execute(
        "SELECT master_image_key FROM project_assets WHERE id = ?", [row["project_asset_id"]]
    ).fetchone()[0]
    if not master:
        raise ValidationError(f"{row['asset_name']} has no master image yet.")
    return add(cur, store, row, "master", ctx, source_key=master)


def inherit_many(cur, store: ImageStore, rows: list[dict], ctx: Context,
                 known: dict[str, tuple[str | None, str | None]] | None = None) -> list[str]:
    """I2/I3 for new instances (loaded rows, no attempts yet): each one's first attempt,
    selected — the source's selected image when it carries forward (not stale if the
    states match), else the master image. One read of the sources' selected attempts
    and the masters (none when `known` gives them: (image key, state hash) by source
    instance id and by asset id), one INSERT and one history INSERT; only the
    file copies are per image. An instance whose source is among them gets the copy
    its source got, as if they were inherited one scene at a time. The rows get their
    image (`image_key`, staleness). Returns the new attempt ids."""
    if not rows:
        return []

    def carries(row):
        return bool(row["inherited_from_instance_id"] and row["source_carry_forward"])
    found = dict(known) if known is not None else {r[0]: (r[1], r[2]) for r in cur.execute(
        "SELECT instance_id, image_key, state_hash FROM image_attempts "
        "WHERE selected AND instance_id = ANY(?::VARCHAR[]) "
        "UNION ALL SELECT id, master_image_key, NULL FROM project_assets "
        "WHERE master_image_key IS NOT NULL AND id = ANY(?::VARCHAR[])",
        [[r["inherited_from_instance_id"] for r in rows if carries(r)],
         [r["project_asset_id"] for r in rows if not carries(r)]]).fetchall()}
    now, made, entries = utcnow(), [], []
    image_ctx = Context(ctx.actor, "image", ctx.reason)
    for row in sorted(rows, key=lambda r: r["scene_number"]):   # sources made here first
        inherited = carries(row)
        source_key, state_hash = found.get(
            row["inherited_from_instance_id"] if inherited else row["project_asset_id"],
            (None, None))
        if not source_key or not store.exists(source_key):
            continue
        key = scene_key(row["project_id"], row["branch_id"], row["scene_id"],
                        row["project_asset_id"])
        store.copy(source_key, key)
        state_hash = state_hash if inherited else row["state_hash"]
        made.append((new_id(), row["id"], "inherited" if inherited else "master", key,
                     state_hash, row["project_id"]))
        found[row["id"]] = (key, state_hash)
        entries.append((row, "image", None, key, image_ctx))
        row.update(image_key=key, image_hash=state_hash)
        instances.restate(row)
    if made:
        cur.execute(
            f"INSERT INTO image_attempts ({_COLS}, project_id) SELECT unnest(?::VARCHAR[]), "
            "unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
            "unnest(?::VARCHAR[]), NULL, true, ?, unnest(?::VARCHAR[])",
            [*([m[k] for m in made] for k in range(5)), now, [m[5] for m in made]],
        )
        history.append(cur, entries)
    return [m[0] for m in made]
