"""Drag and drop from the asset drawer into a scene, via `streamlit-sortables`.

Wrapped here so page tests can replace `drop_assets` (AppTest cannot drag)."""

from __future__ import annotations

DRAWER = "Drawer"
TARGET = "Drop here to add to the scene"

_STYLE = """
.sortable-component { border: none; padding: 0; margin: 0; gap: 0.5rem; }
.sortable-container { background: #f6f7f9; border: 1px dashed #c9ced6; border-radius: 0.5rem;
  margin: 0 0 0.25rem 0; min-height: 2.6rem; }
.sortable-container-header { background: transparent; font-size: 0.78rem; color: #59606b;
  padding: 0.25rem 0.6rem 0 0.6rem; font-family: sans-serif; }
.sortable-container-body { background: transparent; padding: 0.25rem 0.4rem; min-height: 2.2rem;
  display: flex; flex-wrap: wrap; align-content: flex-start; }
.sortable-item, .sortable-item:hover { background: #ffffff; color: #262730; width: auto;
  border: 1px solid #d5d9e0; border-radius: 1rem; font-size: 0.8rem; padding: 0.1rem 0.6rem;
  margin: 0.12rem; font-family: sans-serif; cursor: grab; }
"""


def drop_assets(available: list[str], key) -> list[str]:
    """Show the drawer's asset names and a drop box; return the names dragged into it.

    Give a new `key` after handling a drop so the box starts empty again."""
    from streamlit_sortables import sort_items

    containers = [{"header": DRAWER, "items": list(available)},
                  {"header": TARGET, "items": []}]
    result = sort_items(containers, multi_containers=True, direction="vertical",
                        custom_style=_STYLE, key=key)
    for box in result or []:
        if box.get("header") == TARGET:
            return [name for name in box.get("items", []) if name in available]
    return []
