"""Image jobs (G3, G4, G9): created with their cost reserved, reused for the same
asset in the same state across scenes, and moved through
queued → running → completed | failed | cancelled by the runner.

The queue is shared by every process on the store (DESIGN §4 "Engines"): a runner
claims jobs under a lease (`claim`, `renew`), and only the claim that holds a job may
finish it (`complete`, `fail`, `retry` name it by its token), so a job completes once
and its cost is counted once even when a process that lost its lease finishes late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.catalog.projects import new_id
from core.errors import BudgetError, NotFoundError, ValidationError
from core.images import attempts, state
from core.images.providers import ImageProvider
from core.images.store import ImageStore, scene_key
from core.store import instances, read_model
from core.store.db import utcnow
from core.store.history import Context

ACTIVE = ("queued", "running")
FINAL = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class Job:
    id: str
    project_id: str
    project_asset_id: str
    instance_id: str
    state_hash: str
    provider: str
    model: str
    status: str
    tries: int
    error_code: str | None
    error: str | None
    estimated_cost: float
    actual_cost: float | None
    prompt: str
    aspect_ratio: str
    image_key: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    lease_owner: str | None      # the claim holding (or that last held) it
    lease_until: datetime | None


_COLS = ("id, project_id, project_asset_id, instance_id, state_hash, provider, model, status, "
         "tries, error_code, error_message, estimated_cost, actual_cost, prompt, aspect_ratio, "
         "image_key, created_at, started_at, finished_at, lease_owner, lease_until")
# The end of a lease `?` seconds from now, on the database's clock (every process's).
_LEASE_END = "now() + CAST(? AS DOUBLE PRECISION) * INTERVAL '1 second'"


def get(cur, job_id: str) -> Job:
    r = cur.execute(f"SELECT {_COLS} FROM image_jobs WHERE id = ?", [job_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Image job {job_id} does not exist.")
    return Job(*r)


def get_many(cur, job_ids: list[str]) -> list[Job]:
    """Jobs in the order given, in one query; NotFoundError names a missing id."""
    rows = cur.execute(f"SELECT {_COLS} FROM image_jobs WHERE id = ANY(?::VARCHAR[])",
                       [list(job_ids)]).fetchall()
    by_id = {r[0]: Job(*r) for r in rows}
    for jid in job_ids:
        if jid not in by_id:
            raise NotFoundError(f"Image job {jid} does not exist.")
    return [by_id[j] for j in job_ids]


def for_project(cur, project_id: str, statuses: tuple[str, ...] | None = None,
                limit: int = 1000) -> list[Job]:
    sql = f"SELECT {_COLS} FROM image_jobs WHERE project_id = ?"
    params: list = [project_id]
    if statuses:
        sql += " AND status = ANY(?::VARCHAR[])"
        params.append(list(statuses))
    rows = cur.execute(sql + " ORDER BY created_at DESC, id LIMIT ?", [*params, limit])
    return [Job(*r) for r in rows.fetchall()]


def job_key(asset_id: str, state_hash: str, provider: ImageProvider) -> str:
    return f"{asset_id}|{state_hash}|{provider.name}|{provider.model}"


def _reusable(cur, keys: list[str]) -> dict[str, Job]:
    """The newest queued, running or completed job per key."""
    rows = cur.execute(
        f"SELECT {_COLS}, job_key FROM image_jobs WHERE job_key = ANY(?::VARCHAR[]) "
        "AND status IN ('queued', 'running', 'completed') ORDER BY created_at",
        [keys],
    ).fetchall()
    return {r[-1]: Job(*r[:-1]) for r in rows}


def _distinct(ids) -> list[str]:
    if isinstance(ids, str) or not isinstance(ids, (list, tuple)):
        raise ValidationError("Instance ids must be given as a list.")
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class Estimate:
    count: int
    new_jobs: int
    reused: int
    estimated_cost: float
    budget: float | None
    committed: float     # already spent or reserved in the project

    @property
    def remaining(self) -> float | None:
        """The budget left before this request (never negative); None without a budget."""
        return None if self.budget is None else max(self.budget - self.committed, 0.0)

    @property
    def over_budget_by(self) -> float:
        """How far this request would go past the budget; above 0 it is refused (G9)."""
        if self.budget is None:
            return 0.0
        over = self.committed + self.estimated_cost - self.budget
        return over if over > 1e-9 else 0.0


def _plan(cur, provider: ImageProvider, instance_ids, regenerate: bool, rows=None):
    """For each distinct instance: (row, job key, job to reuse or None, shares a new
    job created earlier in the same request). `rows` default to the full rows; an
    estimate passes `_state_rows` (the few columns it needs)."""
    if rows is None:
        rows = instances.load_rows(cur, _distinct(instance_ids))
    keys = [job_key(r["project_asset_id"], r["state_hash"], provider) for r in rows]
    reusable = {} if regenerate else _reusable(cur, list(set(keys)))
    plan, new_keys = [], set()
    for row, key in zip(rows, keys, strict=True):
        reuse = reusable.get(key)
        plan.append((row, key, reuse, reuse is None and key in new_keys))
        if reuse is None:
            new_keys.add(key)
    return plan


def committed_cost(cur, project_id: str) -> float:
    return cur.execute(
        "SELECT coalesce(sum(CASE WHEN status = 'completed' THEN coalesce(actual_cost, 0) "
        "WHEN status IN ('queued', 'running') THEN estimated_cost ELSE "
        "coalesce(actual_cost, 0) END), 0) FROM image_jobs WHERE project_id = ?",
        [project_id],
    ).fetchone()[0]


def estimate(cur, provider: ImageProvider, instance_ids, regenerate=False) -> Estimate:
    rows = _state_rows(cur, _distinct(instance_ids))
    return _estimate(cur, provider, _plan(cur, provider, instance_ids, regenerate, rows))


_STATE_ROWS = """
    SELECT i.id, i.project_id, i.project_asset_id, a.name, a.asset_type,
           i.effective_description, array_to_string(i.status_tags, chr(31)),
           a.master_image_hash, pr.visual_style
    FROM scene_asset_instances i
    JOIN project_assets a ON a.id = i.project_asset_id
    JOIN projects pr ON pr.id = i.project_id
    WHERE i.id = ANY(?::VARCHAR[])
