"""Bulk generation (G8, G9): choose instances, see the estimate, confirm, watch the
progress (read from the database, so a reload picks it up again), cancel, retry the
failed ones, and look at the results grouped by scene.

UI only: every read and every change goes through the Desk."""

from __future__ import annotations

import logging

import streamlit as st

import core
from ui.context import page_context
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc
from ui.widgets import NO_VALUE, project_line, show_error, tag_chips

log = logging.getLogger(__name__)
ss = st.session_state

SELECTIONS = {
    "missing": "Missing",
    "stale": "Stale",
    "missing_or_stale": "Missing or stale",
    "all": "All",
    "picked": "Hand-picked",
}
TYPES = {"character": "Characters", "location": "Locations", "prop": "Props"}
TYPE_ICON = {"character": ":material/person:", "location": ":material/location_on:",
             "prop": ":material/category:"}
STATUS_BADGE = {"queued": "gray", "running": "blue", "completed": "green", "failed": "red",
                "cancelled": "orange"}
PLACEHOLDER = {"queued": "Queued…", "running": "Rendering…", "failed": "Failed",
               "cancelled": "Cancelled"}
GALLERY_COLUMNS = 6
GALLERY_LIMIT = 60
POLL_SECONDS = 1.0
CSS = """<style>
.bk-muted{color:#8a8d96;font-size:0.82rem}
.bk-scene{font-size:0.95rem;margin:0.6rem 0 0.1rem 0}
.bk-empty{height:170px;border:1px dashed rgba(128,128,128,0.45);border-radius:0.5rem;
 display:flex;align-items:center;justify-content:center;color:#8a8d96;font-size:0.8rem}
.bk-err{font-size:0.86rem;line-height:1.45;margin:0.1rem 0}
[class*="st-key-bk_card_"] img{border-radius:0.35rem;height:170px;width:100%;
 object-fit:contain;background:rgba(128,128,128,0.08)}
[class*="st-key-bk_card_"] p{font-size:0.84rem;margin-bottom:0}
</style>"""


def credits(value: float | None) -> str:
    return f"{(value or 0.0):,.2f}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- the current run: job ids in session state, plus the project's active jobs --------
def run_key(project_id: str) -> str:
    return f"bulk_run_{project_id}"


def run_ids(desk: core.Desk, project_id: str) -> list[str]:
    """The jobs this page follows: the run started here, and every job of the project
    still queued or running (after a reload, or started in another tab). Read from the
    database each time, so progress survives a reload."""
    ids = list(ss.get(run_key(project_id), []))
    active = desk.image_jobs(project_id, statuses=("queued", "running"))
    ids += [j.id for j in reversed(active) if j.id not in set(ids)]
    ss[run_key(project_id)] = ids
    return ids


def load_run(desk: core.Desk, project_id: str):
    try:
        return desk.job_progress(run_ids(desk, project_id))
    except core.NotFoundError:           # jobs removed meanwhile (e.g. project import)
        ss[run_key(project_id)] = []
        return desk.job_progress(run_ids(desk, project_id))


# --- actions --------------------------------------------------------------------------
def open_confirm(ids: list[str], regenerate: bool) -> None:
    ss.bulk_confirm = {"ids": ids, "regenerate": regenerate}


def close_confirm() -> None:
    ss.bulk_confirm = None


def start_run(desk: core.Desk, project_id: str, actor: str) -> None:
    """Confirm: queue the jobs (refused whole by BudgetError, G9) and follow them."""
    plan, ss.bulk_confirm = ss.get("bulk_confirm"), None
    if not plan:
        return
    try:
        jobs = desk.request_images(plan["ids"], actor=actor, regenerate=plan["regenerate"])
    except core.BudgetError as exc:
        flash("error", f"Over budget. {exc}", "bulk.estimate")
        return
    except core.DeskError as exc:
        flash("error", f"Not started. {exc}", "bulk.estimate")
        return
    # Follow the new jobs, and the previous run's ones still under way.
    active = {j.id for j in desk.image_jobs(project_id, statuses=("queued", "running"))}
    ids = [j for j in ss.get(run_key(project_id), []) if j in active]
    ss[run_key(project_id)] = ids + [j.id for j in jobs if j.id not in set(ids)]
    ss.bulk_started = len(jobs)


