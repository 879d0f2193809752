"""Benchmark: are the imports linear? A CSV asset import (`desk.import_assets_csv`) of
1,000 and of 4,000 rows, and a Fountain screenplay import (`desk.import_screenplay`,
the generated screenplay of bench/import_screenplay.py) of 250 and of 1,000 scenes,
each into an empty project of a fresh temporary DuckDB file (with
CONTINUITY_BENCH_ENGINE=postgresql a fresh schema, bench/engine.py). Prints the time per row
(per scene) and the ratio of the per-row cost at the larger size against the smaller
one: 1.0 is linear, 4.0 quadratic.

The sizes are arguments, so that a slow version can be measured at smaller ones
(for example 500,2000 and 100,400: still 4x apart). Sizes run small first, then
large, REPEATS times, interleaved; the median is reported.

Run: .venv/bin/python bench/imports.py [csv sizes] [fountain sizes] [repeats]
     defaults: 1000,4000 250,1000 1; a quick check: bench/imports.py 50,200 10,40 1
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from engine import ENGINE, describe, open_store  # noqa: E402
from import_screenplay import screenplay  # noqa: E402

TYPES = ("character", "location", "prop")


def asset_csv(rows: int) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["name", "type", "description", "aliases"])
    for n in range(1, rows + 1):
        w.writerow([f"Asset {n:05d}", TYPES[n % 3],
                    f"Asset number {n}, as written in the bible, with a scar on the left hand.",
                    f"A{n:05d}; Number {n}"])
    return out.getvalue()


def fresh(tmp: str, tag: str):
    path = Path(tmp) / f"{tag}.duckdb"
    path.unlink(missing_ok=True)
    # On PostgreSQL a path names one schema for good: ":memory:" is a new, empty one.
    desk = open_store(path if ENGINE == "duckdb" else ":memory:", image_root=Path(tmp) / "images")
    return desk, desk.create_project("Bench", actor="bench")


def time_csv(tmp: str, rows: int) -> float:
    data = asset_csv(rows)
    desk, p = fresh(tmp, f"csv{rows}")
    try:
        start = time.perf_counter()
        rep = desk.import_assets_csv(p.id, data, actor="bench")
        elapsed = time.perf_counter() - start
        assert len(rep.created) == rows, len(rep.created)
    finally:
        desk.close()
    return elapsed


def time_fountain(tmp: str, scenes: int) -> float:
    text = screenplay(scenes)
    desk, p = fresh(tmp, f"fountain{scenes}")
    try:
        start = time.perf_counter()
        desk.import_screenplay(p.id, text, actor="bench")
        elapsed = time.perf_counter() - start
        assert len(desk.scenes(p.id)) == scenes
    finally:
        desk.close()
    return elapsed


def report(label: str, unit: str, sizes: list[int], times: dict[int, list[float]]) -> None:
    med = {n: statistics.median(times[n]) for n in sizes}
    for n in sizes:
        print(f"{label} {n:>6} {unit}: {med[n]:8.1f} s   "
              f"{med[n] / n * 1000:7.1f} ms per {unit[:-1]}")
    small, big = sizes[0], sizes[-1]
    print(f"{label} per-{unit[:-1]} cost ratio {big}/{small} ({big / small:.0f}x the size): "
          f"{(med[big] / big) / (med[small] / small):.2f}")


def main(csv_sizes: str = "1000,4000", fountain_sizes: str = "250,1000",
         repeats: int = 1) -> None:
    rows = [int(x) for x in csv_sizes.split(",") if x]
    scenes = [int(x) for x in fountain_sizes.split(",") if x]
    csv_t: dict[int, list[float]] = {n: [] for n in rows}
    fountain_t: dict[int, list[float]] = {n: [] for n in scenes}
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        time_csv(tmp, 10)                        # warm imports and caches
        time_fountain(tmp, 5)
        for _ in range(repeats):
            for n in rows:
                csv_t[n].append(time_csv(tmp, n))
                print(f"  csv {n} rows: {csv_t[n][-1]:.1f} s", flush=True)
            for n in scenes:
                fountain_t[n].append(time_fountain(tmp, n))
                print(f"  fountain {n} scenes: {fountain_t[n][-1]:.1f} s", flush=True)
    print(f"median of {repeats}")
    if rows:
        report("CSV     ", "rows", rows, csv_t)
    if scenes:
        report("Fountain", "scenes", scenes, fountain_t)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "1000,4000", args[1] if len(args) > 1 else "250,1000",
         int(args[2]) if len(args) > 2 else 1)