"""


def _state_rows(cur, instance_ids: list[str]) -> list[dict]:
    """What an estimate needs of each instance (ids and the state hash, G4), in the
    order given, in one query without the full projection; NotFoundError names a
    missing id as `instances.load_rows` does."""
    got = {r[0]: {"id": r[0], "project_id": r[1], "project_asset_id": r[2],
                  "state_hash": read_model.state_hash(r[3], r[4], r[5],
                                                      read_model.split_tags(r[6]), r[7], r[8])}
           for r in cur.execute(_STATE_ROWS, [instance_ids]).fetchall()}
    for iid in instance_ids:
        if iid not in got:
            raise NotFoundError(f"Asset instance {iid} does not exist.")
    return [got[i] for i in instance_ids]


def _estimate(cur, provider: ImageProvider, plan) -> Estimate:
    new = sum(1 for _, _, reuse, shared in plan if reuse is None and not shared)
    project_ids = {row["project_id"] for row, *_ in plan}
    if len(project_ids) > 1:
        raise ValidationError("Images can be requested for one project at a time.")
    pid = next(iter(project_ids), None)
    budget = cur.execute("SELECT budget FROM projects WHERE id = ?", [pid]).fetchone()[0] \
        if pid else None
    return Estimate(count=len(plan), new_jobs=new, reused=len(plan) - new,
                    estimated_cost=round(new * provider.price(), 6), budget=budget,
                    committed=committed_cost(cur, pid) if pid else 0.0)


def request(cur, store: ImageStore, provider: ImageProvider, instance_ids, ctx: Context,
            regenerate: bool = False) -> tuple[list[str], list[str]]:
    """Create or reuse one job per distinct instance (G4). Refuses the whole request
    when it would exceed the budget (G9). Returns (job ids in order, new job ids).
    Requests in one project take turns (`_lock_requests`), in every process."""
    _lock_requests(cur, _distinct(instance_ids))
    plan = _plan(cur, provider, instance_ids, regenerate)
    est = _estimate(cur, provider, plan)
    if est.over_budget_by:
        raise BudgetError(
            f"This request would cost about {est.estimated_cost:.2f} credits for "
            f"{est.new_jobs} new image(s); {est.committed:.2f} of the project's budget of "
            f"{est.budget:.2f} is already spent or reserved, leaving "
            f"{est.remaining:.2f}. Nothing was queued.")
    job_ids, created, by_key = [], [], {}
    now = utcnow()
    for row, key, reuse, _shared in plan:
        job = reuse or by_key.get(key)
        if job is None:
            jid = new_id()
            cur.execute(
                f"INSERT INTO image_jobs ({_COLS}, "
                "job_key, requested_by, updated_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, 'queued', 0, NULL, NULL, ?, NULL, ?, ?, NULL, ?, NULL, "
                "NULL, NULL, NULL, ?, ?, ?)",
                [jid, row["project_id"], row["project_asset_id"], row["id"], row["state_hash"],
                 provider.name, provider.model, provider.price(),
                 state.prompt(row["asset_name"], row["asset_type"],
                              row["effective_description"], row["status_tags"],
                              row["visual_style"]),
                 state.aspect_ratio(row["asset_type"]), now, key, ctx.actor, now],
            )
            job = get(cur, jid)
            by_key[key] = job
            created.append(jid)
        cur.execute("INSERT INTO image_job_targets VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [job.id, row["id"]])
        if job.status == "completed":
            _attach(cur, store, job, row, ctx)
        job_ids.append(job.id)
    return job_ids, created


def _lock_requests(cur, instance_ids: list[str]) -> None:
    """Bump the instances' project's `image_requests` before reading the jobs to reuse
    and the budget: a concurrent request there now conflicts, or waits on an engine
    that blocks, and reruns seeing this one's jobs (G4, G9)."""
    cur.execute("UPDATE projects SET image_requests = image_requests + 1 WHERE id IN "
                "(SELECT project_id FROM scene_asset_instances WHERE id = ANY(?::VARCHAR[]))",
                [instance_ids])


