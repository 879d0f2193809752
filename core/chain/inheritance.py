"""Creating a scene's instances from each asset's latest earlier appearance
(I1–I6). The state itself is computed by `chain.settle`."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.catalog.projects import new_id
from core.chain import appearances
from core.chain.rules import blank_row
from core.errors import NotFoundError, ValidationError
from core.models import Instance, Scene
from core.store import instances
from core.store.history import Context

_SCENE_COLS = ("id, project_id, branch_id, scene_number, label, heading, script_excerpt, "
               "end_state_summary, story_day")


def _scenes(cur, scene_ids: list[str]) -> list[Scene]:
    """The scenes (one branch), in story order; NotFoundError names a missing id."""
    rows = cur.execute(f"SELECT {_SCENE_COLS} FROM scenes WHERE id = ANY(?::VARCHAR[]) "
                       "ORDER BY scene_number", [list(scene_ids)]).fetchall()
    found = [Scene(*r) for r in rows]
    known = {s.id for s in found}
    for sid in scene_ids:
        if sid not in known:
            raise NotFoundError(f"Scene {sid} does not exist.")
    if len({s.branch_id for s in found}) > 1:
        raise ValidationError("Scenes inherited together must be of one branch.")
    return found


def _as_list(asset_ids) -> None:
    if isinstance(asset_ids, str) or not isinstance(asset_ids, (list, tuple)):
        raise ValidationError("Asset ids must be given as a list.")


def _check_assets(cur, project_id: str, asset_ids: list[str]) -> dict[str, str]:
    """The given assets' names (one query); they must exist in the project."""
    _as_list(asset_ids)
    rows = cur.execute(
        "SELECT id, project_id, name FROM project_assets WHERE id = ANY(?::VARCHAR[])",
        [list(asset_ids)]).fetchall()
    found = {r[0]: r for r in rows}
    for aid in asset_ids:
        if aid not in found:
            raise NotFoundError(f"Asset {aid} does not exist.")
        if found[aid][1] != project_id:
            raise ValidationError(f"Asset {aid} belongs to another project.")
    return {aid: r[2] for aid, r in found.items()}


def _plan(cur, scenes: list[Scene], given: dict[str, list[str] | None],
          present: dict[str, set[str]] | None = None) -> dict[str, list[str]]:
    """Which assets each scene (story order) gets, as if inherited one at a time: those
    given, or the I5 candidates — the scene's mapped assets, else those of the nearest
    earlier scene with instances (counting the ones planned here), else every approved
    asset of the project — minus those already in it (I4; `present`, per scene, when the
    caller read them). A bounded number of queries."""
    if not scenes:
        return {}
    first, branch_id = scenes[0], scenes[0].branch_id
    lists = [given[s.id] for s in scenes if given.get(s.id) is not None]
    for asset_ids in lists:
        _as_list(asset_ids)
    names = (_check_assets(cur, first.project_id, [a for ids in lists for a in ids])
             if lists else {})
    if present is None:
        present = {}
        for sid, aid in cur.execute(
                "SELECT scene_id, project_asset_id FROM scene_asset_instances "
                "WHERE scene_id = ANY(?::VARCHAR[])", [[s.id for s in scenes]]).fetchall():
            present.setdefault(sid, set()).add(aid)
    open_ = [s for s in scenes if given.get(s.id) is None]
    mapped: dict[str, list[str]] = {}
    if open_:
        for sid, aid, name in cur.execute(
                "SELECT m.scene_id, m.project_asset_id, a.name FROM scene_assets m "
                "JOIN project_assets a ON a.id = m.project_asset_id "
                "WHERE m.scene_id = ANY(?::VARCHAR[]) ORDER BY lower(a.name)",
                [[s.id for s in open_]]).fetchall():
            mapped.setdefault(sid, []).append(aid)
            names[aid] = name
    earlier: dict[int, set[str]] | None = None     # scene number -> assets, when needed
    approved: list[str] | None = None
    plan: dict[str, list[str]] = {}
    for s in scenes:
        wanted = given.get(s.id)
        if wanted is None:
            wanted = mapped.get(s.id)
        if wanted is None:
            if earlier is None:
                earlier = _earlier_assets(cur, branch_id, first.scene_number,
                                          scenes[-1].scene_number, names)
                for p in scenes:
                    earlier.setdefault(p.scene_number, set()).update(
                        present.get(p.id, ()), plan.get(p.id, ()))
            before = [n for n, got in earlier.items() if n < s.scene_number and got]
            if before:
                wanted = sorted(earlier[max(before)], key=lambda a: names[a].lower())
            else:
                if approved is None:
                    rows = cur.execute(
                        "SELECT id, name FROM project_assets WHERE project_id = ? AND approved "
                        "ORDER BY lower(name)", [first.project_id]).fetchall()
                    names.update(rows)
                    approved = [r[0] for r in rows]
                wanted = approved
        have = present.get(s.id, set())
        plan[s.id] = [a for a in dict.fromkeys(wanted) if a not in have]
        if earlier is not None:
            earlier.setdefault(s.scene_number, set()).update(plan[s.id])
    return plan


