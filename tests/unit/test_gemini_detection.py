"""Gemini detection (D2) against an httpx2 MockTransport and a local fake server:
structured output, invented ids, duplicates, assets already present, fenced and
malformed JSON, 429 / 5xx retries, auth errors and safety blocks. No internet."""

from __future__ import annotations

import json
import threading
import traceback
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx2
import pytest
from desk_factory import make_desk
from google.genai import types
from import_support import table_snapshot

import core
from core.intake import gemini_detect
from core.intake.gemini_detect import GeminiDetector, parse_output

ACTOR = "ana"


@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


@pytest.fixture
def film(desk):
    p = desk.create_project("Low Tide", actor=ACTOR)
    a = {n: desk.add_asset(p.id, n, k, f"{n} master", approved=ok) for n, k, ok in (
        ("Brick", "character", True), ("Dot", "character", True),
        ("Marsh", "location", True), ("Lantern", "prop", True),
        ("Revolver", "prop", False))}
    s1 = desk.add_scene(p.id, 1, "EXT. MARSH - NIGHT", script_excerpt="Brick wades in.")
    s2 = desk.add_scene(p.id, 2, "EXT. MARSH - DAWN",
                        script_excerpt="Brick and Dot drag a crab pot out of the mud.",
                        shots=["WIDE on the marsh"])
    first = desk.inherit_scene(s1.id, [a["Brick"].id], actor=ACTOR)[0]
    desk.update_instance(first.id, expected_version=first.version, actor=ACTOR,
                         status_tags=["muddy"])
    desk.inherit_scene(s2.id, [a["Marsh"].id], actor=ACTOR)      # already present
    return p, a, s2


def answer(body: dict | str, status: int = 200, **extra) -> httpx2.Response:
    text = body if isinstance(body, str) else json.dumps(body)
    payload = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                               "finishReason": "STOP"}], **extra}
    return httpx2.Response(status, json=payload)


def error(status: int, name: str, headers=None) -> httpx2.Response:
    return httpx2.Response(status, headers=headers or {},
                           json={"error": {"code": status, "message": "fake", "status": name}})


