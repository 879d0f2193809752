"""The offline provider (G1): a deterministic Pillow reference card per asset state."""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.engine_free   # opens no store (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.errors import ValidationError  # noqa: E402
from core.images.offline import OfflineProvider, palette_for  # noqa: E402
from core.images.providers import ASPECT_RATIOS, ImageRequest  # noqa: E402
from core.images.registry import provider_from_settings  # noqa: E402
from core.tags.vocabulary import colour_of  # noqa: E402

STYLE = "Warm 1970s film still, soft window light"


def request(name="Brick", asset_type="character", description="Tall man, white linen shirt.",
            tags=("torn", "muddy"), style=STYLE) -> ImageRequest:
    return ImageRequest(asset_name=name, asset_type=asset_type, description=description,
                        tags=list(tags), style=style, prompt=f"{name}: {description}",
                        aspect_ratio=ASPECT_RATIOS[asset_type])


def render(req: ImageRequest) -> Image.Image:
    result = OfflineProvider().generate(req)
    img = Image.open(io.BytesIO(result.data))
    img.load()
    return img


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def test_provider_identity_and_price():
    p = OfflineProvider()
    assert (p.name, p.model, p.price()) == ("offline", "reference-card", 0.0)
    assert p.generate(request()).cost == 0.0


def test_identical_requests_give_identical_bytes():
    a = OfflineProvider().generate(request()).data
    b = OfflineProvider().generate(request()).data
    assert a == b
    assert a[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_state_changes_the_card():
    base = OfflineProvider().generate(request()).data
    assert OfflineProvider().generate(request(tags=("torn",))).data != base
    assert OfflineProvider().generate(request(description="Clean shirt.")).data != base


@pytest.mark.parametrize("asset_type, size", [
    ("character", (768, 1152)), ("prop", (1024, 1024)), ("location", (1280, 720)),
])
def test_size_follows_the_aspect_ratio_of_the_type(asset_type, size):
    img = render(request(asset_type=asset_type))
    assert img.format == "PNG"
    assert img.size == size
    assert img.mode == "RGB"


def test_unusual_aspect_ratio_still_renders():
    img = render(replace(request(), aspect_ratio="4:5"))
    w, h = img.size
    assert abs(w / h - 0.8) < 0.03


def test_same_asset_has_the_same_colours_in_every_scene():
    # scene 1: clean; scene 3: torn and muddy, other description: the palette stays
    scene1 = render(request(description="Clean white shirt.", tags=()))
    scene3 = render(request(description="Shirt torn and caked in mud.", tags=("torn", "muddy")))
    assert palette_for("Brick") == palette_for("  brick ")
    for xy in [(5, 5), (60, 60), (700, 60), (384, 45)]:      # background and picture panel
        assert scene1.getpixel(xy) == scene3.getpixel(xy)


def test_different_assets_look_different():
    assert palette_for("Brick") != palette_for("Maggie")
    brick, maggie = render(request(name="Brick")), render(request(name="Maggie"))
    assert brick.getpixel((60, 60)) != maggie.getpixel((60, 60))
    assert brick.getpixel((5, 5)) != maggie.getpixel((5, 5))


def test_types_are_distinguishable_by_their_glyph():
    # same name and size (square), different type: the picture panels differ
    cards = {t: render(replace(request(asset_type=t), aspect_ratio="1:1"))
             for t in ("character", "prop", "location")}
    panels = {t: img.crop((60, 120, 960, 400)).tobytes() for t, img in cards.items()}
    assert len(set(panels.values())) == 3


def _colour_present(img: Image.Image, colour: tuple[int, int, int], region=None) -> int:
    area = img.crop(region) if region else img
    return dict((c, n) for n, c in area.getcolors(maxcolors=1 << 24)).get(colour, 0)


def test_tags_are_drawn_as_chips_in_their_vocabulary_colours():
    img = render(request(tags=("torn", "wet", "polished")))
    for tag in ("torn", "wet", "polished"):     # damage, temporal, appearance colours
        assert _colour_present(img, rgb(colour_of(tag))) > 500, tag
    plain = render(request(tags=()))
    assert _colour_present(plain, rgb(colour_of("torn"))) == 0


def test_custom_tag_gets_the_custom_colour():
    img = render(request(tags=("limping",)))
    assert _colour_present(img, rgb(colour_of("limping"))) > 500


def test_many_tags_long_text_and_empty_fields_render():
    long_desc = " ".join(["A very long description of a weathered coat"] * 60)
    tags = [f"tag{i}" for i in range(20)]
    img = render(request(name="An Extraordinarily Long Asset Name That Keeps Going On And On",
                         description=long_desc, tags=tags, style=long_desc))
    assert img.size == (768, 1152)
    assert render(request(description="", tags=(), style="")).size == (768, 1152)
    assert render(request(asset_type="location", description=long_desc, tags=tags)).size == \
        (1280, 720)


def test_non_latin_text_does_not_crash():
    req = request(name="Зоя Müller-Łukasz 布里克 عربى", description="Описание — café, 日本語 ✓",
                  tags=("ßchmutzig", "грязный", "汚れ"), style="Nouvelle vague · 16 mm")
    a = OfflineProvider().generate(req).data
    assert a == OfflineProvider().generate(req).data
    assert Image.open(io.BytesIO(a)).size == (768, 1152)


def test_control_characters_and_whitespace_are_tolerated():
    img = render(request(name="Brick\t\n", description="Line one\nLine two\r\n\x00\u200b end"))
    assert img.size == (768, 1152)


def test_registry_returns_the_offline_provider_and_refuses_unknown_names():
    assert isinstance(provider_from_settings("offline"), OfflineProvider)
    assert isinstance(provider_from_settings(" Offline "), OfflineProvider)
    with pytest.raises(ValidationError, match="Unknown image provider 'dalle'"):
        provider_from_settings("dalle")


def test_registry_requires_a_key_for_gemini():
    for key in (None, "", "   "):
        with pytest.raises(ValidationError, match="GEMINI_API_KEY.*GOOGLE_API_KEY"):
            provider_from_settings("gemini", api_key=key)


def test_registry_builds_gemini_with_key_and_model():
    p = provider_from_settings("gemini", api_key="k-123", model="gemini-3-pro-image-preview")
    assert (p.name, p.model) == ("gemini", "gemini-3-pro-image-preview")
    assert provider_from_settings("gemini", api_key="k-123").model == "gemini-2.5-flash-image"
    assert "k-123" not in repr(p)


def test_concurrent_renders_match_a_single_render():
    from concurrent.futures import ThreadPoolExecutor

    one, two = request(tags=("wet",)), request(name="Maggie", asset_type="location")
    expected = [OfflineProvider().generate(r).data for r in (one, two)] * 2
    reqs = [one, two] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda r: OfflineProvider().generate(r).data, reqs))
    assert got == expected
