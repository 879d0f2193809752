"""Fake image providers for tests and benchmarks (the network is the only thing faked)."""

from __future__ import annotations

import io
import threading
import time

from PIL import Image

from core.images.providers import ImageResult


def png_bytes(colour=(200, 80, 40), size=(16, 24), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


class FakeProvider:
    """Returns a small PNG per call after `delay` seconds; `script` lists, per call,
    an exception to raise or None for success (then successes)."""

    def __init__(self, name="fake", model="fake-1", price=0.5, delay=0.0, script=()):
        self.name, self.model, self._price, self.delay = name, model, price, delay
        self.script = list(script)
        self.calls = []
        self._lock = threading.Lock()

    def price(self) -> float:
        return self._price

    def generate(self, request):
        with self._lock:
            self.calls.append(request)
            step = self.script.pop(0) if self.script else None
        if self.delay:
            time.sleep(self.delay)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, bytes):
            return ImageResult(step, self._price)
        shade = len(request.description) % 200
        return ImageResult(png_bytes((shade, 90, 160)), self._price)
