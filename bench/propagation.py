"""Benchmark: one edit propagating through 500 following scenes (P2), against
the same rows written by one hand-written UPDATE plus a history INSERT ... SELECT.

Prints the median time of each and their ratio (both measured in this run, on
the same store), so the number means something on a noisy machine. The store is a
DuckDB file, or with CONTINUITY_BENCH_ENGINE=postgresql a schema on a throwaway
PostgreSQL server (bench/engine.py); the hand-written statements run on both.
Run: .venv/bin/python bench/propagation.py [scenes] [repeats]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from engine import describe, open_store  # noqa: E402


def build(desk, scenes: int):
    p = desk.create_project("Bench", actor="bench")
    asset = desk.add_asset(p.id, "Brick", "character", "As written")
    first = None
    for n in range(1, scenes + 1):
        s = desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY")
        (inst,) = desk.inherit_scene(s.id, [asset.id], actor="bench")
        first = first or inst
    return p, asset, first


def core_edit(desk, instance_id: str, k: int) -> float:
    inst = desk.get_instance(instance_id)
    start = time.perf_counter()
    r = desk.update_instance(inst.id, expected_version=inst.version, actor="bench",
                             description_override=f"state {k}", status_tags=[f"mark{k}"])
    elapsed = time.perf_counter() - start
    assert len(r.propagated) > 0
    return elapsed


def hand_written(desk, asset_id: str, k: int) -> float:
    """The floor: the same rows and history, written by two set-based statements."""
    def work(cur):
        cur.execute(
            "UPDATE scene_asset_instances SET inherited_description = ?, "
            "effective_description = ?, inherited_tags = ?, status_tags = ?, "
            "version = version + 1, modification_count = modification_count + 1, "
            "updated_at = now() WHERE project_asset_id = ?",
            [f"hand {k}", f"hand {k}", [f"hand{k}"], [f"hand{k}"], asset_id],
        )
        cur.execute(
            "INSERT INTO instance_history (instance_id, project_id, branch_id, scene_id, "
            "project_asset_id, field, old_value, new_value, actor, source, reason, changed_at) "
            "SELECT id, project_id, branch_id, scene_id, project_asset_id, f.field, NULL, "
            "'\"x\"', 'bench', 'propagation', 'hand', now() FROM scene_asset_instances, "
            "(VALUES ('inherited_description'), ('effective_description'), "
            "('inherited_tags'), ('status_tags')) f(field) WHERE project_asset_id = ?",
            [asset_id],
        )
    start = time.perf_counter()
    desk.db.transaction(work)
    return time.perf_counter() - start


def main(scenes: int = 500, repeats: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        desk = open_store(Path(tmp) / "bench.duckdb")
        print(describe())
        t0 = time.perf_counter()
        _, asset, first = build(desk, scenes)
        print(f"built {scenes} scenes in {time.perf_counter() - t0:.1f} s")
        ours, floor = [], []
        for k in range(repeats):  # interleaved so both see the same machine load
            ours.append(core_edit(desk, first.id, k))
            floor.append(hand_written(desk, asset.id, k))
        desk.close()
    a, b = statistics.median(ours), statistics.median(floor)
    print(f"core edit propagating through {scenes - 1} scenes: median {a * 1000:.1f} ms")
    print(f"hand-written UPDATE + INSERT ... SELECT:        median {b * 1000:.1f} ms")
    print(f"ratio core / hand-written: {a / b:.2f}")


if __name__ == "__main__":
    main(*(int(x) for x in sys.argv[1:]))
