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
              approved=True, description_source: str | None = None) -> Asset:
    """An asset not yet written, checked with `add_asset`'s rules (but the unique name).
    `description_source`: 'script' or 'placeholder' for a description a screenplay gave."""
    name = v.name(name, "Asset name")
    return Asset(new_id(), project_id, name, v.aliases(aliases, name), v.asset_type(asset_type),
                 v.text(description, "Master description", v.MAX_DESCRIPTION), None,
                 v.flag(approved, "Approved"), 1,
                 description_source=v.description_source(description_source))


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
    if new["description"] != asset.description:        # now a person's (N4)
        new["description_source"] = None
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


_COLUMNS = (("id", "text"), ("project_id", "text"), ("name", "text"), ("aliases", "text[]"),
            ("asset_type", "text"), ("description", "text"), ("master_image_key", "text"),
            ("approved", "bool"), ("global_asset_id", "text"), ("version", "int"),
            ("parent_asset_id", "text"), ("look_of_asset_id", "text"),
            ("description_source", "text"))


def _rows(cur, assets: list[Asset], names: tuple[str, ...]) -> tuple[str, list]:
    columns = [c for c in _COLUMNS if c[0] in names]
    return cur.dialect.rows(columns, [[getattr(a, n) for a in assets] for n, _ in columns])


def insert(cur, assets: list[Asset]) -> None:
    """Write new assets in one statement."""
    if not assets:
        return
    now = utcnow()
    sql, params = _rows(cur, assets, tuple(n for n, _ in _COLUMNS))
    cur.execute(
        f"INSERT INTO project_assets ({', '.join(n for n, _ in _COLUMNS)}, created_at, "
        f"updated_at) SELECT r.*, ?, ? FROM ({sql}) r", [now, now, *params])


def update(cur, assets: list[Asset]) -> None:
    """Write edited assets (name, aliases, type, description, approved, version, the
    description's source, parent and look links) in one
    statement. The caller lets master description changes flow on
    (`appearances.change_chains` with `old_masters`, as `assets.update_asset` does)."""
    if not assets:
        return
    fields = ("name", "aliases", "asset_type", "description", "approved", "version",
              "description_source", "parent_asset_id", "look_of_asset_id")
    sql, params = _rows(cur, assets, ("id", *fields))
    sets = ", ".join(f"{f} = u.{f}" for f in fields)
    cur.execute(f"UPDATE project_assets SET {sets}, updated_at = ? FROM ({sql}) u "
                "WHERE project_assets.id = u.id", [utcnow(), *params])
