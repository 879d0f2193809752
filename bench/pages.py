"""Benchmark: the server time of every page, and of the editor's interactions, on a
generated film against the same on the demo film, in the same run and process.

Server time is the wall time of `AppTest.run()` (streamlit.testing): app.py (sidebar,
navigation) plus the page's script, with the app's own caches as a server has them.
Two databases: the demo (*Low Tide at Gull Point*, 8 scenes, seeded by app.py into an
empty file) and a film built by bench/film.py (200 scenes from a generated screenplay,
about 60 assets, every scene inherited through the API) — pass the path of one already
built to skip building it.

Per repeat and per database (alternating, so both see the same machine load), one
session: the first run (Overview), then Scenes, Asset editor, History, Tag search,
Bulk generation, Library & import, and Overview again, each a `switch_page` and a
run; then the editor on the middle scene with its first instance (a deep link),
selecting its second instance, editing that one's description (the run that shows
the propagation preview) and saving it. Prints the medians per page and database and
the ratio film / demo.

Each new AppTest scans every installed package for component manifests (0.2-0.3 s),
which a server does once at start: the scan is cached here, as in tests/conftest.py,
so the first run's time is the app's.

Run: .venv/bin/python bench/pages.py [film.duckdb] [repeats] [scenes]
     defaults: a new 200-scene film in a temporary directory, 3 repeats;
     a quick check: bench/pages.py "" 1 20
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import streamlit as st  # noqa: E402
from film import build as build_film  # noqa: E402
from streamlit.components.v2 import manifest_scanner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

manifest_scanner.scan_component_manifests = functools.cache(
    manifest_scanner.scan_component_manifests)

APP = str(ROOT / "app.py")
TIMEOUT = 600
PAGES = [("Scenes", "pages/scenes.py"), ("Asset editor", "pages/editor.py"),
         ("History", "pages/history.py"), ("Tag search", "pages/search.py"),
         ("Bulk generation", "pages/bulk.py"), ("Library & import", "pages/library.py"),
         ("Overview (again)", "pages/overview.py")]
ORDER = ["Overview (first run)"] + [p for p, _ in PAGES] + [
    "editor: open a scene (deep link)", "editor: select another asset",
    "editor: edit (preview)", "editor: save the edit"]


def use(db: Path, images: Path) -> None:
    os.environ["CONTINUITY_DB_PATH"] = str(db)
    os.environ["CONTINUITY_IMAGE_ROOT"] = str(images)
    os.environ["CONTINUITY_IMAGE_PROVIDER"] = "offline"
    st.cache_resource.clear()


def release() -> None:
    """Close the Desk the app cached (the file stays free for the other database)."""
    from ui.context import get_desk
    get_desk().close()
    st.cache_resource.clear()


def timed_run(at: AppTest, label: str, out: dict, errors: list) -> AppTest:
    start = time.perf_counter()
    at.run()
    out.setdefault(label, []).append(time.perf_counter() - start)
    if at.exception:
        errors.append((label, [e.value for e in at.exception][:1]))
    return at


def session(out: dict, errors: list, k: int) -> None:
    from ui.context import get_desk

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    timed_run(at, "Overview (first run)", out, errors)
    for label, page in PAGES:
        at.switch_page(page)
        timed_run(at, label, out, errors)

    desk = get_desk()
    project = desk.projects()[0]
    scenes = [s for s in desk.scenes(project.id) if desk.scene_instances(s.id)]
    mid = scenes[len(scenes) // 2]
    first, second = desk.scene_instances(mid.id)[:2]
    at.switch_page("pages/editor.py")
    at.query_params["scene"] = mid.id
    at.query_params["instance"] = first.id
    timed_run(at, "editor: open a scene (deep link)", out, errors)
    at.button(key=f"ed_pick_{second.id}").click()
    timed_run(at, "editor: select another asset", out, errors)
    current = desk.get_instance(second.id).effective_description
    at.text_area(key=f"ed_desc_{second.id}").set_value(f"{current} Bench edit {k}.")
    timed_run(at, "editor: edit (preview)", out, errors)
    at.button(key=f"ed_save_{second.id}").click()
    timed_run(at, "editor: save the edit", out, errors)
    saved = [unescape(str(m.value)) for m in at.success]
    if not any(m.startswith("Saved") for m in saved):
        errors.append(("editor: save the edit", ["no 'Saved' message", saved[:1]]))


def main(film: str = "", repeats: int = 3, scenes: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo_db = Path(tmp) / "demo.duckdb"
        if film:
            film_db = Path(film)
        else:
            film_db = Path(tmp) / "film.duckdb"
            t0 = time.perf_counter()
            build_film(str(film_db), scenes)
            print(f"built the film in {time.perf_counter() - t0:.0f} s")
        dbs = {"demo": (demo_db, Path(tmp) / "demo-images"),
               "film": (film_db, Path(str(film_db.with_suffix("")) + "-images"))}
        times: dict[str, dict] = {name: {} for name in dbs}
        errors: dict[str, list] = {name: [] for name in dbs}
        for db, images in dbs.values():     # warm up; the demo is seeded here
            use(db, images)
            session({}, [], -1)
            release()
        for k in range(repeats):
            for name, (db, images) in dbs.items():
                use(db, images)
                session(times[name], errors[name], k)
                release()
    print(f"\nserver time (AppTest run), median of {repeats}; film {film_db.name}")
    print(f"{'':36} {'demo ms':>9} {'film ms':>9} {'film/demo':>9}")
    for label in ORDER:
        a = statistics.median(times["demo"][label])
        b = statistics.median(times["film"][label])
        print(f"{label:36} {a * 1000:>9.0f} {b * 1000:>9.0f} {b / a:>9.2f}")
    for name, errs in errors.items():
        for label, what in errs[:5]:
            print(f"{name}: {label}: {what}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "", int(args[1]) if len(args) > 1 else 3,
         int(args[2]) if len(args) > 2 else 200)
