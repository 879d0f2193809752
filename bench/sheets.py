"""Breakdown sheets: `desk.asset_sheet` (PDF, CSV) of an asset appearing in 20 and 200
scenes, and `desk.scene_sheet` of a scene with 6 and 60 assets, every instance with an
offline reference image (768 × 1152 and the like, as the app renders them).

Baselines in the same run: the smaller size (per-row cost ratio at 10x the rows; 1.0 =
linear) and the CSV of the same sheet (the read alone, no rendering).

    .venv/bin/python bench/sheets.py [repeats]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import core  # noqa: E402


def film(desk, scenes: int, assets: int):
    """A project of `scenes` scenes; asset 0 in every scene, all `assets` in the last."""
    project = desk.create_project(f"Bench {scenes}x{assets}", actor="bench")
    for n in range(1, scenes + 1):
        desk.add_scene(project.id, n, f"INT. ROOM {n} - DAY", story_day=1 + n // 20)
    rows = desk.scenes(project.id)
    kinds = ("character", "location", "prop")
    made = [desk.add_asset(project.id, f"Asset {k}", kinds[k % 3],
                           f"Asset {k}: a long enough description of its look, " * 2)
            for k in range(assets)]
    desk.inherit_scenes([s.id for s in rows],
                        {s.id: [a.id for a in made] if s is rows[-1] else [made[0].id]
                         for s in rows}, actor="bench")
    ids = [i.id for i in desk.branch_instances(project.id)]
    jobs = desk.request_images(ids, actor="bench")
    desk.wait_for_jobs([j.id for j in jobs], timeout=600)
    return rows, made


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        desk = core.open_desk(db_path=":memory:", image_root=Path(tmp) / "images",
                              provider="offline")
        results = {}
        for scenes, assets in ((20, 6), (200, 60)):
            rows, made = film(desk, scenes, assets)
            for what, call in (
                    ("asset", lambda fmt, made=made: desk.asset_sheet(made[0].id, format=fmt)),
                    ("scene", lambda fmt, rows=rows: desk.scene_sheet(rows[-1].id,
                                                                       format=fmt))):
                n = scenes if what == "asset" else assets
                results[what, n] = {fmt: best(lambda fmt=fmt, call=call: call(fmt), repeats)
                                    for fmt in ("csv", "pdf")}
        desk.close()
    for what, small, large in (("asset", 20, 200), ("scene", 6, 60)):
        a, b = results[what, small], results[what, large]
        for fmt in ("csv", "pdf"):
            per_row = (b[fmt] / large) / (a[fmt] / small)
            print(f"{what} sheet {fmt}: {small} rows {a[fmt]:.3f}s, {large} rows "
                  f"{b[fmt]:.3f}s, per-row cost ratio {per_row:.2f}")
        print(f"{what} sheet at {large} rows: PDF / CSV = {b['pdf'] / b['csv']:.1f}")


if __name__ == "__main__":
    main()
