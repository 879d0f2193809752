"""Gemini asset detection (D2): structured output with a pydantic schema.

Inputs: the scene's heading, text and shots, the approved project assets (id,
name, type, aliases, master description) and the last known state of each of
them in the branch (effective description and tags of its latest appearance up
to this scene). Output: `relevant_assets` (ids) and `new_assets_required`.

What comes back is checked before anything is written:
- ids that are not approved assets of the project are dropped (with a warning),
  duplicates collapse, assets already in the scene are reported as present, not
  as an error for the batch;
- a new asset with an unknown type or no name is dropped with a warning;
- output that is not the schema (also after removing a ```json fence) raises
  `ProviderError` and nothing is written;
- 429 (honouring Retry-After), 5xx and timeouts are retried with backoff, a few
  times; a bad key or a bad request fails at once; a safety block fails with its
  reason — all as `ProviderError` with a message for the producer.

The network call runs outside any database transaction (see core.intake.suggestions).
Tests point `http_options` at a local fake server or an httpx2 MockTransport.
The API key is never logged, stored or shown: every error leaves `detect`
through `core.redact.scrubbed` (its message scrubbed, nothing chained to it).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass

from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticError

from core.catalog.scenes import get_scene
from core.errors import ProviderError, ValidationError
from core.intake import detection
from core.intake.screenplay import name_key
from core.redact import scrub, scrubbed
from core.validation import ASSET_TYPES, MAX_DESCRIPTION, MAX_NAME

DEFAULT_MODEL = "gemini-2.5-flash"
MAX_TRIES = 4
TIMEOUT_MS = 60_000


class RelevantAsset(BaseModel):
    asset_id: str = Field(description="id of an available asset that appears in the scene")
    reason: str = Field(default="", description="why it is needed, briefly")


class NewAsset(BaseModel):
    name: str = Field(description="short name of a needed asset missing from the list")
    asset_type: str = Field(description="character, location or prop")
    description: str = Field(default="", description="visual description for its master")
    reason: str = Field(default="", description="where the scene needs it")


class DetectionOutput(BaseModel):
    relevant_assets: list[RelevantAsset] = Field(default_factory=list)
    new_assets_required: list[NewAsset] = Field(default_factory=list)


INSTRUCTIONS = (
    "You are the continuity supervisor of a film. From the scene below, list which of "
    "the AVAILABLE ASSETS are visibly present in the scene (characters who appear or "
    "speak, the location where it happens, props that are seen or handled) as "
    "relevant_assets, using their exact ids. A character only talked about is not "
    "present. Then list as new_assets_required the characters, locations and props the "
    "scene clearly needs that are not in the list, each with a short visual "
    "description. Use only ids from the list; asset_type is character, location or prop."
)


@dataclass(frozen=True)
class DetectionRequest:
    scene_id: str
    project_id: str
    offered_ids: frozenset[str]
    prompt: str


def build_request(cur, scene_id: str) -> DetectionRequest:
    scene = get_scene(cur, scene_id)
    rows = cur.execute(
        "SELECT id, name, asset_type, aliases, description FROM project_assets "
        "WHERE project_id = ? AND approved ORDER BY lower(name)", [scene.project_id]
    ).fetchall()
    states = {r[0]: (r[1], list(r[2]), r[3]) for r in cur.execute(
        """
        SELECT project_asset_id, effective_description, status_tags, scene_number FROM (
            SELECT i.project_asset_id, i.effective_description, i.status_tags, s.scene_number,
                   row_number() OVER (PARTITION BY i.project_asset_id
                                      ORDER BY s.scene_number DESC) AS latest
            FROM scene_asset_instances i JOIN scenes s ON s.id = i.scene_id
            WHERE i.branch_id = ? AND s.scene_number <= ?) l
        WHERE latest = 1
        """, [scene.branch_id, scene.scene_number]).fetchall()}
    available = []
    for aid, name, kind, aliases, description in rows:
        entry = {"id": aid, "name": name, "type": kind, "aliases": list(aliases),
                 "master_description": description}
        if aid in states:
            desc, tags, number = states[aid]
            entry["last_known_state"] = {"scene_number": number, "description": desc,
                                         "tags": tags}
        available.append(entry)
    payload = {
        "scene": {"number": scene.scene_number, "label": scene.display_label,
                  "heading": scene.heading, "text": scene.script_excerpt,
                  "shots": scene.shots},
        "available_assets": available,
    }
    prompt = INSTRUCTIONS + "\n\n" + json.dumps(payload, ensure_ascii=False, indent=1)
    return DetectionRequest(scene.id, scene.project_id, frozenset(r[0] for r in rows), prompt)


class GeminiDetector:
    """Calls Gemini; `client` or `http_options` let tests use a fake server."""

    def __init__(self, api_key: str | None = None, model: str = DEFAULT_MODEL, *,
                 http_options=None, client=None, max_tries: int = MAX_TRIES,
                 sleep=time.sleep, base_delay: float = 1.0):
        from google import genai
        from google.genai import types

        if client is None:
            if not api_key:
                raise ValidationError("No Gemini API key is configured (GEMINI_API_KEY or "
                                      "GOOGLE_API_KEY); use the deterministic detector.")
            options = http_options or types.HttpOptions(timeout=TIMEOUT_MS)
            try:
                client = genai.Client(api_key=api_key, http_options=options)
            except Exception as exc:  # noqa: BLE001 - never chain: the SDK may echo settings
                raise ProviderError(scrub(f"Could not set up the Gemini client: "
                                          f"{type(exc).__name__}: {exc}", api_key)) from None
        self._key = api_key
        self.client = client
        self.model = model
        self.max_tries = max_tries
        self.sleep = sleep
        self.base_delay = base_delay

    def __repr__(self) -> str:          # never show the key
        return f"GeminiDetector(model={self.model!r})"

    def detect(self, request: DetectionRequest) -> DetectionOutput:
        try:
            return self._detect(request)
        except ProviderError as error:
            found = error
        raise scrubbed(found, self._key)

    def _detect(self, request: DetectionRequest) -> DetectionOutput:
        response = self._call(request.prompt)
        _check_blocked(response)
        parsed = getattr(response, "parsed", None)
        if isinstance(parsed, DetectionOutput):
            return parsed
        return parse_output(_text(response))

    def _call(self, prompt: str):
        import httpx2
        from google.genai import errors, types

        config = types.GenerateContentConfig(
            response_mime_type="application/json", response_schema=DetectionOutput,
            temperature=0)
        last = ""
        for attempt in range(1, self.max_tries + 1):
            wait = None
            try:
                return self.client.models.generate_content(
                    model=self.model, contents=prompt, config=config)
            except errors.ClientError as exc:
                if exc.code == 429:
                    last = "Gemini's rate limit was reached"
                    wait = _retry_after(exc)
                elif exc.code in (401, 403):
                    raise ProviderError(
                        "Gemini refused the API key (check GEMINI_API_KEY).") from None
                else:
                    raise ProviderError(
                        f"Gemini rejected the detection request ({exc.code} "
                        f"{exc.status}): {exc.message}") from None
            except errors.ServerError as exc:
                last = f"Gemini had a server error ({exc.code})"
                wait = _retry_after(exc)
            except (httpx2.TimeoutException, httpx2.TransportError) as exc:
                last = f"Gemini could not be reached ({type(exc).__name__})"
            except Exception as exc:  # noqa: BLE001 - e.g. a reply the SDK could not read
                said = scrub(exc, self._key)[:300]    # scrubbed before it is cut short
                raise ProviderError(f"The Gemini detection call failed unexpectedly: "
                                    f"{type(exc).__name__}: {said}") from None
            if attempt < self.max_tries:
                self.sleep(wait if wait is not None else self.base_delay * 2 ** (attempt - 1))
        raise ProviderError(f"{last}; gave up after {self.max_tries} tries. Try again later.")


def _retry_after(exc) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    try:
        return min(float(value), 60.0) if value is not None else None
    except (TypeError, ValueError):
        return None


def _check_blocked(response) -> None:
    feedback = getattr(response, "prompt_feedback", None)
    reason = getattr(feedback, "block_reason", None) if feedback else None
    if reason:
        raise ProviderError(f"Gemini blocked the scene text ({_name(reason)}).")
    candidates = getattr(response, "candidates", None) or []
    if not candidates:
        raise ProviderError("Gemini returned no answer for this scene.")
    finish = getattr(candidates[0], "finish_reason", None)
    if finish is not None and _name(finish) in ("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST",
                                               "SPII", "RECITATION"):
        raise ProviderError(f"Gemini stopped its answer for safety ({_name(finish)}).")


def _name(value) -> str:
    return getattr(value, "name", None) or str(value)


def _text(response) -> str:
    try:
        return response.text or ""
    except (ValueError, AttributeError):
        return ""


_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?```\s*$", re.DOTALL)


def parse_output(text: str) -> DetectionOutput:
    """The model's JSON (a ```json fence is tolerated); ProviderError otherwise."""
    m = _FENCE.match(text or "")
    body = m.group(1) if m else (text or "")
    try:
        return DetectionOutput.model_validate_json(body)
    except PydanticError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ())) or "the answer"
        raise ProviderError(
            f"Gemini's detection answer was malformed ({where}: "
            f"{first.get('msg', 'invalid')}); nothing was changed. Try again.") from None


