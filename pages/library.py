"""Library & import: screenplay import (preview, then confirm), the project's assets
(editable, versioned, master images), the global library, CSV import/export, and
whole-project export/import. UI only: every read and change goes through Desk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import core
from core.catalog.assets import join_aliases, split_aliases
from core.images.store import IMAGE_LIMITS, MAX_UPLOAD_BYTES
from core.intake.screenplay import MAX_BYTES as SCREENPLAY_BYTES
from core.intake.screenplay import display_name
from ui.context import page_context
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc
from ui.widgets import notice, project_line, show_error

ctx = page_context()
st.title("Library & import")
if ctx is None:
    st.info("No projects yet.")
    st.stop()
desk, project, branch, actor = ctx.desk, ctx.project, ctx.branch, ctx.actor
st.caption(project_line(project, branch))

TYPES = ["character", "location", "prop"]
MB = 1024 * 1024
IMAGE_MB = MAX_UPLOAD_BYTES // MB
SCREENPLAY_MB = SCREENPLAY_BYTES // MB
CSV_MB = 5
PROJECT_MB = 200          # server.maxUploadSize in .streamlit/config.toml


def _fail(exc: core.DeskError) -> None:
    show_error(exc)


# Buttons act through on_click callbacks, so a click survives page_context's rerun;
# their outcome is flashed (ui.feedback) to the tab's area for the next run.
# --- screenplay import ----------------------------------------------------------------

def _screenplay_tab() -> None:
    st.markdown("Import a **Fountain** (`.fountain`, `.txt`) or **Final Draft** (`.fdx`) "
                "screenplay. You see what it will do before anything is saved; importing "
                "the same file again changes nothing.")
    show_flash("library.sp")
    n = st.session_state.setdefault("sp_round", 0)
    target = st.radio("Import into", ["new", "this"], horizontal=True, key="sp_target",
                      format_func=lambda t: "A new project" if t == "new" else
                      esc(f"{project.name} · {branch.name} branch"))
    upload = st.file_uploader(f"Screenplay file (at most {SCREENPLAY_MB} MB)",
                              type=["fountain", "txt", "fdx", "spmd"],
                              max_upload_size=SCREENPLAY_MB, key=f"sp_upload_{n}")
    if upload is None:
        return
    data = upload.getvalue()
    fmt = "fdx" if upload.name.lower().endswith(".fdx") else "fountain"
    digest = hashlib.sha256(data).hexdigest()[:16]
    try:
        first = _preview(target, "New film", data, fmt, [], None)
    except core.DeskError as exc:
        _fail(exc)
        return
    name = None
    if target == "new":
        default = display_name(first.title) if first.title else \
            Path(upload.name).stem.replace("-", " ").title()
        name = st.text_input("Name of the new project", key=f"sp_name_{digest}",
                             value=default[:120])

    # the producer's choices: which aliases to merge, which candidates to create
    merges = _alias_choices(first, digest)
    create = _candidate_choices(first, digest)

    populate = st.checkbox(
        "Create the scenes' instances", value=True, key="sp_populate",
        help="Every asset the script names in a new scene gets its instance there, scene by "
             "scene in story order, each inheriting from its previous appearance (or its "
             "master). Untick to import the scenes and the scene-asset links only; "
             "“Fill from script” on the Scenes page creates them later.")
    try:
        preview = _preview(target, name, data, fmt, merges, create, populate)
    except core.DeskError as exc:
        _fail(exc)
        return
    _show_report(preview, upload.name, populate)
    label = ("Import " + (f"{len(preview.scenes_created)} new scene(s), "
                          f"{len(preview.assets_created)} new asset(s)")
             + (f", {len(preview.instances_created)} instance(s)" if populate else "")
             if preview.changed else "Nothing to import")
    st.button(label, type="primary", disabled=not preview.changed, key="sp_confirm",
              on_click=_do_import, args=(target, name, data, fmt, upload.name, merges, create,
                                         n, populate))


def _alias_choices(first, digest: str) -> list[tuple[str, str]]:
    """Aliases (ticked: merged) and looks (unticked: kept apart, linked), each with its
    reason (N3)."""
    merges = []
    aliases = [p for p, _ in first.alias_proposals if p.kind == "alias"]
    looks = [p for p, _ in first.alias_proposals if p.kind == "look"]
    if aliases:
        st.markdown("##### Aliases found")
        st.caption("Names that look like the same character. Untick one to keep it apart.")
    for proposal in aliases:
        key = f"sp_alias_{digest}_{proposal.name_key}_{proposal.alias_key}"
        if st.checkbox(f"**{esc(proposal.alias)}** is **{esc(proposal.owner)}** "
                       f"({esc(proposal.reason)})", value=True, key=key):
            merges.append(proposal.pair)
    if looks:
        st.markdown("##### Looks of one character")
        st.caption("Another age or description of a character looks different on screen: "
                   "it stays a character of its own, linked as a look. Tick one to merge "
                   "it into the character instead.")
    for proposal in looks:
        key = f"sp_look_{digest}_{proposal.name_key}_{proposal.alias_key}"
        if st.checkbox(f"**{esc(proposal.alias)}**: a look of **{esc(proposal.owner)}** "
                       f"({esc(proposal.reason)}) — merge", value=False, key=key):
            merges.append(proposal.pair)
    return merges


def _candidate_choices(first, digest: str) -> dict[str, str]:
    """Voice and crowd cues, and props the script marks, per scene: none created
    unless ticked (N3, N5)."""
    create: dict[str, str] = {}
    cands = [c for c, _ in first.candidates]
    voices = [c for c in cands if c.kind != "prop"]
    props = sorted((c for c in cands if c.kind == "prop"), key=lambda c: c.scenes[:1])
    label = {s.index: core.scene_label(s.label, s.scene_number) for s in first.scenes}
    if voices:
        st.markdown("##### Voices and crowds")
        st.caption("Cues that are heard, not seen: not characters unless you tick them.")
        create |= _candidate_table(voices, f"sp_voices_{digest}", label, "character")
    if props:
        st.markdown("##### Props marked in the script")
        st.caption("Things written in capitals in action lines, by the scene they first "
                   "appear in (camera directions, transitions and sounds left out). Tick "
                   "the ones to create.")
        create |= _candidate_table(props, f"sp_props_{digest}", label, "prop", by_scene=True)
    return create


def _candidate_table(cands, key: str, label: dict, kind: str, *, by_scene: bool = False
                     ) -> dict[str, str]:
    rows = [{"Create": False, "Scene": label.get(c.scenes[0], "") if c.scenes else "",
             "Name": c.name, "Type": kind, "Why": c.reason,
             "Scenes": ", ".join(label.get(n, str(n)) for n in c.scenes), "key": c.key}
            for c in cands]
    order = ["Create", "Scene", "Name", "Type", "Why", "Scenes"] if by_scene else \
        ["Create", "Name", "Type", "Why", "Scenes"]
    edited = st.data_editor(
        pd.DataFrame(rows), key=key, hide_index=True, width="stretch", column_order=order,
        disabled=["Scene", "Name", "Why", "Scenes"],
        column_config={"Type": st.column_config.SelectboxColumn(options=TYPES, required=True),
                       "Why": st.column_config.TextColumn(width="large")})
    return {r["key"]: r["Type"] for _, r in edited.iterrows() if r["Create"]}


def _preview(target, name, data, fmt, merges, create, populate=False):
    """The dry run, computed once per file and choices (while the project is unchanged)."""
    return desk.import_preview(
        "screenplay", project.id if target == "this" else None, data,
        (target, branch.id, fmt, name, merges, sorted((create or {}).items()), populate),
        lambda: _run_import(target, name, data, fmt, True, merges, create, populate))


def _run_import(target, name, data, fmt, dry_run, merges, create, populate):
    if target == "new":
        return desk.import_screenplay_as_project(name, data, fmt, actor=actor, dry_run=dry_run,
                                                 merge_aliases=merges,
                                                 create_candidates=create, populate=populate)
    return desk.import_screenplay(project.id, data, fmt, branch.id, actor=actor,
                                  dry_run=dry_run, merge_aliases=merges,
                                  create_candidates=create, populate=populate)


def _do_import(target, name, data, fmt, filename, merges, create, n, populate) -> None:
    done = attempt(lambda: _run_import(target, name, data, fmt, False, merges, create,
                                       populate), "library.sp")
    if done is None:
        return
    if target == "new":                        # open the new film in the sidebar
        st.session_state.project_id = done.project_id
        st.session_state.branch_id = done.branch_id
        st.session_state.sp_target = "this"
    flash("success",
          f"Imported {filename}"
          + (f" as the new project “{name}”" if target == "new" else "") + ": "
          f"{len(done.scenes_created)} scene(s) created, "
          f"{len(done.scenes_updated)} updated, {len(done.assets_created)} asset(s) "
          f"created, {done.mappings_created} scene-asset link(s), "
          f"{len(done.instances_created)} instance(s).", "library.sp")
    st.session_state.sp_round = n + 1          # a fresh, empty uploader


def _show_report(rep, filename: str, populate: bool) -> None:
    st.markdown(f"##### Preview of {esc(filename)}"
                + (f" — {esc(rep.title)}" if rep.title else ""))
    cols = st.columns(4)
    cols[0].metric("New scenes", len(rep.scenes_created))
    cols[1].metric("Updated scenes", len(rep.scenes_updated))
    cols[2].metric("New assets", len(rep.assets_created))
    cols[3].metric("Scene-asset links", rep.mappings_created)
    st.caption(_populate_line(rep, populate))
    for w in rep.warnings:
        notice("warning", w)
    actions = {"create": "new", "update": "updated", "unchanged": "unchanged"}
    st.markdown("**Scenes**")
    st.dataframe(pd.DataFrame([{
        "Scene": s.scene_number, "Label": s.label or "", "Heading": s.heading,
        "Time of day": s.time_of_day or "", "Qualifiers": ", ".join(s.qualifiers),
        "Change": actions[s.action], "Assets": ", ".join(s.assets),
    } for s in rep.scenes]), hide_index=True, width="stretch")
    st.markdown("**Assets**")
    origins = {"speaker": "speaks", "action": "introduced in action", "slugline": "heading",
               "parent": "encloses a sub-location", "candidate": "ticked above"}
    descriptions = {"script": "introduction line", "placeholder": "placeholder"}
    st.dataframe(pd.DataFrame([{
        "Name": a.name, "Type": a.asset_type,
        "Change": {"create": "new", "match": "existing", "skip": "not created"}[a.action],
        "From": origins.get(a.origin, a.origin), "Aliases": ", ".join(a.aliases),
        "Look of": a.look_of or "", "Inside": a.parent or "",
        "Description": descriptions.get(a.description_source, ""),
        "In scenes": len(a.scenes), "Note": a.note,
    } for a in rep.assets]), hide_index=True, width="stretch")
    if rep.missing_scenes:
        st.markdown("**Scenes of this branch not in the file** (kept, never deleted)")
        st.dataframe(pd.DataFrame([{
            "Scene": m.scene_number, "Heading": m.heading, "Instances": m.instance_count,
        } for m in rep.missing_scenes]), hide_index=True, width="stretch")


def _populate_line(rep, populate: bool) -> str:
    if not populate:
        return ("No instances will be created: the scenes get their scene-asset links only "
                "(“Fill from script” on the Scenes page creates the instances later).")
    n, scenes = len(rep.instances_created), len(rep.populated_scenes)
    return (f"Will create {n} instance(s) in {scenes} of the {len(rep.scenes_created)} new "
            "scene(s): each asset starts from its previous appearance, or from its master "
            "in its first scene.")


# --- project assets -----------------------------------------------------------------------

def _assets_tab() -> None:
    assets = desk.assets(project.id)
    if not assets:
        st.info("No assets yet: import a screenplay or a CSV file, or add one below.")
    else:
        st.caption("Edit cells, then save. Each change is checked against the version you "
                   "loaded, so nobody's edit is silently lost.")
        loaded = pd.DataFrame([{
            "id": a.id, "Name": a.name, "Type": a.asset_type, "Description": a.description,
            "Aliases": join_aliases(a.aliases), "Approved": a.approved,
            "Master image": "✓" if a.master_image_key else "", "version": a.version,
            "Description from": {"script": "script", "placeholder": "placeholder"}.get(
                a.description_source or "", ""),
        } for a in assets])
        st.data_editor(
            loaded, key="assets_editor", hide_index=True, width="stretch",
            column_order=["Name", "Type", "Description", "Description from", "Aliases",
                          "Approved", "Master image"],
            disabled=["Master image", "Description from"],
            column_config={
                "Type": st.column_config.SelectboxColumn(options=TYPES, required=True),
                "Description": st.column_config.TextColumn(width="large"),
                "Aliases": st.column_config.TextColumn(help="separated by ;")})
        st.button("Save asset changes", key="assets_save", on_click=_save_assets,
                  args=(loaded,))
    show_flash("library.assets")
    _add_asset_form()
    if assets:
        _master_image(assets)


def _save_assets(loaded: pd.DataFrame) -> None:
    """Apply the data editor's edited cells, each checked against its loaded version."""
    edits = st.session_state.get("assets_editor", {}).get("edited_rows", {})
    for row, cells in edits.items():
        old = loaded.iloc[int(row)]
        changes = {}
        for col, field in (("Name", "name"), ("Type", "asset_type"),
                           ("Description", "description"), ("Approved", "approved")):
            if col in cells and cells[col] != old[col]:
                changes[field] = bool(cells[col]) if field == "approved" else cells[col]
        if "Aliases" in cells and cells["Aliases"] != old["Aliases"]:
            changes["aliases"] = split_aliases(str(cells["Aliases"] or ""))
        if not changes:
            continue
        try:
            desk.update_asset(old["id"], expected_version=int(old["version"]), actor=actor,
                              **changes)
            flash("success", f"Saved {changes.get('name', old['Name'])}.", "library.assets")
        except core.ConflictError as exc:
            now = exc.current
            flash("error", f"{exc} It now reads: “{now.description[:160]}”."
                  if now is not None else str(exc), "library.assets")
        except core.DeskError as exc:
            flash("error", f"{old['Name']}: {exc}", "library.assets")
    if not edits:
        flash("info", "Nothing changed.", "library.assets")
    st.session_state.pop("assets_editor", None)


