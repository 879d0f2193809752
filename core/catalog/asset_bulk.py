"""Project assets many at a time (CSV and screenplay imports, the demo seed): rows are
validated as `assets.add_asset` / `update_asset` validate them, matched in Python,
and written with one INSERT and one UPDATE, whatever their number."""

from __future__ import annotations

from dataclasses import replace

from core import validation as v
from core.catalog.projects import new_id
from core.errors import ValidationError
from core.models import Asset
from core.store.db import utcnow


def new_asset(project_id: str, name, asset_type, description, *, aliases=None,
              approved=True) -> Asset:
    """An asset not yet written, checked with `add_asset`'s rules (but the unique name)."""
    name = v.name(name, "Asset name")
    return Asset(new_id(), project_id, name, v.aliases(aliases, name), v.asset_type(asset_type),
                 v.text(description, "Master description", v.MAX_DESCRIPTION), None,
                 v.flag(approved, "Approved"), 1)


def edited(asset: Asset, **changes) -> Asset:
    """`asset` with the given fields (name, aliases, asset_type, description, approved),
    checked with `update_asset`'s rules; the same object when nothing changes, else the
    next version."""
    name = v.name(changes.get("name", asset.name), "Asset name")
    new = {
        "name": name,
        "asset_type": v.asset_type(changes.get("asset_type", asset.asset_type)),
        "description": v.text(changes.get("description", asset.description),
                              "Master description", v.MAX_DESCRIPTION),
        "approved": v.flag(changes.get("approved", asset.approved), "Approved"),
        "aliases": v.aliases(changes.get("aliases", asset.aliases), name),
    }
    if all(new[k] == getattr(asset, k) for k in new):
        return asset
    return replace(asset, version=asset.version + 1, **new)


def by_lower_name(assets) -> dict[str, Asset]:
    """The index `check_unique_name` looks names up in (keep it current as names change)."""
    return {a.name.lower(): a for a in assets}


def check_unique_name(names: dict[str, Asset], name: str, exclude: str | None = None) -> None:
    """The rule of `assets.add_asset`: no two assets of a project share a name (any case).
    `names`: the project's assets by lower-case name (`by_lower_name`)."""
    clash = names.get(name.lower())
    if clash is not None and clash.id != exclude:
        raise name_taken(clash.name)


def name_taken(existing: str) -> ValidationError:
    """The one message for a name another asset of the project already has."""
    return ValidationError(f"The project already has an asset named {existing!r}.")


def insert(cur, assets: list[Asset]) -> None:
    """Write new assets in one statement."""
    if not assets:
        return
    now = utcnow()
    cur.execute(
        "INSERT INTO project_assets (id, project_id, name, aliases, asset_type, description, "
        "master_image_key, approved, global_asset_id, version, created_at, updated_at) "
        "SELECT UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), "
        "UNNEST(?::VARCHAR[][]), UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), "
        "UNNEST(?::VARCHAR[]), UNNEST(?::BOOLEAN[]), UNNEST(?::VARCHAR[]), "
        "UNNEST(?::INTEGER[]), ?, ?",
        [[a.id for a in assets], [a.project_id for a in assets], [a.name for a in assets],
         [a.aliases for a in assets], [a.asset_type for a in assets],
         [a.description for a in assets], [a.master_image_key for a in assets],
         [a.approved for a in assets], [a.global_asset_id for a in assets],
         [a.version for a in assets], now, now])


def update(cur, assets: list[Asset]) -> None:
    """Write edited assets (name, aliases, type, description, approved, version) in one
    statement. The caller lets master description changes flow on
    (`appearances.change_chains` with `old_masters`, as `assets.update_asset` does)."""
    if not assets:
        return
    cur.execute(
        "UPDATE project_assets SET name = u.name, aliases = u.aliases, "
        "asset_type = u.asset_type, description = u.description, approved = u.approved, "
        "version = u.version, updated_at = ? FROM (SELECT UNNEST(?::VARCHAR[]) AS id, "
        "UNNEST(?::VARCHAR[]) AS name, UNNEST(?::VARCHAR[][]) AS aliases, "
        "UNNEST(?::VARCHAR[]) AS asset_type, UNNEST(?::VARCHAR[]) AS description, "
        "UNNEST(?::BOOLEAN[]) AS approved, UNNEST(?::INTEGER[]) AS version) u "
        "WHERE project_assets.id = u.id",
        [utcnow(), [a.id for a in assets], [a.name for a in assets],
         [a.aliases for a in assets], [a.asset_type for a in assets],
         [a.description for a in assets], [a.approved for a in assets],
         [a.version for a in assets]])
