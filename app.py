"""Continuity Desk: the Streamlit entry point. Opens the core once, shows the
shared sidebar and routes to the pages in pages/ (UI only; rules live in core)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import live
from ui.context import get_desk, navigation, route, sidebar

# A local file: an emoji or :material/…: icon makes the browser fetch it from a CDN (S1).
st.set_page_config(page_title="Continuity Desk",
                   page_icon=str(Path(__file__).parent / "ui" / "favicon.png"), layout="wide")

nav = navigation()
ctx = sidebar(get_desk())
live.watch(ctx, nav.url_path)
route(ctx)
nav.run()