@st.dialog("Generate reference images", on_dismiss=close_confirm)
def confirm_dialog(desk: core.Desk, project_id: str, actor: str) -> None:
    """Opened from the `bulk_confirm` flag; its buttons act in callbacks (which survive
    page_context's rerun), and a rerun of the whole page without the flag closes it."""
    plan = ss.get("bulk_confirm")
    if not plan:
        st.rerun()
    try:
        est = desk.estimate_images(plan["ids"], regenerate=plan["regenerate"])
    except core.DeskError as exc:
        show_error(exc)
        st.button("Close", key="bulk_dialog_close", on_click=close_confirm)
        return
    st.markdown(f"This will generate **{plural(est.count, 'image')}** for about "
                f"**{credits(est.estimated_cost)} credits**. Continue?")
    detail = (f"{plural(est.count, 'image')}: {plural(est.new_jobs, 'new render')}, "
              f"{est.reused} reused")
    if est.reused:
        detail += " (an image of the same state is already rendered or on its way: free)"
    st.caption(detail + ".")
    if est.budget is not None:
        st.caption(f"Budget {credits(est.budget)} · {credits(est.committed)} spent or reserved"
                   f" · {credits(est.remaining)} left before this run.")
    with st.container(horizontal=True, horizontal_alignment="right", gap="small"):
        st.button("Cancel", key="bulk_dialog_cancel", on_click=close_confirm)
        st.button("Confirm", key="bulk_dialog_confirm", type="primary",
                  icon=":material/auto_awesome:", on_click=start_run,
                  args=(desk, project_id, actor))


def cancel_run(desk: core.Desk, actor: str, ids: list[str]) -> None:
    done = attempt(lambda: desk.cancel_jobs(ids, actor=actor), "bulk.run")
    if done is not None:
        flash("info", f"Cancelled {plural(len(done), 'job')}. Images already rendered are "
                      "kept.", "bulk.run")


def retry_run(desk: core.Desk, project_id: str, actor: str, ids: list[str]) -> None:
    jobs = attempt(lambda: desk.retry_jobs(ids, actor=actor), "bulk.run")
    if jobs is None:                       # refused (BudgetError too): nothing was queued
        return
    key = run_key(project_id)
    retried = set(ids)
    ss[key] = [j for j in ss.get(key, []) if j not in retried] + [
        j.id for j in jobs if j.id not in set(ss.get(key, []))]
    flash("info", f"Retrying {plural(len(jobs), 'image')}.", "bulk.run")


def clear_run(project_id: str) -> None:
    ss[run_key(project_id)] = []


def save_style(desk: core.Desk, project_id: str, actor: str) -> None:
    if attempt(lambda: desk.set_project_style(project_id, ss[f"bulk_style_{project_id}"],
                                              actor=actor), "bulk.settings") is not None:
        flash("success", "Visual style saved. Images rendered in the old style are now "
                         "stale.", "bulk.settings")


def save_budget(desk: core.Desk, project_id: str, actor: str) -> None:
    limit = ss[f"bulk_budget_on_{project_id}"]
    value = float(ss[f"bulk_budget_{project_id}"]) if limit else None
    if attempt(lambda: desk.set_budget(project_id, value, actor=actor),
               "bulk.settings") is not None:
        flash("success", f"Budget set to {credits(value)} credits." if value is not None
              else "Budget removed: no limit.", "bulk.settings")


# --- rendering ------------------------------------------------------------------------
def image_state(inst) -> str:
    if inst.image_key is None:
        return "missing"
    return "stale" if inst.image_stale else "current"


