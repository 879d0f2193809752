"""Continuity Desk: the Streamlit entry point. Opens the core once, shows the
shared sidebar and routes to the pages in pages/ (UI only; rules live in core)."""

from __future__ import annotations

import streamlit as st

from ui.context import get_desk, sidebar

st.set_page_config(page_title="Continuity Desk", page_icon=":material/movie_filter:",
                   layout="wide")

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
nav.run()
