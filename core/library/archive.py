"""Zip archives read entry by entry with running byte caps (S3). Sizes the archive
declares are never trusted: the bytes actually decompressed are counted, per entry
and in total, and reading stops as soon as a cap is crossed. Every failure of the
archive (bad CRC, damaged stream, encryption, unknown compression) is a
ValidationError (S4)."""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import BinaryIO

from core.errors import ValidationError

CHUNK = 64 * 1024
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)   # bzip2/lzma inflate unboundedly
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
           NotImplementedError)


class Archive:
    """A zip in memory, read with a cap per entry and one for the whole archive.
    `what` names it in messages ("the project file")."""

    def __init__(self, data: bytes, what: str, *, max_entries: int, max_total: int):
        self.what, self.total, self.left = what, max_total, max_total
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except _BROKEN as exc:
            raise ValidationError(f"{what.capitalize()} is not a zip archive, or it is "
                                  "damaged.") from exc
        if len(infos) > max_entries:
            raise ValidationError(f"{what.capitalize()} holds {len(infos):,} entries; at most "
                                  f"{max_entries:,} are accepted.")
        self._infos = {i.filename: i for i in infos}

    def __contains__(self, name: str) -> bool:
        return name in self._infos

    def copy(self, name: str, out: BinaryIO, cap: int, label: str) -> int:
        """Decompress entry `name` into `out`; ValidationError as soon as it passes
        `cap` bytes (or the archive's total), or when the entry is damaged."""
        info = self._infos[name]
        if info.flag_bits & 0x1:
            raise ValidationError(f"{label} in {self.what} is encrypted; it cannot be read.")
        if info.compress_type not in _METHODS:
            raise ValidationError(f"{label} in {self.what} uses a compression this desk "
                                  "does not read (only stored and deflate).")
        size = 0
        try:
            with self._zip.open(info) as entry:
                while chunk := entry.read(CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise ValidationError(f"{label} in {self.what} unpacks to more than "
                                              f"{_mb(cap)}; refused.")
                    if size > self.left:
                        raise ValidationError(f"{self.what.capitalize()} unpacks to more "
                                              f"than {_mb(self.total)} in all; refused.")
                    out.write(chunk)
        except ValidationError:
            raise
        except _BROKEN as exc:
            raise ValidationError(f"{label} in {self.what} is damaged ({_reason(exc)}).") \
                from exc
        self.left -= size
        return size

    def read(self, name: str, cap: int, label: str) -> bytes:
        out = io.BytesIO()
        self.copy(name, out, cap, label)
        return out.getvalue()


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def _reason(exc: BaseException) -> str:
    text = str(exc)
    return "bad checksum" if "CRC" in text else (text[:120] or type(exc).__name__)
