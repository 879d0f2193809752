"""The Overview's continuity matrix at film scale (issue 13 item 7): a detailed view of
a window of scenes and a compact view of the whole branch, filtered by asset type and
tag. The view, filters and scene window are bound to the URL (`bind="query-params"`),
so a link reopens the same view. It runs as a fragment over what the page already
read: changing a filter reruns only the matrix and reads nothing again."""

from __future__ import annotations

import streamlit as st

from core.review.matrix import BranchOverview
from ui import dashboard as ui
from ui.safe import esc

WINDOW = 20                       # scenes in the detailed view by default
VIEWS = {"detailed": "Detailed", "compact": "Compact"}
ss = st.session_state


def default_window(numbers: list[int]) -> tuple[int, int]:
    """The first `WINDOW` scenes (all of them in a shorter branch)."""
    return numbers[0], numbers[min(WINDOW, len(numbers)) - 1]


def _shift(numbers: list[int], step: int) -> None:
    """Move the scene window by its own width (in scenes), earlier or later."""
    first, last = ss["matrix_scenes"]
    inside = [n for n in numbers if first <= n <= last]
    width = max(len(inside), 1)
    start = numbers.index(inside[0]) if inside else 0
    start = min(max(start + step * width, 0), len(numbers) - width)
    ss["matrix_scenes"] = (numbers[start], numbers[start + width - 1])


def _scene_window(numbers: list[int]) -> tuple[int, int]:
    """The scene range slider with earlier / later buttons; (first, last) shown."""
    if len(numbers) < 2:
        return numbers[0], numbers[-1]
    low, high = numbers[0], numbers[-1]
    chosen = ss.get("matrix_scenes")
    if chosen is not None and not low <= chosen[0] <= chosen[1] <= high:
        ss["matrix_scenes"] = default_window(numbers)      # left over from another branch
    earlier, slider, later = st.columns([1, 12, 1], vertical_alignment="bottom")
    first, last = slider.slider(
        "Scenes", low, high, default_window(numbers), key="matrix_scenes",
        bind="query-params", help="The scenes the detailed view shows; the compact view "
        "shows them shaded.")
    earlier.button("", icon=":material/chevron_left:", key="matrix_earlier",
                   help="Earlier scenes", on_click=_shift, args=(numbers, -1),
                   disabled=first == low)
    later.button("", icon=":material/chevron_right:", key="matrix_later",
                 help="Later scenes", on_click=_shift, args=(numbers, 1),
                 disabled=last == high)
    return first, last


@st.fragment
def matrix_section(overview: BranchOverview, project_id: str, branch_id: str) -> None:
    """The filters, the scene window and the matrix in the chosen view."""
    ids = {"project_id": project_id, "branch_id": branch_id}
    scenes = overview.scenes
    numbers = [s.scene_number for s in scenes]
    f_view, f_types, f_tags = st.columns([3, 4, 5], vertical_alignment="bottom")
    view = f_view.segmented_control(
        "View", list(VIEWS), format_func=VIEWS.get, default="detailed", required=True,
        key="matrix_view", bind="query-params")
    types = f_types.pills("Asset types", [t for t, _ in ui.TYPE_GROUPS],
                          selection_mode="multi", key="matrix_types", bind="query-params",
                          format_func=lambda t: t.title() + "s")
    tags = f_tags.multiselect("Assets with the tag", list(overview.tag_counts["tag"]),
                              key="matrix_tags", bind="query-params", placeholder="Any tag")
    window = _scene_window(numbers)
    blocker_counts = dict(zip(overview.summaries["scene_id"], overview.summaries["blockers"],
                              strict=True))
    cells = overview.matrix_cells(asset_types=types or None, tags=tags or None)
    if cells.empty:
        st.info("No asset matches these filters." if types or tags else
                "No asset appears in any scene yet: open a scene in the editor and inherit "
                "or add its assets.")
        return
    if view == "compact":
        st.markdown(ui.compact_html(cells, scenes, blocker_counts, window=window, **ids),
                    unsafe_allow_html=True)
        st.markdown(ui.COMPACT_LEGEND, unsafe_allow_html=True)
        return
    shown = [s for s in scenes if window[0] <= s.scene_number <= window[1]]
    if not shown:
        st.info("No scene is numbered in this range.")
        return
    in_window = overview.matrix_cells(asset_types=types or None, tags=tags or None,
                                      scene_range=window)
    st.caption(f"Scenes {esc(shown[0].display_label)}–{esc(shown[-1].display_label)}: "
               f"{len(shown)} of {len(scenes)}. The compact view shows them all.")
    if in_window.empty:
        st.info("No asset of these filters appears in these scenes.")
        return
    stale = {i.id for i in overview.instances if i.image_stale}
    st.markdown(ui.matrix_html(in_window, shown, blocker_counts, stale_images=stale, **ids),
                unsafe_allow_html=True)
    st.markdown(ui.LEGEND, unsafe_allow_html=True)
