"""Reference images: jobs, reuse, retries, budget, storage, attempts, staleness,
readiness and the local context (G3–G9, I2, R1, R2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from desk_factory import make_desk
from fakes import FakeProvider, png_bytes

import core
from core.images.providers import ProviderFailure, RetryableError


class Film:
    def __init__(self, tmp_path: Path, provider, root: str | Path | None = None):
        self.root = root or tmp_path / "images"
        self.desk = make_desk(":memory:", image_root=self.root, provider=provider)
        self.provider = provider
        d = self.desk
        self.p = d.create_project("Brick & Steel", actor="ana")
        self.scenes = {n: d.add_scene(self.p.id, n, f"EXT. YARD {n} - DAY") for n in (1, 2, 3)}
        self.brick = d.add_asset(self.p.id, "Brick", "character", "Grey stubble")
        self.cup = d.add_asset(self.p.id, "Cup", "prop", "Chipped enamel cup")
        for s in self.scenes.values():
            d.inherit_scene(s.id, actor="ana")

    def at(self, n, asset=None):
        asset = asset or self.brick
        return next(i for i in self.desk.scene_instances(self.scenes[n].id)
                    if i.project_asset_id == asset.id)

    def generate(self, *instances, **kw):
        jobs = self.desk.request_images([i.id for i in instances], actor="ana", **kw)
        return self.desk.wait_for_jobs([j.id for j in jobs], timeout=20)


@pytest.fixture
def film(tmp_path, image_root):
    """The film with its images in a folder, and again in a bucket."""
    f = Film(tmp_path, FakeProvider(), image_root)
    yield f
    f.desk.close()


def test_G4_same_state_across_scenes_is_rendered_and_paid_once(film):
    est = film.desk.estimate_images([film.at(1).id, film.at(2).id, film.at(3).id])
    assert (est.count, est.new_jobs, est.reused, est.estimated_cost) == (3, 1, 2, 0.5)
    jobs = film.generate(film.at(1), film.at(2), film.at(3))
    assert len({j.id for j in jobs}) == 1 and jobs[0].status == "completed"
    assert len(film.provider.calls) == 1
    keys = {film.at(n).image_key for n in (1, 2, 3)}
    assert len(keys) == 3 and None not in keys  # each scene has its own copy (G5)
    # asking again is free and creates nothing
    assert film.desk.estimate_images([film.at(2).id]).new_jobs == 0
    again = film.generate(film.at(2))
    assert again[0].id == jobs[0].id and len(film.desk.attempts(film.at(2).id)) == 1


def test_G4_regenerate_is_an_explicit_new_attempt(film):
    first = film.generate(film.at(1))
    second = film.generate(film.at(1), regenerate=True)
    assert first[0].id != second[0].id and len(film.provider.calls) == 2
    assert len(film.desk.attempts(film.at(1).id)) == 2


def test_G3_retries_rate_limits_then_succeeds(tmp_path):
    f = Film(tmp_path, FakeProvider(script=[RetryableError("rate_limited", "slow down", 0.01),
                                            RetryableError("server_error", "503", 0.01)]))
    (job,) = f.generate(f.at(1))
    assert job.status == "completed" and job.tries == 3
    f.desk.close()


def test_G3_gives_up_after_repeated_server_errors(tmp_path):
    f = Film(tmp_path, FakeProvider(script=[RetryableError("server_error", "503", 0.0)] * 4))
    v = f.at(1).version
    (job,) = f.generate(f.at(1))
    assert job.status == "failed" and job.error_code == "server_error" and job.tries == 4
    assert f.at(1).image_key is None and f.at(1).version == v   # never changes the instance
    f.desk.close()


@pytest.mark.parametrize("code", ["auth", "invalid_request", "safety"])
def test_G3_auth_invalid_and_safety_fail_at_once_with_the_reason(tmp_path, code):
    f = Film(tmp_path, FakeProvider(script=[ProviderFailure(code, f"Refused: {code} reason")]))
    (job,) = f.generate(f.at(1))
    assert (job.status, job.error_code, job.tries) == ("failed", code, 1)
    assert f"{code} reason" in job.error
    assert f.desk.attempts(f.at(1).id) == []
    f.desk.close()


def test_G3_malformed_image_bytes_fail_the_job(tmp_path):
    f = Film(tmp_path, FakeProvider(script=[b"not an image"]))
    (job,) = f.generate(f.at(1))
    assert job.status == "failed" and job.error_code == "bad_image"
    f.desk.close()


def test_G9_budget_refuses_the_whole_request_with_the_numbers(film):
    film.desk.set_budget(film.p.id, 0.75, actor="ana")
    with pytest.raises(core.BudgetError) as err:
        film.desk.request_images([film.at(1).id, film.at(1, film.cup).id], actor="ana")
    assert "1.00" in str(err.value) and "0.75" in str(err.value)
    assert film.desk.image_jobs(film.p.id) == []
    film.generate(film.at(1))               # 0.50 fits
    with pytest.raises(core.BudgetError, match="0.50"):
        film.desk.request_images([film.at(1, film.cup).id], actor="ana")


def test_G9_actual_cost_is_recorded(film):
    (job,) = film.generate(film.at(1))
    assert job.estimated_cost == 0.5 and job.actual_cost == 0.5


def test_G5_keys_are_scene_specific_ids_only_under_the_root(tmp_path):
    f = Film(tmp_path, FakeProvider())
    evil = f.desk.add_asset(f.p.id, "../../etc/passwd", "prop", "A file named badly")
    f.desk.inherit_scene(f.scenes[1].id, [evil.id], actor="ana")
    inst = f.at(1, evil)
    f.generate(inst)
    key = f.at(1, evil).image_key
    p, b, s = f.p.id, f.p.main_branch_id, f.scenes[1].id
    assert re.fullmatch(rf"project_{p}/branch_{b}/scene_{s}/scene-assets/{evil.id}_\d{{8}}T"
                        r"\d{12}_[0-9a-f]{8}\.png", key)
    files = [q for q in tmp_path.rglob("*") if q.is_file()]
    assert files and all((tmp_path / "images") in q.parents for q in files)
    assert not any(".part" in q.name for q in files)
    f.desk.close()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_G6_upload_png_jpeg_webp_by_content(film, fmt):
    inst = film.at(1)
    film.desk.upload_image(inst.id, png_bytes(fmt=fmt), "whatever.bin", actor="ana")
    got = film.desk.get_instance(inst.id)
    assert got.image_key.endswith(".png") and not got.image_stale
    assert film.desk.image_bytes(got.image_key).startswith(b"\x89PNG")


def test_G6_upload_refuses_non_images_and_big_files(film):
    inst = film.at(1)
    with pytest.raises(core.ValidationError, match="notes.png"):
        film.desk.upload_image(inst.id, b"%PDF-1.4 hello", "notes.png", actor="ana")
    with pytest.raises(core.ValidationError, match="5 MB"):
        film.desk.upload_image(inst.id, b"\x89PNG" + b"0" * (5 * 1024 * 1024), "big.png",
                               actor="ana")
    assert film.desk.attempts(inst.id) == []


def test_G6_selection_is_audited_and_keeps_the_version(film):
    inst = film.at(1)
    a1 = film.desk.upload_image(inst.id, png_bytes((1, 2, 3)), "a.png", actor="ana")
    film.desk.upload_image(inst.id, png_bytes((4, 5, 6)), "b.png", actor="ana")
    v = film.at(1).version
    film.desk.select_attempt(inst.id, a1, actor="bo")
    got = film.at(1)
    assert got.version == v
    assert [a.id for a in film.desk.attempts(inst.id) if a.selected] == [a1]
    # staleness against the state the caller read (G7): the instance's own, else not
    assert film.desk.attempts(inst.id, state_hash=got.state_hash) == film.desk.attempts(inst.id)
    assert not any(a.stale for a in film.desk.attempts(inst.id))
    assert all(a.stale for a in film.desk.attempts(inst.id, state_hash="another state"))
    last = film.desk.history(inst.id)[-1]
    assert (last.field, last.source, last.actor, last.new_value) == (
        "image", "image", "bo", got.image_key)
    with pytest.raises(core.NotFoundError):
        film.desk.select_attempt(film.at(2).id, a1, actor="ana")


def test_G6_prunes_past_eight_unselected_files_included(film):
    inst = film.at(1)
    for k in range(11):
        film.desk.upload_image(inst.id, png_bytes((k, k, k)), f"{k}.png", actor="ana")
    kept = film.desk.attempts(inst.id)
    assert len(kept) == 9 and sum(a.selected for a in kept) == 1
    files = [k for k in film.desk.images.store.modified("") if k.endswith(".png")]
    assert len(files) == 9


def test_G7_an_edit_makes_the_image_stale_and_R1_says_so(film):
    film.generate(film.at(1))
    assert not film.at(1).image_stale
    i = film.at(1)
    film.desk.update_instance(i.id, expected_version=i.version, actor="ana",
                              status_tags=["muddy"])
    assert film.at(1).image_stale
    kinds = {(b.kind, b.instance_id) for b in film.desk.scene_readiness(film.scenes[1].id).blockers}
    assert ("stale_image", i.id) in kinds and ("missing_image", film.at(1, film.cup).id) in kinds


def test_G7_project_style_is_part_of_the_state(film):
    film.generate(film.at(1))
    film.desk.set_project_style(film.p.id, "1970s Kodachrome", actor="ana")
    assert film.at(1).image_stale


def test_I2_new_instance_starts_with_the_source_image_as_its_own_copy(tmp_path):
    f = Film(tmp_path, FakeProvider())
    f.generate(f.at(3))
    scene4 = f.desk.add_scene(f.p.id, 4, "EXT. YARD 4 - NIGHT")
    (new,) = f.desk.inherit_scene(scene4.id, [f.brick.id], actor="ana")
    (first,) = f.desk.attempts(new.id)
    assert first.kind == "inherited" and first.selected and not first.stale
    assert first.image_key != f.at(3).image_key and f"scene_{scene4.id}" in first.image_key
    f.desk.close()


def test_R1_mark_ready_is_refused_until_clear_then_lapses(film):
    scene = film.scenes[1]
    with pytest.raises(core.ValidationError, match="no reference image"):
        film.desk.mark_scene_ready(scene.id, actor="ana")
    film.generate(film.at(1), film.at(1, film.cup))
    r = film.desk.mark_scene_ready(scene.id, actor="ana")
    assert r.ready and r.signed_off.actor == "ana"

    def as_read():    # what a page run that read the scene and its instances sees
        return film.desk.scene_readiness_of(film.desk.get_scene(scene.id),
                                            film.desk.scene_instances(scene.id))
    assert as_read() == film.desk.scene_readiness(scene.id) and as_read().signed_off
    i = film.at(1)
    film.desk.update_instance(i.id, expected_version=i.version, actor="ana",
                              description_override="Shaved")
    r = film.desk.scene_readiness(scene.id)
    assert r.signed_off is None and r.lapsed and not r.ready
    assert as_read() == r


def test_R2_local_context_is_json(film):
    film.generate(film.at(2))
    ctx = film.desk.local_context(film.scenes[2].id)
    assert json.loads(json.dumps(ctx)) == ctx
    assert ctx["previous_scene"]["number"] == 1
    brick = next(a for a in ctx["assets"] if a["name"] == "Brick")
    assert brick["image_key"] and brick["description"] == "Grey stubble"


def test_G8_cancel_and_wait_timeout(tmp_path):
    f = Film(tmp_path, FakeProvider(delay=0.3))
    jobs = f.desk.request_images([f.at(1).id, f.at(1, f.cup).id], actor="ana")
    with pytest.raises(TimeoutError, match=jobs[0].id):
        f.desk.wait_for_jobs([j.id for j in jobs], timeout=0.05)
    cancelled = f.desk.cancel_jobs([j.id for j in jobs], actor="ana")
    done = f.desk.wait_for_jobs([j.id for j in jobs], timeout=5)
    assert all(j.status in ("cancelled", "completed") for j in done)
    for j in done:
        if j.id in cancelled:
            assert j.actual_cost == 0 and f.desk.attempts(j.instance_id) == []
    f.desk.close()


def test_G6_removing_an_instance_removes_its_attempts_but_keeps_history(film):
    film.generate(film.at(1), film.at(2))   # the job's own file lives in scene 1
    inst = film.at(2)
    film.desk.remove_instance(inst.id, expected_version=inst.version, actor="ana")
    with film.desk.db.cursor() as cur:
        left = cur.execute("SELECT count(*) FROM image_attempts WHERE instance_id = ?",
                           [inst.id]).fetchone()[0]
    assert left == 0
    assert any(h.field == "image" for h in film.desk.history(inst.id))
    # its own copy is gone; the copies other scenes hold stay (G6)
    assert not film.desk.images.store.exists(inst.image_key)
    assert film.desk.images.store.exists(film.at(1).image_key)


def test_G6_deleting_a_scene_deletes_its_unused_files(film):
    film.generate(film.at(1), film.at(2), film.at(3))
    keys = [film.at(2).image_key, film.at(2, film.cup).image_key]
    film.desk.delete_scene(film.scenes[2].id, actor="ana")
    assert not any(film.desk.images.store.exists(k) for k in keys if k)
    assert film.desk.images.store.exists(film.at(3).image_key)


def test_B1_a_branch_copies_the_attempts(film):
    film.generate(film.at(1))
    alt = film.desk.create_branch(film.p.id, "Alt", up_to_scene_number=1, actor="ana")
    (scene,) = film.desk.scenes(film.p.id, alt.id)
    copy = next(i for i in film.desk.scene_instances(scene.id) if i.asset_name == "Brick")
    assert copy.image_key == film.at(1).image_key and not copy.image_stale
    (attempt,) = film.desk.attempts(copy.id)
    assert attempt.selected and attempt.instance_id == copy.id


def test_G4_estimate_reads_the_same_state_as_the_request(film):
    """The estimate reads only the columns of the state hash: with tags, a style and a
    changed description it agrees with the jobs the request made (free after them)."""
    d = film.desk
    d.set_project_style(film.p.id, "Kodachrome, soft grain", actor="ana")
    i = film.at(2)
    d.update_instance(i.id, expected_version=i.version, actor="ana", status_tags=["wet", "muddy"],
                      description_override="Grey stubble, soaked")
    chosen = [film.at(2), film.at(3, film.cup)]
    assert d.estimate_images([x.id for x in chosen]).new_jobs == 2
    film.generate(*chosen)
    est = d.estimate_images([x.id for x in chosen])
    assert (est.count, est.new_jobs, est.reused) == (2, 0, 2)
    with pytest.raises(core.NotFoundError, match="nope does not exist"):
        d.estimate_images([film.at(1).id, "nope"])
