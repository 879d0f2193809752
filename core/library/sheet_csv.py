"""Breakdown sheets as CSV for spreadsheets: one row per appearance, the same columns
for the scene sheet and the asset sheet (the scene sheet adds the scene's status);
what changed since the previous appearance in columns of its own.
UTF-8 with a byte-order mark (so spreadsheets read non-Latin names right); tags
joined by "; "; every text cell formula-safe (`transfer.formula_safe`)."""

from __future__ import annotations

import csv
import io

from core.library.transfer import formula_safe
from core.review.sheets import AssetSheet, SceneSheet, SheetEntry

COLUMNS = ("scene", "label", "heading", "story day", "type", "asset", "description", "tags",
           "previous appearance", "tags added", "tags removed", "description changed",
           "reset to master", "flags", "image", "instance id")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _row(e: SheetEntry) -> list[str]:
    text = [e.scene_label, e.heading, e.asset_type, e.asset_name, e.description,
            "; ".join(e.tags), e.previous_scene_label or "", "; ".join(e.tags_added),
            "; ".join(e.tags_removed), _yes(e.description_changed), _yes(e.reset),
            "; ".join(e.flags), e.image_key or "", e.instance_id]
    row = [formula_safe(c) for c in text]
    return [str(e.scene_number), *row[:2], "" if e.story_day is None else str(e.story_day),
            *row[2:]]


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def scene_csv(sheet: SceneSheet) -> bytes:
    """One row per asset of the scene (type, then name), with the scene's status."""
    status = formula_safe(sheet.status)
    return _csv((*COLUMNS, "scene status"), ([*_row(e), status] for e in sheet.entries))


def asset_csv(sheet: AssetSheet) -> bytes:
    """One row per appearance of the asset, in story order."""
    return _csv(COLUMNS, (_row(e) for e in sheet.entries))