def _add_asset_form() -> None:
    with st.expander("Add an asset"), st.form("add_asset", clear_on_submit=True):
        c1, c2 = st.columns([2, 1])
        name = c1.text_input("Name")
        kind = c2.selectbox("Type", TYPES)
        description = st.text_area("Master description")
        aliases = st.text_input("Aliases (separated by ;)")
        if st.form_submit_button("Add asset"):
            try:
                desk.add_asset(project.id, name, kind, description,
                               aliases=split_aliases(aliases))
                notice("success", f"Added {name}.")
            except core.DeskError as exc:
                _fail(exc)


def _master_image(assets) -> None:
    st.markdown("##### Master image")
    by_id = {a.id: a for a in assets}
    aid = st.selectbox("Asset", list(by_id), format_func=lambda i: by_id[i].name,
                       key="master_asset")
    asset = by_id[aid]
    left, right = st.columns([1, 2])
    png = desk.image_bytes(asset.master_image_key)
    if png is not None:
        left.image(png, caption=esc(f"{asset.name} (master)"), width=220)
    else:
        left.caption("No master image yet.")
    image = right.file_uploader(IMAGE_LIMITS,
                                type=["png", "jpg", "jpeg", "webp"], max_upload_size=IMAGE_MB,
                                key=f"master_upload_{aid}")
    right.button("Set as master image", key="master_set", disabled=image is None,
                 on_click=_set_master, args=(asset, f"master_upload_{aid}"))


