"""A4 with propagation: edits that propagate through the same scenes from
several threads. No update is lost and no propagation is half-applied."""

from __future__ import annotations

import threading

from desk_factory import make_desk

import core

THREADS = 8


def test_A4_concurrent_propagating_edits(tmp_path):
    desk = make_desk(tmp_path / "c.duckdb")
    p = desk.create_project("Race", actor="t")
    scenes = [desk.add_scene(p.id, n, f"INT. HALL {n} - DAY") for n in range(1, 7)]
    desk.add_asset(p.id, "Brick", "character", "As written")
    for s in scenes:
        desk.inherit_scene(s.id, actor="t")
    chain = [desk.scene_instances(s.id)[0] for s in scenes]
    # two threads per edited scene, all with the versions read now
    targets = [chain[k % 4] for k in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcome: dict[int, str] = {}

    def work(k):
        inst = targets[k]
        barrier.wait()
        try:
            desk.update_instance(inst.id, expected_version=inst.version, actor=f"t{k}",
                                 reason=f"call {k}", description_override=f"state {k}",
                                 status_tags=[f"mark{k}"])
            outcome[k] = "applied"
        except core.ConflictError as err:
            assert err.current is None or err.current.id == inst.id
            outcome[k] = "conflict"

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(outcome) == THREADS
    applied = [k for k, o in outcome.items() if o == "applied"]
    assert applied, "at least one edit must win"
    # each applied call wrote its rows (override, effective, tags); conflicts wrote none
    rows = [h for inst in chain for h in desk.history(inst.id) if h.source == "user"]
    for k in range(THREADS):
        mine = [h for h in rows if h.reason == f"call {k}"]
        assert {h.field for h in mine} == (
            {"description_override", "effective_description", "status_tags"}
            if k in applied else set()), k
    # the chain is consistent: every instance holds what its source passes on
    final = [desk.get_instance(i.id) for i in chain]
    for prev, inst in zip(final, final[1:], strict=False):
        assert inst.inherited_description == prev.effective_description
        assert inst.inherited_tags == prev.status_tags
        if inst.description_override is None:
            assert inst.effective_description == prev.effective_description
    desk.close()
