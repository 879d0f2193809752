"""Creating a scene's instances from each asset's latest earlier appearance
(I1–I6). The state itself is computed by `chain.settle`."""

from __future__ import annotations

from . import appearances, instances
from .chain import blank_row
from .errors import NotFoundError, ValidationError
from .history import Context
from .models import Instance
from .projects import new_id
from .scenes import get_scene


def candidates(cur, scene_id: str) -> list[str]:
    """I5: the assets a scene would inherit when none are given, minus those already
    in it: the scene's mapped assets, else those of the nearest earlier scene with
    instances, else every approved asset of the project."""
    scene = get_scene(cur, scene_id)
    present = {
        r[0] for r in cur.execute(
            "SELECT project_asset_id FROM scene_asset_instances WHERE scene_id = ?", [scene_id]
        ).fetchall()
    }
    mapped = cur.execute(
        "SELECT m.project_asset_id FROM scene_assets m JOIN project_assets a "
        "ON a.id = m.project_asset_id WHERE m.scene_id = ? ORDER BY lower(a.name)",
        [scene_id],
    ).fetchall()
    if not mapped:
        mapped = cur.execute(
            """
            SELECT i.project_asset_id FROM scene_asset_instances i
            JOIN project_assets a ON a.id = i.project_asset_id
            WHERE i.scene_id = (
                SELECT s.id FROM scenes s
                WHERE s.branch_id = ? AND s.scene_number < ?
                  AND EXISTS (SELECT 1 FROM scene_asset_instances x WHERE x.scene_id = s.id)
                ORDER BY s.scene_number DESC LIMIT 1)
            ORDER BY lower(a.name)
            """,
            [scene.branch_id, scene.scene_number],
        ).fetchall()
    if not mapped:
        mapped = cur.execute(
            "SELECT id FROM project_assets WHERE project_id = ? AND approved ORDER BY lower(name)",
            [scene.project_id],
        ).fetchall()
    return [r[0] for r in mapped if r[0] not in present]


def map_assets(cur, scene_id: str, asset_ids: list[str], source: str) -> None:
    """Record that a scene is known to contain these assets (import, detection)."""
    scene = get_scene(cur, scene_id)
    _check_assets(cur, scene.project_id, asset_ids)
    for aid in dict.fromkeys(asset_ids):
        cur.execute(
            "INSERT INTO scene_assets VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [scene_id, aid, source],
        )


def _check_assets(cur, project_id: str, asset_ids: list[str]) -> None:
    if isinstance(asset_ids, str) or not isinstance(asset_ids, (list, tuple)):
        raise ValidationError("Asset ids must be given as a list.")
    for aid in asset_ids:
        r = cur.execute("SELECT project_id FROM project_assets WHERE id = ?", [aid]).fetchone()
        if r is None:
            raise NotFoundError(f"Asset {aid} does not exist.")
        if r[0] != project_id:
            raise ValidationError(f"Asset {aid} belongs to another project.")


def inherit_scene(cur, scene_id: str, asset_ids: list[str] | None, ctx: Context) -> list[str]:
    """Create instances for the given assets (or the I5 candidates) not yet in the
    scene (I4: additive, idempotent). Returns the new instance ids, in asset order."""
    scene = get_scene(cur, scene_id)
    if asset_ids is None:
        asset_ids = candidates(cur, scene_id)
    _check_assets(cur, scene.project_id, asset_ids)
    created = []
    for aid in dict.fromkeys(asset_ids):
        present = cur.execute(
            "SELECT 1 FROM scene_asset_instances WHERE scene_id = ? AND project_asset_id = ?",
            [scene_id, aid],
        ).fetchone()
        if present:
            continue
        row = blank_row(new_id())
        row.update(project_id=scene.project_id, branch_id=scene.branch_id, scene_id=scene_id,
                   project_asset_id=aid, scene_number=scene.scene_number)

        def add(rows, row=row):
            return sorted([*rows, row], key=lambda r: r["scene_number"])

        appearances.change_chain(
            cur, aid, scene.branch_id, add, ctx,
            propagation_reason=f"new appearance in scene {scene.display_label}",
        )
        created.append(row["id"])
    return created


def inheritance_chain(cur, instance_id: str) -> list[Instance]:
    """I6: the instance's lineage, root first."""
    out: list[Instance] = []
    seen: set[str] = set()
    current: str | None = instance_id
    while current and current not in seen:
        seen.add(current)
        inst = instances.get(cur, current)
        out.append(inst)
        current = inst.inherited_from_instance_id
    return out[::-1]


def map_assets_bulk(cur, project_id: str, pairs: list[tuple[str, str]], source: str) -> int:
    """`map_assets` for many (scene, asset) pairs of one project at once (screenplay
    import): one check and one insert. Returns how many pairs were new."""
    if not pairs:
        return 0
    scene_ids = sorted({s for s, _ in pairs})
    asset_ids = sorted({a for _, a in pairs})
    scenes_ok = {r[0] for r in cur.execute(
        "SELECT id FROM scenes WHERE project_id = ? AND id = ANY(?::VARCHAR[])",
        [project_id, scene_ids]).fetchall()}
    assets_ok = {r[0] for r in cur.execute(
        "SELECT id FROM project_assets WHERE project_id = ? AND id = ANY(?::VARCHAR[])",
        [project_id, asset_ids]).fetchall()}
    for sid in scene_ids:
        if sid not in scenes_ok:
            raise NotFoundError(f"Scene {sid} does not exist in this project.")
    for aid in asset_ids:
        if aid not in assets_ok:
            raise NotFoundError(f"Asset {aid} does not exist in this project.")
    have = {(r[0], r[1]) for r in cur.execute(
        "SELECT scene_id, project_asset_id FROM scene_assets WHERE scene_id = ANY(?::VARCHAR[])",
        [scene_ids]).fetchall()}
    new = list(dict.fromkeys(p for p in pairs if p not in have))
    if new:
        cur.execute(
            "INSERT INTO scene_assets SELECT s, a, ? FROM (SELECT unnest(?::VARCHAR[]) AS s, "
            "unnest(?::VARCHAR[]) AS a) ON CONFLICT DO NOTHING",
            [source, [s for s, _ in new], [a for _, a in new]])
    return len(new)
