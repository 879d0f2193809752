"""The offline provider (G1): Pillow draws a reference card for an asset's state.

No network, no cost. The card shows the asset's name, its type (as a label and
as a simple glyph: a bust for characters, a box for props, hills for
locations), the condition tags as coloured chips, the effective description and
the project style. Its colours come from a hash of the asset's *name*, so the
same asset looks the same in every scene while its state (tags, description)
changes what the card says.

Deterministic: identical requests give identical PNG bytes. Text is set in
Pillow's embedded Aileron font (`ImageFont.load_default(size=...)`), so cards
are the same on every machine; characters Aileron lacks (accents beyond ASCII,
Cyrillic, CJK, ...) are drawn from DejaVu Sans when the system has it, else
accents are dropped (é → e) and anything left shows as a placeholder box.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from core.images.providers import ImageRequest, ImageResult
from core.tags.vocabulary import colour_of

# Output sizes by aspect ratio (G2: character 2:3, prop 1:1, location 16:9).
SIZES = {"2:3": (768, 1152), "1:1": (1024, 1024), "16:9": (1280, 720),
         "3:2": (1152, 768), "9:16": (720, 1280), "3:4": (864, 1152), "4:3": (1152, 864)}
TYPE_LABELS = {"character": "CHARACTER", "prop": "PROP", "location": "LOCATION"}

_SS = 2                     # supersampling factor: draw at 2x, downsample (anti-aliasing)
_FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)
_RENDER_LOCK = threading.Lock()     # FreeType faces are shared: one render at a time
_INK = (33, 33, 38)
_MUTED = (104, 104, 112)


class OfflineProvider:
    """Draws reference cards locally; free and deterministic."""

    name = "offline"
    model = "reference-card"

    def price(self) -> float:
        return 0.0

    def generate(self, request: ImageRequest) -> ImageResult:
        return ImageResult(data=render_card(request), cost=0.0)

    def __repr__(self) -> str:
        return "OfflineProvider(model='reference-card')"


# --------------------------------------------------------------------- palette

@dataclass(frozen=True)
class Palette:
    """An asset's colours, derived from its name only."""

    base: tuple[int, int, int]        # the asset's colour (accent rule, type pill text)
    panel_top: tuple[int, int, int]   # picture panel gradient
    panel_bottom: tuple[int, int, int]
    background: tuple[int, int, int]  # card background (a light tint)
    glyph: tuple[int, int, int]       # silhouette colour on the panel
    seed: bytes                       # more hash bytes for decoration


# Hues (degrees) that make good card colours; murky yellow-greens are left out.
_HUES = (0, 14, 26, 132, 150, 165, 178, 190, 202, 215, 228, 245, 262, 280, 300, 318, 336)


def _hls(h: float, lum: float, sat: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, lum, sat)
    return round(r * 255), round(g * 255), round(b * 255)


def palette_for(asset_name: str) -> Palette:
    """The colour scheme of an asset: a function of its (normalized) name alone."""
    key = unicodedata.normalize("NFC", " ".join(asset_name.split())).casefold()
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    anchor = _HUES[int.from_bytes(digest[0:2], "big") % len(_HUES)]
    hue = (anchor + (digest[7] / 255 - 0.5) * 10) / 360          # +-5 degrees of jitter
    sat = 0.42 + digest[2] / 255 * 0.25
    shift = (0.04 + digest[3] / 255 * 0.08) * (1 if digest[4] & 1 else -1)
    return Palette(
        base=_hls(hue, 0.38, sat),
        panel_top=_hls(hue, 0.30, sat),
        panel_bottom=_hls(hue + shift, 0.52, sat + 0.05),
        background=_hls(hue, 0.955, 0.30),
        glyph=_hls(hue + shift / 2, 0.90, 0.45),
        seed=digest[5:],
    )


# ----------------------------------------------------------------------- fonts

@functools.lru_cache(maxsize=64)
def _primary(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=1)
def _fallback_path() -> str | None:
    for path in _FALLBACK_FONTS:
        if Path(path).is_file():
            return path
    return None


@functools.lru_cache(maxsize=64)
def _fallback(size: int) -> ImageFont.FreeTypeFont | None:
    path = _fallback_path()
    if path is None:
        return None
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return None


_MISSING_PROBE = "\U0010fffd"       # a private-use code point no font has: draws .notdef


def _glyph_image(font, char: str) -> bytes:
    img = Image.new("L", (96, 96), 0)
    ImageDraw.Draw(img).text((24, 72), char, font=font, fill=255, anchor="ls")
    return img.tobytes()


