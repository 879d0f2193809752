"""Project assets (master definitions) and the global library. A master
description edit flows to the instances that follow it (E1, P2)."""

from __future__ import annotations

import re

from core import validation as v
from core.catalog import asset_bulk
from core.catalog.projects import get_project, new_id
from core.chain import appearances
from core.errors import ConflictError, NotFoundError
from core.models import UNSET, Asset, GlobalAsset
from core.store import read_model
from core.store.db import utcnow
from core.store.history import Context

_COLS = (
    "id, project_id, name, aliases, asset_type, description, master_image_key, approved, "
    "version, global_asset_id, parent_asset_id, look_of_asset_id, description_source"
)


ALIAS_SEPARATOR = ";"
_ALIAS = re.compile(r"(?:[^;]|;;)+")


def join_aliases(aliases: list[str]) -> str:
    """Aliases as one text (a form field, a CSV cell): separated by `; `, a `;` inside
    an alias written `;;`. `split_aliases` reads it back."""
    return "; ".join(a.replace(";", ";;") for a in aliases)


def split_aliases(text: str | None) -> list[str]:
    """The aliases a person typed as one text, in order, blanks dropped."""
    parts = (m.group(0).replace(";;", ";").strip() for m in _ALIAS.finditer(text or ""))
    return [a for a in parts if a]


def _asset(r) -> Asset:
    r = list(r)
    r[3] = list(r[3])
    return Asset(*r)


def get_asset(cur, asset_id: str) -> Asset:
    r = cur.execute(f"SELECT {_COLS} FROM project_assets WHERE id = ?", [asset_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Asset {asset_id} does not exist.")
    return _asset(r)


def list_assets(cur, project_id: str) -> list[Asset]:
    """The project's assets by type, then name (`read_model.BY_TYPE_AND_NAME`)."""
    rows = cur.execute(
        f"SELECT {_COLS} FROM project_assets a WHERE project_id = ? "
        f"ORDER BY {read_model.BY_TYPE_AND_NAME}", [project_id]).fetchall()
    if not rows:
        get_project(cur, project_id)    # NotFoundError for an unknown project
    return [_asset(r) for r in rows]


def _check_unique_name(cur, project_id: str, name: str, exclude: str | None = None) -> None:
    clash = cur.execute(
        "SELECT name FROM project_assets WHERE project_id = ? AND lower(name) = lower(?) "
        "AND id IS DISTINCT FROM ?",
        [project_id, name, exclude],
    ).fetchone()
    if clash:
        raise asset_bulk.name_taken(clash[0])


def add_asset(cur, project_id, name, asset_type, description, *, aliases=None,
              approved=True, master_image_key=None, global_asset_id=None) -> Asset:
    get_project(cur, project_id)
    name = v.name(name, "Asset name")
    asset_type = v.asset_type(asset_type)
    description = v.text(description, "Master description", v.MAX_DESCRIPTION)
    alias_list = v.aliases(aliases, name)
    approved = v.flag(approved, "Approved")
    _check_unique_name(cur, project_id, name)
    aid, now = new_id(), utcnow()
    cur.execute(
        "INSERT INTO project_assets (id, project_id, name, aliases, asset_type, description, "
        "master_image_key, approved, global_asset_id, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [aid, project_id, name, alias_list, asset_type, description, master_image_key,
         approved, global_asset_id, now, now],
    )
    return get_asset(cur, aid)


def _current(cur, asset_id: str, expected_version: int) -> Asset:
    asset = get_asset(cur, asset_id)
    if asset.version != expected_version:
        raise ConflictError(
            f"{asset.name} was changed by someone else (version {asset.version}, "
            f"you had {expected_version}). Your edit was not saved.",
            current=asset,
        )
    return asset


def update_asset(cur, asset_id, expected_version, ctx: Context, *, name=UNSET, aliases=UNSET,
                 asset_type=UNSET, description=UNSET, approved=UNSET) -> Asset:
    """Edit a master definition (A4 versioned). A description change reaches every
    instance that shows the master live and flows on from there (E1, P2). A no-op
    writes nothing; a change takes the chain's lock, then checks the version again
    (DESIGN "Storage seam": on an engine that blocks, a concurrent edit finishes first)."""
    asset = _current(cur, asset_id, expected_version)
    new = {
        "name": asset.name if name is UNSET else v.name(name, "Asset name"),
        "asset_type": asset.asset_type if asset_type is UNSET else v.asset_type(asset_type),
        "description": asset.description if description is UNSET
        else v.text(description, "Master description", v.MAX_DESCRIPTION),
        "approved": asset.approved if approved is UNSET else v.flag(approved, "Approved"),
    }
    new["aliases"] = v.aliases(asset.aliases if aliases is UNSET else aliases, new["name"])
    if new["name"] != asset.name:
        _check_unique_name(cur, asset.project_id, new["name"], exclude=asset_id)
    if all(new[k] == getattr(asset, k) for k in new):
        return asset
    appearances.lock_chain(cur, asset_id)
    _current(cur, asset_id, expected_version)
    source = asset.description_source if new["description"] == asset.description else None
    cur.execute(
        "UPDATE project_assets SET name = ?, aliases = ?, asset_type = ?, description = ?, "
        "approved = ?, description_source = ?, version = version + 1, updated_at = ? "
        "WHERE id = ?",
        [new["name"], new["aliases"], new["asset_type"], new["description"], new["approved"],
         source, utcnow(), asset_id],
    )
    if new["description"] != asset.description:     # its chains in every branch at once
        appearances.change_chains(
            cur, [asset_id], None, lambda _aid, rows: rows,
            Context(ctx.actor, "propagation", ctx.reason),
            old_masters={asset_id: asset.description}, propagation_reason="master edited",
        )
    return get_asset(cur, asset_id)


# --- the global library -------------------------------------------------------

def add_global_asset(cur, name, asset_type, description, *, aliases=None) -> GlobalAsset:
    name = v.name(name, "Asset name")
    asset_type = v.asset_type(asset_type)
    description = v.text(description, "Description", v.MAX_DESCRIPTION)
    gid = new_id()
    cur.execute(
        "INSERT INTO global_assets (id, name, aliases, asset_type, description, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [gid, name, v.aliases(aliases, name), asset_type, description, utcnow()],
    )
    return get_global_asset(cur, gid)


_GCOLS = "id, name, aliases, asset_type, description, master_image_key"


def _global(r) -> GlobalAsset:
    r = list(r)
    r[2] = list(r[2])
    return GlobalAsset(*r)


def get_global_asset(cur, global_id: str) -> GlobalAsset:
    r = cur.execute(f"SELECT {_GCOLS} FROM global_assets WHERE id = ?", [global_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Library asset {global_id} does not exist.")
    return _global(r)


def list_global_assets(cur) -> list[GlobalAsset]:
    rows = cur.execute(f"SELECT {_GCOLS} FROM global_assets ORDER BY lower(name)").fetchall()
    return [_global(r) for r in rows]


def clone_global_asset(cur, project_id: str, global_id: str) -> Asset:
    g = get_global_asset(cur, global_id)
    return add_asset(cur, project_id, g.name, g.asset_type, g.description, aliases=g.aliases,
                     master_image_key=g.master_image_key, global_asset_id=g.id)