def _earlier_assets(cur, branch_id: str, first: int, last: int,
                    names: dict[str, str]) -> dict[int, set[str]]:
    """Assets present per scene number, from the nearest scene before `first` that has
    instances up to `last`, in one query (their names go into `names`)."""
    out: dict[int, set[str]] = {}
    for n, aid, name in cur.execute(
            """
            SELECT s.scene_number, i.project_asset_id, a.name FROM scene_asset_instances i
            JOIN scenes s ON s.id = i.scene_id JOIN project_assets a ON a.id = i.project_asset_id
            WHERE i.branch_id = ? AND s.scene_number <= ? AND s.scene_number >= coalesce((
                SELECT max(s2.scene_number) FROM scene_asset_instances i2
                JOIN scenes s2 ON s2.id = i2.scene_id
                WHERE i2.branch_id = ? AND s2.scene_number < ?), ?)
            """, [branch_id, last, branch_id, first, first]).fetchall():
        out.setdefault(n, set()).add(aid)
        names[aid] = name
    return out


def candidates(cur, scene_id: str) -> list[str]:
    """I5: the assets a scene would inherit when none are given, minus those already
    in it: the scene's mapped assets, else those of the nearest earlier scene with
    instances, else every approved asset of the project."""
    return _plan(cur, _scenes(cur, [scene_id]), {})[scene_id]


def candidates_of(cur, scene: Scene, instances: list[Instance]) -> list[str]:
    """`candidates` of a scene and its instances as a page run read them."""
    return _plan(cur, [scene], {}, {scene.id: {i.project_asset_id for i in instances}})[scene.id]


def map_assets(cur, scene_id: str, asset_ids: list[str], source: str) -> None:
    """Record that a scene is known to contain these assets (import, detection)."""
    (scene,) = _scenes(cur, [scene_id])
    _check_assets(cur, scene.project_id, asset_ids)
    cur.execute(
        "INSERT INTO scene_assets SELECT ?, unnest(?::VARCHAR[]), ? ON CONFLICT DO NOTHING",
        [scene_id, list(dict.fromkeys(asset_ids)), source],
    )


def inherit_scene(cur, scene_id: str, asset_ids: list[str] | None, ctx: Context) -> list[str]:
    """Create instances for the given assets (or the I5 candidates) not yet in the
    scene (I4: additive, idempotent). Returns the new instance ids, in asset order."""
    return inherit_scenes(cur, [scene_id], ctx, {scene_id: asset_ids})


def inherit_scenes(cur, scene_ids: list[str], ctx: Context,
                   asset_ids: dict[str, list[str] | None] | None = None) -> list[str]:
    """`inherit_scene` for many scenes of one branch in one pass, in story order, as if
    inherited one scene at a time (I1–I5): `asset_ids` maps a scene to its assets
    (missing or None: the I5 candidates). One `appearances.change_chains` for all
    chains, so the number of queries does not grow with the scenes or assets.
    Returns the new instance ids, scene by scene in story order, in asset order."""
    return [r["id"] for r in inherit(cur, scene_ids, ctx, asset_ids).rows]


@dataclass
class Inherited:
    """What `inherit` wrote: the new rows as a read after the write gives them (no
    image yet), and the selected image (key, state hash) of every earlier appearance
    and master they can inherit one from (I2, I3), by instance or asset id."""

    rows: list[dict] = field(default_factory=list)
    images: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def inherit(cur, scene_ids: list[str], ctx: Context,
            asset_ids: dict[str, list[str] | None] | None = None) -> Inherited:
    """`inherit_scenes`, returning the new rows themselves (no read after the write)."""
    scenes = _scenes(cur, list(dict.fromkeys(scene_ids)))
    plan = _plan(cur, scenes, asset_ids or {})
    new_rows: dict[str, list[dict]] = {}
    labels: dict[str, list[str]] = {}
    created = []
    for s in scenes:
        for aid in plan[s.id]:
            row = blank_row(new_id())
            row.update(project_id=s.project_id, branch_id=s.branch_id, scene_id=s.id,
                       project_asset_id=aid, scene_number=s.scene_number)
            new_rows.setdefault(aid, []).append(row)
            labels.setdefault(aid, []).append(s.display_label)
            created.append(row["id"])
    if not created:
        return Inherited()

    def add(aid, rows):
        return sorted([*rows, *new_rows[aid]], key=lambda r: r["scene_number"])

    def reason(aid):
        where = labels[aid]
        return (f"new appearance in scene {where[0]}" if len(where) == 1
                else f"new appearances in scenes {', '.join(where)}")

    out = appearances.change_chains(cur, list(new_rows), scenes[0].branch_id, add, ctx,
                                    propagation_reason=reason,
                                    from_scene=scenes[0].scene_number)
    images = {r["id"]: (r["image_key"], r["image_hash"])
              for r in [*out.anchors.values(), *out.rows.values()] if r["image_key"]}
    images.update((aid, (m["master_image_key"], None)) for aid, m in out.masters.items()
                  if m["master_image_key"])
    return Inherited([instances.restate(out.rows[i]) for i in created], images)


def inheritance_chain(cur, instance_id: str) -> list[Instance]:
    """I6: the instance's lineage, root first, from its asset's chain in the branch."""
    return lineage([instances.to_instance(r) for r in instances.load_chain(
        cur, *instances.chain_key(cur, instance_id))], instance_id)


def lineage(appearances: list[Instance], instance_id: str) -> list[Instance]:
    """I6 in memory: the instance's lineage, root first, among its asset's appearances
    in the branch (its links stay inside that chain, I1)."""
    by_id = {i.id: i for i in appearances}
    out: list[Instance] = []
    current: str | None = instance_id
    while current in by_id:
        out.append(by_id.pop(current))
        current = out[-1].inherited_from_instance_id
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
            "unnest(?::VARCHAR[]) AS a) p ON CONFLICT DO NOTHING",
            [source, [s for s, _ in new], [a for _, a in new]])
    return len(new)