@functools.lru_cache(maxsize=4096)
def _has_glyph(which: str, char: str) -> bool:
    """Whether the primary (or fallback) font has a real glyph for `char`."""
    font = _primary(48) if which == "primary" else _fallback(48)
    if font is None:
        return False
    if char.isspace():
        return True
    try:
        return _glyph_image(font, char) != _missing_glyph(which)
    except Exception:   # noqa: BLE001 - any rendering trouble means "not available"
        return False


@functools.lru_cache(maxsize=2)
def _missing_glyph(which: str) -> bytes:
    font = _primary(48) if which == "primary" else _fallback(48)
    return _glyph_image(font, _MISSING_PROBE)


def _clean(text: str) -> str:
    """NFC, and characters no font here can draw replaced by their base letters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "\r\n\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        elif _has_glyph("primary", ch) or _has_glyph("fallback", ch):
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if not unicodedata.combining(c))
            if base and all(_has_glyph("primary", c) for c in base):
                out.append(base)
            else:
                out.append(ch)          # drawn as a placeholder box
    return "".join(out)


def _runs(text: str) -> list[tuple[bool, str]]:
    """Split text into (use_fallback_font, chunk) runs."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        fb = not _has_glyph("primary", ch) and _has_glyph("fallback", ch)
        if runs and runs[-1][0] == fb:
            runs[-1] = (fb, runs[-1][1] + ch)
        else:
            runs.append((fb, ch))
    return runs


def _font(fallback: bool, size: int):
    return (_fallback(size) if fallback else None) or _primary(size)


@functools.lru_cache(maxsize=8192)
def text_width(text: str, size: int) -> float:
    return sum(_font(fb, size).getlength(chunk) for fb, chunk in _runs(text))


