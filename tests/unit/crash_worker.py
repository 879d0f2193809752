"""Run by test_image_crash.py in a subprocess: edits one instance, requests
images for every instance of the project against a slow fake provider, and
prints progress until it is killed. Its leases are short (queue_support), so on a
shared engine the next process takes its jobs over soon after the kill."""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent), str(HERE)]

from fakes import FakeProvider  # noqa: E402
from queue_support import queue_desk  # noqa: E402


def main(db_path: str, image_root: str) -> None:
    desk = queue_desk(db_path, image_root,
                      FakeProvider(name="slow", model="s1", price=0.25, delay=0.2), workers=4)
    project = desk.projects()[0]
    first = desk.branch_instances(project.id)[0]
    desk.update_instance(first.id, expected_version=first.version, actor="worker",
                         description_override="edited before the crash")
    print("edited", flush=True)
    ids = [i.id for i in desk.branch_instances(project.id)]
    desk.request_images(ids, actor="worker")
    while True:
        done = len(desk.image_jobs(project.id, statuses=("completed",)))
        print(f"completed {done}", flush=True)
        time.sleep(0.05)


if __name__ == "__main__":
    main(*sys.argv[1:3])
