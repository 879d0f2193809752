"""Continuity Desk core: the domain and its persistence. Never imports Streamlit."""

from __future__ import annotations

from pathlib import Path

from core.desk import Desk
from core.errors import (
    BudgetError,
    ConflictError,
    DatabaseBusyError,
    DatabaseOpenError,
    DeskError,
    LockedError,
    NotFoundError,
    ProviderError,
    ValidationError,
)
from core.images.providers import ImageProvider
from core.images.registry import provider_from_settings
from core.images.store import ImageStore
from core.models import (
    UNSET,
    Asset,
    Branch,
    HistoryRow,
    Instance,
    Project,
    Reached,
    Scene,
    UpdateResult,
    scene_label,
)
from core.store.db import Database


def open_desk(db_path: str | Path = ":memory:", image_root: str | Path = "data/images",
              provider: str | ImageProvider = "offline", *, database_url: str | None = None,
              api_key: str | None = None, model: str | None = None,
              s3_endpoint_url: str | None = None) -> Desk:
    """Open (and migrate) the store. Never creates demo data.

    The store is the DuckDB file `db_path` (the default: one process), or the
    PostgreSQL database of `database_url` ("postgresql://…": a team server that
    several app processes share). A DuckDB file another process holds raises
    `DatabaseBusyError`; a store that cannot be opened `DatabaseOpenError`.

    The images are kept under `image_root`: a folder, or an S3-compatible bucket
    "s3://bucket/prefix" on the server `s3_endpoint_url` (AWS itself when None);
    the bucket's credentials come from the standard AWS environment variables.

    `provider` is "offline", "gemini" (needs `api_key`) or a provider object
    (tests and benchmarks pass fakes)."""
    if isinstance(provider, str):
        provider = provider_from_settings(provider, api_key=api_key, model=model)
    store = ImageStore(image_root, s3_endpoint_url=s3_endpoint_url)
    return Desk(Database(database_url or db_path), store, provider)


__all__ = [
    "UNSET", "Asset", "Branch", "BudgetError", "ConflictError", "DatabaseBusyError",
    "DatabaseOpenError", "Desk", "DeskError",
    "HistoryRow", "Instance", "LockedError", "NotFoundError", "Project", "ProviderError",
    "Reached",
    "Scene", "UpdateResult", "ValidationError", "open_desk", "scene_label",
]