def draw_text(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, size: int,
              fill, bold: bool = False) -> None:
    """Draw text with its baseline at `baseline`, switching fonts per run."""
    stroke = max(1, size // 28) if bold else 0
    for fb, chunk in _runs(text):
        font = _font(fb, size)
        draw.text((x, baseline), chunk, font=font, fill=fill, anchor="ls",
                  stroke_width=stroke, stroke_fill=fill)
        x += font.getlength(chunk)


# ---------------------------------------------------------------------- layout

def _wrap(text: str, size: int, width: float) -> list[str]:
    """Greedy word wrap; words longer than a line are broken by characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        line, line_w = "", 0.0
        for word in words:
            add = text_width(f" {word}" if line else word, size)
            if line_w + add <= width:
                line, line_w = (f"{line} {word}" if line else word), line_w + add
                continue
            if line:
                lines.append(line)
            while text_width(word, size) > width:      # break an overlong word
                cut = len(word) - 1
                while cut > 1 and text_width(word[:cut] + "-", size) > width:
                    cut -= 1
                lines.append(word[:cut] + "-")
                word = word[cut:]
            line, line_w = word, text_width(word, size)
        if line:
            lines.append(line)
    return lines


def _ellipsize(line: str, size: int, width: float) -> str:
    while line and text_width(line + "…", size) > width:
        line = line[:-1].rstrip()
    return line + "…"


def _fit_block(text: str, sizes: list[int], width: float, max_height: float,
               leading: float) -> tuple[int, list[str]]:
    """The largest size whose wrapped text fits; at the smallest, truncate with an ellipsis."""
    for size in sizes:
        lines = _wrap(text, size, width)
        if len(lines) * size * leading <= max_height:
            return size, lines
    size = sizes[-1]
    lines = _wrap(text, size, width)
    keep = max(1, int(max_height // (size * leading)))
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = _ellipsize(lines[-1], size, width)
    return size, lines


def _size_for(aspect_ratio: str) -> tuple[int, int]:
    if aspect_ratio in SIZES:
        return SIZES[aspect_ratio]
    try:
        w, h = (float(p) for p in aspect_ratio.split(":"))
        if w <= 0 or h <= 0:
            raise ValueError
    except ValueError:
        return SIZES["1:1"]
    scale = (1024 * 1024 / (w * h)) ** 0.5
    return max(256, round(w * scale / 16) * 16), max(256, round(h * scale / 16) * 16)


# ---------------------------------------------------------------------- render

def render_card(request: ImageRequest) -> bytes:
    """The reference card for `request`, as PNG bytes (deterministic)."""
    with _RENDER_LOCK:
        return _render(request)


def _render(request: ImageRequest) -> bytes:
    width, height = _size_for(request.aspect_ratio)
    pal = palette_for(request.asset_name)
    k = _SS
    img = Image.new("RGB", (width * k, height * k), pal.background)
    draw = ImageDraw.Draw(img)

    margin = round(min(width, height) * 0.05)
    landscape = width / height > 1.2
    if landscape:
        panel = (margin, margin, round(width * 0.44), height - margin)
        text_box = (panel[2] + margin, margin + 4, width - margin, height - margin)
    else:
        panel_h = round(height * (0.45 if height > width * 1.2 else 0.40))
        panel = (margin, margin, width - margin, margin + panel_h)
        text_box = (margin + 8, panel[3] + round(margin * 0.9), width - margin - 8,
                    height - margin)

    _draw_panel(img, tuple(v * k for v in panel), request.asset_type, pal, k)
    draw = ImageDraw.Draw(img)
    _draw_type_pill(draw, panel, request.asset_type, pal, k)
    _draw_text_column(draw, text_box, request, pal, k, landscape)

    out = img.reduce(k)             # 2x2 box average: anti-aliased edges, exact flat colours
    buf = io.BytesIO()
    out.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def _draw_panel(img: Image.Image, box, asset_type: str, pal: Palette, k: int) -> None:
    x0, y0, x1, y1 = (round(v) for v in box)
    w, h = x1 - x0, y1 - y0
    radius = round(min(w, h) * 0.06)
    gradient = Image.linear_gradient("L").resize((1, h), Image.Resampling.BILINEAR) \
        .resize((w, h), Image.Resampling.NEAREST)
    top = Image.new("RGB", (w, h), pal.panel_top)
    bottom = Image.new("RGB", (w, h), pal.panel_bottom)
    face = Image.composite(bottom, top, gradient)

    # soft decorative discs, placed by the name hash: each asset has its own pattern
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ld = ImageDraw.Draw(layer)
    s = pal.seed
    for i in range(3):
        cx = s[i * 3] / 255 * w
        cy = s[i * 3 + 1] / 255 * h
        r = (0.25 + s[i * 3 + 2] / 255 * 0.35) * min(w, h)
        ld.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255, 14 + 6 * i))
    _draw_glyph(ld, asset_type, w, h, pal)
    face = Image.alpha_composite(face.convert("RGBA"), layer).convert("RGB")

    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=255)
    img.paste(face, (x0, y0), mask)


def _draw_glyph(d: ImageDraw.ImageDraw, asset_type: str, w: int, h: int,
                pal: Palette) -> None:
    """A simple silhouette so the type reads at a glance."""
    g = pal.glyph
    cx, cy = w / 2, h / 2 + h * 0.04
    s = min(w, h) * 0.62
    if asset_type == "character":
        # a bust rising from the bottom edge: head, neck and shoulders
        s = min(w * 0.9, h * 0.95)
        hr = s * 0.17
        hy = h - s * 0.62
        top = hy + hr + s * 0.03
        d.ellipse((cx - s * 0.40, top, cx + s * 0.40, top + s * 0.80), fill=(*g, 235))
        d.ellipse((cx - hr, hy - hr, cx + hr, hy + hr), fill=(*g, 235))
    elif asset_type == "prop":
        # an isometric box: three faces in three shades
        a = s * 0.46
        c = 0.866 * a
        top = [(cx, cy - a), (cx + c, cy - a / 2), (cx, cy), (cx - c, cy - a / 2)]
        left = [(cx - c, cy - a / 2), (cx, cy), (cx, cy + a), (cx - c, cy + a / 2)]
        right = [(cx + c, cy - a / 2), (cx, cy), (cx, cy + a), (cx + c, cy + a / 2)]
        d.polygon(top, fill=(*g, 245))
        d.polygon(left, fill=(*g, 175))
        d.polygon(right, fill=(*g, 120))
    elif asset_type == "location":
        # hills under a sun, on a ground line
        base = cy + s * 0.26
        d.ellipse((cx + s * 0.14, cy - s * 0.44, cx + s * 0.34, cy - s * 0.24),
                  fill=(*g, 235))
        d.polygon([(cx - s * 0.62, base), (cx - s * 0.14, cy - s * 0.30),
                   (cx + s * 0.30, base)], fill=(*g, 235))
        d.polygon([(cx - s * 0.02, base), (cx + s * 0.30, cy - s * 0.08),
                   (cx + s * 0.62, base)], fill=(*g, 170))
        d.rounded_rectangle((cx - s * 0.66, base + s * 0.04, cx + s * 0.66, base + s * 0.08),
                            radius=s * 0.02, fill=(*g, 200))
    else:
        r = s * 0.3
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(*g, 235), width=max(2, round(s / 30)))


def _draw_type_pill(draw: ImageDraw.ImageDraw, panel, asset_type: str, pal: Palette,
                    k: int) -> None:
    label = TYPE_LABELS.get(asset_type, _clean(asset_type).upper() or "ASSET")
    size = 18 * k
    pad_x, pill_h = 14 * k, 34 * k
    x0 = panel[0] * k + 18 * k
    y0 = panel[1] * k + 18 * k
    tw = text_width(label, size) + size * 0.08 * len(label)
    draw.rounded_rectangle((x0, y0, x0 + tw + 2 * pad_x, y0 + pill_h), radius=pill_h / 2,
                           fill=(255, 255, 255))
    x = x0 + pad_x
    for ch in label:                    # letter-spaced small caps
        draw_text(draw, x, y0 + pill_h * 0.5 + size * 0.36, ch, size, pal.base, bold=True)
        x += text_width(ch, size) + size * 0.08


def _draw_text_column(draw: ImageDraw.ImageDraw, box, request: ImageRequest, pal: Palette,
                      k: int, landscape: bool) -> None:
    x0, y0, x1, y1 = (v * k for v in box)
    width = x1 - x0

    # footer: the project style
    footer_size = 17 * k
    style = _clean(" ".join(request.style.split()))
    footer_lines = _wrap(f"Style: {style}", footer_size, width) if style else []
    if len(footer_lines) > 2:
        footer_lines = footer_lines[:2]
        footer_lines[-1] = _ellipsize(footer_lines[-1], footer_size, width)
    footer_top = y1 - len(footer_lines) * footer_size * 1.35 if footer_lines else y1
    if footer_lines:
        draw.line((x0, footer_top - 12 * k, x1, footer_top - 12 * k),
                  fill=_mix(pal.background, _MUTED, 0.35), width=k)
        y = footer_top + footer_size
        for line in footer_lines:
            draw_text(draw, x0, y, line, footer_size, _MUTED)
            y += footer_size * 1.35
    bottom = footer_top - 28 * k

    # name: large, shrunk to fit on (at most) two lines
    name = _clean(" ".join(request.asset_name.split())) or "Untitled"
    name_sizes = [s * k for s in ((56, 50, 44, 38, 32) if landscape else (64, 56, 48, 42, 36))]
    name_size, name_lines = _fit_block(name, name_sizes, width, name_sizes[-1] * 1.15 * 2, 1.15)
    y = y0 + name_size * 0.95
    for line in name_lines:
        draw_text(draw, x0, y, line, name_size, _INK, bold=True)
        y += name_size * 1.15
    y = y - name_size * 1.15 + name_size * 0.45
    draw.rounded_rectangle((x0, y, x0 + 72 * k, y + 6 * k), radius=3 * k, fill=pal.base)
    y += 6 * k + 26 * k

    # condition tags as chips
    y = _draw_chips(draw, x0, y, width, request.tags, k)

    # the effective description
    desc = _clean(" ".join(request.description.split()))
    if not desc:
        draw_text(draw, x0, y + 24 * k, "No description yet.", 24 * k, _MUTED)
        return
    sizes = [s * k for s in (30, 28, 26, 24, 22, 20, 18)]
    avail = bottom - y
    if avail < sizes[-1] * 1.4:
        return
    size, lines = _fit_block(desc, sizes, width, avail, 1.4)
    y += size
    for line in lines:
        draw_text(draw, x0, y, line, size, _INK)
        y += size * 1.4


def _draw_chips(draw: ImageDraw.ImageDraw, x0: float, y: float, width: float,
                tags: list[str], k: int) -> float:
    """Tag chips in rows; returns the y below them. At most three rows, then '+N'."""
    size = 21 * k
    chip_h, pad, gap = 40 * k, 16 * k, 10 * k
    if not tags:
        draw_text(draw, x0, y + size, "No visible conditions", size, _MUTED)
        return y + chip_h + 18 * k
    x, row = x0, 0
    for i, tag in enumerate(tags):
        label = _clean(tag)
        tw = text_width(label, size)
        cw = tw + 2 * pad
        if x > x0 and x + cw > x0 + width:
            row += 1
            x = x0
            if row == 3:
                break
        if row == 2 and i + 1 < len(tags):   # last row: keep room for "+N"
            more = f"+{len(tags) - i - 1}"
            if x + cw + gap + text_width(more, size) + 2 * pad > x0 + width:
                _chip(draw, x, y + row * (chip_h + gap), more, size, chip_h, pad,
                      (150, 150, 156))
                break
        cw = min(cw, width)
        if tw > width - 2 * pad:
            label = _ellipsize(label, size, width - 2 * pad)
        _chip(draw, x, y + row * (chip_h + gap), label, size, chip_h, pad,
              _hex(colour_of(tag)))
        x += cw + gap
    return y + (min(row, 2) + 1) * (chip_h + gap) + 14 * k


def _chip(draw, x, y, label, size, chip_h, pad, fill) -> None:
    w = text_width(label, size) + 2 * pad
    draw.rounded_rectangle((x, y, x + w, y + chip_h), radius=chip_h / 2, fill=fill)
    draw_text(draw, x + pad, y + chip_h * 0.5 + size * 0.36, label, size, (255, 255, 255),
              bold=True)


def _hex(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
