"""The Gemini provider (G1): a Gemini image model through `generate_content`.

One call per image: the G2 prompt and the reference images (master, previous
appearance) go in, image bytes come out. The SDK's own retries are switched
off: the job runner retries `RetryableError`s with backoff and fails a job at
once on any other `ProviderFailure`. Outcomes map to short, stable codes:

    image part in the reply         -> ImageResult (PNG/JPEG bytes as they came)
    safety block (prompt or image)  -> ProviderFailure("safety")
    a reply without an image        -> ProviderFailure("no_image")
    429                             -> RetryableError("rate_limited", retry_after)
    401 / 403 / invalid key         -> ProviderFailure("auth")
    other 4xx                       -> ProviderFailure("invalid_request")
    5xx, unreadable reply           -> RetryableError("server_error")
    timeout / connection trouble    -> RetryableError("timeout" / "network")
    anything unexpected             -> ProviderFailure("provider_error")

A missing key fails at construction (`ProviderFailure("auth")`), before any job
can be sent: `provider_from_settings` turns that case into a ValidationError
for the settings screen. The key never appears in a message, log line or repr:
every failure leaves `generate` through `core.redact.scrubbed` (its message
scrubbed, nothing chained to it).
"""

from __future__ import annotations

import email.utils
import io
import re
from datetime import UTC, datetime

from google import genai
from google.genai import errors, types

from core.images.providers import ImageRequest, ImageResult, ProviderFailure, RetryableError
from core.redact import scrub, scrubbed

try:  # google-genai 3.x talks through httpx2; plain httpx if a build uses it
    import httpx2
except ImportError:  # pragma: no cover
    httpx2 = None
try:
    import httpx
except ImportError:
    httpx = None

DEFAULT_MODEL = "gemini-2.5-flash-image"
DEFAULT_PRICE = 0.039           # USD per 1024px image of gemini-2.5-flash-image

_SAFETY_REASONS = {
    "SAFETY": "Gemini's safety filter blocked the reply.",
    "IMAGE_SAFETY": "Gemini's safety filter blocked the generated image.",
    "PROHIBITED_CONTENT": "Gemini refused the request as prohibited content.",
    "IMAGE_PROHIBITED_CONTENT": "Gemini refused the image as prohibited content.",
    "BLOCKLIST": "The prompt contains a term on Gemini's blocklist.",
    "SPII": "Gemini blocked the reply for containing sensitive personal information.",
    "RECITATION": "Gemini blocked the reply as too close to existing material.",
    "IMAGE_RECITATION": "Gemini blocked the image as too close to existing material.",
    "JAILBREAK": "Gemini refused the prompt as an attempt to bypass its rules.",
    "MODEL_ARMOR": "Gemini's content filter blocked the request.",
}
_SAFETY_ADVICE = " Reword the description (violence, blood, nudity or real people often " \
                 "trigger it) and try again."


def _transport_errors(name: str) -> tuple[type[BaseException], ...]:
    return tuple(getattr(m, name) for m in (httpx2, httpx) if m is not None
                 and hasattr(m, name))


_TIMEOUTS = _transport_errors("TimeoutException")
_NETWORK = _transport_errors("RequestError")       # connect, read, protocol errors...


