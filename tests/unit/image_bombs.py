"""Decompression bombs for the pixel budget tests (S3): tiny files that decode huge.

The PNG is written by hand (zero rows, compressed as they stream), so building one
never holds its pixels; the JPEG is encoded in a child process, so the test process
never holds them either."""

from __future__ import annotations

import functools
import struct
import subprocess
import sys
import zlib
from pathlib import Path


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


@functools.cache
def bomb_png(width: int, height: int, rgb: bool = True) -> bytes:
    """A valid all-black PNG, 8-bit RGB (3 bytes a pixel decoded) or 1-bit grey,
    built in a fraction of a second without holding its pixels."""
    row = b"\x00" * (1 + (width * 3 if rgb else (width + 7) // 8))   # filter byte + pixels
    # After a full flush the compressor starts afresh, so every row compresses to the
    # same bytes: the zlib stream is its header, that body once per row, an empty
    # final block and the Adler-32 of all rows.
    packer = zlib.compressobj(9)
    first = packer.compress(row) + packer.flush(zlib.Z_FULL_FLUSH)
    check = 1
    for _ in range(height):
        check = zlib.adler32(row, check)
    idat = first[:2] + first[2:] * height + b"\x03\x00" + struct.pack(">I", check)
    header = struct.pack(">IIBBBBB", width, height, 8 if rgb else 1, 2 if rgb else 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


_JPEG = """
import sys
from PIL import Image
Image.MAX_IMAGE_PIXELS = None
Image.new("L", (int(sys.argv[2]), int(sys.argv[2])), 128).save(sys.argv[1], "JPEG", quality=1)
"""


def bomb_jpeg(path: Path, side: int = 12000) -> bytes:
    """A real grey JPEG of side x side pixels (about 1.7 MB at 12000), made in a child."""
    subprocess.run([sys.executable, "-c", _JPEG, str(path), str(side)], check=True)
    return path.read_bytes()
