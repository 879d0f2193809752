"""The asset editor's image controls for one instance (G6, G7, R2): the selected
image and its stale badge, generate / regenerate with the job's status, the
attempts strip (select), upload, "use master image", and the scene's local
context as JSON. UI only: every read and change goes through the Desk; actions run
as widget callbacks, so the page always renders the saved state."""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

import core
from core.images.store import IMAGE_LIMITS, MAX_UPLOAD_BYTES
from ui.editor import areas
from ui.feedback import attempt, flash, show_flash
from ui.safe import esc
from ui.widgets import notice

ss = st.session_state

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp"]
UPLOAD_MB = MAX_UPLOAD_BYTES // 1024 // 1024
STRIP_COLUMNS = 3
POLL_SECONDS = 1.0
KIND_LABEL = {"generated": "Generated", "uploaded": "Uploaded", "master": "Master image",
              "inherited": "Inherited"}
CSS = """<style>
[class*="st-key-ip_sel_img"] img{border-radius:0.4rem;max-height:300px;object-fit:contain}
[class*="st-key-ip_att_"] img{border-radius:0.3rem;height:110px;width:100%;object-fit:contain;
 background:rgba(128,128,128,0.08)}
.ip-empty{height:180px;border:1px dashed rgba(128,128,128,0.45);border-radius:0.5rem;
 display:flex;align-items:center;justify-content:center;color:#8a8d96;font-size:0.85rem}
.ip-note{font-size:0.8rem;color:#8a8d96;line-height:1.35}
</style>"""


def key(name: str, iid: str) -> str:
    return f"ip_{name}_{iid}"


def _run(iid: str, fn: Callable, done: str) -> bool:
    """One change; its outcome (or why it failed) shows in the instance's panel."""
    ok = attempt(lambda: fn() or True, areas.image(iid)) is not None
    if ok:
        flash("success", done, areas.image(iid))
    return ok


# --- callbacks --------------------------------------------------------------------------
def _generate(desk: core.Desk, actor: str, iid: str, regenerate: bool) -> None:
    jobs = attempt(lambda: desk.request_images([iid], actor=actor, regenerate=regenerate),
                   areas.image(iid))
    if jobs:
        if jobs[0].status == "completed":
            flash("success", "This state was already rendered: its image is selected (free).",
                  areas.image(iid))
        else:
            flash("info", "Rendering the image… it appears here when it is ready.",
                  areas.image(iid))


def _select(desk: core.Desk, actor: str, iid: str, attempt_id: str) -> None:
    _run(iid, lambda: desk.select_attempt(iid, attempt_id, actor=actor), "Image selected.")


def _use_master(desk: core.Desk, actor: str, iid: str) -> None:
    _run(iid, lambda: desk.use_master_image(iid, actor=actor),
         "Using the master image for this scene.")


def _upload(desk: core.Desk, actor: str, iid: str) -> None:
    widget = key(f"up{ss.get(key('upn', iid), 0)}", iid)
    file = ss.get(widget)
    if file is None:
        return
    if _run(iid, lambda: desk.upload_image(iid, file.getvalue(), file.name, actor=actor),
            f"Uploaded {file.name}: it is now the selected image."):
        # a fresh uploader, so the file is not sent twice
        ss[key("upn", iid)] = ss.get(key("upn", iid), 0) + 1


# --- rendering ---------------------------------------------------------------------------
def _busy(jobs: list) -> bool:
    """The newest job is queued or running (the instance's own or a bulk run's)."""
    return bool(jobs) and jobs[0].status in ("queued", "running")


def _status(desk: core.Desk, iid: str, jobs: list) -> None:
    """The newest job's status (`jobs`: the page run's read of it); polls while it is
    queued or running, then reruns the page so the new image shows."""
    active = _busy(jobs)
    ss[key("was_active", iid)] = active
    first = [jobs]      # the page run uses its read; each poll reads afresh

    @st.fragment(run_every=POLL_SECONDS if active else None)
    def status() -> None:
        latest = first.pop() if first else desk.instance_image_jobs(iid, limit=1)
        now = _busy(latest)
        if ss.get(key("was_active", iid)) != now:
            st.rerun()
        if not latest:
            return
        job = latest[0]
        if now:
            st.markdown(f":blue-badge[:material/progress_activity: {job.status}] "
                        "<span class='ip-note'>rendering the image…</span>",
                        unsafe_allow_html=True)
        elif job.status == "failed":
            code = f"{job.error_code}: " if job.error_code else ""
            notice("error", f"The last render failed — {code}{job.error or 'no reason given'}",
                   icon=":material/error:")
        elif job.status == "cancelled":
            st.caption("The last render was cancelled.")

    status()


