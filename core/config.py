"""Settings from the environment (pages may also pass values from st.secrets)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DB_PATH = "data/continuity.duckdb"
DEFAULT_IMAGE_ROOT = "data/images"
PROVIDERS = ("offline", "gemini")


@dataclass(frozen=True)
class Settings:
    db_path: str
    image_root: str
    provider: str


def from_env(env=os.environ) -> Settings:
    return Settings(
        db_path=env.get("CONTINUITY_DB_PATH", DEFAULT_DB_PATH),
        image_root=env.get("CONTINUITY_IMAGE_ROOT", DEFAULT_IMAGE_ROOT),
        provider=env.get("CONTINUITY_IMAGE_PROVIDER", "offline"),
    )
