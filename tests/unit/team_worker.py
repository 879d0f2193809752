"""An app process of test_team_processes.py, run as a subprocess on the store the test
made (`queue_support.queue_desk`: a short lease and poll). Modes:

- `team STORE ROOT CONTROL K`: starts on the shared job queue, says `ready-K`, waits for
  `go`, edits the "Edit" instances in rounds with `expected_version` (round 0 from the
  versions read before `go`, so every process races from one version); process 0 also
  requests images for every "Gen" instance (ids to `jobs.json`). Writes its outcomes
  to `out-K.json`, then keeps working the queue until `stop`.
- `hold STORE ROOT CONTROL`: requests images for every instance with a provider that
  never returns, and waits to be killed holding the jobs it claimed.
Every provider call appends a line to CONTROL/calls.log (`LoggingProvider`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent), str(HERE)]

from fakes import FakeProvider  # noqa: E402
from queue_support import queue_desk  # noqa: E402

import core  # noqa: E402

ROUNDS = 4
PRICE = 0.25


class LoggingProvider(FakeProvider):
    """A fake provider (name "team") that appends {"pid", "prompt"} per call to `log`,
    one short line per write with O_APPEND, so many processes can share the file.
    `block` makes every call hang (until the process is killed)."""

    def __init__(self, log: Path, block: bool = False, delay: float = 0.05):
        super().__init__(name="team", model="t1", price=PRICE, delay=delay)
        self.log, self.block = Path(log), block

    def generate(self, request):
        line = json.dumps({"pid": os.getpid(), "prompt": request.prompt}) + "\n"
        fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        if self.block:
            threading.Event().wait()
        return super().generate(request)


def calls(control: Path) -> list[dict]:
    log = Path(control) / "calls.log"
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.02)


def write(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.rename(path)


def team(store: str, root: str, control: Path, k: int) -> None:
    desk = queue_desk(store, root, LoggingProvider(control / "calls.log"))
    desk.resume_jobs()                                  # what the app does at start
    project = desk.projects()[0]
    targets = [i for i in desk.branch_instances(project.id) if i.asset_name.startswith("Edit")]
    (control / f"ready-{k}").touch()
    wait_for(control / "go")
    outcomes = []
    for rnd in range(ROUNDS):
        for t in targets:
            version = t.version if rnd == 0 else desk.get_instance(t.id).version
            text = f"worker {k} round {rnd}"
            try:
                desk.update_instance(t.id, expected_version=version, actor=f"worker-{k}",
                                     description_override=text)
                outcomes.append([t.id, text, "applied"])
            except core.ConflictError:
                outcomes.append([t.id, text, "conflict"])
        if rnd == 0 and k == 0:
            gen = [i.id for i in desk.branch_instances(project.id)
                   if i.asset_name.startswith("Gen")]
            write(control / "jobs.json",
                  [j.id for j in desk.request_images(gen, actor="worker-0")])
    write(control / f"out-{k}.json", {"pid": os.getpid(), "outcomes": outcomes})
    wait_for(control / "stop")
    desk.close()


def hold(store: str, root: str, control: Path) -> None:
    desk = queue_desk(store, root, LoggingProvider(control / "calls.log", block=True))
    project = desk.projects()[0]
    ids = [i.id for i in desk.branch_instances(project.id)]
    write(control / "jobs.json", [j.id for j in desk.request_images(ids, actor="holder")])
    threading.Event().wait()


if __name__ == "__main__":
    mode, store, root, control = sys.argv[1:5]
    if mode == "team":
        team(store, root, Path(control), int(sys.argv[5]))
    else:
        hold(store, root, Path(control))
