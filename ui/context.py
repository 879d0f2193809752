"""The Desk opened once per process, the pages and their routing (including deep links
that run a page without app.py), and the sidebar's shared choices
(project, branch, who is working) that every page reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

import core
from core.config import from_env
from core.demo import seed_demo
from ui.safe import esc
from ui.widgets import show_error

FAVICON = Path(__file__).parent / "favicon.png"
_ROUTED = "ctx_routed"      # set by app.py in each run it routes, taken by the page


def _settings():
    return from_env(secrets=st.secrets)


@st.cache_resource(show_spinner="Opening the continuity database…",
                   on_release=lambda desk: desk.close())
def _open(store: str, image_root: str, provider: str, model: str | None,
          s3_endpoint_url: str | None = None) -> core.Desk:
    """Seeds the demo film only into an empty *configured* database (DESIGN §4:
    `open_desk` itself never creates demo data), sweeps the image files a crash left
    unreferenced and resumes the image jobs it left unfinished (G6, G8). The API key
    is read here, never passed around or shown. `store` is the DuckDB file or the
    PostgreSQL URL (CONTINUITY_DATABASE_URL wins). A DuckDB file another process
    holds raises `core.DatabaseBusyError`, which `get_desk` shows as one error.
    `image_root` may be a bucket (s3://bucket/prefix) on `s3_endpoint_url`."""
    desk = core.open_desk(db_path=store, image_root=image_root, provider=provider,
                          api_key=_settings().api_key, model=model,
                          s3_endpoint_url=s3_endpoint_url)
    if not desk.projects():
        seed_demo(desk, only_if_empty=True)
    desk.resume_jobs()
    return desk


def get_desk() -> core.Desk:
    settings = _settings()
    try:
        return _open(settings.database_url or settings.db_path, settings.image_root,
                     settings.provider, settings.model, settings.s3_endpoint_url)
    except core.DeskError as exc:
        show_error(exc)
        st.stop()


@dataclass(frozen=True)
class Context:
    desk: core.Desk
    project: core.Project
    branch: core.Branch
    actor: str


def sidebar(desk: core.Desk) -> Context | None:
    """Project and branch pickers and the producer's name, shared by all pages, and
    which store the app runs on."""
    projects = desk.projects()
    if not projects:
        st.sidebar.info("No projects yet.")
        _store_caption(desk)
        return None
    ids = [p.id for p in projects]
    wanted = st.query_params.get("project")
    if wanted in ids and "project_id" not in st.session_state:
        st.session_state.project_id = wanted
    if st.session_state.get("project_id") not in ids:
        st.session_state.project_id = ids[0]
    by_id = {p.id: p for p in projects}
    project = by_id[st.sidebar.selectbox(
        "Project", ids, format_func=lambda i: by_id[i].name, key="project_id")]
    branches = desk.branches(project.id)
    bids = [b.id for b in branches]
    wanted = st.query_params.get("branch")
    if wanted in bids and "branch_id" not in st.session_state:
        st.session_state.branch_id = wanted
    if st.session_state.get("branch_id") not in bids:
        st.session_state.branch_id = project.main_branch_id
    bby = {b.id: b for b in branches}
    branch = bby[st.sidebar.selectbox(
        "Branch", bids, format_func=lambda i: bby[i].name, key="branch_id")]
    st.session_state.setdefault("actor", "producer")
    actor = st.sidebar.text_input("Your name (for the audit log)", key="actor").strip()
    _store_caption(desk)
    return Context(desk, project, branch, actor or "producer")


def _store_caption(desk: core.Desk) -> None:
    st.sidebar.caption(esc(f"Store: {desk.store_label}"))


def navigation():
    """The app's page settings and pages; `st.navigation` over them routes each request
    (app.py). The icon is a local file: an emoji or a :material/…: icon as the page
    icon makes the browser fetch it from a CDN (S1)."""
    st.set_page_config(page_title="Continuity Desk", page_icon=str(FAVICON), layout="wide")
    return st.navigation([
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:",
                default=True),
        st.Page("pages/scenes.py", title="Scenes", icon=":material/movie:", url_path="scenes"),
        st.Page("pages/breakdown.py", title="Breakdown", icon=":material/grid_on:",
                url_path="breakdown"),
        st.Page("pages/editor.py", title="Asset editor", icon=":material/edit_note:",
                url_path="editor"),
        st.Page("pages/history.py", title="History", icon=":material/history:",
                url_path="history"),
        st.Page("pages/search.py", title="Tag search", icon=":material/search:",
                url_path="search"),
        st.Page("pages/library.py", title="Library & import",
                icon=":material/library_books:", url_path="library"),
        st.Page("pages/bulk.py", title="Bulk generation", icon=":material/photo_library:",
                url_path="bulk"),
    ])


def route(ctx: Context | None) -> None:
    """Hand this run's context to the page app.py is about to run."""
    st.session_state.ctx = ctx
    st.session_state[_ROUTED] = True


def page_context() -> Context | None:
    """The context app.py put in session state for this run; every page calls this first.

    A `pages/` folder next to app.py makes Streamlit start in its legacy multipage
    mode, which runs a page alone, without app.py and its sidebar: on a fresh server
    whose first request is a deep link (`/scenes?scene=…`), and on every AppTest run.
    Such a page declares the app's navigation (calling `st.navigation` is Streamlit's
    public way out of that mode) and reruns, so app.py routes the same request."""
    if not st.session_state.pop(_ROUTED, False):
        navigation()
        st.rerun()
    return st.session_state.ctx
