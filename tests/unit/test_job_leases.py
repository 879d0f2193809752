"""The shared image job queue (issue 14, DESIGN §4 "Engines"), claim by claim: a job is
claimed under a lease; only the claim holding it completes or fails it, so a late
completion by a process whose lease was taken over counts nothing (G4: cost counted
once); a live lease is not claimed again; on PostgreSQL a claim passes over rows another
transaction is claiming (SKIP LOCKED). The processes' side is tests/unit/test_team_processes.py."""

from __future__ import annotations

import threading

import pytest
from desk_factory import ENGINE, make_desk
from fakes import FakeProvider, png_bytes
from queue_support import queue_desk

from core.images import jobs
from core.store.history import Context

PRICE = 0.5
on_postgres = pytest.mark.skipif(ENGINE != "postgresql",
                                 reason="team engine: runs in make test's PostgreSQL pass")


@pytest.fixture
def queue(tmp_path):
    """A desk and the ids of three queued jobs no runner works on, in the queue's order."""
    desk = make_desk(":memory:", image_root=tmp_path / "images",
                     provider=FakeProvider(price=PRICE))
    p = desk.create_project("Lease film", actor="ana")
    lamp = desk.add_asset(p.id, "Lamp", "prop", "Brass lamp")
    ids = []
    for n in (1, 2, 3):
        s = desk.add_scene(p.id, n, f"INT. ROOM {n} - NIGHT")
        (inst,) = desk.inherit_scene(s.id, [lamp.id], actor="ana")
        desk.update_instance(inst.id, expected_version=inst.version, actor="ana",
                             description_override=f"Brass lamp, scene {n}")
        ids.append(inst.id)
    job_ids, _ = desk.db.transaction(lambda cur: jobs.request(
        cur, desk.images.store, desk.provider, ids, Context("ana", "image")))
    yield desk, sorted(job_ids)      # one request: one created_at, so the queue's order is by id
    desk.close()


def claim(desk, owner, limit=1, lease=30.0, claim_no=1):
    token = f"{owner}/{claim_no}"
    got = desk.db.transaction(lambda cur: jobs.claim(cur, owner, token, lease, limit))
    return [j.id for j in got], token


def job(desk, job_id):
    return desk.db.transaction(lambda cur: jobs.get(cur, job_id))


def complete(desk, job_id, token):
    return desk.db.transaction(lambda cur: jobs.complete(
        cur, desk.images.store, job_id, token, png_bytes(), PRICE))


def test_claims_take_the_oldest_jobs_once_each_under_their_token(queue):
    desk, ids = queue
    first, token = claim(desk, "a", limit=2)
    assert first == ids[:2]
    assert [job(desk, j).lease_owner for j in first] == [token, token]
    assert all(job(desk, j).status == "running" and job(desk, j).tries == 1 for j in first)
    assert claim(desk, "a", limit=5, claim_no=2)[0] == ids[2:]    # live leases are passed over
    assert claim(desk, "a", limit=5, claim_no=3)[0] == []


def test_a_late_completion_after_a_takeover_changes_nothing_and_costs_nothing(queue):
    desk, ids = queue
    (jid,), late = claim(desk, "a", lease=0.0)        # a lease that has run out at once
    (taken,), holder = claim(desk, "b")
    assert taken == jid and job(desk, jid).tries == 2
    assert complete(desk, jid, late) is False          # process a finishes late
    desk.db.transaction(lambda cur: jobs.fail(cur, jid, late, "internal", "late"))
    assert (job(desk, jid).status, job(desk, jid).actual_cost) == ("running", None)
    assert desk.db.transaction(lambda cur: jobs.retry(cur, jid, late)) is None
    assert complete(desk, jid, holder) is True
    assert complete(desk, jid, holder) is False        # a job completes once
    done = job(desk, jid)
    assert (done.status, done.actual_cost, done.lease_until) == ("completed", PRICE, None)
    inst = done.instance_id
    assert len([a for a in desk.attempts(inst) if a.job_id == jid]) == 1
    committed = desk.db.transaction(lambda cur: jobs.committed_cost(cur, done.project_id))
    assert committed == PRICE * 3                      # one spent, two still reserved


def test_a_cancelled_job_is_not_completed_by_its_holder(queue):
    desk, ids = queue
    (jid,), token = claim(desk, "a")
    desk.cancel_jobs([jid], actor="ana")
    assert complete(desk, jid, token) is False
    assert (job(desk, jid).status, job(desk, jid).actual_cost) == ("cancelled", 0)


