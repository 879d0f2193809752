"""The image side of the Desk: owns the store, the provider and the one runner
of this process and database file; every change is one unit of work."""

from __future__ import annotations

import threading
import time

from core.images import attempts, jobs, orphans
from core.images.providers import ImageProvider
from core.images.runner import LEASE_SECONDS, POLL_SECONDS, JobRunner
from core.images.store import ImageStore
from core.store.db import Database
from core.store.history import Context

_RUNNERS: dict[str, JobRunner] = {}
_RUNNERS_LOCK = threading.Lock()


class ImageService:
    def __init__(self, db: Database, store: ImageStore, provider: ImageProvider,
                 workers: int = 4, lease_seconds: float = LEASE_SECONDS,
                 poll_seconds: float = POLL_SECONDS):
        self.db = db
        self.store = store
        self.provider = provider
        self.workers = workers
        self.lease_seconds, self.poll_seconds = lease_seconds, poll_seconds
        self._runner: JobRunner | None = None

    @property
    def runner(self) -> JobRunner:
        """One runner per database file in this process (G8), started on first use."""
        if self._runner is None:
            with _RUNNERS_LOCK:
                key = self.db.path
                runner = _RUNNERS.get(key) if key != ":memory:" else None
                if runner is None or runner.db is not self.db:
                    runner = JobRunner(self.db, self.store, self.provider, self.workers,
                                       lease_seconds=self.lease_seconds,
                                       poll_seconds=self.poll_seconds)
                    if key != ":memory:":
                        _RUNNERS[key] = runner
                self._runner = runner
        return self._runner

    def close(self) -> None:
        if self._runner is not None:
            self._runner.shutdown()
            with _RUNNERS_LOCK:
                if _RUNNERS.get(self.db.path) is self._runner:
                    del _RUNNERS[self.db.path]

    def resume(self, grace: float = orphans.GRACE_SECONDS) -> list[str]:
        """At start: delete the image files a crash left unreferenced (older than
        `grace` seconds), then start working the shared queue: the jobs a crash left
        unfinished (G8), and from then on those other processes queue or leave."""
        self.sweep(grace)
        return self.runner.resume()

    def sweep(self, grace: float = orphans.GRACE_SECONDS) -> list[str]:
        """Delete unreferenced image files older than `grace` seconds; their keys."""
        return orphans.sweep(self.db, self.store, grace)

    # --- jobs -------------------------------------------------------------
    def estimate(self, instance_ids, regenerate=False) -> jobs.Estimate:
        return self.db.transaction(
            lambda cur: jobs.estimate(cur, self.provider, instance_ids, regenerate))

    def request(self, instance_ids, ctx: Context, regenerate=False) -> list[jobs.Job]:
        ids, _ = self.db.transaction(lambda cur: jobs.request(
            cur, self.store, self.provider, instance_ids, ctx, regenerate))
        found = self.db.transaction(lambda cur: jobs.get_many(cur, ids))
        if any(j.status in jobs.ACTIVE for j in found):
            self.runner.wake()
        return found

    def wait(self, job_ids, timeout: float = 60.0) -> list[jobs.Job]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.db.transaction(lambda cur: jobs.get_many(cur, job_ids))
            pending = [j.id for j in found if j.status not in jobs.FINAL]
            if not pending:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"Image jobs still running after {timeout:.0f} s: "
                                   + ", ".join(pending))
            time.sleep(0.1)

    def cancel(self, job_ids) -> list[str]:
        return self.db.transaction(lambda cur: jobs.cancel(cur, job_ids))

    def retry_failed(self, job_ids, ctx: Context) -> list[jobs.Job]:
        """Request failed or cancelled jobs' instances again (new jobs)."""
        targets = self.db.transaction(lambda cur: [
            j.instance_id for j in jobs.get_many(cur, job_ids)
            if j.status in ("failed", "cancelled")])
        return self.request(targets, ctx) if targets else []

    def jobs(self, project_id: str, statuses=None, limit: int = 1000) -> list[jobs.Job]:
        return self.db.transaction(lambda cur: jobs.for_project(cur, project_id, statuses, limit))

    # --- attempts ---------------------------------------------------------
    def attempts(self, instance_id: str, state_hash: str | None = None
                 ) -> list[attempts.Attempt]:
        return self.db.transaction(
            lambda cur: attempts.list_attempts(cur, instance_id, state_hash))

    def select(self, instance_id: str, attempt_id: str, ctx: Context) -> None:
        self.db.transaction(lambda cur: attempts.select(cur, instance_id, attempt_id, ctx))

    def upload(self, instance_id: str, data: bytes, filename: str, ctx: Context) -> str:
        return self.db.transaction(
            lambda cur: attempts.upload(cur, self.store, instance_id, data, filename, ctx))

    def use_master(self, instance_id: str, ctx: Context) -> str:
        return self.db.transaction(
            lambda cur: attempts.use_master(cur, self.store, instance_id, ctx))

    def release_files(self, scene, asset_id: str | None = None) -> int:
        """After instances left a scene: delete that scene's image files (of one asset,
        or all) that no attempt, job or master refers to any more (G6)."""
        return self.release_many([(scene.project_id, scene.branch_id, scene.id, asset_id)])

    def release_many(self, places) -> int:
        """`release_files` for many (project id, branch id, scene id, asset id or None)
        places, in one query."""
        keys = []
        for project_id, branch_id, scene_id, asset_id in places:
            prefix = (f"project_{project_id}/branch_{branch_id}/scene_{scene_id}/"
                      f"scene-assets/{f'{asset_id}_' if asset_id else ''}")
            keys += [k for k in self.store.modified(prefix)
                     if k.endswith(".png") and "/" not in k[len(prefix):]]
        gone = self.db.transaction(lambda cur: orphans.orphans(cur, keys))
        self.store.delete_many(gone)
        return len(gone)