class Fake:
    """A scripted Gemini: each call takes the next response; requests are kept."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests: list[dict] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append({"url": str(request.url), "body": json.loads(request.content)})
        return self.responses.pop(0)

    def detector(self, **kw) -> GeminiDetector:
        options = types.HttpOptions(
            base_url="http://127.0.0.1:9",
            client_args={"transport": httpx2.MockTransport(self.handler)})
        return GeminiDetector("test-key", "gemini-test", http_options=options,
                              sleep=self.sleeps.append, **kw)


def run(desk, scene, fake, **kw):
    return desk.detect_assets(scene.id, method="gemini", actor=ACTOR,
                              detector=fake.detector(), **kw)


def test_valid_output_is_checked_and_recorded(desk, film):
    p, a, s2 = film
    fake = Fake(answer({
        "relevant_assets": [
            {"asset_id": a["Brick"].id, "reason": "drags the pot"},
            {"asset_id": a["Dot"].id},
            {"asset_id": a["Brick"].id, "reason": "duplicate"},
            {"asset_id": "invented-id-123"},
            {"asset_id": a["Revolver"].id},                  # not approved: not offered
            {"asset_id": a["Marsh"].id}],                    # already in the scene
        "new_assets_required": [
            {"name": "Crab Pot", "asset_type": "prop", "description": "Rusty wire crab pot",
             "reason": "they drag it"},
            {"name": "crab  pot", "asset_type": "prop"},      # duplicate name
            {"name": "Dot", "asset_type": "character"},       # exists: becomes relevant
            {"name": "Fog", "asset_type": "weather"},         # not a type
        ]}))
    r = run(desk, s2, fake)
    assert [d.name for d in r.relevant] == ["Brick", "Dot"]
    assert r.relevant[0].reasons == ["gemini: drags the pot"]
    assert r.already_present_ids == [a["Marsh"].id]
    assert [(n.name, n.asset_type, n.description) for n in r.new_assets_required] == [
        ("Crab Pot", "prop", "Rusty wire crab pot")]
    assert len(r.warnings) == 3 and "weather" in r.warnings[2]
    pending = desk.suggestions(s2.id)
    assert [(s.name, s.source) for s in pending] == [("Crab Pot", "gemini")]
    assert set(desk.inherit_candidates(s2.id)) == {a["Brick"].id, a["Dot"].id}
    # what was sent
    (req,) = fake.requests
    assert req["url"].endswith("/models/gemini-test:generateContent")
    assert req["body"]["generationConfig"]["responseMimeType"] == "application/json"
    assert "relevant_assets" in json.dumps(req["body"]["generationConfig"]["responseSchema"])
    prompt = req["body"]["contents"][0]["parts"][0]["text"]
    sent = json.loads(prompt[prompt.index("{"):])
    assert sent["scene"]["text"].startswith("Brick and Dot drag")
    assert sent["scene"]["shots"] == ["WIDE on the marsh"]
    offered = {x["name"]: x for x in sent["available_assets"]}
    assert set(offered) == {"Brick", "Dot", "Marsh", "Lantern"}        # approved only
    assert offered["Brick"]["last_known_state"]["tags"] == ["muddy"]
    assert "test-key" not in prompt


def test_fenced_json_is_accepted(desk, film):
    _, a, s2 = film
    fenced = "```json\n" + json.dumps({"relevant_assets": [{"asset_id": a["Dot"].id}],
                                       "new_assets_required": []}) + "\n```"
    r = run(desk, s2, Fake(answer(fenced)))
    assert r.relevant_asset_ids == [a["Dot"].id]


@pytest.mark.parametrize("body", [
    "not json at all",
    '{"relevant_assets": [{"reason": "no id"}]}',
    '{"relevant_assets": "Brick"}',
    "```json\n{\"relevant_assets\": [\n```",
])
def test_malformed_output_is_an_error_and_writes_nothing(desk, film, body):
    _, _, s2 = film
    before = table_snapshot(desk)
    with pytest.raises(core.ProviderError, match="malformed"):
        run(desk, s2, Fake(answer(body)))
    assert table_snapshot(desk) == before


def test_rate_limit_and_server_errors_are_retried(desk, film):
    _, a, s2 = film
    ok = answer({"relevant_assets": [{"asset_id": a["Dot"].id}]})
    fake = Fake(error(429, "RESOURCE_EXHAUSTED", {"Retry-After": "3"}),
                error(503, "UNAVAILABLE"), ok)
    r = run(desk, s2, fake)
    assert r.relevant_asset_ids == [a["Dot"].id]
    assert fake.sleeps == [3.0, 2.0]                  # Retry-After honoured, then backoff


def test_giving_up_after_retries(desk, film):
    _, _, s2 = film
    before = table_snapshot(desk)
    fake = Fake(*[error(500, "INTERNAL")] * 4)
    with pytest.raises(core.ProviderError, match="gave up after 4 tries"):
        run(desk, s2, fake)
    assert len(fake.requests) == 4 and fake.sleeps == [1.0, 2.0, 4.0]
    assert table_snapshot(desk) == before


@pytest.mark.parametrize(("status", "name", "message"), [
    (401, "UNAUTHENTICATED", "refused the API key"),
    (403, "PERMISSION_DENIED", "refused the API key"),
    (400, "INVALID_ARGUMENT", "rejected the detection request"),
])
def test_auth_and_bad_requests_fail_at_once(desk, film, status, name, message):
    _, _, s2 = film
    fake = Fake(error(status, name))
    with pytest.raises(core.ProviderError, match=message) as err:
        run(desk, s2, fake)
    assert len(fake.requests) == 1 and fake.sleeps == []
    assert "test-key" not in str(err.value)


def test_safety_blocks_fail_with_their_reason(desk, film):
    _, _, s2 = film
    blocked = httpx2.Response(200, json={"promptFeedback": {"blockReason": "SAFETY"}})
    with pytest.raises(core.ProviderError, match="blocked the scene text"):
        run(desk, s2, Fake(blocked))
    stopped = httpx2.Response(200, json={"candidates": [{"finishReason": "SAFETY",
                                                           "content": {"parts": []}}]})
    with pytest.raises(core.ProviderError, match="for safety"):
        run(desk, s2, Fake(stopped))


def test_no_key_configured():
    assert not gemini_detect.available({})
    assert gemini_detect.available({"GOOGLE_API_KEY": "k"})
    with pytest.raises(core.ValidationError, match="No Gemini API key"):
        gemini_detect.from_env({})
    assert "k-secret" not in repr(gemini_detect.from_env({"GEMINI_API_KEY": "k-secret"}))


def test_parse_output_alone():
    assert parse_output('{"relevant_assets": []}').new_assets_required == []


def test_against_a_local_fake_server(desk, film):
    """The real HTTP path: POST /v1beta/models/{model}:generateContent on 127.0.0.1."""
    _, a, s2 = film
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, json.loads(body)))
            out = json.dumps({"candidates": [{"content": {"role": "model", "parts": [
                {"text": json.dumps({"relevant_assets": [{"asset_id": a["Lantern"].id}]})}]},
                "finishReason": "STOP"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        detector = GeminiDetector("test-key", "gemini-test", http_options=types.HttpOptions(
            base_url=f"http://127.0.0.1:{server.server_port}", timeout=5000))
        r = desk.detect_assets(s2.id, method="gemini", actor=ACTOR, detector=detector)
    finally:
        server.shutdown()
        server.server_close()
    assert r.relevant_asset_ids == [a["Lantern"].id]
    assert seen[0][0].endswith("/models/gemini-test:generateContent")


# ------------------------------------------------------------------- the key (S4)

SECRET = "detect-secret-key-7Q2"        # not shaped like a Google key: scrubbed as the key


class EchoKey(BaseHTTPRequestHandler):
    """A Gemini endpoint whose error text repeats the key it was sent, in prose, as a
    `?key=` parameter and as the header; replies as scripted on the server."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers.get("x-goog-api-key", "")
        status, shape = self.server.script.pop(0)
        text = (f"API key {key} not valid for https://x.test/v1?key={key} "
                f"(x-goog-api-key: {key})")
        if shape == "error":
            out = json.dumps({"error": {"code": status, "message": text,
                                        "status": "INVALID_ARGUMENT"}}).encode()
        else:
            out = text.encode()                          # not JSON at all
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_server():
    server = HTTPServer(("127.0.0.1", 0), EchoKey)
    server.script = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def everything_shown(exc: BaseException) -> str:
    """All a log line or a page could show of an exception, chained ones included."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


@pytest.mark.parametrize("script", [
    [(400, "error")], [(404, "error")], [(409, "error")],
    [(500, "error")] * 4, [(503, "error")] * 4, [(200, "text")],
], ids=["400", "404", "409", "500", "503", "unreadable"])
def test_S4_the_key_is_in_no_detection_error(desk, film, echo_server, script):
    _, _, s2 = film
    echo_server.script[:] = script
    detector = GeminiDetector(SECRET, "gemini-test", sleep=lambda s: None,
                              http_options=types.HttpOptions(
                                  base_url=f"http://127.0.0.1:{echo_server.server_port}",
                                  timeout=5000))
    before = table_snapshot(desk)
    with pytest.raises(core.ProviderError) as err:
        desk.detect_assets(s2.id, method="gemini", actor=ACTOR, detector=detector)
    assert echo_server.script == []                       # the endpoint was reached
    shown = everything_shown(err.value)
    assert SECRET not in shown and "7Q2" not in shown
    assert err.value.__cause__ is None and err.value.__context__ is None
    assert table_snapshot(desk) == before
    if script[0][0] in (400, 404, 409):                   # the reason is still shown, scrubbed
        assert "API key *** not valid" in str(err.value) and "?key=***" in str(err.value)
