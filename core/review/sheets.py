"""Breakdown sheets: what a printed or exported sheet shows, read set-based.

- the scene sheet: one scene (number, label, heading, story day, readiness) and every
  asset in it, grouped by type, with its effective state and what changed since its
  previous appearance;
- the asset sheet: every appearance of one asset in a branch, in story order.

Each sheet is a few queries over the light read model (`read_model.light`), whatever
the number of assets or appearances. Rendering is `core.library.sheets_export`."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.assets import get_asset
from core.catalog.projects import resolve_branch
from core.catalog.scenes import get_scene
from core.errors import ValidationError
from core.models import Asset, Scene, scene_label
from core.review import readiness
from core.store import read_model

TYPE_TITLES = {"character": "Characters", "location": "Locations", "prop": "Props"}
FORMATS = ("pdf", "csv")


def sheet_format(value) -> str:
    """A sheet's file format, `pdf` or `csv` (any case); ValidationError otherwise."""
    fmt = value.strip().lower() if isinstance(value, str) else None
    if fmt not in FORMATS:
        raise ValidationError(f"A breakdown sheet is made as PDF or CSV, not {str(value)[:20]!r}.")
    return fmt


@dataclass(frozen=True)
class SheetEntry:
    """One appearance of an asset: its state at the start of the scene and what
    changed since the asset's previous appearance in the branch."""

    instance_id: str
    scene_id: str
    scene_number: int
    scene_label: str
    heading: str
    story_day: int | None
    asset_id: str
    asset_name: str
    asset_type: str
    description: str
    tags: list[str]
    previous_scene_label: str | None     # None: the first appearance in the branch
    tags_added: list[str]
    tags_removed: list[str]
    description_changed: bool
    reset: bool                          # the previous appearance does not carry forward
    locked: bool
    pending_review: bool
    upstream_changed: bool
    image_key: str | None
    image_stale: bool

    @property
    def changes(self) -> list[str]:
        """What changed since the previous appearance, in a few words each."""
        if self.previous_scene_label is None:
            return ["first appearance"]
        out = [f"+{t}" for t in self.tags_added] + [f"−{t}" for t in self.tags_removed]
        if self.description_changed:
            out.append("description changed")
        if self.reset:
            out.append("reset to master")
        return out or ["unchanged"]

    @property
    def since(self) -> str:
        """The previous appearance the changes are counted from ("" for the first)."""
        if self.previous_scene_label is None:
            return ""
        return f"since scene {self.previous_scene_label}"

    @property
    def flags(self) -> list[str]:
        return state_flags(self)


@dataclass(frozen=True)
class SceneSheet:
    project_name: str
    branch_name: str
    scene: Scene
    readiness: readiness.Readiness
    entries: list[SheetEntry]            # type order (character, location, prop), then name

    @property
    def status(self) -> str:
        r = self.readiness
        if r.ready:
            return ("Ready, signed off by " + r.signed_off.actor if r.signed_off
                    else "Ready, not signed off yet")
        n = len(r.blockers)
        return f"Not ready: {n} blocker{'s' if n != 1 else ''}"

    def groups(self) -> list[tuple[str, list[SheetEntry]]]:
        """(title, entries) per asset type present, in type order."""
        out: dict[str, list[SheetEntry]] = {}
        for e in self.entries:
            out.setdefault(e.asset_type, []).append(e)
        return [(TYPE_TITLES.get(t, t.title()), out[t])
                for t in sorted(out, key=read_model.type_rank)]


@dataclass(frozen=True)
class AssetSheet:
    project_name: str
    branch_name: str
    branch_scenes: int                   # scenes in the branch
    asset: Asset
    entries: list[SheetEntry]            # every appearance, in scene order


def _entry(row: read_model.Summary, source: read_model.Summary | None) -> SheetEntry:
    before = source.status_tags if source else []
    return SheetEntry(
        instance_id=row.id, scene_id=row.scene_id, scene_number=row.scene_number,
        scene_label=scene_label(row.scene_label, row.scene_number), heading=row.heading,
        story_day=row.story_day, asset_id=row.project_asset_id, asset_name=row.asset_name,
        asset_type=row.asset_type, description=row.effective_description,
        tags=list(row.status_tags),
        previous_scene_label=None if source is None
        else scene_label(source.scene_label, source.scene_number),
        tags_added=[] if source is None else [t for t in row.status_tags if t not in before],
        tags_removed=[t for t in before if t not in row.status_tags],
        description_changed=source is not None
        and source.effective_description != row.effective_description,
        reset=source is not None and not source.carry_forward,
        locked=row.locked, pending_review=row.pending_review,
        upstream_changed=row.upstream_changed, image_key=row.image_key,
        image_stale=row.image_stale)


def _names(cur, branch_id: str) -> tuple[str, str, int]:
    """(project name, branch name, scenes in the branch)."""
    return cur.execute(
        "SELECT p.name, b.name, (SELECT count(*) FROM scenes s WHERE s.branch_id = b.id) "
        "FROM branches b JOIN projects p ON p.id = b.project_id WHERE b.id = ?",
        [branch_id]).fetchone()


def scene_sheet(cur, scene_id: str) -> SceneSheet:
    """The breakdown of one scene: its instances (type, then name) with their sources
    (the previous appearances) read in one more query."""
    scene = get_scene(cur, scene_id)
    project_name, branch_name, _ = _names(cur, scene.branch_id)
    found = read_model.light(cur, "i.scene_id = ?", [scene_id], read_model.BY_TYPE_AND_NAME)
    wanted = [r.inherited_from_instance_id for r in found if r.inherited_from_instance_id]
    sources = {r.id: r for r in read_model.light(
        cur, "i.id = ANY(?::VARCHAR[])", [wanted])} if wanted else {}
    return SceneSheet(
        project_name=project_name, branch_name=branch_name, scene=scene,
        readiness=readiness.readiness(cur, scene_id),
        entries=[_entry(r, sources.get(r.inherited_from_instance_id)) for r in found])


def asset_sheet(cur, asset_id: str, branch_id: str | None = None) -> AssetSheet:
    """Every appearance of one asset in a branch (default Main), in story order, each
    compared with its source appearance: one query for all of them."""
    asset = get_asset(cur, asset_id)
    branch_id = resolve_branch(cur, asset.project_id, branch_id)
    project_name, branch_name, count = _names(cur, branch_id)
    rows = read_model.light(cur, "i.branch_id = ? AND i.project_asset_id = ?",
                            [branch_id, asset_id], "s.scene_number")
    by_id = {r.id: r for r in rows}
    return AssetSheet(
        project_name=project_name, branch_name=branch_name, branch_scenes=count, asset=asset,
        entries=[_entry(r, by_id.get(r.inherited_from_instance_id)) for r in rows])


def state_flags(row) -> list[str]:
    """An instance's state flags in words (sheets, the search results): any row with
    locked, pending_review, upstream_changed, image_key and image_stale."""
    out = []
    if row.locked:
        out.append("locked")
    if row.pending_review:
        out.append("pending review")
    if row.upstream_changed:
        out.append("upstream changed")
    if row.image_key is None:
        out.append("no image")
    elif row.image_stale:
        out.append("stale image")
    return out
