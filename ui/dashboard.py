"""HTML building blocks of the dashboard pages (Overview, Scenes, History): deep links,
the continuity matrix, tag chips and compact values. Pure functions over what core
returns; no Streamlit calls, no rules."""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlencode

from core.review.checks import KIND_TITLES
from core.tags.vocabulary import colour_of
from core.validation import ASSET_TYPES
from ui.safe import esc
from ui.textdiff import side_html

TYPE_GROUPS = tuple((t, t.title() + "s") for t in ASSET_TYPES)   # the order of TYPE_ORDER

CHANGE_COLOUR = "#ef6c00"
UPSTREAM_COLOUR = "#f9a825"
REVIEW_COLOUR = "#6a1b9a"
ADDED_COLOUR = "#2e7d32"
REMOVED_COLOUR = "#c62828"


LOCK_COLOUR = "#455a64"

_SVG = ('<svg class="cd-icon" viewBox="0 0 16 16" width="13" height="13" role="img" '
        'aria-label="{label}" style="color:{colour}"><title>{label}</title>{body}</svg>')
ICON_LOCKED = _SVG.format(
    label="locked", colour=LOCK_COLOUR,
    body='<rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor"/>'
         '<path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" '
         'stroke-width="1.8"/>')
ICON_REVIEW = _SVG.format(
    label="carried conditions await review", colour=REVIEW_COLOUR,
    body='<path d="M3 1h10v1.5h-1v2.2L8.9 8l3.1 3.3v2.2h1V15H3v-1.5h1v-2.2L7.1 8 4 4.7V2.5H3z'
         'M5.5 2.5v1.6L8 6.8l2.5-2.7V2.5z" fill="currentColor" fill-rule="evenodd"/>')
ICON_UPSTREAM = _SVG.format(
    label="upstream changed", colour="#e69500",
    body='<path d="M8 1 15.5 14.5H.5z" fill="currentColor"/>'
         '<rect x="7.1" y="5.5" width="1.8" height="5" fill="#fff"/>'
         '<rect x="7.1" y="11.6" width="1.8" height="1.7" fill="#fff"/>')


ICON_STALE = _SVG.format(
    label="stale image", colour=CHANGE_COLOUR,
    body='<rect x="1" y="2.5" width="14" height="11" rx="1.5" fill="none" '
         'stroke="currentColor" stroke-width="1.6"/><path d="M3 12l3.5-4.5 2.5 3 1.8-2.2'
         'L13 12z" fill="currentColor"/><circle cx="11" cy="5.6" r="1.3" '
         'fill="currentColor"/>')


BREAK_COLOUR = "#c62828"
ICON_BREAK = _SVG.format(
    label="continuity break", colour=BREAK_COLOUR,
    body='<path d="M6.2 1.5h3.6L9.2 9.6H6.8z" fill="currentColor"/>'
         '<circle cx="8" cy="12.6" r="1.8" fill="currentColor"/>')
ICON_SCRIPT = _SVG.format(
    label="named in the script", colour="#1565c0",
    body='<path d="M3 1h7l3 3v11H3z" fill="none" stroke="currentColor" stroke-width="1.5"/>'
         '<path d="M5 6h6M5 8.5h6M5 11h4" stroke="currentColor" stroke-width="1.3"/>')
ISSUE_ICONS = {"pending_review": ICON_REVIEW, "upstream_changed": ICON_UPSTREAM,
               "locked_upstream_changed": ICON_LOCKED + ICON_UPSTREAM,
               "tag_dropped": ICON_BREAK, "wear_off_survived": ICON_BREAK,
               "named_not_in_scene": ICON_SCRIPT, "missing_image": ICON_STALE,
               "stale_image": ICON_STALE}


# --- deep links --------------------------------------------------------------
def _plain(value: str) -> bool:
    """An id (uuid text, a number): nothing in it needs quoting in a URL."""
    return value.isascii() and value.replace("-", "").replace("_", "").isalnum()


