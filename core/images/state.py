"""The state an image shows: its hash (G4) and the generation prompt (G2)."""

from __future__ import annotations

import hashlib
import json

from core.images.providers import ASPECT_RATIOS

ISOLATION = {
    "character": "Full-body character reference, neutral pose, plain light-grey "
                 "background, no other people, no text.",
    "prop": "Single object reference, centred, plain light-grey background, no hands, "
            "no text.",
    "location": "Establishing reference of the place, no people, no text.",
}


def state_hash(asset_name: str, asset_type: str, description: str, tags: list[str],
               master_image_hash: str | None, style: str) -> str:
    """SHA-256 of canonical JSON of the visual state (G4)."""
    canonical = json.dumps(
        {"asset": asset_name, "type": asset_type, "description": description,
         "tags": sorted(tags), "master_image": master_image_hash, "style": style},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def prompt(asset_name: str, asset_type: str, description: str, tags: list[str],
           style: str) -> str:
    """G2: description + visible conditions + project style + isolation suffix."""
    parts = [f"{asset_name}: {description.strip()}"]
    if tags:
        parts.append("Visible condition: " + ", ".join(t.replace("-", " ") for t in tags) + ".")
    if style.strip():
        parts.append(f"Visual style: {style.strip()}.")
    parts.append(ISOLATION[asset_type])
    return " ".join(parts)


def aspect_ratio(asset_type: str) -> str:
    return ASPECT_RATIOS[asset_type]