class GeminiProvider:
    """Gemini image generation (`generate_content` with image output)."""

    name = "gemini"

    def __init__(self, api_key: str | None, model: str = DEFAULT_MODEL,
                 price_per_image: float = DEFAULT_PRICE,
                 http_options: types.HttpOptions | dict | None = None,
                 timeout_s: float = 120):
        key = (api_key or "").strip()
        if not key:
            raise ProviderFailure(
                "auth", "No Gemini API key configured: set GEMINI_API_KEY (or GOOGLE_API_KEY) "
                        "or choose the offline provider.")
        self.model = model
        self._key = key
        self._price = float(price_per_image)
        self.timeout_s = float(timeout_s)
        options = (types.HttpOptions.model_validate(http_options)
                   if isinstance(http_options, dict)
                   else (http_options.model_copy() if http_options else types.HttpOptions()))
        if options.timeout is None:
            options.timeout = max(1, round(self.timeout_s * 1000))      # milliseconds
        options.retry_options = types.HttpRetryOptions(attempts=1)      # the runner retries
        try:
            self._client = genai.Client(api_key=key, vertexai=False, http_options=options)
        except Exception as exc:  # noqa: BLE001 - never chain: the SDK may echo settings
            raise ProviderFailure(
                "invalid_request",
                scrub(f"Could not set up the Gemini client: {type(exc).__name__}: {exc}", key),
            ) from None

    def __repr__(self) -> str:
        return f"GeminiProvider(model={self.model!r}, api_key='***')"

    def price(self) -> float:
        return self._price

    # ------------------------------------------------------------------ call

    def generate(self, request: ImageRequest) -> ImageResult:
        try:
            return self._generate(request)
        except ProviderFailure as failure:
            found = failure
        raise scrubbed(found, self._key)

    def _generate(self, request: ImageRequest) -> ImageResult:
        contents: list = [_prompt_text(request)]
        for i, data in enumerate(request.references):
            contents.append(types.Part.from_bytes(data=data, mime_type=_mime_of(data, i)))
        config = types.GenerateContentConfig(
            response_modalities=["IMAGE"],
            image_config=types.ImageConfig(aspect_ratio=request.aspect_ratio),
        )
        try:
            response = self._client.models.generate_content(
                model=self.model, contents=contents, config=config)
        except errors.APIError as exc:
            raise self._api_failure(exc) from None
        except _TIMEOUTS:
            raise RetryableError(
                "timeout", f"Gemini did not answer within {self.timeout_s:g} s.") from None
        except _NETWORK as exc:
            raise RetryableError(
                "network", f"Could not reach Gemini ({type(exc).__name__}).") from None
        except (ValueError, TypeError) as exc:   # e.g. a reply the SDK could not parse
            raise RetryableError(
                "server_error", f"Gemini sent a reply that could not be read: "
                                f"{self._brief(str(exc))}") from None
        except Exception as exc:  # noqa: BLE001 - anything else: fail the job, scrubbed
            raise ProviderFailure(
                "provider_error", f"The Gemini call failed unexpectedly: "
                                  f"{type(exc).__name__}: {self._brief(str(exc))}") from None
        return self._result(response)

    def _result(self, response: types.GenerateContentResponse) -> ImageResult:
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            reason = _enum_name(feedback.block_reason)
            text = _SAFETY_REASONS.get(reason, f"Gemini blocked the prompt ({reason}).")
            if feedback.block_reason_message:
                text += f" {feedback.block_reason_message.strip()}"
            raise ProviderFailure("safety", text + _SAFETY_ADVICE)

        candidates = response.candidates or []
        texts: list[str] = []
        finish = ""
        for candidate in candidates[:1]:
            parts = candidate.content.parts if candidate.content and candidate.content.parts \
                else []
            images = [p for p in parts if p.inline_data is not None and p.inline_data.data
                      and (p.inline_data.mime_type or "image/").startswith("image/")]
            final = [p for p in images if not p.thought] or images    # skip draft "thoughts"
            if final:
                return ImageResult(data=final[0].inline_data.data, cost=self._price)
            texts += [p.text.strip() for p in parts if p.text and not p.thought]
            reason = finish = _enum_name(candidate.finish_reason)
            if reason in _SAFETY_REASONS:
                text = _SAFETY_REASONS[reason]
                if candidate.finish_message:
                    text += f" {candidate.finish_message.strip()}"
                raise ProviderFailure("safety", text + _SAFETY_ADVICE)
        said = " ".join(t for t in texts if t)
        raise ProviderFailure(
            "no_image", "Gemini replied without an image"
                        + (f" ({finish})" if finish and finish != "STOP" else "")
                        + (f": “{self._brief(said)}”" if said else ".")
                        + " Try again, or make the description more concrete.")

    # ---------------------------------------------------------------- errors

    def _brief(self, text: str) -> str:
        """Text from Gemini or the SDK for a message: scrubbed *before* it is cut short,
        so no piece of the key survives the cut."""
        return _short(scrub(text, self._key))

    def _api_failure(self, exc: errors.APIError) -> ProviderFailure:
        code = int(exc.code or 0)
        detail = self._brief(exc.message or exc.status or "")
        if code == 429:
            return RetryableError(
                "rate_limited",
                "Gemini's rate limit or quota was reached" + (f": {detail}" if detail else "."),
                retry_after=_retry_after(exc))
        if code in (401, 403) or _is_bad_key(exc):
            return ProviderFailure(
                "auth", "The Gemini API key was refused (invalid, expired or without access "
                        f"to {self.model}). Check GEMINI_API_KEY." + _tail(detail))
        if code == 408:
            return RetryableError("timeout", "Gemini timed out the request." + _tail(detail))
        if 400 <= code < 500:
            if code == 404:
                return ProviderFailure(
                    "invalid_request", f"Gemini does not know the model {self.model!r}."
                                       + _tail(detail))
            return ProviderFailure("invalid_request",
                                   f"Gemini refused the request ({code})." + _tail(detail))
        return RetryableError("server_error",
                              f"Gemini had a server error ({code or 'unknown'})." + _tail(detail))


# ---------------------------------------------------------------------- helpers

def _prompt_text(request: ImageRequest) -> str:
    text = request.prompt.strip() or f"{request.asset_name}: {request.description}"
    if request.references:
        text += (f"\nThe attached reference image{'s' if len(request.references) > 1 else ''} "
                 f"show{'' if len(request.references) > 1 else 's'} {request.asset_name}: keep "
                 "the same identity and design, and show the state described above.")
    return text


def _mime_of(data: bytes, index: int) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    try:
        from PIL import Image  # noqa: PLC0415
        fmt = Image.open(io.BytesIO(data)).format
    except Exception:  # noqa: BLE001
        fmt = None
    if fmt in ("PNG", "JPEG", "WEBP"):
        return f"image/{fmt.lower()}"
    raise ProviderFailure("invalid_request",
                          f"Reference image {index + 1} is not a PNG, JPEG or WebP image.")


def _enum_name(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value)).rsplit(".", 1)[-1].upper()


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tail(detail: str) -> str:
    return f" Gemini said: {detail}" if detail else ""


def _is_bad_key(exc: errors.APIError) -> bool:
    # The Gemini API answers an invalid key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
    blob = f"{exc.message} {exc.details}"
    return "API_KEY_INVALID" in blob or "API key not valid" in blob


def _retry_after(exc: errors.APIError) -> float | None:
    """Seconds to wait: the Retry-After header (seconds or HTTP date), else the
    RetryInfo `retryDelay` ("37s") in the error details."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    value = None
    if headers is not None:
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except Exception:  # noqa: BLE001
            value = None
    if value:
        value = str(value).strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    match = re.search(r"['\"]retryDelay['\"]\s*:\s*['\"](\d+(?:\.\d+)?)s['\"]", str(exc.details))
    if match:
        return float(match.group(1))
    return None


__all__ = ["DEFAULT_MODEL", "DEFAULT_PRICE", "GeminiProvider"]
