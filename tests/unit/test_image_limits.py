"""S3 for images: a pixel budget checked from the header, before anything is decoded.
Memory is measured in a child process (its peak RSS), so the test process's own
history cannot hide or fake a peak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import png_bytes
from image_bombs import bomb_jpeg, bomb_png

import core
from core.images.store import IMAGE_LIMITS, MAX_IMAGE_PIXELS, to_png

ROOT = Path(__file__).resolve().parents[2]
MAX_GROWTH_MB = 150

# Runs in a child: sets up a desk, warms every entry point up on a small image, then
# hands each bomb to each entry point and reports the outcome and how much the peak
# RSS grew during that call (the peak is reset before each; a refused bomb decodes
# nothing, so the peak stays where it was).
_CHILD = """
import io, json, sys, tempfile
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
import core
from desk_factory import make_desk
from core.images.store import to_png
from PIL import Image
small = io.BytesIO(); Image.new("RGB", (8, 8)).save(small, "PNG"); small = small.getvalue()
desk = make_desk(":memory:", image_root=tempfile.mkdtemp())
p = desk.create_project("Bombs", actor="ana")
s = desk.add_scene(p.id, 1, "INT. LAB - DAY")
a = desk.add_asset(p.id, "Brick", "character", "Grey stubble")
(i,) = desk.inherit_scene(s.id, actor="ana")
calls = {
    "to_png": lambda d: to_png(d),
    "upload_image": lambda d: desk.upload_image(i.id, d, "bomb.png", actor="ana"),
    "set_master_image": lambda d: desk.set_master_image(
        a.id, d, expected_version=desk.get_asset(a.id).version, actor="ana"),
}
for call in calls.values():
    call(small)                                 # imports and caches are warm now
def peak():                                     # VmHWM: the peak RSS, in MiB
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
def reset_peak():                               # Linux: peak RSS := current RSS
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
reports = {}
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    for entry, call in calls.items():
        reset_peak()
        before = peak()
        try:
            call(data)
            outcome, message = "accepted", ""
        except core.ValidationError as exc:
            outcome, message = "ValidationError", str(exc)
        except Exception as exc:
            outcome, message = type(exc).__name__, str(exc)
        reports[f"{path}|{entry}"] = {"outcome": outcome, "message": message,
                                      "grew_mb": peak() - before}
print(json.dumps(reports))
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    png = folder / "png-13000.png"
    png.write_bytes(bomb_png(13000, 13000))
    jpeg = folder / "jpeg-12000.jpg"
    bomb_jpeg(jpeg)
    return {"png-13000": png, "jpeg-12000": jpeg}


@pytest.fixture(scope="module")
def reports(bombs) -> dict[str, dict]:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), *map(str, bombs.values())],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# rule: S3 (images above the pixel budget refused before decoding), S4 (a domain error)
@pytest.mark.parametrize("entry", ["to_png", "upload_image", "set_master_image"])
@pytest.mark.parametrize("bomb", ["png-13000", "jpeg-12000"])
def test_S3_pixel_bomb_is_refused_before_decoding(bombs, reports, bomb, entry):
    assert bombs[bomb].stat().st_size < 2 * 1024 * 1024   # tiny on disk, under the 5 MB cap
    report = reports[f"{bombs[bomb]}|{entry}"]
    assert report["outcome"] == "ValidationError", report
    side = bomb.split("-")[1]
    assert f"{side} × {side} pixels" in report["message"], report
    assert "at most 16.8 megapixels" in report["message"], report
    assert report["grew_mb"] < MAX_GROWTH_MB, report


def test_S3_budget_boundary_is_exact():
    at_budget = bomb_png(4096, 4096, rgb=False)
    assert 4096 * 4096 == MAX_IMAGE_PIXELS
    assert to_png(at_budget) == at_budget             # PNG kept as it is
    with pytest.raises(core.ValidationError, match=r"4097 × 4096 pixels \(16\.8 megapixels\)"):
        to_png(bomb_png(4097, 4096, rgb=False))


def test_S3_pillow_decompression_bomb_error_is_a_validation_error():
    # 400 megapixels: past Pillow's own limit, which raises inside Image.open
    with pytest.raises(core.ValidationError, match="has too many pixels: at most 16.8 "
                                                   "megapixels"):
        to_png(bomb_png(20000, 20000, rgb=False))


def test_S3_pixel_budget_is_stated_for_the_ui():
    assert "16.8 megapixels" in IMAGE_LIMITS and "5 MB" in IMAGE_LIMITS


def test_S3_a_phone_photo_sized_jpeg_still_converts():
    jpeg = png_bytes(size=(4032, 3024), fmt="JPEG")   # a 12 MP phone photo
    assert to_png(jpeg).startswith(b"\x89PNG")
