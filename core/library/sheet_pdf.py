"""Breakdown sheets as PDF (fpdf2): the scene sheet (A4 portrait) and the asset
continuity sheet (A4 landscape), each a table with reference-image thumbnails.

Text: DejaVu Sans from the system (Debian's fonts-dejavu-core) when it is installed,
else the PDF core font Helvetica (Latin-1). Any character the font lacks becomes `?`
and control or invisible characters are dropped, so no name, description or tag can
make rendering fail. Images: the stored PNGs, scaled to thumbnails on a white square;
a file that is missing or unreadable shows as "no image"."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF, FontFace
from PIL import Image

from core.errors import ValidationError
from core.images.store import ImageStore
from core.review.sheets import AssetSheet, SceneSheet, SheetEntry

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/share/fonts/TTF"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
THUMB_PX = 240                  # pixels on a side: about 250 dpi at the printed size
THUMB_MM = 24
MARGIN = 12
LINE_MM, PAD_MM = 3.8, 1.2         # table text: line height and cell padding
MAX_CELL_LINES = 40                # a table row must fit on one page (fpdf2 cannot split it)
CUT = "… (cut here: the CSV has the full text)"
GREY, INK, RULE = (110, 110, 110), (20, 20, 20), (200, 200, 200)
HEAD_FILL = (235, 238, 242)
BOLD = FontFace(emphasis="BOLD")
# Typography the core font cannot encode, and what it becomes there.
LATIN1 = str.maketrans({"−": "-", "–": "-", "—": "-", "…": "...", "‘": "'", "’": "'",
                        "“": '"', "”": '"', "•": "·", "→": "->", "✓": "v", "⚠": "!"})
# Controls (Cc), zero-width, bidi and other format characters (Cf), surrogates, private
# use and unassigned code points: never drawn.
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn"}


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path] | None:
    """The DejaVu Sans files (regular and bold) found on the system, or None."""
    for folder in FONT_DIRS:
        files = {style: folder / name for style, name in FONT_FILES.items()}
        if all(p.is_file() for p in files.values()):
            return files
    return None


class _Sheet(FPDF):
    """An FPDF with the sheet's font, a footer and a text cleaner for that font."""

    def __init__(self, orientation: str, footer: str, *, compress: bool):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.set_compression(compress)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=14)
        files = font_files()
        if files:
            for style, path in files.items():
                self.add_font("sheet", style, str(path))
            self._family = "sheet"
            self._covered = set(self.fonts["sheet"].cmap)
        else:
            self._family = "helvetica"
            self._covered = None
        self._footer_text = self.clean(footer)
        self.set_creator("Continuity Desk")
        self.add_page()

    def clean(self, text) -> str:
        """`text` as the font can draw it: NFC, controls and invisible characters
        dropped (newlines kept), whatever the font lacks as `?`."""
        text = unicodedata.normalize("NFC", str(text or "")).replace("\t", " ")
        kept = []
        for ch in text:
            if ch == "\n":
                kept.append(ch)
            elif unicodedata.category(ch) in _DROPPED:
                continue
            elif self._covered is None:
                ch = ch.translate(LATIN1)
                kept.append(ch if all(ord(c) < 256 for c in ch) else "?")
            else:
                kept.append(ch if ord(ch) in self._covered or ch == " " else "?")
        return "".join(kept)

    def fit(self, text, width: float) -> str:
        """`text` cleaned, and cut to `MAX_CELL_LINES` lines of a table column `width` mm
        wide (in the table's font), so that its row fits on a page."""
        text = self.clean(text)
        if len(text) < 400 and text.count("\n") < 10:
            return text
        lines = self.multi_cell(width - 2 * PAD_MM, LINE_MM, text, dry_run=True,
                                output="LINES")
        if len(lines) <= MAX_CELL_LINES:
            return text
        return "\n".join(lines[:MAX_CELL_LINES - 2]) + "\n" + self.clean(CUT)

    def text_font(self, size: float, bold: bool = False, colour=INK) -> None:
        self.set_font(self._family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def para(self, text, size: float = 9, *, bold: bool = False, colour=INK,
             height: float | None = None) -> None:
        """A paragraph across the page width."""
        self.text_font(size, bold, colour)
        self.multi_cell(0, height or size * 0.5, self.clean(text), new_x="LMARGIN",
                        new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-10)
        self.text_font(7, colour=GREY)
        self.cell(0, 4, f"{self._footer_text} · page {self.page_no()}/{{nb}}", align="R")


def thumbnails(store: ImageStore) -> Callable[[str | None], Image.Image | None]:
    """A loader of thumbnails by image key: the stored PNG scaled onto a white square
    (None when there is no key or no readable file). Files with the same bytes (an
    inherited image is a copy of its source's file, G5) are decoded once."""
    made: dict[bytes, Image.Image | None] = {}

    def load(key: str | None) -> Image.Image | None:
        if not key:
            return None
        try:
            data = store.read(key)
        except (OSError, ValidationError):
            return None
        digest = hashlib.sha256(data).digest()
        if digest not in made:
            made[digest] = _thumbnail(data)
        return made[digest]
    return load


def _thumbnail(data: bytes) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (THUMB_PX, THUMB_PX))
            im.thumbnail((THUMB_PX, THUMB_PX))
            rgba = im.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    square = Image.new("RGB", (THUMB_PX, THUMB_PX), "white")
    square.paste(rgba, ((THUMB_PX - rgba.width) // 2, (THUMB_PX - rgba.height) // 2), rgba)
    return square


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


@contextmanager
def _table(pdf: _Sheet, widths: tuple[float, ...], headings: tuple[str, ...]):
    """A table with a heading row (repeated on every page it runs over)."""
    pdf.text_font(8)
    pdf.set_draw_color(*RULE)
    with pdf.table(
            col_widths=widths, width=sum(widths), align="LEFT", text_align="LEFT",
            v_align="TOP", line_height=LINE_MM, padding=PAD_MM, borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL, color=INK),
            repeat_headings=1) as table:
        row = table.row()
        for h in headings:
            row.cell(pdf.clean(h))
        yield table


def _image_cell(pdf: _Sheet, row, image: Image.Image | None) -> None:
    if image is None:
        row.cell(pdf.clean("no image"), style=FontFace(color=GREY))
    else:
        row.cell(img=image, img_fill_width=True)


def _tags(entry: SheetEntry) -> str:
    return ", ".join(entry.tags) or "—"


def _changes(entry: SheetEntry, *, flags: bool = False) -> str:
    """Where the state came from and what changed (with the flags, if asked)."""
    lines = ([entry.since] if entry.since else []) + entry.changes
    if flags:
        lines += [f"⚠ {f}" for f in entry.flags]
    return "\n".join(lines)


def scene_pdf(sheet: SceneSheet, load_image, *, compress: bool = True) -> bytes:
    """The scene's breakdown sheet: header (scene, day, readiness, blockers), then one
    table per asset type: image, asset and flags, description, tags, change."""
    scene = sheet.scene
    pdf = _Sheet("portrait", f"{sheet.project_name} · {sheet.branch_name} · "
                 f"scene {scene.display_label} breakdown · {_stamp()}", compress=compress)
    pdf.set_title(pdf.clean(f"Scene {scene.display_label} breakdown"))
    pdf.para(f"{sheet.project_name} · branch {sheet.branch_name}", 8, colour=GREY)
    pdf.para(f"Scene {scene.display_label} · {scene.heading}", 15, bold=True, height=7)
    day = f"story day {scene.story_day}" if scene.story_day is not None else "no story day"
    pdf.para(f"Scene number {scene.scene_number} · {day} · {len(sheet.entries)} asset"
             f"{'s' if len(sheet.entries) != 1 else ''}", 9)
    ready = sheet.readiness.ready
    pdf.para(sheet.status, 10, bold=True, colour=(46, 125, 50) if ready else (183, 28, 28),
             height=6)
    for b in sheet.readiness.blockers[:12]:
        pdf.para(f"• {b.message}", 8, colour=GREY, height=4)
    if len(sheet.readiness.blockers) > 12:
        pdf.para(f"… and {len(sheet.readiness.blockers) - 12} more", 8, colour=GREY, height=4)
    if scene.end_state_summary:
        pdf.ln(1)
        pdf.para(f"End of this scene: {scene.end_state_summary}", 8.5, height=4.2)
    if not sheet.entries:
        pdf.ln(4)
        pdf.para("No assets in this scene yet.", 10, colour=GREY)
    widths = (THUMB_MM + 2.4, 34, 64, 30, 31.6)
    for title, entries in sheet.groups():
        pdf.ln(3)
        pdf.para(f"{title} ({len(entries)})", 11, bold=True, height=6)
        with _table(pdf, widths, ("Image", "Asset", "Description at the start of the scene",
                                  "Tags", "Change · flags")) as t:
            for e in entries:
                row = t.row()
                _image_cell(pdf, row, load_image(e.image_key))
                row.cell(pdf.fit(e.asset_name, widths[1]), style=BOLD)
                for text, width in zip((e.description, _tags(e), _changes(e, flags=True)),
                                       widths[2:], strict=True):
                    row.cell(pdf.fit(text, width))
    return bytes(pdf.output())


def asset_pdf(sheet: AssetSheet, load_image, *, compress: bool = True) -> bytes:
    """The asset's continuity sheet: its master, then every appearance in story order
    side by side: scene and heading, image, description, tags, change, flags."""
    asset = sheet.asset
    pdf = _Sheet("landscape", f"{sheet.project_name} · {sheet.branch_name} · "
                 f"{asset.name} continuity · {_stamp()}", compress=compress)
    pdf.set_title(pdf.clean(f"{asset.name} continuity sheet"))
    master = load_image(asset.master_image_key)
    top = pdf.get_y()
    if master is not None:
        pdf.image(master, x=pdf.w - pdf.r_margin - THUMB_MM, y=top, w=THUMB_MM)
        pdf.set_right_margin(pdf.r_margin + THUMB_MM + 4)
    pdf.para(f"{sheet.project_name} · branch {sheet.branch_name}", 8, colour=GREY)
    pdf.para(f"{asset.name} · {asset.asset_type}", 15, bold=True, height=7)
    n = len(sheet.entries)
    pdf.para(f"In {n} of {sheet.branch_scenes} scene{'s' if sheet.branch_scenes != 1 else ''}"
             + (f" · aliases: {', '.join(asset.aliases)}" if asset.aliases else ""), 9)
    pdf.para(f"Master: {asset.description}", 8.5, height=4.2)
    if master is not None:
        pdf.set_right_margin(MARGIN)
        pdf.set_y(max(pdf.get_y(), top + THUMB_MM + 2))
    pdf.ln(3)
    if not sheet.entries:
        pdf.para("This asset does not appear in any scene of this branch.", 10, colour=GREY)
        return bytes(pdf.output())
    widths = (16, 42, THUMB_MM + 2.4, 86, 36, 38, 28.6)
    with _table(pdf, widths, ("Scene", "Heading", "Image", "Description", "Tags", "Change",
                              "Flags")) as t:
        for e in sheet.entries:
            row = t.row()
            day = f"\nday {e.story_day}" if e.story_day is not None else ""
            row.cell(pdf.fit(e.scene_label + day, widths[0]))
            row.cell(pdf.fit(e.heading, widths[1]))
            _image_cell(pdf, row, load_image(e.image_key))
            for text, width in zip((e.description, _tags(e), _changes(e), ", ".join(e.flags)),
                                   widths[3:], strict=True):
                row.cell(pdf.fit(text, width))
    return bytes(pdf.output())
