"""Continuity Desk core: the domain and its persistence. Never imports Streamlit."""

from __future__ import annotations

from pathlib import Path

from .config import PROVIDERS
from .db import Database
from .desk import Desk
from .errors import (
    BudgetError,
    ConflictError,
    DeskError,
    LockedError,
    NotFoundError,
    ProviderError,
    ValidationError,
)
from .models import UNSET, Asset, Branch, HistoryRow, Instance, Project, Scene, UpdateResult


def open_desk(db_path: str | Path = ":memory:", image_root: str | Path = "data/images",
              provider: str = "offline") -> Desk:
    """Open (and migrate) the database. Never creates demo data."""
    if provider not in PROVIDERS:
        raise ValidationError(f"Unknown image provider {provider!r}: use one of {PROVIDERS}.")
    return Desk(Database(db_path), Path(image_root), provider)


__all__ = [
    "UNSET", "Asset", "Branch", "BudgetError", "ConflictError", "Desk", "DeskError",
    "HistoryRow", "Instance", "LockedError", "NotFoundError", "Project", "ProviderError",
    "Scene", "UpdateResult", "ValidationError", "open_desk",
]