def _attach(cur, store: ImageStore, job: Job, row: dict, ctx: Context) -> None:
    """Give an instance the finished job's image (once), as its selected attempt."""
    have = cur.execute(
        "SELECT 1 FROM image_attempts WHERE instance_id = ? AND job_id = ?", [row["id"], job.id]
    ).fetchone()
    if have or not job.image_key or not store.exists(job.image_key):
        return
    attempts.add(cur, store, row, "generated", ctx, source_key=job.image_key,
                 state_hash=job.state_hash, job_id=job.id)


def claim(cur, owner: str, token: str, lease_seconds: float, limit: int) -> list[Job]:
    """Up to `limit` jobs, oldest first, made running under the claim `token` of the
    runner `owner` for `lease_seconds`, one more try each: queued jobs, and running
    ones whose claim is void (the dialect's `lease_void`). On an engine with row locks,
    rows another process is claiming are passed over, not waited for."""
    void, params = cur.dialect.lease_void(owner)
    ids = [r[0] for r in cur.execute(
        f"SELECT id FROM image_jobs WHERE status = 'queued' OR (status = 'running' AND {void}) "
        f"ORDER BY created_at, id LIMIT ?{cur.dialect.skip_locked}", [*params, limit]).fetchall()]
    if not ids:
        return []
    now = utcnow()
    cur.execute(
        "UPDATE image_jobs SET status = 'running', tries = tries + 1, "
        f"started_at = coalesce(started_at, ?), updated_at = ?, lease_owner = ?, "
        f"lease_until = {_LEASE_END} WHERE id = ANY(?::VARCHAR[])",
        [now, now, token, lease_seconds, ids])
    return get_many(cur, ids)


def renew(cur, tokens: list[str], lease_seconds: float) -> None:
    """Extend the leases of the running jobs held under `tokens`, in one statement."""
    cur.execute(f"UPDATE image_jobs SET lease_until = {_LEASE_END} "
                "WHERE status = 'running' AND lease_owner = ANY(?::VARCHAR[])",
                [lease_seconds, list(tokens)])


