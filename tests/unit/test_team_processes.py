"""Issue 14: several app processes on one store. They edit the same instances at once
(A4: every edit applies or raises ConflictError, none is lost, history has a row per
applied edit) and work one bulk generation from the shared job queue (every job runs
once, its cost is counted once); and a process killed holding jobs leaves them to
another, which finishes each once after the lease runs out (G4, G8).
The processes are tests/unit/team_worker.py; the claim-level rules are in
tests/unit/test_job_leases.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from desk_factory import ENGINE, make_desk
from queue_support import queue_desk
from team_worker import PRICE, ROUNDS, LoggingProvider, calls

WORKER = Path(__file__).with_name("team_worker.py")
PROCESSES = 3


def spawn(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)])


def wait_until(check, what: str, procs=(), timeout: float = 90.0):
    """Poll `check` until it is truthy; fail naming `what` (or a worker that died)."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        for proc in procs:
            assert proc.poll() is None, f"a worker exited ({proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout:.0f} s"
        time.sleep(0.05)
    return found


def film(desk, edit_assets: int, gen_assets: int, scenes: int):
    """'Edit' assets appear in scene 1 only (their edits propagate nowhere); 'Gen' assets
    in every scene, a state of their own in each (one job per instance)."""
    p = desk.create_project("Team film", actor="setup")
    edits = [desk.add_asset(p.id, f"Edit {k}", "prop", "As written") for k in range(edit_assets)]
    gens = [desk.add_asset(p.id, f"Gen {k}", "character", "As cast") for k in range(gen_assets)]
    for n in range(1, scenes + 1):
        s = desk.add_scene(p.id, n, f"INT. STAGE {n} - DAY")
        ids = [a.id for a in gens] + ([a.id for a in edits] if n == 1 else [])
        for inst in desk.inherit_scene(s.id, ids, actor="setup"):
            if inst.asset_name.startswith("Gen"):
                desk.update_instance(inst.id, expected_version=inst.version, actor="setup",
                                     description_override=f"{inst.asset_name} in scene {n}")
    return p


@pytest.mark.skipif(ENGINE != "postgresql",
                    reason="team engine: runs in make test's PostgreSQL pass")
def test_processes_edit_together_and_share_one_queue(tmp_path):
    store, root, control = tmp_path / "team.duckdb", tmp_path / "images", tmp_path / "control"
    control.mkdir()
    desk = make_desk(store, image_root=root)
    p = film(desk, edit_assets=2, gen_assets=3, scenes=4)
    before = {i.id: i.version for i in desk.branch_instances(p.id)
              if i.asset_name.startswith("Edit")}
    desk.close()

    procs = [spawn("team", store, root, control, k) for k in range(PROCESSES)]
    try:
        wait_until(lambda: all((control / f"ready-{k}").exists() for k in range(PROCESSES)),
                   "ready workers", procs)
        (control / "go").touch()
        job_ids = json.loads(wait_until(lambda: (control / "jobs.json").exists()
                                        and (control / "jobs.json").read_text(),
                                        "bulk request", procs))
        desk = make_desk(store, image_root=root)      # reads only: no runner here
        done = desk.wait_for_jobs(job_ids, timeout=120)
        outs = [json.loads(wait_until(lambda k=k: (control / f"out-{k}.json").exists()
                                      and (control / f"out-{k}.json").read_text(),
                                      "edit outcomes", procs)) for k in range(PROCESSES)]
    finally:
        (control / "go").touch()
        (control / "stop").touch()
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert [proc.returncode for proc in procs] == [0] * PROCESSES

    # A4/A1: no edit lost, each applied edit has its history row, round 0 had one winner
    outcomes = [o for out in outs for o in out["outcomes"]]
    assert len(outcomes) == PROCESSES * ROUNDS * len(before)
    for iid, version in before.items():
        applied = [text for i, text, result in outcomes if i == iid and result == "applied"]
        assert sum(1 for text in applied if text.endswith("round 0")) == 1
        rows = [h for h in desk.history(iid) if h.field == "description_override"
                and h.actor.startswith("worker-")]
        assert sorted(h.new_value for h in rows) == sorted(applied)
        final = desk.get_instance(iid)
        assert final.version == version + len(applied)
        assert final.description_override == rows[-1].new_value

    # one queue: every job completed, ran once, cost counted once
    assert len(done) == 12 and all(j.status == "completed" for j in done)
    made = calls(control)
    assert Counter(c["prompt"] for c in made) == Counter(j.prompt for j in done)
    assert {c["pid"] for c in made} <= {out["pid"] for out in outs}
    assert all(j.actual_cost == PRICE for j in done)
    gen = [i for i in desk.branch_instances(p.id) if i.asset_name.startswith("Gen")]
    assert desk.estimate_images([i.id for i in gen]).committed == pytest.approx(PRICE * 12)
    for inst in gen:
        generated = [a for a in desk.attempts(inst.id) if a.job_id]
        assert len(generated) == 1 and generated[0].selected and not generated[0].stale
    print("provider calls per process:", Counter(c["pid"] for c in made))
    desk.close()


def test_a_killed_process_leaves_its_jobs_to_another_that_finishes_each_once(tmp_path):
    store, root, control = tmp_path / "kill.duckdb", tmp_path / "images", tmp_path / "control"
    control.mkdir()
    desk = make_desk(store, image_root=root)
    p = film(desk, edit_assets=0, gen_assets=2, scenes=3)
    desk.close()

    holder = spawn("hold", store, root, control)   # 2 workers: claims 2 jobs, never returns
    try:
        wait_until(lambda: len(calls(control)) == 2, "calls in the holding process", [holder])
        job_ids = json.loads((control / "jobs.json").read_text())
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    held = {c["prompt"] for c in calls(control)}

    log = tmp_path / "finisher.log"
    desk = queue_desk(store, root, LoggingProvider(log))
    try:
        assert sorted(desk.resume_jobs()) == sorted(job_ids)
        done = desk.wait_for_jobs(job_ids, timeout=60)   # the held two once their lease ends
        assert len(done) == 6 and all(j.status == "completed" for j in done)
        finished = [json.loads(x)["prompt"] for x in log.read_text().splitlines()]
        assert Counter(finished) == Counter(j.prompt for j in done)      # each job once here
        owner = desk.images.runner.owner
        assert all(j.lease_owner.startswith(owner + "/") for j in done)
        assert sorted(j.tries for j in done) == [1, 1, 1, 1, 2, 2]
        assert {j.prompt for j in done if j.tries == 2} == held
        assert all(j.actual_cost == PRICE for j in done)
        assert desk.estimate_images([j.instance_id for j in done]).committed == \
            pytest.approx(PRICE * 6)
        for inst in desk.branch_instances(p.id):
            assert len([a for a in desk.attempts(inst.id) if a.job_id]) == 1
    finally:
        desk.close()