def _set_master(asset, upload_key: str) -> None:
    image = st.session_state.get(upload_key)
    if image is None:
        return
    if attempt(lambda: desk.set_master_image(asset.id, image.getvalue(),
                                             expected_version=asset.version, actor=actor),
               "library.assets") is not None:
        flash("success", f"Master image of {asset.name} saved.", "library.assets")


# --- global library -------------------------------------------------------------------------

def _clone(gid: str, name: str) -> None:
    if attempt(lambda: desk.clone_global_asset(project.id, gid, actor=actor),
               "library.library") is not None:
        flash("success", f"{name} added to {project.name}.", "library.library")


def _library_tab() -> None:
    show_flash("library.library")
    entries = desk.global_assets()
    st.caption("Assets shared by every project. Add one to this project to use it here.")
    if entries:
        st.dataframe(pd.DataFrame([{"Name": g.name, "Type": g.asset_type,
                                    "Description": g.description,
                                    "Aliases": ", ".join(g.aliases)} for g in entries]),
                     hide_index=True, width="stretch")
        by_id = {g.id: g for g in entries}
        gid = st.selectbox("Library asset", list(by_id), format_func=lambda i: by_id[i].name,
                           key="lib_pick")
        st.button("Add to this project", key="lib_clone", on_click=_clone,
                  args=(gid, by_id[gid].name))
    else:
        st.info("The library is empty.")
    st.download_button("Download the library as CSV", desk.export_library_csv(),
                       file_name="library.csv", mime="text/csv", key="lib_csv_out")
    _csv_import("library", "lib_csv")