def _attempts_strip(desk: core.Desk, actor: str, inst: core.Instance) -> None:
    attempts = desk.attempts(inst.id, state_hash=inst.state_hash)
    st.markdown(f"**Attempts** <span class='ip-note'>· {len(attempts)}</span>",
                unsafe_allow_html=True)
    if not attempts:
        st.caption("No images yet: generate one, upload your own or use the master image.")
        return
    pngs = desk.image_bytes_many(a.image_key for a in attempts)
    for start in range(0, len(attempts), STRIP_COLUMNS):
        cols = st.columns(STRIP_COLUMNS)
        for col, a in zip(cols, attempts[start:start + STRIP_COLUMNS], strict=False):
            with col.container(key=f"ip_att_{a.id}", gap="xxsmall"):
                if a.image_key in pngs:
                    st.image(pngs[a.image_key], width="stretch")
                flag = " :orange-badge[stale]" if a.stale else ""
                st.caption(f"{KIND_LABEL.get(a.kind, a.kind)}  \n{a.created_at:%d %b %H:%M}")
                if a.selected:
                    st.markdown(f":green-badge[:material/check: selected]{flag}")
                else:
                    with st.container(horizontal=True, gap="xsmall",
                                      vertical_alignment="center"):
                        st.button("Select", key=f"ip_sel_{a.id}", type="secondary",
                                  on_click=_select, args=(desk, actor, inst.id, a.id),
                                  help="Make this the instance's image (audited)")
                        if flag:
                            st.markdown(flag)


def render_image_panel(desk: core.Desk, actor: str, inst: core.Instance,
                       asset: core.Asset) -> None:
    """The image controls of `inst`, an appearance of `asset`."""
    iid = inst.id
    st.markdown(CSS, unsafe_allow_html=True)
    with st.container(border=True, key=key("panel", iid)):
        if inst.image_key is None:
            badge = ":gray-badge[:material/hide_image: no image]"
        elif inst.image_stale:
            badge = ":orange-badge[:material/image: stale image]"
        else:
            badge = ":green-badge[:material/image: current]"
        st.markdown(f"**Reference image** {badge}")
        show_flash(areas.image(iid))
        if inst.image_stale:
            st.caption("The selected image shows an earlier state of this asset (G7): "
                       "generate one for the current state or select another attempt.")

        left, right = st.columns([1, 1], gap="medium")
        with left:
            png = desk.image_bytes(inst.image_key)
            if png is not None:
                with st.container(key=key("sel_img", iid)):
                    st.image(png, width="stretch")
            else:
                st.markdown("<div class='ip-empty'>No image yet</div>", unsafe_allow_html=True)
        with right:
            fresh = inst.image_key is not None and not inst.image_stale
            jobs = desk.instance_image_jobs(iid, limit=1)
            busy = _busy(jobs)
            st.button("Regenerate" if fresh else "Generate image", key=key("gen", iid),
                      type="primary", icon=":material/auto_awesome:", width="stretch",
                      on_click=_generate, args=(desk, actor, iid, fresh), disabled=busy,
                      help="An image of this state is being rendered (here or by a bulk "
                           "run); wait for it to finish" if busy else
                      "Render a new image for this state (an explicit new attempt)"
                      if fresh else "Render an image of this state; free when the same "
                                    "state was already rendered in another scene (G4)")
            _status(desk, iid, jobs)
            st.button("Use master image", key=key("master", iid), width="stretch",
                      icon=":material/photo_library:", disabled=not asset.master_image_key,
                      on_click=_use_master, args=(desk, actor, iid),
                      help="Use the asset's master image here; it counts as fresh until "
                           "the state changes" if asset.master_image_key else
                           esc(f"{asset.name} has no master image yet: add one in "
                               "Library & import."))
            if not asset.master_image_key:
                st.markdown("<div class='ip-note' style='margin-bottom:0.6rem'>No master "
                            "image yet — add one in "
                            "Library & import.</div>", unsafe_allow_html=True)
            st.file_uploader("Upload your own", type=UPLOAD_TYPES, max_upload_size=UPLOAD_MB,
                             key=key(f"up{ss.get(key('upn', iid), 0)}", iid),
                             on_change=_upload, args=(desk, actor, iid),
                             help=f"{IMAGE_LIMITS}, checked by its content. It becomes "
                                  "the selected image.")
        _attempts_strip(desk, actor, inst)

        def context() -> bytes:     # read on the click, not on every run
            return json.dumps(desk.local_context(inst.scene_id), indent=2,
                              ensure_ascii=False).encode()

        st.download_button("Download local context (JSON)", context,
                           file_name=f"scene_{inst.scene_number}_local_context.json",
                           mime="application/json", key=key("ctx", iid),
                           icon=":material/download:", on_click="ignore",
                           help="This scene's text, the previous scene's end state and "
                                "each asset's state, tags and image key, for the next "
                                "pipeline stage (R2).")
