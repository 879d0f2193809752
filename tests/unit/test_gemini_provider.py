"""The Gemini provider against a local fake Gemini API (http.server on 127.0.0.1).

The real google-genai client sends real HTTP to the fake server; nothing reaches
the internet. Each test scripts the server's replies and checks how the
provider maps them: image bytes, RetryableError (429, 5xx, timeouts, network)
or ProviderFailure (auth, invalid request, safety, no image).
"""

from __future__ import annotations

import base64
import email.utils
import io
import json
import socket
import sys
import threading
import time
import traceback
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.engine_free   # opens no store (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from google.genai import types  # noqa: E402

from core.images.gemini import GeminiProvider  # noqa: E402
from core.images.providers import (  # noqa: E402
    ImageRequest,
    ImageResult,
    ProviderFailure,
    RetryableError,
)

KEY = "AIzaSy-TEST-SECRET-KEY-0123456789"
MODEL = "gemini-2.5-flash-image"


def image_bytes(fmt: str, colour=(180, 60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 12), colour).save(out, fmt)
    return out.getvalue()


PNG, JPEG = image_bytes("PNG"), image_bytes("JPEG")
MASTER = image_bytes("PNG", colour=(10, 200, 30))


# ------------------------------------------------------------------ fake server

class Reply:
    def __init__(self, status=200, body=None, headers=None, delay=0.0, raw: bytes | None = None):
        self.status, self.body, self.headers, self.delay, self.raw = \
            status, body, headers or {}, delay, raw


class FakeGemini(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[Reply] = []
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server's naming
        server: FakeGemini = self.server   # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        server.requests.append({"path": self.path, "headers": dict(self.headers),
                                "body": json.loads(body or b"{}")})
        reply = server.script.pop(0) if server.script else Reply(500, error(500, "no script"))
        if reply.delay:
            time.sleep(reply.delay)
        payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):   # the client gave up (timeout test)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    srv = FakeGemini()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def fake(server):
    server.script.clear()
    server.requests.clear()
    return server


def provider(fake, timeout_s=5.0, **kw) -> GeminiProvider:
    return GeminiProvider(KEY, http_options=types.HttpOptions(base_url=fake.url, **kw),
                          timeout_s=timeout_s)


def request(references=(MASTER,), aspect_ratio="2:3") -> ImageRequest:
    return ImageRequest(
        asset_name="Brick", asset_type="character",
        description="Tall man, white linen shirt torn at the sleeve.",
        tags=["torn", "muddy"], style="1970s film still",
        prompt="Brick: Tall man, white linen shirt torn at the sleeve. Visible condition: "
               "torn, muddy. Visual style: 1970s film still.",
        aspect_ratio=aspect_ratio, references=list(references))


def image_reply(data: bytes, mime="image/png", extra_parts=()) -> dict:
    parts = [*extra_parts,
             {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}]
    return {"candidates": [{"content": {"role": "model", "parts": parts},
                            "finishReason": "STOP"}],
            "usageMetadata": {"candidatesTokenCount": 1290}}


def error(code: int, message: str, status="", details=None) -> dict:
    err = {"code": code, "message": message, "status": status}
    if details is not None:
        err["details"] = details
    return {"error": err}