# --- CSV ------------------------------------------------------------------------------------

def _csv_tab() -> None:
    st.markdown("Columns: `name, type, description, aliases, approved` (aliases separated "
                "by `;`). Rows update the asset with the same name or alias, or create one.")
    st.download_button("Download project assets as CSV", desk.export_assets_csv(project.id),
                       file_name=f"{project.name} assets.csv", mime="text/csv",
                       key="assets_csv_out")
    _csv_import("project", "assets_csv")


def _csv_import(target: str, key: str) -> None:
    show_flash(f"library.{key}")
    upload = st.file_uploader(f"CSV to import (at most {CSV_MB} MB)", type=["csv", "txt"],
                              max_upload_size=CSV_MB, key=f"{key}_in")
    if upload is None:
        return
    try:
        preview = desk.import_preview(
            f"{target}_csv", project.id if target == "project" else None, upload.getvalue(),
            (), lambda: _run_csv(target, upload.getvalue(), True))
    except core.DeskError as exc:
        _fail(exc)
        return
    st.write(f"Will create **{len(preview.created)}**, update **{len(preview.updated)}**, "
             f"leave **{len(preview.unchanged) + len(preview.skipped)}** as they are.")
    if preview.created or preview.updated:
        st.caption(esc("New: " + ", ".join(preview.created or ["—"]) + " · Updated: "
                       + ", ".join(preview.updated or ["—"])))
    st.button("Import CSV", type="primary", key=f"{key}_go",
              disabled=not (preview.created or preview.updated),
              on_click=_import_csv, args=(target, key, upload.getvalue()))


