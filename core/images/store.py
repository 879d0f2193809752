"""The image store (G5): scene-specific keys made of ids only, files verified
with Pillow and written atomically under the image root — a local folder, or an
S3-compatible bucket (`s3://bucket/prefix`, core.images.bucket). Nothing outside
the store touches the files: callers name them by key."""

from __future__ import annotations

import io
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from core.errors import ValidationError
from core.images.keys import BUCKET_SCHEME, check_key, check_prefix

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}
# S3: a reference image needs no more than 4096 x 4096 (a 12 MP phone photo fits);
# decoding one takes at most 64 MB as RGBA, and bigger images are refused from
# their header, before any pixel is decoded.
MAX_IMAGE_PIXELS = 4096 * 4096
IMAGE_LIMITS = (f"PNG, JPEG or WebP, at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB and "
                f"{MAX_IMAGE_PIXELS / 1e6:.1f} megapixels (e.g. 4096 × 4096)")
# A stored file may be larger than an upload: an uploaded JPEG becomes PNG. Within the
# pixel budget a PNG stays under its raw RGBA size (64 MB), so a project backup of any
# image the desk accepted imports again.
MAX_STORED_BYTES = 80 * 1024 * 1024


def scene_key(project_id: str, branch_id: str, scene_id: str, asset_id: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return (f"project_{project_id}/branch_{branch_id}/scene_{scene_id}/scene-assets/"
            f"{asset_id}_{stamp}_{secrets.token_hex(4)}.png")


def master_key(project_id: str, asset_id: str) -> str:
    return f"project_{project_id}/masters/{asset_id}_{secrets.token_hex(6)}.png"


def _check_pixels(size: tuple[int, int], what: str) -> None:
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            f"{what} is {width} × {height} pixels ({width * height / 1e6:.1f} megapixels); "
            f"at most {MAX_IMAGE_PIXELS / 1e6:.1f} megapixels (e.g. 4096 × 4096) are "
            "accepted. Scale it down and try again.")


def to_png(data: bytes, what: str = "The image", max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """Verify image bytes with Pillow and return them as PNG; ValidationError otherwise."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationError(f"{what} is empty.")
    if len(data) > max_bytes:
        raise ValidationError(f"{what} is {len(data) / 1024 / 1024:.1f} MB; at most "
                              f"{max_bytes // 1024 // 1024} MB is accepted.")
    try:
        with Image.open(io.BytesIO(data)) as probe:    # reads the header only
            fmt = probe.format
            _check_pixels(probe.size, what)
            probe.verify()
        if fmt not in ACCEPTED_FORMATS:
            raise ValidationError(f"{what} is a {fmt} file; use PNG, JPEG or WebP.")
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if fmt == "PNG":
                return bytes(data)
            out = io.BytesIO()
            img.convert("RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB").save(out, "PNG")
            return out.getvalue()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(f"{what} has too many pixels: at most "
                              f"{MAX_IMAGE_PIXELS / 1e6:.1f} megapixels are accepted.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"{what} is not a readable PNG, JPEG or WebP image.") from exc


class ImageStore:
    """Image files by key under `root`: a folder, or `s3://bucket/prefix` (then
    `s3_endpoint_url` names an S3-compatible server; credentials come from the
    standard AWS variables, never through here)."""

    def __init__(self, root: str | Path, *, s3_endpoint_url: str | None = None):
        if str(root).startswith(BUCKET_SCHEME):
            from core.images.bucket import BucketFiles  # noqa: PLC0415 - s3fs only when used
            self.files = BucketFiles(str(root), s3_endpoint_url)
        else:
            self.files = FolderFiles(root)
        self.location = self.files.location

    def check(self, key: str) -> str:
        return check_key(key)

    def write(self, key: str, png: bytes) -> None:
        """Store `png` under `key`, atomically: readers see the whole file or none."""
        self.files.write(check_key(key), png)

    def read(self, key: str) -> bytes:
        """The bytes of `key`; FileNotFoundError when there is none."""
        return self.files.read(check_key(key))

    def read_many(self, keys) -> dict[str, bytes]:
        """{key: bytes} of those `keys` that are stored (fetched concurrently from a bucket)."""
        return self.files.read_many([check_key(k) for k in dict.fromkeys(keys)])

    def exists(self, key: str) -> bool:
        return self.files.exists(check_key(key))

    def copy(self, source_key: str, target_key: str) -> None:
        self.files.copy(check_key(source_key), check_key(target_key))

    def delete(self, key: str) -> None:
        self.delete_many([key])

    def delete_many(self, keys) -> None:
        """Delete these keys (missing ones are no error)."""
        keys = [check_key(k) for k in keys]
        if keys:
            self.files.delete_many(keys)

    def modified(self, prefix: str = "") -> dict[str, float]:
        """{key: last modification (Unix time)} of every stored key that starts with
        `prefix` — temp files of unfinished writes included, symbolic links not."""
        return self.files.modified(check_prefix(prefix))

    def delete_prefix(self, prefix: str) -> None:
        """Delete every key under the folder `prefix` (ending in "/")."""
        if not check_prefix(prefix).endswith("/"):
            raise ValidationError(f"Refused to delete the image keys under {prefix[:80]!r}: "
                                  "not a folder.")
        self.files.delete_prefix(prefix)


class FolderFiles:
    """The files of an image store in a local folder (the default)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.location = str(self.root)

    def path(self, key: str) -> Path:
        """The file of a checked key; refuses one that resolves outside the root
        (through a symbolic link)."""
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValidationError(f"Refused an image key outside the image store ({key[:80]!r}).")
        return path

    def write(self, key: str, png: bytes) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(png)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def read_many(self, keys: list[str]) -> dict[str, bytes]:
        out = {}
        for key in keys:
            try:
                out[key] = self.read(key)
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                continue
        return out

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def copy(self, source_key: str, target_key: str) -> None:
        self.write(target_key, self.read(source_key))

    def delete_many(self, keys: list[str]) -> None:
        """Delete the files, and the folders that leaves empty (a bucket has none)."""
        for key in keys:
            path = self.path(key)
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == self.root:
                    break
                try:
                    folder.rmdir()
                except OSError:             # not empty: other files live there
                    break

    def modified(self, prefix: str) -> dict[str, float]:
        head, _, stem = prefix.rpartition("/")
        found: dict[str, float] = {}
        skip = len(str(self.root)) + 1
        folders = [(self.path(head) if head else self.root, stem)]
        while folders:
            folder, start = folders.pop()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if not entry.name.startswith(start):
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            folders.append((entry.path, ""))
                        elif entry.is_file(follow_symlinks=False):
                            found[entry.path[skip:].replace(os.sep, "/")] = \
                                entry.stat(follow_symlinks=False).st_mtime
            except (FileNotFoundError, NotADirectoryError):  # absent, or removed meanwhile
                continue
        return found

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self.path(prefix.rstrip("/")), ignore_errors=True)
