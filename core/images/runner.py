"""The job runner (G8): a bounded thread pool inside the app process. Progress
lives in the database, so a page reload shows it; jobs a crash left queued or
running are resumed by `resume` (after `core.images.orphans.sweep` removed the
files such a crash left). One runner per database file and process."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from core.images import jobs
from core.images.providers import ImageProvider, ImageRequest, ProviderFailure, RetryableError
from core.images.store import ImageStore, to_png
from core.redact import scrub
from core.store.db import Database

MAX_TRIES = 4
BASE_DELAY = 1.0
MAX_DELAY = 30.0


class JobRunner:
    def __init__(self, db: Database, store: ImageStore, provider: ImageProvider,
                 workers: int = 4, base_delay: float = BASE_DELAY):
        self.db = db
        self.store = store
        self.provider = provider
        self.base_delay = base_delay
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="image-job")
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(self, job_ids: list[str]) -> None:
        for jid in job_ids:
            with self._lock:
                if jid in self._queued:
                    continue
                self._queued.add(jid)
            self._pool.submit(self._run, jid)

    def resume(self) -> list[str]:
        """Queue every job a previous process left unfinished."""
        ids = self.db.transaction(jobs.unfinished)
        self.submit(ids)
        return ids

    def shutdown(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- one job --------------------------------------------------------
    def _run(self, job_id: str) -> None:
        try:
            self._attempt(job_id)
        except Exception as exc:  # never lose a job silently
            self._fail(job_id, "internal", f"The image job stopped unexpectedly: {exc}")
        finally:
            with self._lock:
                self._queued.discard(job_id)

    def _fail(self, job_id: str, code: str, message: str) -> None:
        """Record the failure; its message is scrubbed before it is stored (S4)."""
        self.db.transaction(lambda cur: jobs.fail(cur, job_id, code, scrub(message)))

    def _attempt(self, job_id: str) -> None:
        while not self._stopping.is_set():
            job, request = self.db.transaction(lambda cur: self._claim(cur, job_id))
            if job is None:
                return
            if (job.provider, job.model) != (self.provider.name, self.provider.model):
                self._fail(job_id, "provider_changed",
                           f"This job was made for {job.provider}/{job.model}, which is no "
                           "longer the configured image provider. Request the image again.")
                return
            try:
                result = self.provider.generate(request)
                png = to_png(result.data, "The generated image")
            except RetryableError as err:
                if job.tries >= MAX_TRIES:
                    self._fail(job_id, err.code,
                               f"{err.message} (gave up after {job.tries} tries)")
                    return
                self._sleep(err.retry_after, job.tries)
                continue
            except ProviderFailure as err:
                self._fail(job_id, err.code, err.message)
                return
            except Exception as err:  # e.g. unreadable image bytes
                self._fail(job_id, "bad_image", str(err))
                return
            self._complete(job_id, png, result.cost)
            return

    def _complete(self, job_id: str, png: bytes, cost: float) -> None:
        self.db.transaction(lambda cur: jobs.complete(cur, self.store, job_id, png, cost))

    def _sleep(self, retry_after: float | None, tries: int) -> None:
        """Exponential backoff with full jitter; Retry-After wins when given."""
        if retry_after is not None:
            delay = min(retry_after, MAX_DELAY)
        else:
            delay = random.uniform(0, min(MAX_DELAY, self.base_delay * 2 ** (tries - 1)))
        self._stopping.wait(delay)

    def _claim(self, cur, job_id: str) -> tuple[jobs.Job | None, ImageRequest | None]:
        job = jobs.claim(cur, job_id)
        if job is None:
            return None, None
        refs = _references(cur, self.store, job)
        asset = refs.pop("asset")
        return job, ImageRequest(
            asset_name=asset[0], asset_type=asset[1], description=refs["description"],
            tags=refs["tags"], style=refs["style"], prompt=job.prompt,
            aspect_ratio=job.aspect_ratio, references=refs["images"])


def _references(cur, store: ImageStore, job: jobs.Job) -> dict:
    """The master image and the previous appearance's selected image, when present."""
    asset = cur.execute(
        "SELECT name, asset_type, master_image_key FROM project_assets WHERE id = ?",
        [job.project_asset_id]).fetchone()
    inst = cur.execute(
        "SELECT i.effective_description, i.status_tags, p.visual_style, "
        "(SELECT image_key FROM image_attempts a WHERE a.instance_id = "
        " i.inherited_from_instance_id AND a.selected) "
        "FROM scene_asset_instances i JOIN projects p ON p.id = i.project_id WHERE i.id = ?",
        [job.instance_id]).fetchone()
    images = []
    for key in (asset[2], inst[3] if inst else None):
        if key and store.exists(key):
            images.append(store.read(key))
    return {"asset": asset[:2], "description": inst[0] if inst else "",
            "tags": list(inst[1]) if inst else [], "style": inst[2] if inst else "",
            "images": images}
