"""Issue 12, set-based writes: inheriting, bulk lock / unlock / remove and master edits
issue a bounded number of queries, the same for a small and a large input (counted on
a real DuckDB), and inheriting many scenes in one pass equals one scene at a time."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from fakes import png_bytes
from query_count import count_queries

import core

ACTOR = "ana"


def make_film(tmp_path, name: str, assets: int, scenes: int, *, images: bool = True):
    desk = make_desk(":memory:", image_root=tmp_path / name)
    p = desk.create_project("Film", actor=ACTOR)
    ss = [desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY") for n in range(1, scenes + 1)]
    aa = []
    for k in range(assets):
        a = desk.add_asset(p.id, f"Asset {k:02d}", ("character", "location", "prop")[k % 3],
                           f"Master {k}")
        if images:
            a = desk.set_master_image(a.id, png_bytes((k * 9 % 255, 80, 40)),
                                      expected_version=a.version, actor=ACTOR)
        aa.append(a)
    return desk, p, ss, aa


def counted(desk, method, *args, **kw) -> tuple[int, object]:
    """(statements run, result) of `method(*args, **kw)`."""
    with count_queries(desk) as q:
        result = method(*args, **kw)
    return q.count, result


def test_inherit_scene_runs_the_same_queries_for_2_and_12_assets(tmp_path):
    counts = []
    for n in (2, 12):
        desk, p, ss, aa = make_film(tmp_path, f"f{n}", n, 3)
        ids = [a.id for a in aa]
        first = desk.inherit_scene(ss[0].id, ids, actor=ACTOR)
        assert all(i.image_key for i in first)          # I3: the master image
        desk.update_instance(first[0].id, expected_version=first[0].version, actor=ACTOR,
                             status_tags=["muddy"])
        c, made = counted(desk, desk.inherit_scene, ss[1].id, ids, actor=ACTOR)
        assert len(made) == n and all(i.image_key for i in made)      # I2: a copy
        assert [i.image_stale for i in made] == [True] + [False] * (n - 1)   # G7
        assert made[0].status_tags == ["muddy"] and made[0].pending_review   # I2, T3
        counts.append(c)
        again, none = counted(desk, desk.inherit_scene, ss[1].id, ids, actor=ACTOR)
        assert none == []                               # I4
        counts.append(again)
        desk.close()
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_inherit_before_a_later_appearance_is_bounded_and_relinks(tmp_path):
    counts = []
    for n in (2, 10):
        desk, p, ss, aa = make_film(tmp_path, f"g{n}", n, 3, images=False)
        ids = [a.id for a in aa]
        desk.inherit_scene(ss[0].id, ids, actor=ACTOR)
        later = desk.inherit_scene(ss[2].id, ids, actor=ACTOR)
        first = desk.scene_instances(ss[0].id)
        for i in first:
            desk.update_instance(i.id, expected_version=i.version, actor=ACTOR,
                                 status_tags=["torn"])
        c, made = counted(desk, desk.inherit_scene, ss[1].id, ids, actor=ACTOR)
        counts.append(c)
        for old in later:                               # I1: scene 3 now follows scene 2
            now = desk.get_instance(old.id)
            assert now.inherited_from_instance_id in {m.id for m in made}
            assert now.status_tags == ["torn"]
        desk.close()
    assert counts[0] == counts[1], counts


def _states(desk, project_id):
    out = {}
    for i in desk.branch_instances(project_id):
        out[(i.scene_number, i.asset_name)] = (
            i.effective_description, i.inherited_description, i.status_tags,
            i.inherited_tags, i.carry_forward, i.pending_review, i.source_scene_number,
            i.image_key is not None, i.image_stale)
    return out


def _seed(desk, p, ss, aa):
    """Scene 1 with every asset, edited; a mapping for scene 3; scene 6 already has one."""
    ids = [a.id for a in aa]
    one = desk.inherit_scene(ss[0].id, ids, actor=ACTOR)
    desk.update_instance(one[0].id, expected_version=one[0].version, actor=ACTOR,
                         status_tags=["muddy", "wet"], description_override="Muddy now")
    desk.update_instance(one[1].id, expected_version=one[1].version, actor=ACTOR,
                         carry_forward=False)
    desk.map_scene_assets(ss[2].id, ids[:2])
    desk.inherit_scene(ss[5].id, [ids[0]], actor=ACTOR)


def test_inherit_scenes_equals_one_scene_at_a_time(tmp_path):
    a_desk, a_p, a_ss, a_aa = make_film(tmp_path, "one", 4, 6)
    b_desk, b_p, b_ss, b_aa = make_film(tmp_path, "all", 4, 6)
    _seed(a_desk, a_p, a_ss, a_aa)
    _seed(b_desk, b_p, b_ss, b_aa)
    one = [i for s in a_ss[1:] for i in a_desk.inherit_scene(s.id, actor=ACTOR)]
    every = b_desk.inherit_scenes([s.id for s in reversed(b_ss[1:])], actor=ACTOR)
    assert [(i.scene_number, i.asset_name) for i in every] == [
        (i.scene_number, i.asset_name) for i in one]
    assert _states(a_desk, a_p.id) == _states(b_desk, b_p.id)
    a_desk.close()
    b_desk.close()


def test_inherit_scenes_runs_the_same_queries_for_2_and_8_scenes(tmp_path):
    counts = []
    for n in (2, 8):
        desk, p, ss, aa = make_film(tmp_path, f"s{n}", n, n + 1)
        desk.inherit_scene(ss[0].id, [a.id for a in aa], actor=ACTOR)
        c, made = counted(desk, desk.inherit_scenes, [s.id for s in ss[1:]],
                          actor=ACTOR)
        assert len(made) == n * n
        counts.append(c)
        desk.close()
    assert counts[0] == counts[1], counts


def test_inherit_scenes_checks_everything_before_writing(tmp_path, snapshot):
    desk, p, ss, aa = make_film(tmp_path, "bad", 2, 2, images=False)
    before = snapshot(desk)
    with pytest.raises(core.NotFoundError):
        desk.inherit_scenes([ss[0].id, "no-such-scene"], actor=ACTOR)
    with pytest.raises(core.NotFoundError):
        desk.inherit_scenes([ss[0].id, ss[1].id], {ss[1].id: [aa[0].id, "nope"]},
                            actor=ACTOR)
    assert snapshot(desk) == before
    desk.close()


def _two_scenes(tmp_path, name: str, n_assets: int):
    desk, p, ss, aa = make_film(tmp_path, name, n_assets, 2, images=False)
    first = desk.inherit_scene(ss[0].id, [a.id for a in aa], actor=ACTOR)
    return desk, p, ss, first, desk.inherit_scene(ss[1].id, [a.id for a in aa], actor=ACTOR)


def test_bulk_lock_unlock_remove_run_the_same_queries_for_2_and_8(tmp_path):
    counts: dict[str, list[int]] = {"lock": [], "unlock": [], "remove": []}
    for n in (2, 8):
        desk, p, ss, first, second = _two_scenes(tmp_path, f"b{n}", n)
        items = [(i.id, i.version) for i in first]
        c, out = counted(desk, desk.lock_instances, items, actor=ACTOR)
        assert len(out.instances) == n and all(i.locked for i in out.instances)
        counts["lock"].append(c)
        items = [(i.id, i.version) for i in out.instances]
        c, out = counted(desk, desk.unlock_instances, items, actor=ACTOR)
        assert not any(i.locked for i in out.instances)
        counts["unlock"].append(c)
        items = [(i.id, i.version) for i in out.instances]
        c, out = counted(desk, desk.remove_instances, items, actor=ACTOR)
        assert sorted(out.removed) == sorted(i.id for i in first)
        counts["remove"].append(c)
        for i in second:                                # I1: re-linked to the master
            assert desk.get_instance(i.id).inherited_from_instance_id is None
        assert all(h.field for h in desk.history(first[0].id))   # history stays
        desk.close()
    assert all(a == b for a, b in counts.values()), counts


def test_bulk_actions_are_all_or_nothing(tmp_path, snapshot):
    desk, p, ss, first, second = _two_scenes(tmp_path, "aon", 3)
    desk.lock_instances([(second[2].id, second[2].version)], actor=ACTOR)
    stale = [(i.id, i.version) for i in first]
    stale[1] = (first[1].id, first[1].version - 1)
    before = snapshot(desk)
    with pytest.raises(core.ConflictError) as err:
        desk.lock_instances(stale, actor=ACTOR)
    assert first[1].asset_name in str(err.value) and "scene 1" in str(err.value)
    locked = [(i.id, desk.get_instance(i.id).version) for i in second]
    with pytest.raises(core.LockedError) as err:
        desk.remove_instances(locked, actor=ACTOR)
    assert second[2].asset_name in str(err.value) and "scene 2" in str(err.value)
    with pytest.raises(core.ValidationError):
        desk.lock_instances("not pairs", actor=ACTOR)
    assert snapshot(desk) == before
    pending = desk.inherit_scene(desk.add_scene(p.id, 3, "INT. LATER - DAY").id,
                                 [first[0].project_asset_id], actor=ACTOR)
    desk.update_instance(first[0].id, expected_version=first[0].version, actor=ACTOR,
                         status_tags=["bloody"])
    now = desk.get_instance(pending[0].id)
    assert now.pending_review
    with pytest.raises(core.ValidationError, match="scene 3"):
        desk.lock_instances([(first[1].id, first[1].version), (now.id, now.version)],
                            actor=ACTOR)
    assert not desk.get_instance(first[1].id).locked
    desk.close()


def test_master_edit_runs_the_same_queries_across_scenes_and_branches(tmp_path):
    counts = []
    for scenes, branches in ((2, 1), (6, 3)):
        desk, p, ss, aa = make_film(tmp_path, f"m{scenes}", 1, scenes, images=False)
        for s in ss:
            desk.inherit_scene(s.id, [aa[0].id], actor=ACTOR)
        for b in range(1, branches):
            desk.create_branch(p.id, f"Alt {b}", up_to_scene_number=scenes, actor=ACTOR)
        a = desk.get_asset(aa[0].id)
        c, _ = counted(desk, desk.update_asset, a.id, expected_version=a.version,
                       actor=ACTOR, description="Edited master")
        counts.append(c)
        every = [i for b in desk.branches(p.id)
                 for i in desk.branch_instances(p.id, b.id)]
        assert len(every) == scenes * branches
        assert all(i.effective_description == "Edited master" for i in every)   # E1, P2
        desk.close()
    assert counts[0] == counts[1], counts


def test_deleting_or_moving_a_scene_runs_the_same_queries_for_2_and_8_assets(tmp_path):
    counts = []
    for n in (2, 8):
        desk, p, ss, aa = make_film(tmp_path, f"d{n}", n, 4, images=False)
        for s in ss:
            desk.inherit_scene(s.id, [a.id for a in aa], actor=ACTOR)
        moved = counted(desk, desk.move_scene, ss[3].id, 1, actor=ACTOR)[0]
        gone = counted(desk, desk.delete_scene, ss[1].id, actor=ACTOR)[0]
        counts.append((moved, gone))
        after = desk.scene_instances(ss[2].id)      # I1: re-linked past the deleted scene
        assert {desk.get_instance(i.inherited_from_instance_id).scene_id
                for i in after} == {ss[0].id}
        desk.close()
    assert counts[0] == counts[1], counts


def test_lineage_and_branch_copy_run_the_same_queries_for_2_and_8_scenes(tmp_path):
    """I6 lineage (the editor's chain view) and B1 branch creation read and write
    set-based: as many statements for a chain of 8 as for one of 2."""
    lineage, branch = [], []
    for scenes in (2, 8):
        desk, p, ss, aa = make_film(tmp_path, f"l{scenes}", 2, scenes)
        desk.inherit_scenes([s.id for s in ss], None, actor=ACTOR)
        last = next(i for i in desk.scene_instances(ss[-1].id)
                    if i.project_asset_id == aa[0].id)
        c, chain = counted(desk, desk.inheritance_chain, last.id)
        lineage.append(c)
        assert [i.scene_id for i in chain] == [s.id for s in ss]      # root first
        c, b = counted(desk, desk.create_branch, p.id, "Alt", up_to_scene_number=scenes,
                       actor=ACTOR)
        branch.append(c)
        assert len(desk.branch_instances(p.id, b.id)) == 2 * scenes
        desk.close()
    assert lineage[0] == lineage[1], lineage
    assert branch[0] == branch[1], branch
