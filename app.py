"""Continuity Desk: the Streamlit entry point. Opens the core once, shows the
shared sidebar and routes to the pages in pages/ (UI only; rules live in core)."""

from __future__ import annotations

from ui import live
from ui.context import get_desk, navigation, route, sidebar

nav = navigation()
ctx = sidebar(get_desk())
live.watch(ctx, nav.url_path)
route(ctx)
nav.run()
