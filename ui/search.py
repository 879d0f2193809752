"""Building blocks of the Tag search page: query editing for the tag chips, image
thumbnails as data URIs, result flags, and the per-asset timeline chart (Altair).
Pure functions over what core returns; no Streamlit calls, no rules."""

from __future__ import annotations

import base64
import io
import json

import altair as alt
import pandas as pd

from core.review.sheets import state_flags
from core.tags.vocabulary import CATEGORY_COLOURS, category_of

THUMB_PX = 96
BREAK_COLOUR = "#c62828"
TIMELINE_BREAK_KINDS = ("tag_dropped", "wear_off_survived", "upstream_changed",
                        "locked_upstream_changed", "named_not_in_scene")


def add_term(query: str, term: str) -> str:
    """The query with `term` appended (once: a term already present is not repeated)."""
    words = query.split()
    if term in words:
        return query
    return (query.rstrip() + " " + term).strip()


def thumbnail_uri(png: bytes | None, size: int = THUMB_PX) -> str | None:
    """A small PNG of an image's bytes as a data URI (None if there are none readable)."""
    if png is None:
        return None
    try:
        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            im = im.convert("RGB")
            im.thumbnail((size, size))
            out = io.BytesIO()
            im.save(out, format="PNG", optimize=True)
    except (OSError, ValueError):
        return None
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def flags(row) -> str:
    """The state flags of a result row in a few words."""
    return " · ".join(state_flags(row))


def _note(r) -> str:
    notes = []
    if r.reset:
        notes.append("reset to the master (the previous appearance does not carry forward)")
    if r.skipped_scenes:
        notes.append(f"absent from the {r.skipped_scenes} scene(s) before")
    if r.locked:
        notes.append("locked")
    if r.pending_review:
        notes.append("carried tags await review")
    if r.image_stale:
        notes.append("stale image")
    return "; ".join(notes)


def timeline_chart(tl) -> alt.LayerChart:
    """Tags over scene numbers for one asset (`core.review.timeline.Timeline`): a square per
    tag and appearance, coloured (like the tag's label) by vocabulary category; a
    first row marks every appearance; red rules and rings mark breaks from the
    continuity checks, dashed rules the story-day boundaries."""
    apps = tl.appearances
    appears = "● in scene"
    first_seen = list(dict.fromkeys(t for tags in apps["status_tags"] for t in tags))
    order = [appears, *first_seen]
    presence = pd.DataFrame({
        "scene_number": apps["scene_number"].astype(int),
        "scene": apps["scene_label"],
        "row": appears,
        "category": "in scene",
        "tags": [", ".join(t) or "no tags" for t in apps["status_tags"]],
        "description": [d if len(d) <= 140 else d[:139] + "…"
                        for d in apps["effective_description"]],
        "note": [_note(r) for r in apps.itertuples(index=False)],
    })
    points = pd.DataFrame([
        {"scene_number": int(r.scene_number), "scene": r.scene_label, "row": t,
         "category": category_of(t), "tags": ", ".join(r.status_tags),
         "description": "", "note": ""}
        for r in apps.itertuples(index=False) for t in r.status_tags],
        columns=presence.columns)
    data = pd.concat([presence, points], ignore_index=True)
    numbers = tl.scene_numbers or [0]
    lo, hi = min(numbers), max(numbers)
    x = alt.X("scene_number:Q", title=None, scale=alt.Scale(domain=[lo - 0.5, hi + 0.5]),
              axis=alt.Axis(values=numbers, format="d", grid=False, labelFlush=False))
    used = [c for c in CATEGORY_COLOURS if c in set(points["category"])]
    domain = ["in scene", *used]
    colours = ["#90a4ae", *(CATEGORY_COLOURS[c] for c in used)]
    squares = alt.Chart(data).mark_square(size=170, opacity=0.95).encode(
        x=x,
        y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(
            labelLimit=160, labelFontWeight="bold", labelColor=alt.ExprRef(expr=(
                json.dumps({t: CATEGORY_COLOURS[category_of(t)] for t in first_seen})
                + "[datum.value] || '#78909c'")))),
        color=alt.Color("category:N", scale=alt.Scale(domain=domain, range=colours),
                        legend=None),
        tooltip=[alt.Tooltip("scene:N", title="scene"), alt.Tooltip("row:N", title="tag"),
                 alt.Tooltip("category:N", title="kind"),
                 alt.Tooltip("tags:N", title="all tags"),
                 alt.Tooltip("description:N", title="description"),
                 alt.Tooltip("note:N", title="note")],
    )
    layers = [squares]
    days = pd.DataFrame([{"x": (a + b) / 2, "label": f"day {day}"}
                         for a, b, day in tl.day_boundaries()], columns=["x", "label"])
    if not days.empty:
        layers.append(alt.Chart(days).mark_rule(strokeDash=[4, 4], color="#9e9e9e").encode(
            x="x:Q", tooltip=[alt.Tooltip("label:N", title="story")]))
        layers.append(alt.Chart(days).mark_text(align="left", dx=3, dy=-4, baseline="bottom",
                                                color="#9e9e9e", fontSize=10).encode(
            x="x:Q", y=alt.value(0), text="label:N"))
    breaks = pd.DataFrame(
        [{"scene_number": i.scene_number, "message": i.message, "row": appears}
         for i in tl.issues if i.kind in TIMELINE_BREAK_KINDS],
        columns=["scene_number", "message", "row"])
    if not breaks.empty:
        tip = [alt.Tooltip("message:N", title="break")]
        layers.append(alt.Chart(breaks).mark_rule(color=BREAK_COLOUR, strokeWidth=2,
                                                  opacity=0.5).encode(
            x="scene_number:Q", tooltip=tip))
        layers.append(alt.Chart(breaks).mark_point(
            color=BREAK_COLOUR, size=330, strokeWidth=2.5, filled=False).encode(
            x="scene_number:Q", y=alt.Y("row:N", sort=order), tooltip=tip))
    return alt.layer(*layers).properties(height=ROW_PX * len(order)).configure_view(
        strokeWidth=0)


ROW_PX = 28


def timeline_height(tl) -> int:
    """The chart's pixel height for `st.altair_chart(height=...)` (Streamlit sizes a
    layered chart to its content otherwise, which collapses the tag rows): the rows,
    the day labels above and the x axis below."""
    rows = 1 + len({t for tags in tl.appearances["status_tags"] for t in tags})
    return ROW_PX * rows + 62
