"""A chain read from a scene on (I1): each chain's latest appearance before that scene
number and every appearance from it on, whether the rows are read by key (few), by
the chains' filter and the scene number (many), or for one chain in one statement."""

from __future__ import annotations

import pytest

from core.store import instances

SCENES = range(1, 13)
APPEARS = {"Brick": SCENES, "Lantern": range(1, 4), "Coat": range(8, 13)}


@pytest.fixture
def film(desk):
    p = desk.create_project("Chains", actor="t")
    scenes = {n: desk.add_scene(p.id, n, f"INT. ROOM {n} - DAY") for n in SCENES}
    assets = {name: desk.add_asset(p.id, name, "prop", f"{name}, as written")
              for name in APPEARS}
    desk.inherit_scenes([scenes[n].id for n in SCENES],
                        {scenes[n].id: [a.id for name, a in assets.items() if n in APPEARS[name]]
                         for n in SCENES}, actor="t")
    desk.create_branch(p.id, "Alt", up_to_scene_number=9, actor="t")
    return desk, p, [a.id for a in assets.values()]


def _expected(full: dict, from_scene: int) -> dict:
    out = {}
    for key, rows in full.items():
        before = [r for r in rows if r["scene_number"] < from_scene]
        picked = before[-1:] + [r for r in rows if r["scene_number"] >= from_scene]
        if picked:
            out[key] = picked
    return out


@pytest.mark.parametrize("by_key_up_to", [instances.IN_LIST_MAX, 2])
@pytest.mark.parametrize("from_scene", [1, 2, 4, 8, 12, 13])
@pytest.mark.parametrize("one_branch", [True, False])
def test_a_chain_read_from_a_scene_is_the_anchor_and_the_rows_from_it_on(
        film, monkeypatch, by_key_up_to, from_scene, one_branch):
    desk, p, asset_ids = film
    monkeypatch.setattr(instances, "IN_LIST_MAX", by_key_up_to)
    branch_id = p.main_branch_id if one_branch else None
    for ids in (asset_ids, *([a] for a in asset_ids)):   # one chain: its own statement
        full, got = desk.db.transaction(lambda cur, ids=ids: (
            instances.load_chains(cur, ids, branch_id),
            instances.load_chains(cur, ids, branch_id, from_scene)))
        assert len(full) == len(ids) * (1 if one_branch else 2) or ids == asset_ids[1:2]
        assert got == _expected(full, from_scene)
