"""G9: the estimate carries the budget answer (`remaining`, `over_budget_by`) that the
bulk page shows and `request_images` enforces: one rule, in core."""

from __future__ import annotations

import pytest
from desk_factory import make_desk
from fakes import FakeProvider

import core


@pytest.fixture
def film(tmp_path):
    desk = make_desk(":memory:", image_root=tmp_path / "images", provider=FakeProvider())
    p = desk.create_project("Brick & Steel", actor="ana")
    scene = desk.add_scene(p.id, 1, "EXT. YARD - DAY")
    for name in ("Brick", "Pike", "Cup"):
        desk.add_asset(p.id, name, "character", f"{name}, as written")
    ids = [i.id for i in desk.inherit_scene(scene.id, actor="ana")]
    yield desk, p, ids
    desk.close()


def test_G9_no_budget_never_over(film):
    desk, _, ids = film
    est = desk.estimate_images(ids)
    assert est.remaining is None and est.over_budget_by == 0.0


def test_G9_over_budget_by_is_what_the_request_refuses(film):
    desk, p, ids = film                       # 0.50 a new image
    desk.set_budget(p.id, 1.0, actor="ana")
    fits = desk.estimate_images(ids[:2])      # exactly the budget: allowed
    assert (fits.remaining, fits.over_budget_by) == (1.0, 0.0)
    over = desk.estimate_images(ids)
    assert over.over_budget_by == pytest.approx(0.5)
    with pytest.raises(core.BudgetError):
        desk.request_images(ids, actor="ana")
    jobs = desk.request_images(ids[:2], actor="ana")
    desk.wait_for_jobs([j.id for j in jobs], timeout=20)
    after = desk.estimate_images(ids[2:])     # 1.00 spent: nothing left, never negative
    assert after.remaining == 0.0 and after.over_budget_by == pytest.approx(0.5)
    desk.set_budget(p.id, 0.75, actor="ana")  # lowered below what is spent
    assert desk.estimate_images(ids[2:]).remaining == 0.0
