"""Open pages learn of other sessions' changes within seconds (A6, issue 11 item 6).

app.py calls `watch` on every full run: it remembers the project's change marker
(one cheap query) as what the page shows, and a fragment polls the marker every
`POLL_S` seconds. Pages that only read refresh themselves; pages with forms (the
editor, the library, bulk generation) say what changed and offer a reload, so
nothing a producer is typing is thrown away."""

from __future__ import annotations

import streamlit as st

import core
from ui.safe import esc

POLL_S = 2.0
READ_ONLY = {"", "overview", "scenes", "history", "search"}   # url paths ("" = Overview)
SHOWN = 3
ss = st.session_state


def watch(ctx, url_path: str) -> None:
    """Remember what this run shows and start polling for changes after it."""
    if ctx is None:
        return
    ss.live_seen = (ctx.project.id, ctx.desk.change_marker(ctx.project.id))
    ss.live_just_read = True       # the fragment's first run is this run: nothing to poll
    _poll(ctx.desk, ctx.project.id, ctx.branch.id, url_path in READ_ONLY)


@st.fragment(run_every=POLL_S)
def _poll(desk: core.Desk, project_id: str, branch_id: str, refresh: bool) -> None:
    seen_project, seen = ss.get("live_seen", (None, None))
    if ss.pop("live_just_read", False) or seen_project != project_id:
        return
    now = desk.change_marker(project_id)
    if now == seen:
        return
    changes = [c for c in desk.changes_since(project_id, seen)
               if c.branch_id in (None, branch_id)]
    if not changes:                    # only another branch changed
        ss.live_seen = (project_id, now)
        return
    if refresh:
        st.rerun(scope="app")
    lines = list(dict.fromkeys(c.message for c in changes))[-SHOWN:]
    more = len({c.message for c in changes}) - len(lines)
    text = "; ".join(lines) + (f"; and {more} more change{'s' if more != 1 else ''}"
                               if more else "")
    with st.container(horizontal=True, vertical_alignment="center", key="live_notice"):
        st.warning(esc(text + " — reload to see it."), icon=":material/sync:")
        if st.button("Reload", key="live_reload", icon=":material/refresh:", type="primary"):
            st.rerun(scope="app")
