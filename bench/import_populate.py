"""Benchmark: importing a generated screenplay with `populate=True` (I7: every mapped
asset's instances created scene by scene, in the import's transaction).

Measures, in this run and process, on the screenplay of `import_screenplay.py`:
- the import with populate against parsing alone, and against the import without
  populate (so the populate step's share shows);
- the per-scene cost at 20 and at N scenes (ratio N/20; target roughly flat, 1.0 =
  linear) of the populating import and of "Fill from script" alone (the same
  populate step, after an import with populate=False);
- the preview (dry run, rolled back) with populate against the import.
Run: .venv/bin/python bench/import_populate.py [scenes] [repeats]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import describe, open_store  # noqa: E402
from import_screenplay import screenplay  # noqa: E402

from core.intake.screenplay import parse_screenplay  # noqa: E402

IMAGES = tempfile.mkdtemp(prefix="continuity-bench-populate-")


def median(fn, repeats: int) -> float:
    """The median of `fn()`, which returns the seconds of the part it times."""
    return statistics.median(fn() for _ in range(repeats))


def importing(text: str, populate: bool, dry_run: bool = False, counts: list | None = None):
    def run() -> float:
        desk = open_store(":memory:", image_root=IMAGES)
        try:
            p = desk.create_project("Bench", actor="bench")
            start = time.perf_counter()
            rep = desk.import_screenplay(p.id, text, actor="bench", populate=populate,
                                         dry_run=dry_run)
            took = time.perf_counter() - start
            if counts is not None:
                counts.append(len(rep.instances_created))
            return took
        finally:
            desk.close()
    return run


def filling(text: str):
    def run() -> float:
        desk = open_store(":memory:", image_root=IMAGES)
        try:
            p = desk.create_project("Bench", actor="bench")
            desk.import_screenplay(p.id, text, actor="bench", populate=False)
            start = time.perf_counter()
            desk.fill_from_script(p.id, actor="bench")
            return time.perf_counter() - start
        finally:
            desk.close()
    return run


def parsing(text: str):
    def run() -> float:
        start = time.perf_counter()
        parse_screenplay(text)
        return time.perf_counter() - start
    return run


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(describe())
    small, big = screenplay(20), screenplay(n)
    median(importing(small, True), 1)                      # warm caches and imports

    counts: list[int] = []
    parse_s, parse_b = median(parsing(small), repeats), median(parsing(big), repeats)
    plain_s = median(importing(small, False), repeats)
    plain_b = median(importing(big, False), repeats)
    pop_s = median(importing(small, True, counts=counts), repeats)
    pop_b = median(importing(big, True, counts=counts), repeats)
    fill_s, fill_b = median(filling(small), repeats), median(filling(big), repeats)
    preview_b = median(importing(big, True, dry_run=True), repeats)
    inst_s, inst_b = counts[0], counts[-1]

    def ratio(small_t, big_t):
        return (big_t / n) / (small_t / 20)

    print(f"screenplay: {n} scenes, {len(big) / 1024:.0f} KB, {inst_b} instances created "
          f"(baseline 20 scenes, {inst_s} instances); median of {repeats}")
    print(f"parse                 20: {parse_s * 1000:8.1f} ms   {n}: {parse_b * 1000:8.1f} ms")
    print(f"import, no populate   20: {plain_s * 1000:8.1f} ms   {n}: {plain_b * 1000:8.1f} ms   "
          f"per-scene ratio {n}/20: {ratio(plain_s, plain_b):.2f}")
    print(f"import, populate      20: {pop_s * 1000:8.1f} ms   {n}: {pop_b * 1000:8.1f} ms   "
          f"per-scene ratio {n}/20: {ratio(pop_s, pop_b):.2f}   "
          f"({pop_b / n * 1000:.1f} ms per scene)")
    print(f"fill from script      20: {fill_s * 1000:8.1f} ms   {n}: {fill_b * 1000:8.1f} ms   "
          f"per-scene ratio {n}/20: {ratio(fill_s, fill_b):.2f}   "
          f"({fill_b / inst_b * 1000:.2f} ms per instance)")
    print(f"import with populate / parse ({n} scenes): {pop_b / parse_b:.1f}x   "
          f"/ import without populate: {pop_b / plain_b:.2f}x")
    print(f"preview (dry run, populate) / import (populate): {preview_b / pop_b:.2f}")


if __name__ == "__main__":
    main()
