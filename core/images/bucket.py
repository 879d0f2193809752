"""The files of an image store in an S3-compatible bucket (`s3://bucket/prefix`),
through fsspec's s3fs. A PUT is atomic (a reader sees the whole object or none),
a copy is made by the server. The endpoint comes from the settings
(CONTINUITY_S3_ENDPOINT_URL); credentials from the standard AWS chain
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile or a role) and never pass
through here, so no message can show them."""

from __future__ import annotations

import functools

import s3fs

from core.errors import ImageStoreError, ValidationError
from core.images.keys import BUCKET_SCHEME, check_key

# A bucket that does not answer must not hang a page for minutes.
_CLIENT = {"connect_timeout": 5, "read_timeout": 30, "retries": {"max_attempts": 3}}


def _bucket_errors(what: str):
    """Missing keys stay FileNotFoundError; any other failure becomes ImageStoreError."""
    def wrap(method):
        @functools.wraps(method)
        def call(self, *args):
            try:
                return method(self, *args)
            except (FileNotFoundError, ValidationError):
                raise
            except Exception as exc:
                raise self.failure(what, exc) from None
        return call
    return wrap


class BucketFiles:
    def __init__(self, url: str, endpoint_url: str | None = None):
        bucket, _, prefix = url.removeprefix(BUCKET_SCHEME).partition("/")
        prefix = prefix.strip("/")
        if not bucket or "\\" in bucket or not bucket.isprintable() or (
                prefix and _unsafe(prefix)):
            raise ValidationError(f"The image root {url[:120]!r} is not a bucket address; "
                                  "use s3://bucket or s3://bucket/prefix.")
        self.base = f"{bucket}/{prefix}" if prefix else bucket
        self.location = BUCKET_SCHEME + self.base
        self.fs = s3fs.S3FileSystem(endpoint_url=endpoint_url or None,
                                    use_listings_cache=False, config_kwargs=_CLIENT)

    def failure(self, what: str, exc: BaseException) -> ImageStoreError:
        if isinstance(exc, PermissionError):
            hint = ("refused access: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the "
                    "bucket's permissions")
        else:
            hint = (f"did not answer ({type(exc).__name__}): check CONTINUITY_S3_ENDPOINT_URL "
                    "and that the server is up")
        return ImageStoreError(f"The image bucket {self.location} could not {what}; it {hint}.")

    def _path(self, key: str) -> str:
        return f"{self.base}/{key}"

    @_bucket_errors("store an image")
    def write(self, key: str, png: bytes) -> None:
        self.fs.pipe_file(self._path(key), bytes(png), ContentType="image/png")

    @_bucket_errors("read an image")
    def read(self, key: str) -> bytes:
        return self.fs.cat_file(self._path(key))

    @_bucket_errors("read images")
    def read_many(self, keys: list[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        got = self.fs.cat([self._path(k) for k in keys], on_error="return")
        out = {}
        for key in keys:
            value = got.get(self._path(key))
            if isinstance(value, BaseException) and not isinstance(value, FileNotFoundError):
                raise value
            if isinstance(value, bytes):
                out[key] = value
        return out

    @_bucket_errors("look up an image")
    def exists(self, key: str) -> bool:
        return self.fs.isfile(self._path(key))

    @_bucket_errors("copy an image")
    def copy(self, source_key: str, target_key: str) -> None:
        self.fs.copy(self._path(source_key), self._path(target_key))

    @_bucket_errors("delete images")
    def delete_many(self, keys: list[str]) -> None:
        self.fs.rm([self._path(k) for k in keys])

    @_bucket_errors("list images")
    def modified(self, prefix: str) -> dict[str, float]:
        head, _, stem = prefix.rpartition("/")
        folder = self._path(head) if head else self.base
        try:
            listed = self.fs.find(folder, prefix=stem, detail=True)
        except FileNotFoundError:
            return {}
        skip = len(self.base) + 1
        return {path[skip:]: info["LastModified"].timestamp()
                for path, info in listed.items()
                if info.get("type") == "file" and path[skip:].startswith(prefix)
                and path[skip:] != prefix}

    @_bucket_errors("delete images")
    def delete_prefix(self, prefix: str) -> None:
        try:
            self.fs.rm(self._path(prefix.rstrip("/")), recursive=True)
        except FileNotFoundError:
            pass


def _unsafe(prefix: str) -> bool:
    try:
        check_key(prefix)
    except ValidationError:
        return True
    return False
