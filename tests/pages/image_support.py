"""Shared set-up of the image page tests (bulk generation, the editor's image controls).

The demo film *without* images is seeded once per test process into a template
DuckDB file and copied for every test. Providers are swapped on the Desk the app
cached (only the network is ever faked; the offline renderer draws real PNGs)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import threading
from html import unescape
from pathlib import Path

from dashboard_support import make_template

import core
from core.images.offline import OfflineProvider
from core.images.providers import ImageResult, ProviderFailure


@functools.cache
def bare_template() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="continuity-bare-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_template(directory, images=False)


def the_desk() -> core.Desk:
    """The Desk the app opened (st.cache_resource), as another tab would use it."""
    from ui.context import get_desk
    return get_desk()


def project() -> core.Project:
    return the_desk().projects()[0]


def scene(number: int) -> core.Scene:
    return next(s for s in the_desk().scenes(project().id) if s.scene_number == number)


def inst(number: int, name: str) -> core.Instance:
    return next(i for i in the_desk().scene_instances(scene(number).id) if i.asset_name == name)


class Offline(OfflineProvider):
    """The offline renderer with a price per image, a scripted failure, or a gate that
    holds every render until released (so jobs stay queued or running)."""

    def __init__(self, price: float = 0.0, fail: ProviderFailure | None = None,
                 gate: threading.Event | None = None):
        self._price, self.fail, self.gate = price, fail, gate

    def price(self) -> float:
        return self._price

    def generate(self, request):
        if self.gate is not None:
            self.gate.wait(30)
        if self.fail is not None:
            raise self.fail
        return ImageResult(super().generate(request).data, self._price)


def use_provider(provider) -> None:
    """Estimate, request and run jobs with `provider` (same name and model as offline)."""
    desk = the_desk()
    desk.images.provider = provider
    desk.images.runner.provider = provider


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error",
                                  "subheader")
             for e in getattr(at, kind)]
    return unescape("\n".join(str(p) for p in parts))


def elements(at, kind: str) -> list:
    """Every element of a type AppTest has no accessor for (image, page_link, ...)."""
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if child.type == kind:
                found.append(child)
            walk(child)
    walk(at._tree)
    return found