def render_filters(desk: core.Desk, branch: core.Branch, scenes: list[core.Scene],
                   everything: list) -> tuple[list, bool]:
    """The chosen instances (of `everything`, the branch's rows read once) and whether
    to render afresh."""
    label = {s.scene_number: f"Scene {esc(s.display_label)}" for s in scenes}  # Markdown
    numbers = [s.scene_number for s in scenes]
    with st.container(border=True):
        st.markdown("**What to generate**")
        which = st.segmented_control(
            "Images", list(SELECTIONS), format_func=SELECTIONS.get, key="bulk_which",
            default="missing_or_stale", required=True,
            help="Missing: no image yet. Stale: the image shows an earlier state (G7). "
                 "Hand-picked: choose instances one by one.")
        c1, c2 = st.columns([6, 5], gap="medium")
        types = c1.pills("Asset types", list(TYPES), format_func=TYPES.get,
                         selection_mode="multi", default=list(TYPES), key="bulk_types")
        if len(numbers) > 1:
            first, last = c2.select_slider(
                "Scenes", numbers, value=(numbers[0], numbers[-1]), format_func=label.get,
                key=f"bulk_scenes_{branch.id}")
        else:
            first = last = numbers[0]
        scope = desk.select_image_candidates(everything, asset_types=types or None,
                                             scene_range=(first, last))
        if not types:
            scope = []
        if which == "picked":
            by_id = {i.id: i for i in scope}
            picked = st.multiselect(
                "Hand-picked instances", list(by_id), key=f"bulk_pick_{branch.id}",
                format_func=lambda i: (f"Scene {by_id[i].scene_number} · {by_id[i].asset_name}"
                                       if i in by_id else i),
                placeholder="Choose instances (Scene N · Asset)")
            chosen = [by_id[i] for i in picked if i in by_id]
        else:
            chosen = desk.select_image_candidates(scope, which=which)
        regenerate = st.toggle(
            "Render new images even where this state already has one", key="bulk_regen",
            help="Off: an asset already rendered in the same state (in any scene) is "
                 "reused for free (G4). On: every chosen instance gets a fresh render.")
    return chosen, regenerate


def render_preview(chosen: list, scenes: list[core.Scene]) -> None:
    labels = {s.id: s.display_label for s in scenes}
    st.markdown(f"**{plural(len(chosen), 'instance')} chosen**")
    if not chosen:
        st.caption("Nothing matches these filters.")
        return
    rows = [{"Scene": labels.get(i.scene_id, str(i.scene_number)), "Asset": i.asset_name,
             "Type": i.asset_type, "Image": image_state(i),
             "Tags": ", ".join(i.status_tags)} for i in chosen]
    st.dataframe(rows, placeholder=NO_VALUE, hide_index=True, width="stretch",
                 height=min(38 + 35 * len(rows), 286), key="bulk_preview",
                 column_config={
                     "Scene": st.column_config.TextColumn(width="small"),
                     "Asset": st.column_config.TextColumn(width="medium"),
                     "Type": st.column_config.TextColumn(width="small"),
                     "Image": st.column_config.TextColumn(
                         width="small", help="missing · stale (shows an earlier state) · "
                                             "current"),
                     "Tags": st.column_config.TextColumn(width="medium"),
                 })


def render_estimate(desk: core.Desk, chosen: list, regenerate: bool,
                    busy: bool) -> None:
    ids = [i.id for i in chosen]
    with st.container(border=True):
        st.markdown("**Estimate**")
        try:
            est = desk.estimate_images(ids, regenerate=regenerate)
        except core.DeskError as exc:
            show_error(exc)
            return
        c1, c2, c3 = st.columns(3)
        c1.metric("Images", est.count)
        c2.metric("New renders", est.new_jobs,
                  help="Jobs that will call the image provider and cost credits.")
        c3.metric("Reused", est.reused,
                  help="Free: the same asset in the same state is rendered once and shared "
                       "across scenes (G4).")
        st.markdown(f"Estimated cost: **{credits(est.estimated_cost)} credits** "
                    f"<span class='bk-muted'>· {esc(desk.provider.name)} · "
                    f"{esc(desk.provider.model)}</span>", unsafe_allow_html=True)
        if est.budget is not None:
            st.markdown(
                f"<span class='bk-muted'>Budget {credits(est.budget)} · "
                f"{credits(est.committed)} spent or reserved · {credits(est.remaining)} left"
                "</span>", unsafe_allow_html=True)
            st.progress(min(max(est.committed / est.budget, 0.0), 1.0) if est.budget else 1.0)
            if est.over_budget_by:
                st.warning(f"This would exceed the budget by "
                           f"{credits(est.over_budget_by)} credits: it will be refused. "
                           "Narrow the selection or raise the budget below.")
        show_flash("bulk.estimate")
        st.button(f"Generate {plural(est.count, 'image')}" if est.count else "Generate",
                  key="bulk_generate", type="primary", icon=":material/auto_awesome:",
                  disabled=not ids, on_click=open_confirm, args=(ids, regenerate),
                  width="stretch",
                  help="Opens a confirmation with the cost first." if ids else
                  "Choose at least one instance.")
        if busy:
            st.caption("A run is in progress below; a new one adds to it.")


