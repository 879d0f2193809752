"""Download buttons for a breakdown sheet (PDF and CSV), shared by the Scenes page
(the scene sheet) and the Tag search timeline (the asset's continuity sheet).

The files are made only when the producer asks ("Prepare sheet"), then kept in the
session for as long as what they show is unchanged (the project's change marker and
the page's own stamp, e.g. the scene), so a rerun never renders a PDF. The Desk makes
the files; this module only lays out the buttons."""

from __future__ import annotations

import re
import unicodedata

import streamlit as st

from ui.feedback import attempt, show_flash
from ui.safe import esc

ss = st.session_state


def file_stem(text: str, fallback: str) -> str:
    """A plain ASCII file-name stem of `text` (letters, digits, hyphens), or `fallback`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60]
    return stem or fallback


def _stamp(desk, project_id: str, kind: str, target_id: str, branch_id: str, extra):
    return (kind, target_id, branch_id, desk.change_marker(project_id), extra)


def _prepare(desk, make, key: str, stamp_args: tuple) -> None:
    files = attempt(lambda: (make("pdf"), make("csv")), key)
    if files is not None:
        ss[f"_{key}_files"] = (_stamp(desk, *stamp_args), *files)


def sheet_downloads(desk, project_id: str, kind: str, target_id: str, branch_id: str, *,
                    stem: str, title: str, extra=None) -> None:
    """"Prepare sheet", then "PDF" and "CSV" downloads of the `kind` ("scene" or
    "asset") sheet of `target_id` in the branch; `extra`: what else the sheet shows
    that the change marker does not cover (the scene's own text)."""
    key = f"sheet_{kind}"

    def make(fmt: str) -> bytes:
        if kind == "scene":
            return desk.scene_sheet(target_id, format=fmt)
        return desk.asset_sheet(target_id, branch_id, format=fmt)

    stamp_args = (project_id, kind, target_id, branch_id, extra)
    made = ss.get(f"_{key}_files")
    fresh = made is not None and made[0] == _stamp(desk, *stamp_args)
    with st.container(horizontal=True, vertical_alignment="center", key=f"{key}_bar"):
        st.markdown(f"**{esc(title)}**", width="content")
        st.button("Prepare again" if made is not None and not fresh else "Prepare sheet",
                  key=f"{key}_prepare", icon=":material/description:",
                  disabled=fresh, on_click=_prepare, args=(desk, make, key, stamp_args),
                  help="Make the PDF and CSV of what the sheet shows now")
        st.download_button("PDF", data=made[1] if fresh else b"", file_name=f"{stem}.pdf",
                           mime="application/pdf", key=f"{key}_pdf", disabled=not fresh,
                           icon=":material/picture_as_pdf:", on_click="ignore",
                           help=None if fresh else "Prepare the sheet first")
        st.download_button("CSV", data=made[2] if fresh else b"", file_name=f"{stem}.csv",
                           mime="text/csv", key=f"{key}_csv", disabled=not fresh,
                           icon=":material/download:", on_click="ignore",
                           help=None if fresh else "Prepare the sheet first")
    show_flash(key)