def _run_csv(target: str, data: bytes, dry_run: bool):
    if target == "project":
        return desk.import_assets_csv(project.id, data, actor=actor, dry_run=dry_run)
    return desk.import_library_csv(data, actor=actor, dry_run=dry_run)


def _import_csv(target: str, key: str, data: bytes) -> None:
    done = attempt(lambda: _run_csv(target, data, False), f"library.{key}")
    if done is not None:
        flash("success", f"Imported: {len(done.created)} created, "
              f"{len(done.updated)} updated.", f"library.{key}")


# --- project export / import ------------------------------------------------------------------

def _project_tab() -> None:
    st.markdown("A project export is a zip with every row of the project and all its "
                "images: a complete backup. Importing one creates a **new** project.")
    show_flash("library.project")
    st.button("Prepare export", key="export_go", on_click=_prepare_export)
    blob = st.session_state.get("export_blob")
    if blob and blob[0] == project.id:
        st.download_button(esc(f"Download {project.name}.zip ({len(blob[1]) / 1024:.0f} KB)"),
                           blob[1], file_name=f"{project.name}.zip",
                           mime="application/zip", key="export_dl")
    st.divider()
    upload = st.file_uploader(f"Project export to import (at most {PROJECT_MB} MB)",
                              type=["zip"], max_upload_size=PROJECT_MB, key="project_in")
    name = st.text_input("Name of the imported project (blank keeps the exported name)",
                         key="project_in_name")
    st.button("Import as a new project", type="primary", key="project_in_go",
              disabled=upload is None, on_click=_import_project, args=(name,))


def _prepare_export() -> None:
    blob = attempt(lambda: desk.export_project(project.id), "library.project")
    if blob is not None:
        st.session_state.export_blob = (project.id, blob)


def _import_project(name: str) -> None:
    upload = st.session_state.get("project_in")
    if upload is None:
        return
    done = attempt(lambda: desk.import_project(upload.getvalue(), actor=actor,
                                               name=name.strip() or None), "library.project")
    if done is None:
        return
    rows = sum(done.rows.values())
    flash("success", f"Imported “{done.name}”: {rows} rows, {len(done.files)} image files. "
          "Choose it in the sidebar.", "library.project")
    for w in done.warnings:
        flash("warning", w, "library.project")


tabs = st.tabs(["Screenplay import", "Project assets", "Global library", "CSV",
                "Export / import project"])
with tabs[0]:
    _screenplay_tab()
with tabs[1]:
    _assets_tab()
with tabs[2]:
    _library_tab()
with tabs[3]:
    _csv_tab()
with tabs[4]:
    _project_tab()
