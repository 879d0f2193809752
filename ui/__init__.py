"""Streamlit helpers shared by the pages: the open Desk, the sidebar context and
small display widgets. UI only: no SQL, no rules."""