def _href(page: str, params: dict[str, str | None]) -> str:
    given = {k: v for k, v in params.items() if v}
    if all(_plain(v) for v in given.values()):      # the usual case, hundreds per page
        return f"./{page}?" + "&".join(f"{k}={v}" for k, v in given.items())
    return f"./{page}?" + urlencode(given)


def editor_href(scene_id: str, instance_id: str | None = None, *, project_id: str | None = None,
                branch_id: str | None = None) -> str:
    """`./editor?scene=…&instance=…` (project and branch keep the sidebar's place after
    the full page load a plain link causes)."""
    return _href("editor", {"scene": scene_id, "instance": instance_id,
                            "project": project_id, "branch": branch_id})


def scenes_href(scene_id: str, *, project_id: str | None = None,
                branch_id: str | None = None) -> str:
    return _href("scenes", {"scene": scene_id, "project": project_id, "branch": branch_id})


def link(href: str, text: str, *, title: str = "", cls: str = "") -> str:
    """An in-app link. `href` comes from `_href` (ids only); `text` is markup, so
    escape any untrusted part of it with `esc`; `title` is plain text."""
    if not href.startswith("./"):
        raise ValueError(f"not an in-app link: {href!r}")
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' title="{esc(title)}"' if title else ""
    return f'<a href="{html.escape(href)}" target="_self"{attrs}>{text}</a>'


# --- chips ---------------------------------------------------------------------
def scene_list_html(scenes, blocker_counts: dict[str, int], *, project_id: str,
                    branch_id: str) -> str:
    """The overview's list of scenes, each a link to it with its readiness: one block of
    HTML, so a film of hundreds of scenes costs one element, not a widget per scene."""
    rows = []
    for s in scenes:
        n = blocker_counts.get(s.id, 0)
        state = "ready" if n == 0 else f"{n} blocker{'s' if n != 1 else ''}"
        mark = ('<span class="cd-ok">✓</span>' if n == 0
                else '<span class="cd-bad">!</span>')
        text = (f"{mark} Scene {esc(s.display_label)} · {esc(s.heading)}"
                + (f' <span class="cd-muted">{state}</span>' if n else ""))
        href = scenes_href(s.id, project_id=project_id, branch_id=branch_id)
        rows.append(link(href, text, title=state))
    return f'<div class="cd-scenes">{"".join(rows)}</div>'


def chip(tag: str, *, prefix: str = "", colour: str | None = None, cls: str = "cd-chip") -> str:
    return (f'<span class="{cls}" style="background:{colour or colour_of(tag)}">'
            f"{esc(prefix)}{esc(tag)}</span>")


def chips(tags: Iterable[str], *, empty: str = "no tags") -> str:
    tags = list(tags)
    if not tags:
        return f'<span class="cd-muted">{esc(empty)}</span>' if empty else ""
    return " ".join(chip(t) for t in tags)


def removed_chips(tags: Iterable[str]) -> str:
    """Tags dropped since the previous appearance, as faint struck-through outlines."""
    return " ".join(f'<span class="cd-chip cd-gone">−{esc(t)}</span>' for t in tags)


def change_chips(added: Iterable[str], removed: Iterable[str]) -> str:
    """Tags added as green "+muddy", removed as red "−clean"."""
    parts = [chip(t, prefix="+", colour=ADDED_COLOUR) for t in added]
    parts += [chip(t, prefix="−", colour=REMOVED_COLOUR, cls="cd-chip cd-removed")
              for t in removed]
    return " ".join(parts)


def badge(text: str, colour: str, *, title: str = "") -> str:
    t = f' title="{esc(title)}"' if title else ""
    return (f'<span class="cd-badge" style="border-color:{colour};color:{colour}"{t}>'
            f"{esc(text)}</span>")


