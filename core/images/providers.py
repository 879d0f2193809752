"""The provider interface (G1) and the errors providers raise.

A provider turns an `ImageRequest` into PNG/JPEG/WebP bytes. It knows nothing of
jobs, retries or the database: the runner retries `RetryableError`s with
backoff and fails a job at once on any other `ProviderFailure`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

ASPECT_RATIOS = {"character": "2:3", "prop": "1:1", "location": "16:9"}


@dataclass(frozen=True)
class ImageRequest:
    asset_name: str
    asset_type: str
    description: str
    tags: list[str]
    style: str
    prompt: str                      # the full G2 prompt
    aspect_ratio: str
    references: list[bytes] = field(default_factory=list)   # master / previous image


@dataclass(frozen=True)
class ImageResult:
    data: bytes
    cost: float                      # what this call actually cost


class ProviderFailure(Exception):
    """A provider call failed; `code` is short and stable (e.g. 'auth', 'safety')."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class RetryableError(ProviderFailure):
    """Rate limits, 5xx and timeouts: worth another try after `retry_after` seconds
    (None: use the runner's backoff)."""

    def __init__(self, code: str, message: str, retry_after: float | None = None):
        super().__init__(code, message)
        self.retry_after = retry_after


class ImageProvider(Protocol):
    name: str
    model: str

    def price(self) -> float:
        """Estimated cost of one image, in credits."""

    def generate(self, request: ImageRequest) -> ImageResult: ...