def interpret(cur, scene_id: str, output: DetectionOutput) -> detection.DetectionResult:
    """Check the model's answer against the database as it is now."""
    scene = get_scene(cur, scene_id)
    rows = cur.execute(
        "SELECT id, name, asset_type FROM project_assets WHERE project_id = ? AND approved",
        [scene.project_id]).fetchall()
    known = {r[0]: r for r in rows}
    present = {r[0] for r in cur.execute(
        "SELECT project_asset_id FROM scene_asset_instances WHERE scene_id = ?", [scene_id]
    ).fetchall()}
    warnings: list[str] = []
    relevant, already, seen = [], [], set()
    for item in output.relevant_assets:
        aid = item.asset_id.strip()
        if aid in seen:
            continue
        seen.add(aid)
        if aid not in known:
            warnings.append(f"Gemini named an asset id that is not in the project ({aid[:40]}); "
                            "it was ignored.")
            continue
        _, name, kind = known[aid]
        found = detection.DetectedAsset(aid, name, kind, [f"gemini: {item.reason[:200]}"
                                                          if item.reason else "gemini"])
        (already if aid in present else relevant).append(found)
    new, names = [], set()
    for item in output.new_assets_required:
        name = " ".join(item.name.split())[:MAX_NAME]
        kind = item.asset_type.strip().lower()
        if not name:
            warnings.append("Gemini suggested an asset without a name; it was ignored.")
            continue
        if kind not in ASSET_TYPES:
            warnings.append(f"Gemini suggested {name!r} as a {item.asset_type!r}, which is not "
                            "an asset type; it was ignored.")
            continue
        if name_key(name) in names:
            continue
        names.add(name_key(name))
        new.append(detection.NewAssetNeeded(
            name, kind, (item.description.strip() or name)[:MAX_DESCRIPTION],
            item.reason.strip()[:300]))
    return detection.DetectionResult(scene_id=scene_id, method="gemini", relevant=relevant,
                                     already_present=already, mentioned_only=[],
                                     new_assets_required=new, warnings=warnings)


def api_key(env=os.environ, secrets=None) -> str | None:
    """GEMINI_API_KEY or GOOGLE_API_KEY, from the environment, then `secrets`."""
    from core.config import from_env as settings
    return settings(env, secrets).api_key


def available(env=os.environ, secrets=None) -> bool:
    return bool(api_key(env, secrets))


def from_env(env=os.environ, secrets=None) -> GeminiDetector:
    model = env.get("CONTINUITY_DETECTION_MODEL") or DEFAULT_MODEL
    return GeminiDetector(api_key(env, secrets), model)