# --- compact values (history) -----------------------------------------------------
def compact(value, *, limit: int | None = 160) -> str:
    """A history value in one short line: lists joined, booleans as on/off, long text
    cut at `limit` characters (None: never)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else "(none)"
    text = " ".join(str(value).split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def value_html(shown: str, value, other, *, side: str) -> str:
    """One side of a change in full: tags as chips (those not on the other side marked
    added or dropped), text with the words that differ highlighted."""
    if isinstance(value, list):
        others = other if isinstance(other, list) else []
        if not value:
            return '<span class="cd-muted">(no tags)</span>'
        if side == "new":
            return " ".join(chip(t, prefix="+", colour=ADDED_COLOUR) if t not in others
                            else chip(t) for t in value)
        return " ".join(chip(t, prefix="−", colour=REMOVED_COLOUR, cls="cd-chip cd-removed")
                        if t not in others else chip(t) for t in value)
    if not isinstance(value, str) or not isinstance(other, str):
        return f'<div class="cd-value">{esc(shown)}</div>'
    old, new = (other, value) if side == "new" else (value, other)
    return f'<div class="cd-value">{side_html(old, new, side)}</div>'


# --- screenplay text -----------------------------------------------------------------
def screenplay_html(text: str) -> str:
    """A script excerpt laid out like a screenplay page: action paragraphs, character
    cues (a short upper-case line opening a block) and their dialogue indented. One
    HTML line (no blank lines, so markdown keeps it a single HTML block)."""
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    out = []
    for block in blocks:
        lines = block.split("\n")
        first = lines[0].strip()
        if len(lines) > 1 and first.isupper() and len(first) <= 40:
            out.append(f'<div class="cd-cue">{esc(first)}</div>'
                       f'<div class="cd-dialogue">{"<br>".join(esc(x) for x in lines[1:])}</div>')
        else:
            out.append(f'<div class="cd-action">{"<br>".join(esc(x) for x in lines)}</div>')
    return '<div class="cd-script">' + "".join(out) + "</div>"


# --- the continuity matrix ----------------------------------------------------------
def css(dark: bool = False) -> str:
    bg = "#0e1117" if dark else "#ffffff"
    line = "rgba(250,250,250,0.12)" if dark else "rgba(49,51,63,0.12)"
    cell = "rgba(250,250,250,0.05)" if dark else "rgba(49,51,63,0.035)"
    hover = "rgba(250,250,250,0.12)" if dark else "rgba(49,51,63,0.09)"
    return f"""<style>
.cd-chip{{display:inline-block;color:#fff;border-radius:0.8em;padding:0.05em 0.55em;
 font-size:0.78rem;line-height:1.45;white-space:nowrap;margin:0.08em 0.1em 0.08em 0}}
.cd-removed{{opacity:0.85;text-decoration:line-through}}
.cd-gone{{background:transparent;color:#8a8d96;border:1px dashed #b0b3ba;
 text-decoration:line-through;padding:0 0.5em}}
