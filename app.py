"""Continuity Desk: the Streamlit entry point. Opens the core once, shows the
shared sidebar and routes to the pages in pages/ (UI only; rules live in core)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import live
from ui.context import get_desk, sidebar

# A local file: an emoji or :material/…: icon makes the browser fetch it from a CDN (S1).
st.set_page_config(page_title="Continuity Desk",
                   page_icon=str(Path(__file__).parent / "ui" / "favicon.png"), layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/scenes.py", title="Scenes", icon=":material/movie:", url_path="scenes"),
    st.Page("pages/editor.py", title="Asset editor", icon=":material/edit_note:",
            url_path="editor"),
    st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"),
    st.Page("pages/search.py", title="Tag search", icon=":material/search:", url_path="search"),
    st.Page("pages/library.py", title="Library & import", icon=":material/library_books:",
            url_path="library"),
    st.Page("pages/bulk.py", title="Bulk generation", icon=":material/photo_library:",
            url_path="bulk"),
]

nav = st.navigation(PAGES)
st.session_state.ctx = sidebar(get_desk())
live.watch(st.session_state.ctx, nav.url_path)
nav.run()
