"""Choosing an image provider from settings (G1)."""

from __future__ import annotations

from core.errors import ValidationError
from core.images.offline import OfflineProvider
from core.images.providers import ImageProvider

PROVIDER_NAMES = ("offline", "gemini")


def provider_from_settings(name: str, api_key: str | None = None,
                           model: str | None = None) -> ImageProvider:
    """The provider called `name`: "offline" (default, free) or "gemini" (needs a key).

    The key is passed in by the caller (environment or st.secrets); it is never
    read, logged or stored here. google-genai is imported only when Gemini is chosen.
    """
    key = (name or "").strip().lower()
    if key == "offline":
        return OfflineProvider()
    if key == "gemini":
        if not api_key or not api_key.strip():
            raise ValidationError(
                "The Gemini image provider needs an API key: set GEMINI_API_KEY (or "
                "GOOGLE_API_KEY) in the environment or in st.secrets, or choose the "
                "offline provider.")
        from core.images.gemini import GeminiProvider  # noqa: PLC0415 - keep google-genai optional
        if model is not None and model.strip():
            return GeminiProvider(api_key, model=model.strip())
        return GeminiProvider(api_key)
    raise ValidationError(
        f"Unknown image provider {name!r}: use one of {', '.join(PROVIDER_NAMES)}.")
