"""Settings from the environment (the app may also pass values from st.secrets)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DB_PATH = "data/continuity.duckdb"
DEFAULT_IMAGE_ROOT = "data/images"


@dataclass(frozen=True)
class Settings:
    db_path: str
    image_root: str
    provider: str
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    model: str | None = None
    s3_endpoint_url: str | None = None     # an S3-compatible server for an s3:// image root
    api_key: str | None = field(default=None, repr=False)   # never shown or logged


def from_env(env=os.environ, secrets=None) -> Settings:
    """Environment first, then `secrets` (a mapping such as st.secrets)."""
    def get(name, default=None):
        value = env.get(name)
        if value is None and secrets is not None:
            try:
                value = secrets.get(name)
            except Exception:  # st.secrets raises when no secrets file exists
                value = None
        return default if value in (None, "") else str(value)

    return Settings(
        db_path=get("CONTINUITY_DB_PATH", DEFAULT_DB_PATH),
        image_root=get("CONTINUITY_IMAGE_ROOT", DEFAULT_IMAGE_ROOT),
        provider=get("CONTINUITY_IMAGE_PROVIDER", "offline"),
        database_url=get("CONTINUITY_DATABASE_URL"),
        model=get("CONTINUITY_IMAGE_MODEL"),
        s3_endpoint_url=get("CONTINUITY_S3_ENDPOINT_URL"),
        api_key=get("GEMINI_API_KEY") or get("GOOGLE_API_KEY"),
    )