def release(cur, owner: str) -> None:
    """End the leases of every claim of the runner `owner` now (it is stopping), so
    that another process may take its unfinished jobs at once."""
    cur.execute("UPDATE image_jobs SET lease_until = NULL "
                "WHERE status = 'running' AND starts_with(lease_owner, ?)", [owner + "/"])


def _held(job: Job, token: str) -> bool:
    return job.status == "running" and job.lease_owner == token


def retry(cur, job_id: str, token: str) -> Job | None:
    """One more try of a job still held under `token`; None when it was cancelled or
    another process took it over meanwhile."""
    if not _held(get(cur, job_id), token):
        return None
    cur.execute("UPDATE image_jobs SET tries = tries + 1, updated_at = ? WHERE id = ?",
                [utcnow(), job_id])
    return get(cur, job_id)


def complete(cur, store: ImageStore, job_id: str, token: str, png: bytes, cost: float) -> bool:
    """Store the image and give it to every waiting instance. Only the claim `token`
    holding the job finishes it: one finished already, cancelled meanwhile or taken
    over by another process (its lease ran out) changes nothing; cost is counted once.

    The file is written before the commit, so a committed key always has its file;
    a crash or a rollback in between leaves an unreferenced file, which
    `core.images.orphans.sweep` removes at the next start."""
    job = get(cur, job_id)
    if not _held(job, token):
        return False
    targets = instances.load_rows(cur, [r[0] for r in cur.execute(
        "SELECT t.instance_id FROM image_job_targets t JOIN scene_asset_instances i "
        "ON i.id = t.instance_id WHERE t.job_id = ? "
        "ORDER BY t.instance_id <> ?, t.instance_id", [job_id, job.instance_id]).fetchall()])
    key = None
    if targets:  # the file lives under the first waiting instance's scene (G5)
        anchor = targets[0]
        key = scene_key(anchor["project_id"], anchor["branch_id"], anchor["scene_id"],
                        anchor["project_asset_id"])
        store.write(key, png)
    now = utcnow()
    cur.execute(
        "UPDATE image_jobs SET status = 'completed', actual_cost = ?, image_key = ?, "
        "finished_at = ?, updated_at = ?, error_code = NULL, error_message = NULL, "
        "lease_until = NULL WHERE id = ? AND lease_owner = ?",
        [cost, key, now, now, job_id, token],
    )
    ctx = Context("image runner", "image", "image generated")
    for k, target in enumerate(targets):
        attempts.add(cur, store, target, "generated", ctx,
                     own_key=key if k == 0 else None, source_key=key,
                     state_hash=job.state_hash, job_id=job.id)
    return True


def fail(cur, job_id: str, token: str, code: str, message: str, cost: float = 0.0) -> None:
    """G3: a failed job never changes the instance. Only the claim `token` holding the
    job fails it (see `complete`)."""
    now = utcnow()
    cur.execute(
        "UPDATE image_jobs SET status = 'failed', error_code = ?, error_message = ?, "
        "actual_cost = ?, finished_at = ?, updated_at = ?, lease_until = NULL "
        "WHERE id = ? AND status = 'running' AND lease_owner = ?",
        [code, message, cost, now, now, job_id, token],
    )


def cancel(cur, job_ids) -> list[str]:
    """Cancel queued or running jobs; returns those cancelled."""
    out = []
    for jid in _distinct(job_ids):
        job = get(cur, jid)
        if job.status in ACTIVE:
            now = utcnow()
            cur.execute(
                "UPDATE image_jobs SET status = 'cancelled', actual_cost = 0, finished_at = ?, "
                "updated_at = ? WHERE id = ?", [now, now, jid])
            out.append(jid)
    return out


def unfinished(cur) -> list[str]:
    """Jobs queued or running (by a crash, or by other processes), oldest first (G8)."""
    return [r[0] for r in cur.execute(
        "SELECT id FROM image_jobs WHERE status IN ('queued', 'running') ORDER BY created_at, id"
    ).fetchall()]