def render_settings(desk: core.Desk, project: core.Project, actor: str) -> None:
    pid = project.id
    with st.expander("Project settings · visual style and budget",
                     icon=":material/tune:"):
        show_flash("bulk.settings")
        ss.setdefault(f"bulk_style_{pid}", project.visual_style)
        st.text_area("Visual style", key=f"bulk_style_{pid}", height=80,
                     placeholder="e.g. 1970s Kodachrome, soft grain",
                     help="Part of every prompt and of the image state: changing it makes "
                          "existing images stale (G7).")
        st.button("Save style", key="bulk_style_save", on_click=save_style,
                  args=(desk, pid, actor),
                  disabled=ss[f"bulk_style_{pid}"] == project.visual_style)
        ss.setdefault(f"bulk_budget_on_{pid}", project.budget is not None)
        ss.setdefault(f"bulk_budget_{pid}", float(project.budget or 0.0))
        c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
        on = c1.toggle("Limit spending", key=f"bulk_budget_on_{pid}")
        c2.number_input("Budget (credits)", min_value=0.0, step=5.0, format="%.2f",
                        key=f"bulk_budget_{pid}", disabled=not on)
        st.button("Save budget", key="bulk_budget_save", on_click=save_budget,
                  args=(desk, pid, actor))
        st.caption("Current: " + (f"{credits(project.budget)} credits" if project.budget
                                  is not None else "no limit") +
                   ". A run that would exceed the budget is refused whole (G9).")


def render_live(desk: core.Desk, project: core.Project, branch: core.Branch,
                scenes: list[core.Scene], chosen: list, actor: str, run,
                everything: list) -> None:
    """Progress and results, re-read from the database every second while jobs are
    queued or running (a fragment: the rest of the page stays as it is). Its first
    run shows what the page has just read; its own reruns read afresh."""
    ss.bulk_was_active = run.active > 0
    read = [(run, everything)]

    @st.fragment(run_every=POLL_SECONDS if run.active else None)
    def live() -> None:
        current, rows = read.pop() if read else (load_run(desk, project.id),
                                                 desk.image_rows(project.id, branch.id))
        if ss.get("bulk_was_active") != (current.active > 0):
            # Finished, cancelled or retried: rerun the whole page (estimate, counts),
            # which also stops or starts the polling.
            st.rerun()
        render_progress(desk, project, actor, current)
        render_gallery(desk, scenes, chosen, current, rows)

    live()


def render_progress(desk: core.Desk, project: core.Project, actor: str, run) -> None:
    """The run's counts per status, cancel / retry, and why each failed job failed."""
    if run.total == 0:
        show_flash("bulk.run")
        return
    with st.container(border=True):
        head = (":material/progress_activity: Generating…" if run.active else
                ":material/task_alt: Run finished")
        st.markdown(f"**{head}** <span class='bk-muted'>· {run.finished} of "
                    f"{plural(run.total, 'job')} done · actual cost "
                    f"{credits(run.actual_cost)} credits</span>", unsafe_allow_html=True)
        started = ss.pop("bulk_started", None)
        if started:
            st.caption(f"Started: {plural(started, 'image')} requested.")
        st.progress(run.fraction)
        st.markdown(" ".join(
            f":{STATUS_BADGE[s]}-badge[{s} {n}]" for s, n in run.counts.items() if n))
        show_flash("bulk.run")
        retryable = run.ids("failed", "cancelled")
        with st.container(horizontal=True, gap="small"):
            if run.active:
                st.button("Cancel", key="bulk_cancel", icon=":material/stop_circle:",
                          on_click=cancel_run,
                          args=(desk, actor, run.ids("queued", "running")),
                          help="Stop the queued and running jobs; finished images stay.")
            if retryable:
                st.button(f"Retry failed ({len(retryable)})", key="bulk_retry",
                          icon=":material/refresh:", on_click=retry_run,
                          args=(desk, project.id, actor, retryable),
                          help="Queue the failed and cancelled ones again (new jobs).")
            if not run.active:
                st.button("Clear", key="bulk_clear", type="tertiary",
                          on_click=clear_run, args=(project.id,),
                          help="Forget this run here; its images stay.")
        if run.failed:
            st.markdown(f"**{plural(len(run.failed), 'failed job')}**")
            for jp in run.failed:
                code = f"{jp.job.error_code}: " if jp.job.error_code else ""
                st.markdown(f"<div class='bk-err'>:material/error: <b>{esc(jp.title)}</b>"
                            f" — {esc(code)}{esc(jp.job.error or 'no reason given')}</div>",
                            unsafe_allow_html=True)