def test_renewal_keeps_a_lease_and_release_gives_the_jobs_up(queue):
    desk, ids = queue
    (jid,), token = claim(desk, "a", lease=0.0)
    desk.db.transaction(lambda cur: jobs.renew(cur, [token], 30.0))
    assert claim(desk, "a", limit=1, claim_no=2)[0] == [ids[1]]   # its own job stays held
    desk.db.transaction(lambda cur: jobs.release(cur, "a"))     # runner a stops
    assert claim(desk, "b", limit=1)[0] == [jid]                  # given up: taken at once


def test_whose_lease_is_void_is_the_engines_rule(queue):
    """PostgreSQL: many processes, so only a lease that ran out is void. DuckDB: one
    process owns the file, so another runner's lease is a dead process's."""
    desk, ids = queue
    (jid,), _ = claim(desk, "a", lease=30.0)
    taken, _ = claim(desk, "b", limit=1)
    assert taken == ([ids[1]] if ENGINE == "postgresql" else [jid])


@on_postgres
def test_a_claim_passes_over_rows_another_transaction_is_claiming(queue):
    desk, ids = queue
    with desk.db.cursor() as cur:
        cur.execute(cur.dialect.begin)
        mine = jobs.claim(cur, "a", "a/1", 30.0, 1)          # not committed yet
        other, _ = claim(desk, "b")                           # would wait without SKIP LOCKED
        cur.execute("COMMIT")
    assert [j.id for j in mine] == ids[:1] and other == ids[1:2]


@on_postgres
def test_a_long_call_keeps_its_job_while_another_runner_polls(tmp_path):
    """A provider call three leases long: the holder renews, the other runner (another
    Desk on the store, as another process would be) never calls the provider for it."""
    slow = FakeProvider(name="team", model="t1", price=PRICE, delay=3.0)
    other = FakeProvider(name="team", model="t1", price=PRICE)
    a = queue_desk(tmp_path / "long.duckdb", tmp_path / "images", slow, lease=1.0, poll=0.1)
    b = queue_desk(tmp_path / "long.duckdb", tmp_path / "images", other, lease=1.0, poll=0.1)
    try:
        p = a.create_project("Long film", actor="ana")
        lamp = a.add_asset(p.id, "Lamp", "prop", "Brass lamp")
        s = a.add_scene(p.id, 1, "INT. ROOM - NIGHT")
        (inst,) = a.inherit_scene(s.id, [lamp.id], actor="ana")
        b.resume_jobs()                                       # b polls the shared queue
        (requested,) = a.request_images([inst.id], actor="ana")
        (done,) = a.wait_for_jobs([requested.id], timeout=60)
        assert done.status == "completed" and done.actual_cost == PRICE
        assert len(slow.calls) + len(other.calls) == 1        # one provider call
    finally:
        a.close()
        b.close()


@on_postgres
def test_requests_in_one_project_take_turns_across_processes(tmp_path):
    """Two Desks on the store (two processes' pools): a request while another is still
    open waits for it, then reuses its job instead of queueing (and paying) a second (G4)."""
    first = make_desk(tmp_path / "turns.duckdb", image_root=tmp_path / "images")
    second = make_desk(tmp_path / "turns.duckdb", image_root=tmp_path / "images")
    try:
        p = first.create_project("Turns", actor="ana")
        lamp = first.add_asset(p.id, "Lamp", "prop", "Brass lamp")
        s = first.add_scene(p.id, 1, "INT. ROOM - NIGHT")
        (inst,) = first.inherit_scene(s.id, [lamp.id], actor="ana")
        got = {}
        with first.db.cursor() as cur:
            cur.execute(cur.dialect.begin)
            mine, _ = jobs.request(cur, first.images.store, first.provider, [inst.id],
                                   Context("ana", "image"))
            waiter = threading.Thread(target=lambda: got.update(
                theirs=second.request_images([inst.id], actor="bo")))
            waiter.start()
            waiter.join(0.5)              # it waits on this open request ...
            cur.execute("COMMIT")
        waiter.join(30)
        assert [j.id for j in got["theirs"]] == mine    # ... then reuses its job
        assert len(second.image_jobs(p.id)) == 1
    finally:
        first.close()
        second.close()
