"""Reading back what an uncompressed fpdf2 PDF draws (for tests; no PDF library needed).

    text = pdf_text(data)        # every string shown (Tj), one per line, decoded
    pages = page_count(data)

fpdf2 writes a TrueType font's text as 2-byte glyph ids and gives each font a
ToUnicode CMap (`<gid> <utf-16be>` pairs); a core font's text is Latin-1. The decoder
follows `/Fn size Tf` to know which font a string is shown in."""

from __future__ import annotations

import re

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONTS = re.compile(rb"/Font\s*<<(.*?)>>", re.S)
_REF = re.compile(rb"/(F\d+)\s+(\d+) 0 R")
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_OPS = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJ.finditer(data)}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = raw[i + 1:i + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(nxt, nxt)
            i += 2
    return bytes(out)


def _cmaps(objects: dict[int, bytes]) -> dict[str, dict[int, str] | None]:
    """Font resource name -> glyph id -> text (None: a core font, Latin-1)."""
    out: dict[str, dict[int, str] | None] = {}
    for body in objects.values():
        for fonts in _FONTS.findall(body):
            for name, ref in _REF.findall(fonts):
                font = objects[int(ref)]
                uni = re.search(rb"/ToUnicode (\d+) 0 R", font)
                if uni is None:
                    out[name.decode()] = None
                    continue
                stream = _STREAM.search(objects[int(uni.group(1))]).group(1)
                out[name.decode()] = {
                    int(k, 16): bytes.fromhex(v.decode()).decode("utf-16-be")
                    for k, v in _PAIR.findall(stream) if len(k) == 4}
    return out


def pdf_text(data: bytes) -> str:
    """Every string the PDF shows, decoded, one per line, in drawing order."""
    objects = _objects(data)
    cmaps = _cmaps(objects)
    lines, font = [], None
    for body in objects.values():
        m = _STREAM.search(body)
        if m is None or b"/Type /Page" in body:
            continue
        for op in _OPS.finditer(m.group(1)):
            if op.group(1) is not None:
                font = cmaps.get(op.group(1).decode())
                continue
            raw = _unescape(op.group(2))
            if font is None:
                lines.append(raw.decode("latin-1"))
            else:
                lines.append("".join(font.get(int.from_bytes(raw[k:k + 2], "big"), "\ufffd")
                                     for k in range(0, len(raw), 2)))
    return "\n".join(lines)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))
