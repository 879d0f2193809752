"""S4: the one key scrubber (core.redact) every provider's messages pass through."""

from __future__ import annotations

import traceback

import pytest
from desk_factory import make_desk
from fakes import FakeProvider

from core.errors import ProviderError
from core.images.providers import RetryableError
from core.redact import scrub, scrubbed

GOOGLE_KEY = "AIza" + "SyD3-x_9" * 4 + "abc"          # AIza + 35 characters


def test_S4_the_given_key_is_masked_everywhere():
    assert scrub("key sk-local-1 and again sk-local-1.", "sk-local-1") == \
        "key *** and again ***."


def test_S4_blank_or_missing_secrets_change_nothing():
    assert scrub("plain text", None, "", "   ") == "plain text"


def test_S4_a_longer_secret_is_masked_before_a_shorter_one_inside_it():
    assert scrub("abc-123-xyz", "abc", "abc-123-xyz") == "***"


def test_S4_a_key_given_with_spaces_is_masked_as_sent():
    assert scrub("bad key sk-9", "  sk-9\n") == "bad key ***"


def test_S4_anything_shaped_like_a_google_key_is_masked():
    assert len(GOOGLE_KEY) == 39
    assert scrub(f"refused {GOOGLE_KEY}!") == "refused ***!"
    assert scrub("AIza-too-short stays") == "AIza-too-short stays"


@pytest.mark.parametrize(("text", "expected"), [
    ("https://x.test/v1/m:gen?key=s3cr3t&alt=sse", "https://x.test/v1/m:gen?key=***&alt=sse"),
    ("POST /v1?alt=sse&KEY=s3cr3t", "POST /v1?alt=sse&KEY=***"),
    ("api_key=s3cr3t api-key=s3cr3t apikey=s3cr3t", "api_key=*** api-key=*** apikey=***"),
    ("monkey=banana turnkey=yes", "monkey=banana turnkey=yes"),
    ("{'x-goog-api-key': 's3cr3t', 'a': 1}", "{'x-goog-api-key': '***', 'a': 1}"),
    ('{"X-Goog-Api-Key":"s3cr3t"}', '{"X-Goog-Api-Key":"***"}'),
    ("x-goog-api-key: s3cr3t; next", "x-goog-api-key: ***; next"),
])
def test_S4_key_parameters_and_the_key_header_are_masked(text, expected):
    assert scrub(text) == expected


def test_S4_non_text_is_scrubbed_as_its_str():
    assert scrub(ValueError(f"bad {GOOGLE_KEY}")) == "bad ***"


def test_S4_a_scrubbed_exception_keeps_its_type_and_chains_nothing():
    try:
        try:
            raise ValueError(f"SDK said key=sk-9 {GOOGLE_KEY}")
        except ValueError:
            raise RetryableError("server_error", "Gemini echoed sk-9", retry_after=3.0) \
                from None
    except RetryableError as failure:
        found = failure
    clean = scrubbed(found, "sk-9")
    assert clean is found and isinstance(clean, RetryableError)
    assert clean.message == str(clean) == "Gemini echoed ***" and clean.retry_after == 3.0
    assert clean.__cause__ is None and clean.__context__ is None
    assert clean.__traceback__ is None
    shown = "".join(traceback.format_exception(clean)) + repr(clean)
    assert "sk-9" not in shown and GOOGLE_KEY not in shown


def test_S4_a_scrubbed_domain_error_masks_its_message():
    clean = scrubbed(ProviderError(f"rejected: {GOOGLE_KEY}"))
    assert str(clean) == "rejected: ***" and repr(clean) == "ProviderError('rejected: ***')"


def test_S4_a_failed_job_stores_no_key_even_from_an_unexpected_error(tmp_path):
    leaky = FakeProvider(script=[RuntimeError(f"boom with key={GOOGLE_KEY}")])
    desk = make_desk(":memory:", image_root=tmp_path / "images", provider=leaky)
    p = desk.create_project("Leak", actor="t")
    lamp = desk.add_asset(p.id, "Lamp", "prop", "Brass lamp")
    s = desk.add_scene(p.id, 1, "INT. ROOM - NIGHT")
    (inst,) = desk.inherit_scene(s.id, [lamp.id], actor="t")
    (job,) = desk.wait_for_jobs([j.id for j in desk.request_images([inst.id], actor="t")])
    assert job.status == "failed" and "boom with key=***" in job.error
    with desk.db.cursor() as cur:
        stored = cur.execute("SELECT error_message FROM image_jobs").fetchall()
    assert GOOGLE_KEY not in repr(stored)
    desk.close()
