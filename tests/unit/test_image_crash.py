"""G4/G8: a bulk run killed with SIGKILL midway is finished on restart — no
duplicate attempts, each job's cost counted once, no edit lost — and G6: after
the restart's sweep no file under the image root is unreferenced, no `.part` left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from desk_factory import make_desk
from fakes import FakeProvider, png_bytes

WORKER = Path(__file__).with_name("crash_worker.py")


def test_G8_jobs_left_by_a_crash_are_resumed_once(tmp_path):
    db, root = tmp_path / "crash.duckdb", tmp_path / "images"
    desk = make_desk(db, image_root=root)
    p = desk.create_project("Crash film", actor="t")
    lamp = desk.add_asset(p.id, "Lamp", "prop", "Brass lamp")
    for n in range(1, 21):
        s = desk.add_scene(p.id, n, f"INT. ROOM {n} - NIGHT")
        (inst,) = desk.inherit_scene(s.id, [lamp.id], actor="t")
        desk.update_instance(inst.id, expected_version=inst.version, actor="t",
                             description_override=f"Brass lamp, scene {n}")  # 20 states
    desk.close()

    proc = subprocess.Popen([sys.executable, str(WORKER), str(db), str(root)],
                            stdout=subprocess.PIPE, text=True)
    try:
        done_before = 0
        for line in proc.stdout:
            if line.startswith("completed"):
                done_before = int(line.split()[1])
                if done_before >= 5:
                    break
        assert 5 <= done_before < 20, "the worker should be killed midway"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

    # What a kill inside a write leaves, whether or not this run's kill hit one:
    # a temp file cut short and a finished file whose commit never happened.
    scene_dir = next(root.glob("project_*/branch_*/scene_*/scene-assets"))
    (scene_dir / "tmpkilled.part").write_bytes(b"\x89PNG half")
    (scene_dir / f"{lamp.id}_20260101T000000000000_0rphan00.png").write_bytes(png_bytes())

    fast = FakeProvider(name="slow", model="s1", price=0.25)
    desk = make_desk(db, image_root=root, provider=fast)
    resumed = desk.images.resume(grace=0)     # the start-up sweep, with no grace period
    assert resumed and len(resumed) <= 20 - done_before
    jobs = desk.wait_for_jobs(resumed, timeout=30)
    assert all(j.status == "completed" for j in jobs)
    every = desk.image_jobs(p.id)
    assert len(every) == 20 and all(j.status == "completed" for j in every)
    assert all(j.actual_cost == 0.25 for j in every)          # counted once
    assert len(fast.calls) == len(resumed)                   # nothing finished twice
    for inst in desk.branch_instances(p.id):
        generated = [a for a in desk.attempts(inst.id) if a.job_id]
        assert len(generated) == 1 and generated[0].selected and not generated[0].stale
    first = desk.branch_instances(p.id)[0]
    assert first.effective_description == "edited before the crash"
    on_disk = {f.relative_to(root).as_posix() for f in root.rglob("*") if f.is_file()}
    assert not [k for k in on_disk if k.endswith(".part")]
    assert on_disk == referenced(desk)
    desk.close()


def referenced(desk) -> set[str]:
    """Every image key a row holds (attempts, jobs, project and global masters)."""
    with desk.db.cursor() as cur:
        return {r[0] for r in cur.execute(
            "SELECT image_key FROM image_attempts UNION SELECT image_key FROM image_jobs "
            "UNION SELECT master_image_key FROM project_assets "
            "UNION SELECT master_image_key FROM global_assets").fetchall() if r[0]}