def failure_text(exc: BaseException) -> str:
    """Everything a log line or a page could show of an exception."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(getattr(exc, "message", ""))


# ---------------------------------------------------------------------- success

def test_png_reply_returns_the_bytes_and_the_price(fake):
    fake.script.append(Reply(200, image_reply(PNG)))
    result = provider(fake).generate(request())
    assert result == ImageResult(data=PNG, cost=0.039)
    assert len(fake.requests) == 1


def test_jpeg_reply_is_returned_as_it_came(fake):
    fake.script.append(Reply(200, image_reply(JPEG, mime="image/jpeg")))
    assert provider(fake).generate(request()).data == JPEG


def test_malformed_image_bytes_are_passed_through(fake):
    # verifying images is the store's job (Pillow), not the provider's
    fake.script.append(Reply(200, image_reply(b"definitely not a png")))
    assert provider(fake).generate(request()).data == b"definitely not a png"


def test_text_and_draft_thought_images_are_skipped(fake):
    draft = {"inlineData": {"mimeType": "image/png",
                            "data": base64.b64encode(image_bytes("PNG", (0, 0, 0))).decode()},
             "thought": True}
    fake.script.append(Reply(200, image_reply(PNG, extra_parts=[
        {"text": "Here is Brick."}, draft])))
    assert provider(fake).generate(request()).data == PNG


def test_request_carries_prompt_reference_image_and_aspect_ratio(fake):
    fake.script.append(Reply(200, image_reply(PNG)))
    provider(fake).generate(request(aspect_ratio="16:9"))
    sent = fake.requests[0]
    assert sent["path"].endswith(f"/models/{MODEL}:generateContent")
    assert sent["headers"].get("x-goog-api-key") == KEY        # sent only as a header
    assert KEY not in sent["path"]
    body = sent["body"]
    parts = body["contents"][0]["parts"]
    assert parts[0]["text"].startswith("Brick: Tall man, white linen shirt torn")
    assert "reference image" in parts[0]["text"]
    inline = parts[1]["inlineData"]
    assert base64.urlsafe_b64decode(inline["data"]) == MASTER
    assert (inline.get("mimeType") or inline.get("mime_type")) == "image/png"
    config = body["generationConfig"]
    assert config["responseModalities"] == ["IMAGE"]
    assert config["imageConfig"]["aspectRatio"] == "16:9"


def test_request_without_references_and_with_jpeg_reference(fake):
    fake.script += [Reply(200, image_reply(PNG)), Reply(200, image_reply(PNG))]
    p = provider(fake)
    p.generate(request(references=()))
    assert len(fake.requests[0]["body"]["contents"][0]["parts"]) == 1
    p.generate(request(references=(JPEG, MASTER)))
    parts = fake.requests[1]["body"]["contents"][0]["parts"]
    assert [(x["inlineData"].get("mimeType") or x["inlineData"].get("mime_type"))
            for x in parts[1:]] == ["image/jpeg", "image/png"]


def test_model_and_price_are_configurable(fake):
    fake.script.append(Reply(200, image_reply(PNG)))
    p = GeminiProvider(KEY, model="gemini-3-pro-image-preview", price_per_image=0.134,
                       http_options={"base_url": fake.url})
    assert (p.name, p.model, p.price()) == ("gemini", "gemini-3-pro-image-preview", 0.134)
    assert p.generate(request()).cost == 0.134
    assert fake.requests[0]["path"].endswith("/models/gemini-3-pro-image-preview:generateContent")


# ------------------------------------------------------------------- retryable

def test_429_with_retry_after_seconds(fake):
    fake.script.append(Reply(429, error(429, "Resource has been exhausted",
                                        "RESOURCE_EXHAUSTED"), headers={"Retry-After": "7"}))
    with pytest.raises(RetryableError) as info:
        provider(fake).generate(request())
    assert info.value.code == "rate_limited"
    assert info.value.retry_after == 7.0
    assert len(fake.requests) == 1           # the SDK itself did not retry


def test_429_with_retry_after_http_date(fake):
    when = datetime.now(UTC) + timedelta(seconds=30)
    fake.script.append(Reply(429, error(429, "slow down", "RESOURCE_EXHAUSTED"),
                             headers={"Retry-After": email.utils.format_datetime(when, True)}))
    with pytest.raises(RetryableError) as info:
        provider(fake).generate(request())
    assert 25 <= info.value.retry_after <= 31


def test_429_with_retry_info_in_details_and_without_any_hint(fake):
    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]
    fake.script += [Reply(429, error(429, "quota", "RESOURCE_EXHAUSTED", details)),
                    Reply(429, error(429, "quota", "RESOURCE_EXHAUSTED"))]
    p = provider(fake)
    with pytest.raises(RetryableError) as first:
        p.generate(request())
    assert first.value.retry_after == 37.0
    with pytest.raises(RetryableError) as second:
        p.generate(request())
    assert second.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retryable_and_not_retried_by_the_sdk(fake, status):
    fake.script.append(Reply(status, error(status, "The model is overloaded.", "UNAVAILABLE")))
    with pytest.raises(RetryableError) as info:
        provider(fake).generate(request())
    assert info.value.code == "server_error"
    assert "overloaded" in info.value.message
    assert len(fake.requests) == 1


def test_sdk_retries_stay_off_even_if_the_caller_asks_for_them(fake):
    fake.script += [Reply(503, error(503, "busy", "UNAVAILABLE"))] * 3
    p = provider(fake, retry_options=types.HttpRetryOptions(attempts=3, initial_delay=0.01))
    with pytest.raises(RetryableError):
        p.generate(request())
    assert len(fake.requests) == 1


def test_timeout_is_retryable(fake):
    fake.script.append(Reply(200, image_reply(PNG), delay=1.0))
    p = provider(fake, timeout_s=0.2)
    started = time.monotonic()
    with pytest.raises(RetryableError) as info:
        p.generate(request())
    assert info.value.code == "timeout"
    assert time.monotonic() - started < 0.9


def test_connection_refused_is_a_network_error():
    with socket.socket() as s:            # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = GeminiProvider(KEY, http_options={"base_url": f"http://127.0.0.1:{port}"}, timeout_s=2)
    with pytest.raises(RetryableError) as info:
        p.generate(request())
    assert info.value.code == "network"


def test_unreadable_reply_is_retryable(fake):
    fake.script.append(Reply(200, raw=b"<html>proxy error</html>"))
    with pytest.raises(RetryableError) as info:
        provider(fake).generate(request())
    assert info.value.code == "server_error"


# ------------------------------------------------------------------ final fails

def test_image_safety_block_fails_with_a_reason(fake):
    fake.script.append(Reply(200, {"candidates": [{
        "content": {"role": "model", "parts": []}, "finishReason": "IMAGE_SAFETY",
        "finishMessage": "Unable to show the generated image."}]}))
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    assert not isinstance(info.value, RetryableError)
    assert info.value.code == "safety"
    assert "safety filter blocked the generated image" in info.value.message
    assert "Reword the description" in info.value.message


def test_prompt_block_fails_as_safety(fake):
    fake.script.append(Reply(200, {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}))
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    assert info.value.code == "safety"
    assert "prohibited content" in info.value.message


def test_text_only_reply_fails_as_no_image(fake):
    fake.script.append(Reply(200, {"candidates": [{
        "content": {"role": "model", "parts": [{"text": "I can only describe Brick in words."}]},
        "finishReason": "STOP"}]}))
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    assert not isinstance(info.value, RetryableError)
    assert info.value.code == "no_image"
    assert "I can only describe Brick in words." in info.value.message


def test_empty_reply_fails_as_no_image(fake):
    fake.script.append(Reply(200, {"candidates": []}))
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    assert info.value.code == "no_image"


def test_no_image_names_the_finish_reason(fake):
    fake.script.append(Reply(200, {"candidates": [{"content": {"parts": []},
                                                   "finishReason": "IMAGE_OTHER"}]}))
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    assert info.value.code == "no_image"
    assert "IMAGE_OTHER" in info.value.message


@pytest.mark.parametrize("status, body", [
    (401, error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")),
    (403, error(403, "Permission denied on the model.", "PERMISSION_DENIED")),
    (400, error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT",
                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                  "reason": "API_KEY_INVALID"}])),
])
def test_refused_key_fails_at_once_as_auth(fake, status, body):
    fake.script.append(Reply(status, body))
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    assert not isinstance(info.value, RetryableError)
    assert info.value.code == "auth"
    assert info.value.message.startswith("The Gemini API key was refused")
    assert len(fake.requests) == 1


@pytest.mark.parametrize("status, words", [(400, "refused the request (400)"),
                                           (404, "does not know the model")])
def test_other_4xx_fail_as_invalid_request(fake, status, words):
    fake.script.append(Reply(status, error(status, "Unsupported aspect ratio.",
                                           "INVALID_ARGUMENT")))
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    assert not isinstance(info.value, RetryableError)
    assert info.value.code == "invalid_request"
    assert words in info.value.message
    assert "Unsupported aspect ratio." in info.value.message


def test_reference_that_is_not_an_image_is_an_invalid_request(fake):
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request(references=(b"plain text",)))
    assert info.value.code == "invalid_request"
    assert fake.requests == []


# ------------------------------------------------------------------- the key

@pytest.mark.parametrize("key", [None, "", "   "])
def test_missing_key_fails_at_construction(key):
    with pytest.raises(ProviderFailure) as info:
        GeminiProvider(key)
    assert info.value.code == "auth"
    assert "No Gemini API key configured" in info.value.message


def test_the_key_never_shows_in_repr_or_any_error(fake):
    p = provider(fake, timeout_s=0.2)
    assert KEY not in repr(p) and KEY not in str(p)
    echo = f"API key {KEY} is not valid"      # a server that echoes the key back
    fake.script += [
        Reply(401, error(401, echo, "UNAUTHENTICATED")),
        Reply(400, error(400, echo, "INVALID_ARGUMENT")),
        Reply(429, error(429, echo, "RESOURCE_EXHAUSTED"), headers={"Retry-After": "1"}),
        Reply(503, error(503, echo, "UNAVAILABLE")),
        Reply(200, raw=echo.encode()),
        Reply(200, {"candidates": [{"content": {"parts": [{"text": echo}]}}]}),
        Reply(200, {"candidates": [{"content": {"parts": []}, "finishReason": "SAFETY",
                                    "finishMessage": echo}]}),
        Reply(200, {"promptFeedback": {"blockReason": "SAFETY", "blockReasonMessage": echo}}),
        Reply(200, image_reply(PNG), delay=1.0),
    ]
    seen = 0
    for _ in range(9):
        with pytest.raises(ProviderFailure) as info:
            p.generate(request())
        assert KEY not in failure_text(info.value)
        assert info.value.__cause__ is None
        seen += 1
    assert seen == 9


OTHER_KEY = "AIza" + "Q" * 20 + "-_x" * 5       # shaped like a Google key, not ours


@pytest.mark.parametrize("reply", [
    Reply(400, error(400, f"API key {KEY} not valid, https://x.test/v1?key={KEY}&alt=sse")),
    Reply(403, error(403, f"x-goog-api-key: {KEY} has no access", "PERMISSION_DENIED")),
    Reply(404, error(404, f"{OTHER_KEY} cannot use this model", "NOT_FOUND")),
    Reply(400, error(400, "x" * 290 + KEY, "INVALID_ARGUMENT")),      # the key at the cut
    Reply(500, error(500, f"internal: key={KEY}", "INTERNAL")),
    Reply(503, error(503, f"{KEY} {OTHER_KEY}", "UNAVAILABLE")),
], ids=["400-query", "403-header", "404-other-key", "400-at-the-cut", "500", "503"])
def test_S4_the_key_is_in_no_failure_nor_chained_to_one(fake, reply):
    fake.script.append(reply)
    with pytest.raises(ProviderFailure) as info:
        provider(fake).generate(request())
    shown = failure_text(info.value)
    for secret in (KEY, OTHER_KEY, KEY[:12], OTHER_KEY[:12]):
        assert secret not in shown
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert "***" in info.value.message and info.value.args == (info.value.message,)