.cd-icon{{vertical-align:-0.12em;margin-left:0.15rem}}
.cd-muted{{color:#8a8d96;font-size:0.78rem}}
.cd-badge{{display:inline-block;border:1px solid;border-radius:0.35em;padding:0 0.4em;
 font-size:0.72rem;line-height:1.5;white-space:nowrap;margin-right:0.25em}}
.cd-wrap{{overflow:auto;max-height:min(68vh,44rem);border:1px solid {line};border-radius:0.5rem;
 margin-bottom:0.5rem;overscroll-behavior:contain}}
table.cd-matrix{{border-collapse:separate;border-spacing:0;font-size:0.85rem;width:100%;
 margin:0}}
table.cd-matrix th,table.cd-matrix td{{border:none;border-bottom:1px solid {line};
 padding:0.22rem 0.3rem;vertical-align:top;text-align:left}}
table.cd-matrix thead th{{font-weight:600;min-width:4.8rem;max-width:9rem;
 border-bottom:2px solid {line};position:sticky;top:0;z-index:2;background:{bg}}}
table.cd-matrix thead th.cd-asset,table.cd-compact thead th.cd-asset{{z-index:4}}
table.cd-matrix thead th a{{text-decoration:none}}
.cd-head-top{{white-space:nowrap}}
table.cd-matrix .cd-head-sub{{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;
 overflow:hidden;font-weight:400;font-size:0.72rem;color:#8a8d96;
 white-space:normal;line-height:1.25;margin-top:0.1rem}}
table.cd-matrix .cd-asset{{position:sticky;left:0;background:{bg};z-index:1;
 min-width:7.5rem;max-width:11rem;font-weight:600;white-space:nowrap;
 border-right:1px solid {line}}}
table.cd-matrix tr.cd-group td{{font-size:0.72rem;text-transform:uppercase;
 letter-spacing:0.06em;color:#8a8d96;padding-top:0.6rem;font-weight:600}}
table.cd-matrix tr.cd-group td.cd-asset{{font-weight:600}}
a.cd-cell{{display:block;min-height:1.75rem;border-radius:0.4rem;padding:0.2rem 0.35rem;
 background:{cell};border-left:3px solid transparent;text-decoration:none;color:inherit}}
a.cd-cell:hover{{background:{hover}}}
a.cd-cell.cd-changed{{border-left-color:{CHANGE_COLOUR}}}
a.cd-cell.cd-upstream{{box-shadow:inset 0 0 0 1.5px {UPSTREAM_COLOUR}}}
a.cd-cell.cd-break{{box-shadow:inset 0 0 0 2px {BREAK_COLOUR}}}
a.cd-cell.cd-locked{{background:repeating-linear-gradient(135deg,{cell},{cell} 6px,
 {hover} 6px,{hover} 8px)}}
.cd-marks{{float:right;font-size:0.75rem;margin-left:0.2rem;white-space:nowrap}}
.cd-delta{{color:{CHANGE_COLOUR};font-weight:700}}
.cd-review{{color:{REVIEW_COLOUR};font-weight:700}}
.cd-ok{{color:{ADDED_COLOUR}}}
.cd-bad{{color:{REMOVED_COLOUR}}}
.cd-legend{{font-size:0.8rem;color:#8a8d96}}
.cd-scenes{{font-size:0.9rem}}
.cd-scenes a{{display:block;padding:0.28rem 0.2rem;border-bottom:1px solid {line};
  text-decoration:none;color:inherit}}
.cd-scenes a:hover{{background:{hover}}}
.cd-scenes .cd-ok,.cd-scenes .cd-bad{{display:inline-block;width:1.2em;font-weight:700}}
.cd-legend > span{{margin-right:1.1rem;white-space:nowrap;display:inline-block}}
.cd-script{{font-family:"Courier Prime","Courier New",monospace;font-size:0.88rem;
 line-height:1.4;max-width:40rem}}
.cd-script .cd-action{{margin:0 0 0.9em 0}}
.cd-script .cd-cue{{margin:0 0 0 14em}}
.cd-script .cd-dialogue{{margin:0 8em 0.9em 7em}}
.cd-endstate{{border-left:3px solid {line};padding:0.3rem 0.8rem;margin:0.2rem 0 0.8rem 0;
 font-style:italic}}
table.cd-rear{{border-collapse:collapse;width:100%;font-size:0.86rem;margin:0}}
table.cd-rear th,table.cd-rear td{{border:none;border-bottom:1px solid {line};
 padding:0.35rem 0.4rem;vertical-align:top;text-align:left}}
table.cd-rear th{{font-weight:600;font-size:0.78rem;color:#8a8d96}}
table.cd-rear .cd-name{{font-weight:600;white-space:nowrap}}
table.cd-rear .cd-type{{display:block;font-weight:400;font-size:0.72rem;color:#8a8d96}}
table.cd-rear .cd-desc{{color:inherit;opacity:0.85}}
.cd-value{{border:1px solid {line};border-radius:0.4rem;padding:0.5rem 0.7rem;
 font-size:0.9rem;line-height:1.5}}
.cd-value ins{{background:rgba(46,125,50,0.18);text-decoration:none;border-radius:0.2em}}
.cd-value del{{background:rgba(198,40,40,0.15);border-radius:0.2em}}
ul.cd-list{{margin:0;padding-left:1.1rem}}
ul.cd-list li{{margin:0.15rem 0}}
ul.cd-issues{{list-style:none;padding-left:0}}
ul.cd-issues li{{margin:0.2rem 0 0.45rem 0}}
a.cd-sn{{display:inline-block;min-width:1.6rem;text-align:center;border:1px solid {line};
 border-radius:0.3rem;padding:0 0.2rem;margin:0.08rem 0;font-size:0.8rem;
 text-decoration:none}}
a.cd-sn:hover{{background:{hover}}}
table.cd-compact{{border-collapse:separate;border-spacing:0;table-layout:fixed;margin:0;
 font-size:0.72rem}}
.cd-wrap.cd-wrap-compact{{max-height:min(82vh,60rem)}}
table.cd-compact th,table.cd-compact td{{border:none;padding:0;height:10px;line-height:1}}
table.cd-compact thead th.cd-th-n{{z-index:3}}
table.cd-compact thead th{{position:sticky;top:0;z-index:2;background:{bg};height:1.9rem;
 vertical-align:bottom;font-weight:400;color:#8a8d96;border-bottom:1px solid {line}}}
table.cd-compact thead th a{{display:block;position:relative;height:1.9rem;
 text-decoration:none;color:inherit}}
table.cd-compact thead th .cd-n{{position:absolute;left:0;bottom:0.45rem;white-space:nowrap}}
table.cd-compact thead th .cd-r{{position:absolute;left:0.5px;right:0.5px;bottom:1px;height:3px;
 border-radius:1px}}
table.cd-compact .cd-r.cd-r-ok{{background:{ADDED_COLOUR}}}
table.cd-compact .cd-r.cd-r-bad{{background:{REMOVED_COLOUR};opacity:0.55}}
table.cd-compact .cd-asset{{position:sticky;left:0;background:{bg};z-index:1;width:9rem;
 max-width:9rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding:0 0.4rem;
 font-size:0.72rem;text-align:left;border-right:1px solid {line}}}
table.cd-compact tr.cd-group td{{height:1.1rem;vertical-align:bottom;text-transform:uppercase;
 letter-spacing:0.06em;color:#8a8d96;font-weight:600}}
table.cd-compact col.cd-in{{background:{cell}}}
table.cd-compact tbody tr:hover td{{background:{hover}}}
table.cd-compact tbody tr:hover td.cd-asset{{background:{bg}}}
a.cd-m{{display:block;height:8px;margin:1px 0.5px;border-radius:1px;background:#9aa0a6}}
a.cd-m:hover{{outline:1px solid currentColor}}
.cd-m.cd-m-tags{{background:#5f6368}}
.cd-m.cd-m-changed{{background:{CHANGE_COLOUR}}}
.cd-m.cd-m-locked{{background:{LOCK_COLOUR}}}
.cd-m.cd-m-review{{background:{REVIEW_COLOUR}}}
.cd-m.cd-m-upstream{{background:{UPSTREAM_COLOUR}}}
.cd-m.cd-m-break{{background:{BREAK_COLOUR}}}
.cd-key{{display:inline-block;width:0.6rem;height:0.6rem;border-radius:1px;
 vertical-align:-0.05em;margin-right:0.25rem;background:#9aa0a6}}
</style>"""


def _cell_title(row, previous: int | None, stale: bool = False) -> str:
    lines = [f"{row.asset_name} · scene {row.scene_number}",
             "Tags: " + (", ".join(row.status_tags) or "none")]
    what = []
    if row.tags_added:
        what.append("+" + ", +".join(row.tags_added))
    if row.tags_removed:
        what.append("−" + ", −".join(row.tags_removed))
    if row.description_changed:
        what.append("description changed")
    if what:
        since = f" since scene {previous}" if previous is not None else ""
        lines.append(f"Changed{since}: " + "; ".join(what))
    if row.locked:
        lines.append("Locked: frozen until unlocked")
    if row.upstream_changed:
        lines.append("Upstream changed: the earlier scene changed; take it or mark reviewed")
    if row.pending_review:
        lines.append("Carried conditions await review")
    if stale:
        lines.append("Stale image: the selected image shows an earlier state")
    for kind in getattr(row, "breaks", None) or []:
        lines.append("Continuity break: " + KIND_TITLES.get(kind, kind).lower()
                     + " (see Open issues)")
    desc = " ".join(str(row.effective_description).split())
    lines.append(desc if len(desc) <= 220 else desc[:219] + "…")
    lines.append("Click to open in the editor")
    return "\n".join(lines)


def _asset_groups(cells, span: int) -> list[tuple[str, list[dict]]]:
    """The matrix's rows by asset type, in type order, then any other type by name:
    [(the group's header row, [{name, type, cells: scene id -> cell row}])]."""
    by_asset: dict[str, dict] = {}
    for row in cells.itertuples(index=False):
        entry = by_asset.setdefault(row.asset_id, {"name": row.asset_name,
                                                   "type": row.asset_type, "cells": {}})
        entry["cells"][row.scene_id] = row
    present = {e["type"] for e in by_asset.values()}
    groups = [*TYPE_GROUPS, *[(t, t.title()) for t in sorted(present
                                                             - {t for t, _ in TYPE_GROUPS})]]
    out = []
    for asset_type, title in groups:
        members = [e for e in by_asset.values() if e["type"] == asset_type]
        if members:
            out.append((f'<tr class="cd-group"><td class="cd-asset">{esc(title)} '
                        f'({len(members)})</td><td colspan="{span}"></td></tr>', members))
    return out


def matrix_html(cells, scenes, blocker_counts: dict[str, int], *, project_id: str,
                branch_id: str, stale_images: set[str] = frozenset()) -> str:
    """The continuity matrix as an HTML table: assets (grouped by type) × scenes.

    `cells` is `Desk.continuity_cells` (one row per instance), `scenes` the branch's
    scenes in order, `blocker_counts` readiness blockers per scene id, `stale_images`
    the ids of instances whose selected image shows an earlier state."""
    ids = {"project_id": project_id, "branch_id": branch_id}
    head = ['<th class="cd-asset">Asset</th>']
    for s in scenes:
        n = blocker_counts.get(s.id, 0)
        status = ('<span class="cd-ok" title="Ready">✓</span>' if n == 0 else
                  f'<span class="cd-bad" title="{n} blocker(s)">● {n}</span>')
        day = f" · day {s.story_day}" if s.story_day is not None else ""
        head.append(
            '<th><span class="cd-head-top">'
            + link(scenes_href(s.id, **ids), f"Scene {esc(s.display_label)}",
                   title=f"Open scene {s.display_label} in Scenes")
            + f" {status}</span><span class='cd-head-sub'>{esc(s.heading)}{esc(day)}</span></th>")
    order = [s.id for s in scenes]
    body = []
    for group_row, members in _asset_groups(cells, len(scenes)):
        body.append(group_row)
        for entry in members:
            tds = [f'<td class="cd-asset">{esc(entry["name"])}</td>']
            previous = None
            for sid in order:
                row = entry["cells"].get(sid)
                if row is None:
                    tds.append("<td></td>")
                    continue
                changed = bool(row.tags_added or row.tags_removed or row.description_changed)
                classes = ["cd-cell"]
                marks = []
                if changed:
                    classes.append("cd-changed")
                    marks.append('<span class="cd-delta">Δ</span>')
                if row.pending_review:
                    marks.append(ICON_REVIEW)
                if row.upstream_changed:
                    classes.append("cd-upstream")
                    marks.append(ICON_UPSTREAM)
                if row.locked:
                    classes.append("cd-locked")
                    marks.append(ICON_LOCKED)
                if row.instance_id in stale_images or getattr(row, "image_stale", False):
                    marks.append(ICON_STALE)
                if getattr(row, "breaks", None):
                    classes.append("cd-break")
                    marks.append(ICON_BREAK)
                inner = (f'<span class="cd-marks">{" ".join(marks)}</span>' if marks else "")
                inner += chips(row.status_tags, empty="")
                if row.tags_removed:
                    inner += " " + removed_chips(row.tags_removed)
                href = editor_href(row.scene_id, row.instance_id, **ids)
                stale = row.instance_id in stale_images or getattr(row, "image_stale", False)
                tds.append("<td>" + link(href, inner, title=_cell_title(row, previous, stale),
                                         cls=" ".join(classes)) + "</td>")
                previous = row.scene_number
            body.append("<tr>" + "".join(tds) + "</tr>")
    return ('<div class="cd-wrap"><table class="cd-matrix"><thead><tr>' + "".join(head)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")


LEGEND = (
    '<div class="cd-legend">'
    '<span><b class="cd-delta">Δ</b> state changed since the previous appearance '
    '(<span class="cd-chip cd-gone">−tag</span> dropped)</span>'
    f"<span>{ICON_REVIEW} carried conditions await review</span>"
    f"<span>{ICON_UPSTREAM} upstream changed</span><span>{ICON_LOCKED} locked</span>"
    f"<span>{ICON_STALE} stale image</span>"
    f"<span>{ICON_BREAK} continuity break (a tag dropped, or worn-off condition kept, "
    "without a reason)</span>"
    '<span><span class="cd-ok">✓</span> scene ready · '
    '<span class="cd-bad">● n</span> blockers</span>'
    "<span>blank: not in the scene</span></div>"
)


# --- the compact presence view ------------------------------------------------------
# One mark per asset and scene, coloured by what most needs a look (first match).
_MARK_STATES = (("break", "continuity break"), ("upstream", "upstream changed"),
                ("review", "carried conditions await review"),
                ("changed", "state changed since the previous appearance"),
                ("locked", "locked"), ("tags", "has condition tags"))


def _mark_state(row) -> str | None:
    found = {"break": bool(getattr(row, "breaks", None)), "upstream": row.upstream_changed,
             "review": row.pending_review,
             "changed": bool(row.tags_added or row.tags_removed or row.description_changed),
             "locked": row.locked, "tags": bool(row.status_tags)}
    return next((state for state, _ in _MARK_STATES if found[state]), None)


def compact_html(cells, scenes, blocker_counts: dict[str, int], *, project_id: str,
                 branch_id: str, window: tuple[int, int] | None = None) -> str:
    """The whole branch at a glance: assets (grouped by type) × every scene, one small
    mark per appearance (a link into the editor), coloured by `_MARK_STATES`; the
    header numbers every tenth scene and marks each scene ready or blocked; the
    columns of `window` (first, last scene number) are shaded."""
    ids = {"project_id": project_id, "branch_id": branch_id}
    cols = ['<col class="cd-c-asset">'] + [
        '<col class="cd-in">' if window and window[0] <= s.scene_number <= window[1]
        else "<col>" for s in scenes]
    head = ['<th class="cd-asset">Asset</th>']
    for k, s in enumerate(scenes):
        n = blocker_counts.get(s.id, 0)
        state = "ready" if n == 0 else f"{n} blocker{'s' if n != 1 else ''}"
        number = (f'<span class="cd-n">{esc(s.display_label)}</span>'
                  if k % 10 == 0 or k == len(scenes) - 1 and k % 10 > 4 else "")
        ready = f'<i class="cd-r cd-r-{"ok" if n == 0 else "bad"}"></i>'
        head.append(('<th class="cd-th-n">' if number else "<th>")
                    + link(scenes_href(s.id, **ids), number + ready,
                                  title=f"Scene {s.display_label} · {s.heading} · {state}")
                    + "</th>")
    order = [s.id for s in scenes]
    labels = {s.id: s.display_label for s in scenes}
    body = []
    for group_row, members in _asset_groups(cells, len(scenes)):
        body.append(group_row)
        for entry in members:
            tds = [f'<td class="cd-asset" title="{esc(entry["name"])}">'
                   f'{esc(entry["name"])}</td>']
            for sid in order:
                row = entry["cells"].get(sid)
                if row is None:
                    tds.append("<td></td>")
                    continue
                state = _mark_state(row)
                tags = ", ".join(row.status_tags) or "no tags"
                what = f" · {dict(_MARK_STATES)[state]}" if state and state != "tags" else ""
                tds.append("<td>" + link(
                    editor_href(row.scene_id, row.instance_id, **ids), "",
                    title=f"{row.asset_name} · scene {labels[sid]} · {tags}{what}",
                    cls="cd-m" + (f" cd-m-{state}" if state else "")) + "</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
    width = f"width:min(100%,calc(9rem + {len(scenes) * 16}px));min-width:calc(9rem + " \
            f"{len(scenes) * 3}px)"
    return (f'<div class="cd-wrap cd-wrap-compact"><table class="cd-compact" style="{width}">'
            '<colgroup>'
            + "".join(cols) + "</colgroup><thead><tr>" + "".join(head)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")


COMPACT_LEGEND = (
    '<div class="cd-legend">'
    + "".join(f'<span><i class="cd-key cd-m cd-m-{state}"></i>{esc(text)}</span>'
              for state, text in _MARK_STATES)
    + '<span><i class="cd-key"></i>in the scene, no tags</span>'
    f'<span>under the scene number: <i class="cd-key" style="background:{ADDED_COLOUR}"></i>'
    f'ready · <i class="cd-key" style="background:{REMOVED_COLOUR};opacity:0.55"></i>'
    "blockers</span>"
    "<span>blank: not in the scene · shaded: the scenes the detailed view shows</span></div>"
)


# --- grouped open issues ----------------------------------------------------------------
def issue_group_html(group, *, project_id: str, branch_id: str,
                     headings: dict[str, str]) -> str:
    """One kind of open issue (`core.review.issue_groups.IssueGroup`), one line per
    asset: an asset's only issue in full with its scene and a link to fix it; several
    as the asset's name, a count and its scenes, each a link into the editor whose
    tooltip is the issue. `headings`: scene id → heading (the scene links' tooltips)."""
    ids = {"project_id": project_id, "branch_id": branch_id}
    icon = ISSUE_ICONS.get(group.kind, "•")
    items = []
    for asset in group.assets:
        if asset.count == 1:
            [i] = asset.issues
            scene = link(scenes_href(i.scene_id, **ids), f"Scene {esc(i.scene_label)}",
                         title=headings.get(i.scene_id, ""))
            fix = "Open in editor →" if i.instance_id else "Add it in the editor →"
            items.append(f"<li>{icon} {scene} · {esc(i.message)} "
                         + link(editor_href(i.scene_id, i.instance_id, **ids), fix) + "</li>")
            continue
        scenes = len({i.scene_id for i in asset.issues})
        numbers = " ".join(link(editor_href(i.scene_id, i.instance_id, **ids),
                                esc(i.scene_label), title=i.message, cls="cd-sn")
                           for i in asset.issues)
        count = f"{scenes} scenes" if scenes == asset.count else (
            f"{asset.count} in {scenes} scene{'s' if scenes != 1 else ''}")
        items.append(f"<li>{icon} <b>{esc(asset.asset_name)}</b> · {count}: {numbers}</li>")
    return '<ul class="cd-list cd-issues">' + "".join(items) + "</ul>"
