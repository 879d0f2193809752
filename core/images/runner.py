"""The job runner (G8): a bounded thread pool inside the app process, fed from the
job queue every process on the store shares (DESIGN §4 "Engines").

One dispatcher thread claims as many jobs as there are idle workers (`jobs.claim`,
under a lease), when told there is work (`wake`, `resume`) and otherwise every
`poll_seconds`, so jobs other processes queued, or left behind when they died, are
taken up too; it renews the leases of the jobs held every third of `lease_seconds`.
Progress lives in the database, so a page reload shows it; `resume` at start finds
the jobs a crash left (after `core.images.orphans.sweep` removed the files it left).
One runner per store and process."""

from __future__ import annotations

import itertools
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from core.errors import ConflictError
from core.images import jobs
from core.images.providers import ImageProvider, ImageRequest, ProviderFailure, RetryableError
from core.images.store import ImageStore, to_png
from core.redact import scrub
from core.store.db import Database

MAX_TRIES = 4
BASE_DELAY = 1.0
MAX_DELAY = 30.0
LEASE_SECONDS = 30.0   # a claim runs out this long after its last renewal (a dead process)
POLL_SECONDS = 2.0     # an idle runner looks at the shared queue this often


class JobRunner:
    def __init__(self, db: Database, store: ImageStore, provider: ImageProvider,
                 workers: int = 4, base_delay: float = BASE_DELAY,
                 lease_seconds: float = LEASE_SECONDS, poll_seconds: float = POLL_SECONDS):
        self.db = db
        self.store = store
        self.provider = provider
        self.base_delay = base_delay
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="image-job")
        self._claims = itertools.count(1)
        self._held: dict[str, str] = {}      # job id -> the claim token holding it
        self._wanted = False                 # work was announced since the last claim
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._dispatcher: threading.Thread | None = None

    def wake(self) -> None:
        """There are jobs to claim (this process queued some): claim now, not at the
        next poll. Starts the dispatcher on first use."""
        with self._cond:
            if self._stopping.is_set():
                return
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(target=self._dispatch, daemon=True,
                                                    name="image-job-dispatcher")
                self._dispatcher.start()
            self._wanted = True
            self._cond.notify_all()

    def resume(self) -> list[str]:
        """The jobs queued or running in the store (a previous process's among them),
        which this runner takes up as soon as their claim is void."""
        ids = self.db.transaction(jobs.unfinished)
        self.wake()
        return ids

    def shutdown(self) -> None:
        """Stop claiming, let the provider calls under way finish, and end the leases
        of jobs left unfinished so that another process may take them at once."""
        with self._cond:
            self._stopping.set()
            self._cond.notify_all()
        if self._dispatcher is not None:
            self._dispatcher.join()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._dispatcher is not None:
            self._quietly(lambda cur: jobs.release(cur, self.owner))

    # --- the dispatcher -------------------------------------------------
    def _dispatch(self) -> None:
        renew_at = poll_at = time.monotonic()
        while not self._stopping.is_set():
            now = time.monotonic()
            if now >= renew_at:
                self._renew()
                renew_at = now + self.lease_seconds / 3
            with self._cond:
                free = self.workers - len(self._held)
                if not (free > 0 and (self._wanted or now >= poll_at)):
                    wait = renew_at - now if free <= 0 else min(renew_at, poll_at) - now
                    self._cond.wait(max(wait, 0.01))
                    continue
                self._wanted = False
            self._claim(free)
            poll_at = time.monotonic() + self.poll_seconds

    def _claim(self, limit: int) -> None:
        token = f"{self.owner}/{next(self._claims)}"
        got = self._quietly(lambda cur: jobs.claim(cur, self.owner, token,
                                                   self.lease_seconds, limit)) or []
        with self._cond:
            for job in got:
                self._held[job.id] = token
        for job in got:
            self._pool.submit(self._run, job, token)

    def _renew(self) -> None:
        with self._cond:
            tokens = sorted(set(self._held.values()))
        if tokens:
            self._quietly(lambda cur: jobs.renew(cur, tokens, self.lease_seconds))

    def _quietly(self, work):
        """`work` in a transaction; None when the store is unreachable or busy (the next
        poll or renewal tries again; a lease outlives a few missed renewals)."""
        try:
            return self.db.transaction(work)
        except (ConflictError, self.db.dialect.error):
            return None

    # --- one job --------------------------------------------------------
    def _run(self, job: jobs.Job, token: str) -> None:
        try:
            self._attempt(job, token)
        except Exception as exc:  # never lose a job silently
            self._fail(job.id, token, "internal", f"The image job stopped unexpectedly: {exc}")
        finally:
            with self._cond:
                self._held.pop(job.id, None)
                self._wanted = True           # a worker is free: claim the next job
                self._cond.notify_all()

    def _fail(self, job_id: str, token: str, code: str, message: str) -> None:
        """Record the failure; its message is scrubbed before it is stored (S4)."""
        self.db.transaction(lambda cur: jobs.fail(cur, job_id, token, code, scrub(message)))

    def _attempt(self, job: jobs.Job, token: str) -> None:
        if (job.provider, job.model) != (self.provider.name, self.provider.model):
            self._fail(job.id, token, "provider_changed",
                       f"This job was made for {job.provider}/{job.model}, which is no "
                       "longer the configured image provider. Request the image again.")
            return
        while not self._stopping.is_set():
            request = self.db.transaction(lambda cur, j=job: _request(cur, self.store, j))
            try:
                result = self.provider.generate(request)
                png = to_png(result.data, "The generated image")
            except RetryableError as err:
                if job.tries >= MAX_TRIES:
                    self._fail(job.id, token, err.code,
                               f"{err.message} (gave up after {job.tries} tries)")
                    return
                self._sleep(err.retry_after, job.tries)
                if self._stopping.is_set():   # shutdown: another runner takes it over
                    return
                job = self.db.transaction(lambda cur, j=job: jobs.retry(cur, j.id, token))
                if job is None:           # cancelled or taken over meanwhile
                    return
                continue
            except ProviderFailure as err:
                self._fail(job.id, token, err.code, err.message)
                return
            except Exception as err:  # e.g. unreadable image bytes
                self._fail(job.id, token, "bad_image", str(err))
                return
            self._complete(job.id, token, png, result.cost)
            return

    def _complete(self, job_id: str, token: str, png: bytes, cost: float) -> None:
        self.db.transaction(lambda cur: jobs.complete(cur, self.store, job_id, token, png, cost))

    def _sleep(self, retry_after: float | None, tries: int) -> None:
        """Exponential backoff with full jitter; Retry-After wins when given."""
        if retry_after is not None:
            delay = min(retry_after, MAX_DELAY)
        else:
            delay = random.uniform(0, min(MAX_DELAY, self.base_delay * 2 ** (tries - 1)))
        self._stopping.wait(delay)


def _request(cur, store: ImageStore, job: jobs.Job) -> ImageRequest:
    refs = _references(cur, store, job)
    asset = refs.pop("asset")
    return ImageRequest(
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
