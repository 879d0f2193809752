"""`Desk`: the thin facade pages, scripts and tests use. Each method opens one
unit of work and hands off to the module that owns the rule."""

from __future__ import annotations

from core import validation as v
from core.catalog import assets, branches, projects, scenes
from core.chain import inheritance, placement
from core.editing import editor_queries, edits
from core.images import attempts, progress
from core.images.providers import ImageProvider
from core.images.service import ImageService
from core.images.store import ImageStore
from core.intake import importing, screenplay, suggestions
from core.intake import populate as populating
from core.library import sheet_csv, sheet_pdf, transfer
from core.library.preview_cache import for_database
from core.models import (
    UNSET,
    Asset,
    Branch,
    Change,
    ChangeMarker,
    HistoryRow,
    Instance,
    Project,
    Scene,
    UpdateResult,
)
from core.review import checks, matrix, readiness, sheets, timeline
from core.search import query as search
from core.search import saved as saved_searches
from core.store import history, instances
from core.store.db import Database
from core.store.history import Context
from core.tags import vocabulary
from core.tags.normalize import normalize_tags


def _ctx(actor: str, source: str = "user", reason: str | None = None) -> Context:
    return Context(v.actor(actor), source, v.optional_text(reason, "Reason", v.MAX_REASON))


class Desk:
    def __init__(self, db: Database, store: ImageStore, provider: ImageProvider):
        self.db = db
        self.images = ImageService(db, store, provider)

    @property
    def image_root(self) -> str:
        """Where the images are: a folder, or `s3://bucket/prefix` (no credentials)."""
        return self.images.store.location

    @property
    def store_label(self) -> str:
        """Which store this Desk runs on, in words ("DuckDB file …", "PostgreSQL team
        server host:port/database"): never a password."""
        return self.db.label

    @property
    def provider(self) -> ImageProvider:
        return self.images.provider

    def close(self) -> None:
        self.images.close()
        self.db.close()

    def _read(self, fn, *args, **kw):
        """A consistent read: one transaction that writes nothing."""
        return self.db.transaction(lambda cur: fn(cur, *args, **kw))

    _write = _read

    # --- projects and branches ---------------------------------------------------------------
    def create_project(self, name: str, *, actor: str) -> Project:
        v.actor(actor)
        return self._write(projects.create_project, name)

    def get_project(self, project_id: str) -> Project:
        return self._read(projects.get_project, project_id)

    def projects(self) -> list[Project]:
        return self._read(projects.list_projects)

    def branches(self, project_id: str) -> list[Branch]:
        return self._read(projects.branches, project_id)

    def create_branch(self, project_id: str, name: str, *, from_branch_id: str | None = None,
                      up_to_scene_number: int, actor: str) -> Branch:
        return self._write(branches.create_branch, project_id, name, from_branch_id,
                           up_to_scene_number, _ctx(actor, "inheritance"))

    def set_project_style(self, project_id: str, style: str, *, actor: str) -> Project:
        v.actor(actor)
        return self._write(projects.set_style, project_id, style)

    def set_budget(self, project_id: str, budget: float | None, *, actor: str) -> Project:
        v.actor(actor)
        return self._write(projects.set_budget, project_id, budget)

    # --- scenes ------------------------------------------------------------------------------
    def add_scene(self, project_id: str, scene_number: int, heading: str, *,
                  branch_id: str | None = None, script_excerpt: str = "",
                  label: str | None = None, end_state_summary: str = "",
                  story_day: int | None = None, shots: list[str] | None = None) -> Scene:
        return self._write(scenes.add_scene, project_id, scene_number, heading,
                           branch_id=branch_id, script_excerpt=script_excerpt, label=label,
                           end_state_summary=end_state_summary, story_day=story_day,
                           shots=shots)

    def insert_scene(self, project_id: str, before_scene_number: int, heading: str, *,
                     branch_id: str | None = None, script_excerpt: str = "",
                     label: str | None = None, end_state_summary: str = "",
                     story_day: int | None = None, shots: list[str] | None = None) -> Scene:
        """A scene at `before_scene_number`; that scene and the later ones move up one."""
        return self._write(scenes.insert_scene, project_id, before_scene_number, heading,
                           branch_id=branch_id, script_excerpt=script_excerpt, label=label,
                           end_state_summary=end_state_summary, story_day=story_day,
                           shots=shots)

    def delete_scene(self, scene_id: str, *, actor: str, reason: str | None = None) -> list[str]:
        scene = self.get_scene(scene_id)
        deleted = self._write(scenes.delete_scene, scene_id, _ctx(actor, reason=reason))
        self.images.release_files(scene)
        return deleted

    def move_scene(self, scene_id: str, new_scene_number: int, *, actor: str) -> Scene:
        return self._write(scenes.move_scene, scene_id, new_scene_number, _ctx(actor))

    def scenes(self, project_id: str, branch_id: str | None = None) -> list[Scene]:
        return self._read(scenes.list_scenes, project_id, branch_id)

    def get_scene(self, scene_id: str) -> Scene:
        return self._read(scenes.get_scene, scene_id)

    # --- assets and the global library -------------------------------------------------------
    def add_asset(self, project_id: str, name: str, asset_type: str, description: str, *,
                  aliases: list[str] | None = None, approved: bool = True) -> Asset:
        return self._write(assets.add_asset, project_id, name, asset_type, description,
                           aliases=aliases, approved=approved)

    def update_asset(self, asset_id: str, *, expected_version: int, actor: str,
                     reason: str | None = None, name=UNSET, aliases=UNSET, asset_type=UNSET,
                     description=UNSET, approved=UNSET) -> Asset:
        """Edit a master definition; omitted fields stay (E1, P2: a description edit
        flows to the instances that follow the master)."""
        return self._write(assets.update_asset, asset_id, expected_version,
                           _ctx(actor, reason=reason), name=name, aliases=aliases,
                           asset_type=asset_type, description=description, approved=approved)

    def get_asset(self, asset_id: str) -> Asset:
        return self._read(assets.get_asset, asset_id)

    def assets(self, project_id: str) -> list[Asset]:
        return self._read(assets.list_assets, project_id)

    def add_global_asset(self, name: str, asset_type: str, description: str, *,
                         aliases: list[str] | None = None):
        return self._write(assets.add_global_asset, name, asset_type, description,
                           aliases=aliases)

    def global_assets(self):
        return self._read(assets.list_global_assets)

    def clone_global_asset(self, project_id: str, global_asset_id: str, *, actor: str) -> Asset:
        v.actor(actor)
        return self._write(assets.clone_global_asset, project_id, global_asset_id)

    def map_scene_assets(self, scene_id: str, asset_ids: list[str], *, source: str = "user"):
        return self._write(inheritance.map_assets, scene_id, asset_ids,
                           v.name(source, "Mapping source", 40))

    def set_master_image(self, asset_id: str, data: bytes, *, expected_version: int,
                         actor: str) -> Asset:
        """Verified PNG/JPEG/WebP stored at project_{pid}/masters/{assetId}_{random}.png."""
        return transfer.set_master_image(self.db, self.images.store, asset_id, data,
                                           expected_version=expected_version, actor=actor)

    # --- chains: inheritance and reading instances (I1-I6) -----------------------------------
    def inherit_scene(self, scene_id: str, asset_ids: list[str] | None = None, *,
                      actor: str) -> list[Instance]:
        ctx = _ctx(actor, "inheritance")

        return self.db.transaction(lambda cur: self._inherited(cur, inheritance.inherit(
            cur, [scene_id], ctx, {scene_id: asset_ids}), ctx))

    def inherit_scenes(self, scene_ids: list[str], asset_ids: dict | None = None, *,
                       actor: str) -> list[Instance]:
        """`inherit_scene` for many scenes of a branch in one transaction, in story order
        (`asset_ids`: scene id -> asset ids; missing: the I5 candidates)."""
        ctx = _ctx(actor, "inheritance")
        return self.db.transaction(lambda cur: self._inherited(cur, inheritance.inherit(
            cur, scene_ids, ctx, asset_ids), ctx))

    def _inherited(self, cur, got: inheritance.Inherited, ctx) -> list[Instance]:
        """I2/I3: new instances get the source's image, or the master's; -> the instances."""
        attempts.inherit_many(cur, self.images.store, got.rows, ctx, known=got.images)
        return [instances.to_instance(r) for r in got.rows]

    def _with_images(self, cur, ids: list[str], ctx) -> list[Instance]:
        """`_inherited` for new instances known by id."""
        rows = instances.load_rows(cur, ids)
        attempts.inherit_many(cur, self.images.store, rows, ctx)
        return [instances.to_instance(r) for r in rows]

    def _inherit_images(self, cur, ids: list[str], ctx) -> None:
        """`_with_images` when the instances themselves are not wanted."""
        if ids:
            attempts.inherit_many(cur, self.images.store, instances.load_rows(cur, ids), ctx)

    def inherit_candidates(self, scene_id: str) -> list[str]:
        return self._read(inheritance.candidates, scene_id)

    def inherit_candidates_of(self, scene: Scene, instances: list[Instance]) -> list[str]:
        """`inherit_candidates` of a scene and its instances as a page run read them
        (`scene_instances`): neither is read again."""
        return self._read(inheritance.candidates_of, scene, instances)

    def inheritance_chain(self, instance_id: str) -> list[Instance]:
        return self._read(inheritance.inheritance_chain, instance_id)

    @staticmethod
    def lineage(appearances: list[Instance], instance_id: str) -> list[Instance]:
        """`inheritance_chain` from the asset's appearances a page run read
        (`asset_appearances`), without a read."""
        return inheritance.lineage(appearances, instance_id)

    def get_instance(self, instance_id: str) -> Instance:
        return self._read(instances.get, instance_id)

    def scene_instances(self, scene_id: str) -> list[Instance]:
        def work(cur):
            found = instances.for_scene(cur, scene_id)
            if not found:
                scenes.require_scene(cur, scene_id)    # NotFoundError for an unknown scene
            return found
        return self._read(work)

    def branch_instances(self, project_id: str, branch_id: str | None = None) -> list[Instance]:
        def work(cur):
            return instances.for_branch(cur, projects.resolve_branch(cur, project_id, branch_id))
        return self._read(work)

    # --- editing an instance (A3-A6, E2, T3, T5) ---------------------------------------------
    def update_instance(self, instance_id: str, *, expected_version: int, actor: str,
                        reason: str | None = None, description_override=UNSET,
                        status_tags=UNSET, carry_forward=UNSET) -> UpdateResult:
        return self._write(
            edits.update_instance, instance_id, expected_version, _ctx(actor, reason=reason),
            description_override=description_override, status_tags=status_tags,
            carry_forward=carry_forward)

    def preview_update(self, instance_id: str, *, description_override=UNSET,
                       status_tags=UNSET, carry_forward=UNSET) -> UpdateResult:
        return self._read(edits.preview_update, instance_id,
                          description_override=description_override,
                          status_tags=status_tags, carry_forward=carry_forward)

    def remove_instance(self, instance_id: str, *, expected_version: int, actor: str,
                        reason: str | None = None) -> UpdateResult:
        inst = self.get_instance(instance_id)
        result = self._write(edits.remove_instance, instance_id, expected_version,
                             _ctx(actor, reason=reason))
        self.images.release_files(self.get_scene(inst.scene_id), inst.project_asset_id)
        return result

    def lock_instances(self, items: list[tuple[str, int]], *, actor: str,
                       reason: str | None = None) -> edits.BulkResult:
        """Lock many (instance id, expected version) pairs in one transaction, all or
        nothing; already locked ones are skipped."""
        return self._write(edits.lock_instances, items, _ctx(actor, reason=reason))

    def unlock_instances(self, items: list[tuple[str, int]], *, actor: str,
                         reason: str | None = None) -> edits.BulkResult:
        """Unlock many (instance id, expected version) pairs in one transaction, all or
        nothing; those not locked are skipped."""
        return self._write(edits.unlock_instances, items, _ctx(actor, reason=reason))

    def remove_instances(self, items: list[tuple[str, int]], *, actor: str,
                         reason: str | None = None) -> edits.BulkResult:
        """Remove many (instance id, expected version) pairs in one transaction, all or
        nothing (a locked one refuses the batch); then their scenes' unused files go."""
        out = self._write(edits.remove_instances, items, _ctx(actor, reason=reason))
        if out.removed:
            self.images.release_many(out.removed_places)
        return out

    def lock_instance(self, instance_id: str, *, expected_version: int, actor: str,
                      reason: str | None = None) -> UpdateResult:
        return self._write(edits.lock_instance, instance_id, expected_version,
                           _ctx(actor, reason=reason))

    def unlock_instance(self, instance_id: str, *, expected_version: int, actor: str,
                        reason: str | None = None) -> UpdateResult:
        return self._write(edits.unlock_instance, instance_id, expected_version,
                           _ctx(actor, reason=reason))

    def review_tags(self, instance_id: str, keep: list[str], *, expected_version: int,
                    actor: str, reason: str | None = None) -> UpdateResult:
        return self._write(edits.review_tags, instance_id, keep, expected_version,
                           _ctx(actor, reason=reason))

    def take_upstream(self, instance_id: str, *, expected_version: int, actor: str,
                      reason: str | None = None, merge_tags: bool = False) -> UpdateResult:
        """P4, T5: take the upstream values; `merge_tags` keeps own tags first."""
        return self._write(edits.take_upstream, instance_id, expected_version,
                           _ctx(actor, reason=reason), merge_tags=v.flag(merge_tags, "Merge"))

    def preview_take_upstream(self, instance_id: str, *,
                              merge_tags: bool = False) -> UpdateResult:
        return self._read(edits.preview_take_upstream, instance_id,
                          merge_tags=v.flag(merge_tags, "Merge"))

    def mark_reviewed(self, instance_id: str, *, expected_version: int, actor: str,
                      reason: str | None = None) -> UpdateResult:
        return self._write(edits.mark_reviewed, instance_id, expected_version,
                           _ctx(actor, reason=reason))

    def revert_instance(self, instance_id: str, history_id: int, *, expected_version: int,
                        actor: str, reason: str | None = None,
                        before: bool = False) -> UpdateResult:
        """A3: restore what history row H recorded as new (`before`: as old)."""
        return self._write(edits.revert_instance, instance_id, history_id, expected_version,
                           _ctx(actor, reason=reason), before=v.flag(before, "Before"))

    def preview_revert(self, instance_id: str, history_id: int, *,
                       before: bool = False) -> UpdateResult:
        return self._read(edits.preview_revert, instance_id, history_id,
                          before=v.flag(before, "Before"))

    def undo_change(self, instance_id: str, change_id: str, *, expected_version: int,
                    actor: str, reason: str | None = None) -> UpdateResult:
        """A3: restore every field one save (`UpdateResult.change_id`) changed."""
        return self._write(edits.undo_change, instance_id, change_id, expected_version,
                           _ctx(actor, reason=reason))

    def preview_undo(self, instance_id: str, change_id: str) -> UpdateResult:
        return self._read(edits.preview_undo, instance_id, change_id)

    def fallback_description(self, instance_id: str):
        """What clearing the instance's override falls back to (E1): `.description`,
        `.source_scene_number` (None = the master), `.source` for display."""
        return self._read(editor_queries.fallback_description, instance_id)

    @staticmethod
    def fallback_of(inst: Instance, asset: Asset):
        """`fallback_description` of an instance and its asset as a page run read them,
        without a read."""
        return editor_queries.fallback_of(inst, asset.description)

    def asset_appearances(self, instance_id: str) -> list[Instance]:
        """Every appearance of the instance's asset in its branch, in scene order."""
        return self._read(editor_queries.asset_appearances, instance_id)

    def breakdown(self, project_id: str, branch_id: str | None = None) -> placement.Breakdown:
        """The breakdown grid of a branch: .scenes .assets .cells (asset id, scene id) ->
        .instance_id .keeps (why removing it is refused, or None) and .marker."""
        return self._read(placement.breakdown, project_id, branch_id)

    @staticmethod
    def plan_placement(grid: placement.Breakdown, add, remove) -> placement.Plan:
        """What `place_assets(add, remove)` would do to the grid as read: .add .remove
        .kept (refused removals, with why) .scenes .relink; writes nothing."""
        return placement.plan(grid, add, remove)

    def place_assets(self, branch_id: str, add=(), remove=(), *, actor: str,
                     expected: dict[str, str] | None = None,
                     reason: str | None = None) -> placement.Placement:
        """Tick and untick many (asset id, scene id) cells in one transaction, all or
        nothing: placements inherit in story order (I1-I3), removals re-link (I1); an
        appearance someone worked on is never removed (ValidationError), and a grid
        read stale for a touched asset (`expected` = its `.marker`) raises ConflictError."""
        ctx = _ctx(actor, reason=reason)

        def work(cur):
            out = placement.place_assets(cur, branch_id, add, remove, ctx, expected)
            self._with_images(cur, out.created, Context(ctx.actor, "inheritance", ctx.reason))
            return out
        out = self.db.transaction(work)
        if out.removed_places:
            self.images.release_many(out.removed_places)
        return out

    # --- history (A1) ------------------------------------------------------------------------
    def change_marker(self, project_id: str) -> ChangeMarker:
        """A6: a cheap marker of the project's changes; poll it and compare."""
        return self._read(history.marker, project_id)

    def changes_since(self, project_id: str, marker: ChangeMarker,
                      limit: int = 20) -> list[Change]:
        """What changed after `marker`: `.message` says who changed what, where."""
        return self._read(history.changes_since, project_id, marker, limit)

    def history(self, instance_id: str) -> list[HistoryRow]:
        return self._read(history.for_instance, instance_id)

    def project_history(self, project_id: str, branch_id: str | None = None, *,
                        asset_id: str | None = None, scene_id: str | None = None,
                        actor: str | None = None, source: str | None = None,
                        since=None, until=None, limit: int = 500):
        """The project's audit log, newest first, optionally filtered (DataFrame)."""
        def work(cur):
            branch = projects.resolve_branch(cur, project_id, branch_id)
            return history.for_project(cur, project_id, branch_id=branch, asset_id=asset_id,
                                       scene_id=scene_id, actor=actor, source=source,
                                       since=since, until=until, limit=limit)
        return self._read(work)

    def history_actors(self, project_id: str) -> list[str]:
        return self._read(history.actors, project_id)

    # --- tags (T1, T2) -----------------------------------------------------------------------
    @staticmethod
    def normalize_tags(tags: list[str]) -> list[str]:
        return normalize_tags(tags)

    def tag_suggestions(self, project_id: str) -> list[str]:
        return vocabulary.suggestions(self._read(instances.project_tags, project_id))

    def tag_counts(self, project_id: str, branch_id: str | None = None):
        """Tags in use in the branch with counts and vocabulary category (DataFrame)."""
        return self._read(search.tag_counts, project_id, branch_id)

    # --- search (T4) -------------------------------------------------------------------------
    def search(self, project_id: str, query: str, branch_id: str | None = None):
        return self._read(search.search, project_id, query, branch_id)

    def search_csv(self, project_id: str, query: str, branch_id: str | None = None) -> str:
        """The results of `search` as formula-safe CSV."""
        return search.to_csv(self.search(project_id, query, branch_id))

    def save_search(self, project_id: str, name: str, query: str, *, actor: str):
        """Save (or, under an existing name, replace) a query that parses."""
        return self._write(saved_searches.save, project_id, name, query, v.actor(actor))

    def saved_searches(self, project_id: str):
        return self._read(saved_searches.list_saved, project_id)

    def delete_search(self, search_id: str, *, actor: str) -> None:
        v.actor(actor)
        self._write(saved_searches.delete, search_id)

    # --- review: readiness, checks, matrix, timelines (R1, R2, C1, C2) -----------------------
    def scene_readiness(self, scene_id: str) -> readiness.Readiness:
        return self._read(readiness.readiness, scene_id)

    def scene_readiness_of(self, scene: Scene, instances: list[Instance]
                           ) -> readiness.Readiness:
        """`scene_readiness` of a scene and its instances as a page run read them
        (`scene_instances`): only the last sign-off is read."""
        return self._read(readiness.readiness_of, scene, instances)

    def mark_scene_ready(self, scene_id: str, *, actor: str) -> readiness.Readiness:
        return self._write(readiness.mark_ready, scene_id, v.actor(actor))

    def scene_summaries(self, project_id: str, branch_id: str | None = None):
        return self._read(readiness.scene_summaries, project_id, branch_id)

    def branch_blockers(self, project_id: str, branch_id: str | None = None):
        """Readiness blockers of every scene of the branch (DataFrame, scene order)."""
        return self._read(readiness.branch_blockers, project_id, branch_id)

    def continuity_issues(self, project_id: str, branch_id: str | None = None, *,
                          kinds=None, scene_id: str | None = None,
                          asset_id: str | None = None):
        """C1 findings in scene order (core.review.checks.Issue: .kind .scene_id .instance_id
        .asset_id .asset_name .message .tags ...), optionally of some kinds, one scene
        or one asset."""
        return self._read(checks.continuity_issues, project_id, branch_id,
                          kinds=None if kinds is None else tuple(kinds), scene_id=scene_id,
                          asset_id=asset_id)

    def continuity_matrix(self, project_id: str, branch_id: str | None = None, *,
                          asset_types=None, tags=None):
        return self._read(matrix.matrix, project_id, branch_id, asset_types=asset_types,
                          tags=tags)

    def continuity_cells(self, project_id: str, branch_id: str | None = None, *,
                         asset_types=None, tags=None):
        return self._read(matrix.cells, project_id, branch_id, asset_types=asset_types,
                          tags=tags)

    def branch_overview(self, project_id: str, branch_id: str | None = None, *,
                        asset_types=None, tags=None) -> matrix.BranchOverview:
        """The Overview page's reads in one: .scenes .assets .instances (light)
        .summaries .blockers .issues .cells (filtered) .tag_counts."""
        return self._read(matrix.branch_overview, project_id, branch_id,
                          asset_types=asset_types, tags=tags)

    def rearview(self, scene_id: str) -> matrix.Rearview:
        return self._read(matrix.rearview, scene_id)

    def local_context(self, scene_id: str) -> dict:
        """R2: what the next pipeline stage (prompt writing) needs, JSON-serialisable."""
        return self._read(matrix.local_context, scene_id)

    def asset_timeline(self, project_id: str, asset_id: str, branch_id: str | None = None):
        """One asset across the branch (core.review.timeline.Timeline: .appearances DataFrame,
        .issues, .scene_numbers, .story_days, .tag_points())."""
        return self._read(timeline.asset_timeline, project_id, asset_id, branch_id)

    def scene_sheet(self, scene_id: str, format: str = "pdf") -> bytes:
        """The scene's breakdown sheet (core.review.sheets) as PDF or CSV bytes."""
        fmt = sheets.sheet_format(format)
        sheet = self._read(sheets.scene_sheet, scene_id)
        if fmt == "csv":
            return sheet_csv.scene_csv(sheet)
        return sheet_pdf.scene_pdf(sheet, sheet_pdf.thumbnails(self.images.store))

    def asset_sheet(self, project_asset_id: str, branch_id: str | None = None,
                    format: str = "pdf") -> bytes:
        """The asset's continuity sheet (every appearance in the branch, default Main,
        in story order) as PDF or CSV bytes."""
        fmt = sheets.sheet_format(format)
        sheet = self._read(sheets.asset_sheet, project_asset_id, branch_id)
        if fmt == "csv":
            return sheet_csv.asset_csv(sheet)
        return sheet_pdf.asset_pdf(sheet, sheet_pdf.thumbnails(self.images.store))

    # --- intake: screenplays, detection, suggestions (I5, D1-D3) -----------------------------
    def import_screenplay(self, project_id: str, text: bytes | str, format: str = "fountain",
                          branch_id: str | None = None, *, actor: str, dry_run: bool = False,
                          merge_aliases=None, create_candidates=None, populate: bool = True):
        """Fountain / FDX -> scenes, assets, mapping and, with `populate`, the new scenes'
        instances (I7; core.intake.importing). dry_run previews."""
        parsed = screenplay.parse_screenplay(text, format)
        ctx = _ctx(actor, "inheritance")

        def work(cur):
            return self._imported(cur, importing.import_screenplay(
                cur, project_id, parsed, branch_id, actor, raw=text,
                merge_aliases=merge_aliases, create_candidates=create_candidates,
                dry_run=dry_run, populate=populate), ctx)
        try:
            return self.db.transaction(work)
        except importing.DryRun as preview:
            return preview.report

    def import_screenplay_as_project(self, name: str, text: bytes | str,
                                     format: str = "fountain", *, actor: str,
                                     dry_run: bool = False, merge_aliases=None,
                                     create_candidates=None, populate: bool = True):
        """A new project made from a screenplay, in one transaction (report.project_id)."""
        parsed = screenplay.parse_screenplay(text, format)
        ctx = _ctx(actor, "inheritance")

        def work(cur):
            project = projects.create_project(cur, name)
            return self._imported(cur, importing.import_screenplay(
                cur, project.id, parsed, None, actor, raw=text, merge_aliases=merge_aliases,
                create_candidates=create_candidates, dry_run=dry_run, populate=populate), ctx)
        try:
            return self.db.transaction(work)
        except importing.DryRun as preview:
            return preview.report

    def _imported(self, cur, report, ctx):
        """The populated instances' first images (I2/I3), in the import's transaction."""
        self._inherit_images(cur, report.instances_created, ctx)
        return report

    def script_fill_plan(self, project_id: str, branch_id: str | None = None):
        """What "Fill from script" would create (I7): .scene_count .instance_count."""
        return self._read(populating.fill_plan, project_id, branch_id)

    def fill_from_script(self, project_id: str, branch_id: str | None = None, *,
                         actor: str):
        """Populate every scene of the branch that has mapped assets but no instances, in
        story order, one transaction (I7); -> .scene_ids .instance_ids."""
        ctx = _ctx(actor, "inheritance")

        def work(cur):
            filled = populating.fill_from_script(cur, project_id, branch_id, ctx.actor)
            self._inherit_images(cur, filled.instance_ids, ctx)
            return filled
        return self.db.transaction(work)

    def detect_assets(self, scene_id: str, *, method: str = "deterministic",
                      actor: str = "detector", persist: bool = True, detector=None):
        """D1 (deterministic) or D2 (gemini); records mapping and suggestions (D3)."""
        return suggestions.detect_assets(self.db, scene_id, method=method, actor=actor,
                                         persist=persist, detector=detector)

    def suggestions(self, scene_id: str, status: str | None = "pending"):
        return self._read(suggestions.for_scene, scene_id, status)

    def project_suggestions(self, project_id: str, status: str | None = "pending"):
        return self._read(suggestions.for_project, project_id, status)

    def accept_suggestion(self, suggestion_id: str, *, actor: str,
                          expected_version: int | None = None, name: str | None = None,
                          asset_type: str | None = None, description: str | None = None):
        """Create or link the asset (optionally renamed, retyped, redescribed) and inherit
        its instance; -> (suggestion, instances)."""
        ctx = _ctx(actor, "inheritance")

        def work(cur):
            s, ids = suggestions.accept(cur, suggestion_id, actor,
                                        expected_version=expected_version, name=name,
                                        asset_type=asset_type, description=description)
            return s, self._with_images(cur, ids, ctx)
        return self.db.transaction(work)

    def dismiss_suggestion(self, suggestion_id: str, *, actor: str,
                           expected_version: int | None = None):
        return self._write(suggestions.dismiss, suggestion_id, actor,
                           expected_version=expected_version)

    # --- library files: CSV, project backup (S2, S3) -----------------------------------------
    def export_assets_csv(self, project_id: str) -> str:
        return self._read(transfer.export_assets_csv, project_id)

    def import_assets_csv(self, project_id: str, data: bytes | str, *, actor: str,
                          dry_run: bool = False):
        """-> .created .updated .unchanged (names); a bad row refuses the whole file."""
        try:
            return self._write(transfer.import_assets_csv, project_id, data, actor, dry_run)
        except transfer.DryRun as preview:
            return preview.report

    def export_library_csv(self) -> str:
        return self._read(transfer.export_library_csv)

    def import_library_csv(self, data: bytes | str, *, actor: str, dry_run: bool = False):
        try:
            return self._write(transfer.import_library_csv, data, actor, dry_run)
        except transfer.DryRun as preview:
            return preview.report

    def export_project(self, project_id: str) -> bytes:
        """The whole project as a zip (rows of every table + image files)."""
        return self._read(transfer.export_project, self.images.store, project_id)

    def import_project(self, data: bytes, *, actor: str, name: str | None = None):
        """A new project (new ids) from an export; -> .project_id .id_map .rows .files"""
        return transfer.import_project(self.db, self.images.store, data, actor, name)

    def import_preview(self, kind: str, project_id: str | None, data: bytes | str,
                       options: tuple, preview):
        """`preview()`, an import dry run, or the report it gave for the same file and
        options while the project's data is unchanged (core.library.preview_cache)."""
        with self.db.cursor() as cur:
            return for_database(self.db).get(cur, kind, project_id, data, options, preview)

    # --- reference images (G1-G9) ------------------------------------------------------------
    def estimate_images(self, instance_ids: list[str], *, regenerate: bool = False):
        """-> .count .new_jobs .reused .estimated_cost (.budget .committed)"""
        return self.images.estimate(instance_ids, regenerate)

    def request_images(self, instance_ids: list[str], *, actor: str, regenerate: bool = False):
        return self.images.request(instance_ids, _ctx(actor, "image"), regenerate)

    def wait_for_jobs(self, job_ids: list[str], timeout: float = 60.0):
        return self.images.wait(job_ids, timeout)

    def cancel_jobs(self, job_ids: list[str], *, actor: str) -> list[str]:
        v.actor(actor)
        return self.images.cancel(job_ids)

    def retry_jobs(self, job_ids: list[str], *, actor: str):
        return self.images.retry_failed(job_ids, _ctx(actor, "image"))

    def image_jobs(self, project_id: str, statuses=None, limit: int = 1000):
        return self.images.jobs(project_id, statuses, limit)

    def resume_jobs(self) -> list[str]:
        """Queue the jobs a crash left queued or running (called when the app starts)."""
        return self.images.resume()

    def attempts(self, instance_id: str, *, state_hash: str | None = None):
        """The instance's image attempts, newest first, each `stale` when it shows
        another state than `state_hash` (the caller's read of the instance's state
        hash; None: the instance is read)."""
        return self.images.attempts(instance_id, state_hash)

    def select_attempt(self, instance_id: str, attempt_id: str, *, actor: str) -> None:
        self.images.select(instance_id, attempt_id, _ctx(actor, "image"))

    def upload_image(self, instance_id: str, data: bytes, filename: str, *, actor: str) -> str:
        return self.images.upload(instance_id, data,
                                  v.optional_name(filename, "File name", v.MAX_FILE_NAME),
                                  _ctx(actor, "image"))

    def use_master_image(self, instance_id: str, *, actor: str) -> str:
        return self.images.use_master(instance_id, _ctx(actor, "image"))

    def image_bytes(self, image_key: str | None) -> bytes | None:
        """The PNG of an image key (None for None, or when the store lacks it)."""
        if image_key is None:
            return None
        return self.images.store.read_many([image_key]).get(image_key)

    def image_bytes_many(self, image_keys) -> dict[str, bytes]:
        """{key: PNG} of those keys (None skipped) the store holds, read at once."""
        return self.images.store.read_many(k for k in image_keys if k is not None)

    def image_candidates(self, project_id: str, branch_id: str | None = None, *,
                         which: str = "all", asset_types=None, scene_range=None):
        """Instances for a bulk run (G8): which in missing|stale|missing_or_stale|all,
        asset types (None: all), inclusive (first, last) scene numbers (None: open)."""
        return self._read(progress.candidates, project_id, branch_id, which, asset_types,
                          scene_range)

    def image_rows(self, project_id: str, branch_id: str | None = None):
        """Every instance of the branch, light (`core.store.read_model.Summary`: scene,
        asset, tags, flags, image and staleness), in scene order then type and name:
        one read for a page that counts, lists and selects them."""
        return self._read(progress.image_rows, project_id, branch_id)

    @staticmethod
    def select_image_candidates(rows, *, which: str = "all", asset_types=None,
                                scene_range=None) -> list:
        """`image_candidates` among rows already read (`image_rows`), without a read."""
        return progress.select(rows, which, asset_types, scene_range)

    def job_progress(self, job_ids: list[str]):
        """-> .jobs (.job, .targets, .title) .counts .total .active .finished .fraction .failed"""
        return self._read(progress.progress, job_ids)

    def instance_image_jobs(self, instance_id: str, limit: int = 5):
        """The newest image jobs that render for this instance (shared ones included)."""
        return self._read(progress.for_instance, instance_id, limit)