def render_gallery(desk: core.Desk, scenes: list[core.Scene], chosen: list, run,
                   rows: list) -> None:
    status: dict[str, str] = {}       # instance -> status of its newest job in the run
    for jp in run.jobs:
        for t in jp.targets:
            status[t.instance_id] = jp.job.status
    if run.total:
        wanted = set(run.instance_ids)
        title, note = "Results", "The images of the current run, by scene."
        items = [i for i in rows if i.id in wanted]
    else:
        wanted = {i.id for i in chosen}
        title, note = "Current images", "The chosen instances' images as they are now."
        items = [i for i in rows if i.id in wanted and i.image_key]
        if len(items) < len(wanted):
            note += f" {len(wanted) - len(items)} of them have no image yet."
    st.subheader(title)
    st.caption(note + " Open one in the editor to compare attempts or upload your own.")
    if not items:
        return
    shown = items[:GALLERY_LIMIT]
    pngs = desk.image_bytes_many(i.image_key for i in shown)
    by_scene = {s.id: s for s in scenes}
    for scene_id in dict.fromkeys(i.scene_id for i in shown):
        scene = by_scene[scene_id]
        group = [i for i in shown if i.scene_id == scene_id]
        st.markdown(f"<div class='bk-scene'><b>Scene {esc(scene.display_label)}</b> "
                    f"<span class='bk-muted'>· {esc(scene.heading)}</span></div>",
                    unsafe_allow_html=True)
        for start in range(0, len(group), GALLERY_COLUMNS):
            cols = st.columns(GALLERY_COLUMNS)
            for col, inst in zip(cols, group[start:start + GALLERY_COLUMNS], strict=False):
                with col.container(key=f"bk_card_{inst.id}", gap="xxsmall"):
                    if inst.image_key in pngs:
                        st.image(pngs[inst.image_key], width="stretch")
                    else:
                        word = PLACEHOLDER.get(status.get(inst.id), "No image yet")
                        st.markdown(f"<div class='bk-empty'>{word}</div>",
                                    unsafe_allow_html=True)
                    badge = " :orange-badge[stale]" if inst.image_stale else ""
                    st.page_link("pages/editor.py", label=esc(inst.asset_name),
                                 icon=TYPE_ICON.get(inst.asset_type),
                                 query_params={"scene": inst.scene_id, "instance": inst.id},
                                 help="Open in the asset editor")
                    if badge or inst.status_tags:
                        st.markdown(f"{badge} {tag_chips(inst.status_tags)}"
                                    if inst.status_tags else badge, unsafe_allow_html=True)
    if len(items) > len(shown):
        st.caption(f"…and {len(items) - len(shown)} more.")


def main() -> None:
    ctx = page_context()
    st.markdown(CSS, unsafe_allow_html=True)
    st.title("Bulk generation")
    if ctx is None:
        st.info("No projects yet.")
        return
    desk, project, branch, actor = ctx.desk, ctx.project, ctx.branch, ctx.actor
    scenes = desk.scenes(project.id, branch.id)
    everything = desk.image_rows(project.id, branch.id)     # the one read of the instances
    missing = sum(i.image_key is None for i in everything)
    stale = sum(i.image_stale for i in everything)
    st.caption(f"{project_line(project, branch)} · "
               f"{plural(len(everything), 'instance')} · {missing} without an image · "
               f"{stale} stale")
    if not scenes or not everything:
        st.info("This branch has no asset instances yet: add assets to scenes in the "
                "asset editor first.")
        render_settings(desk, project, actor)
        return

    if ss.get("bulk_confirm"):
        confirm_dialog(desk, project.id, actor)

    left, right = st.columns([3, 2], gap="medium")
    with left:
        chosen, regenerate = render_filters(desk, branch, scenes, everything)
        render_preview(chosen, scenes)
    run = load_run(desk, project.id)
    with right:
        render_estimate(desk, chosen, regenerate, busy=run.active > 0)
        render_settings(desk, project, actor)
    render_live(desk, project, branch, scenes, chosen, actor, run, everything)


try:
    main()
except core.DeskError as exc:
    show_error(exc)
except Exception:  # noqa: BLE001 - never a raw traceback on screen
    log.exception("bulk generation page failed")
    st.error("The bulk generation page hit an unexpected problem; the details are in the "
             "server log.")
