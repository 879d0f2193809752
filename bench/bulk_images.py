"""Benchmark: a bulk run of 200 image jobs against a fake provider with a fixed
latency, against the ideal ceil(200 / concurrency) × latency. Prints the ratio.

Run: .venv/bin/python bench/bulk_images.py [jobs] [latency_s] [workers]
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "unit")]

from fakes import FakeProvider  # noqa: E402

import core  # noqa: E402
from core.images.service import ImageService  # noqa: E402


def main(count: int = 200, latency: float = 0.25, workers: int = 4) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        provider = FakeProvider(name="bench", model="fixed-latency", price=0.0, delay=latency)
        desk = core.open_desk(Path(tmp) / "bench.duckdb", image_root=Path(tmp) / "img",
                              provider=provider)
        desk.images = ImageService(desk.db, desk.images.store, provider, workers=workers)
        p = desk.create_project("Bench", actor="bench")
        assets = [desk.add_asset(p.id, f"Prop {k}", "prop", f"Prop number {k}")
                  for k in range(count // 10)]
        for n in range(1, 11):
            s = desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY")
            desk.inherit_scene(s.id, [a.id for a in assets], actor="bench")
        ids = []
        for inst in desk.branch_instances(p.id):  # one distinct state per instance
            inst = desk.get_instance(inst.id)   # earlier edits propagate here
            desk.update_instance(inst.id, expected_version=inst.version, actor="bench",
                                 status_tags=[f"take{inst.scene_number}"])
            ids.append(inst.id)
        assert len(ids) == count
        start = time.perf_counter()
        jobs = desk.request_images(ids, actor="bench")
        queued = time.perf_counter() - start
        done = desk.wait_for_jobs([j.id for j in jobs], timeout=600)
        wall = time.perf_counter() - start
        assert all(j.status == "completed" for j in done), "every job must complete"
        desk.close()
    ideal = math.ceil(count / workers) * latency
    print(f"{count} jobs, {workers} workers, {latency * 1000:.0f} ms each")
    print(f"request (jobs created and queued): {queued:.2f} s")
    print(f"wall time to the last completed job: {wall:.2f} s; ideal {ideal:.2f} s")
    print(f"ratio wall / ideal: {wall / ideal:.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 200, float(args[1]) if len(args) > 1 else 0.25,
         int(args[2]) if len(args) > 2 else 4)
