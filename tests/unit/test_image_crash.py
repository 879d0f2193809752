"""G4/G8: a bulk run killed with SIGKILL midway is finished on restart — no
duplicate attempts, each job's cost counted once, no edit lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from fakes import FakeProvider

import core

WORKER = Path(__file__).with_name("crash_worker.py")


def test_G8_jobs_left_by_a_crash_are_resumed_once(tmp_path):
    db, root = tmp_path / "crash.duckdb", tmp_path / "images"
    desk = core.open_desk(db, image_root=root)
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

    fast = FakeProvider(name="slow", model="s1", price=0.25)
    desk = core.open_desk(db, image_root=root, provider=fast)
    resumed = desk.resume_jobs()
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
    desk.close()
