"""Property tests for propagation (P1, P2, E1, E2, T3, T5, A3, A5, A6, I1): after any
random sequence of edits (also from stale versions), locks, reviews, reverts and
undos (each equal to its preview), upstream decisions (replace or merge), master
edits and appearance changes, the database satisfies the rules checked from
scratch, and no edit changed a field of an instance that did not follow in it."""

from __future__ import annotations

import hypothesis.strategies as st
from desk_factory import make_desk
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import core

SCENES = (1, 2, 4, 5, 8)
ASSETS = ("Brick", "Lantern")
TAGS = ("muddy", "bloody", "torn", "wet")
DESCRIPTIONS = ("soaked coat", "clean suit", "bandaged arm")


def snapshot(desk, project):
    """{(scene_number, asset_name): Instance} for the whole Main branch."""
    return {(i.scene_number, i.asset_name): i for i in desk.branch_instances(project.id)}


class PropagationMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.desk = make_desk(":memory:")
        self.project = self.desk.create_project("Model film", actor="t")
        self.scenes = {n: self.desk.add_scene(self.project.id, n, f"INT. ROOM {n} - DAY")
                       for n in SCENES}
        self.assets = {name: self.desk.add_asset(self.project.id, name, "character",
                                                 f"{name}, as written")
                       for name in ASSETS}
        for n in SCENES[:3]:
            self.desk.inherit_scene(self.scenes[n].id, actor="t")
        self.opened: dict[str, core.Instance] = {}   # forms opened earlier (A6)

    def teardown(self):
        self.desk.close()

    # --- helpers ---------------------------------------------------------
    def _instance(self, n, name):
        return snapshot(self.desk, self.project).get((n, name))

    def _edit(self, call, refusals=(core.LockedError, core.ValidationError)):
        """Run a producer edit; check non-followers kept their fields (P1, P2)."""
        before = snapshot(self.desk, self.project)
        try:
            result = call()
        except refusals:
            assert snapshot(self.desk, self.project) == before, "a refused edit wrote something"
            return None
        after = snapshot(self.desk, self.project)
        target = result.instance.id if result and result.instance else None
        for key, old in before.items():
            new = after.get(key)
            if new is None or new.id == target:
                continue
            if old.locked:
                assert new.effective_description == old.effective_description, key
                assert new.status_tags == old.status_tags, key
            if old.description_override is not None:
                assert new.effective_description == old.effective_description, key
            if set(old.status_tags) != set(old.inherited_tags) or old.locked:
                assert new.status_tags == old.status_tags, key
            elif set(new.inherited_tags) - set(old.inherited_tags):
                assert new.pending_review, f"{key} received tags without review (T3)"
        if result is not None:  # every other instance whose state changed is reported
            visible = {i.id for k, i in after.items() if k in before and i.id != target
                       and (i.effective_description, i.status_tags)
                       != (before[k].effective_description, before[k].status_tags)}
            changed = {i.id for k, i in after.items() if k in before and i.id != target
                       and i.version != before[k].version}
            assert visible <= set(result.propagated)
            assert set(result.propagated) | set(result.flagged) == changed
            assert not set(result.propagated) & set(result.flagged)
        return result

    # --- rules -----------------------------------------------------------
    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS),
          override=st.one_of(st.none(), st.sampled_from(DESCRIPTIONS), st.just(core.UNSET)),
          tags=st.one_of(st.just(core.UNSET), st.lists(st.sampled_from(TAGS), unique=True,
                                                       max_size=3)),
          carry=st.one_of(st.just(core.UNSET), st.booleans()))
    def edit(self, n, name, override, tags, carry):
        inst = self._instance(n, name)
        if inst is None:
            return
        preview = None
        if not inst.locked:
            preview = self.desk.preview_update(inst.id, description_override=override,
                                               status_tags=tags, carry_forward=carry)
        result = self._edit(lambda: self.desk.update_instance(
            inst.id, expected_version=inst.version, actor="t", description_override=override,
            status_tags=tags, carry_forward=carry))
        if result is not None and preview is not None:
            assert (preview.propagated, preview.flagged) == (result.propagated, result.flagged)

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS), lock=st.booleans())
    def lock(self, n, name, lock):
        inst = self._instance(n, name)
        if inst is None:
            return
        call = self.desk.lock_instance if lock else self.desk.unlock_instance
        self._edit(lambda: call(inst.id, expected_version=inst.version, actor="t"))

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS), data=st.data())
    def review(self, n, name, data):
        inst = self._instance(n, name)
        if inst is None:
            return
        keep = data.draw(st.lists(st.sampled_from(inst.status_tags), unique=True)
                         if inst.status_tags else st.just([]))
        self._edit(lambda: self.desk.review_tags(inst.id, keep, expected_version=inst.version,
                                                 actor="t"))

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS), take=st.booleans(),
          merge=st.booleans())
    def upstream_decision(self, n, name, take, merge):
        inst = self._instance(n, name)
        if inst is None:
            return
        if take:
            preview = None if inst.locked else self.desk.preview_take_upstream(
                inst.id, merge_tags=merge)
            result = self._edit(lambda: self.desk.take_upstream(
                inst.id, expected_version=inst.version, actor="t", merge_tags=merge))
            if result is not None:
                self._same(preview, result)
                if inst.upstream_tags_changed:   # T5: replace, or own tags first
                    own = inst.status_tags
                    expected = own + [t for t in inst.inherited_tags if t not in own] \
                        if merge else inst.inherited_tags
                    assert result.instance.status_tags == expected
        else:
            result = self._edit(lambda: self.desk.mark_reviewed(
                inst.id, expected_version=inst.version, actor="t"))
        if result is not None:
            assert not result.instance.upstream_changed

    @staticmethod
    def _same(preview, result):
        """A preview is the change computed the same way (P3, A5)."""
        assert (preview.propagated, preview.flagged, preview.conflicts) == (
            result.propagated, result.flagged, result.conflicts)
        got, seen = result.instance, preview.instance
        assert (seen.effective_description, seen.status_tags, seen.carry_forward,
                seen.pending_review, seen.upstream_changed) == (
            got.effective_description, got.status_tags, got.carry_forward,
            got.pending_review, got.upstream_changed)

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS), data=st.data())
    def revert(self, n, name, data):
        inst = self._instance(n, name)
        if inst is None:
            return
        rows = [h for h in self.desk.history(inst.id)
                if h.field in ("description_override", "status_tags", "carry_forward",
                               "effective_description")]
        if not rows:
            return
        h = data.draw(st.sampled_from(rows))
        before = data.draw(st.booleans())
        try:
            preview = None if inst.locked else self.desk.preview_revert(inst.id, h.id,
                                                                        before=before)
        except core.ValidationError:
            preview = None
        result = self._edit(lambda: self.desk.revert_instance(
            inst.id, h.id, expected_version=inst.version, actor="t", before=before))
        if result is not None:  # A3: the field now shows what H recorded (new or old)
            if preview is not None:
                self._same(preview, result)
            got, value = result.instance, h.old_value if before else h.new_value
            if h.field == "status_tags":
                assert got.status_tags == (value or [])
            elif h.field == "carry_forward":
                assert got.carry_forward == value
            elif h.field == "effective_description":
                assert got.effective_description == value
            else:
                assert got.description_override == value

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS), data=st.data())
    def undo(self, n, name, data):
        inst = self._instance(n, name)
        if inst is None:
            return
        saves = sorted({h.change_id for h in self.desk.history(inst.id)
                        if h.source in ("user", "revert")})
        if not saves:
            return
        change_id = data.draw(st.sampled_from(saves))
        refusals = (core.LockedError, core.ValidationError, core.ConflictError)
        try:
            preview = None if inst.locked else self.desk.preview_undo(inst.id, change_id)
        except refusals:
            preview = None
        result = self._edit(lambda: self.desk.undo_change(
            inst.id, change_id, expected_version=inst.version, actor="t"), refusals)
        if result is not None:  # A3: every field the save changed has its old value
            self._same(preview, result)
            for h in self.desk.history(inst.id):
                if h.change_id == change_id and h.field in ("description_override",
                                                            "carry_forward"):
                    assert getattr(result.instance, h.field) == h.old_value
                elif h.change_id == change_id and h.field == "status_tags":
                    assert result.instance.status_tags == (h.old_value or [])

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS))
    def open_form(self, n, name):
        inst = self._instance(n, name)
        if inst is not None:
            self.opened[inst.id] = inst

    @rule(data=st.data(),
          override=st.one_of(st.sampled_from(DESCRIPTIONS), st.just(core.UNSET)),
          tags=st.one_of(st.just(core.UNSET), st.lists(st.sampled_from(TAGS), unique=True,
                                                       max_size=2)),
          carry=st.one_of(st.just(core.UNSET), st.booleans()))
    def stale_edit(self, data, override, tags, carry):
        """A6: an edit from a form opened earlier merges or conflicts, never loses."""
        alive = {i.id: i for i in snapshot(self.desk, self.project).values()}
        ids = sorted(i for i in self.opened if i in alive)
        if not ids:
            return
        opened, current = self.opened[data.draw(st.sampled_from(ids))], None
        current = alive[opened.id]
        asked = {k: val for k, val in (("description_override", override),
                                       ("status_tags", tags), ("carry_forward", carry))
                 if val is not core.UNSET}
        result = self._edit(lambda: self.desk.update_instance(
            opened.id, expected_version=opened.version, actor="t", **asked),
            (core.LockedError, core.ValidationError, core.ConflictError))
        if result is None:
            return
        got = result.instance
        for field in ("description_override", "status_tags", "carry_forward"):
            if field in asked and asked[field] != getattr(opened, field):
                assert getattr(got, field) == asked[field], field      # mine
            else:
                assert getattr(got, field) == getattr(current, field), field  # theirs

    @rule(name=st.sampled_from(ASSETS), text=st.sampled_from(DESCRIPTIONS + ("as cast",)))
    def master_edit(self, name, text):
        asset = self.desk.get_asset(self.assets[name].id)
        before = snapshot(self.desk, self.project)
        self.desk.update_asset(asset.id, expected_version=asset.version, actor="t",
                               description=f"{name}, {text}")
        after = snapshot(self.desk, self.project)
        for key, old in before.items():
            if old.locked or old.description_override is not None:
                assert after[key].effective_description == old.effective_description

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS))
    def add_appearance(self, n, name):
        created = self.desk.inherit_scene(self.scenes[n].id, [self.assets[name].id], actor="t")
        assert len(created) <= 1

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS))
    def remove_appearance(self, n, name):
        inst = self._instance(n, name)
        if inst is not None:
            self._edit(lambda: self.desk.remove_instance(
                inst.id, expected_version=inst.version, actor="t"))

    @rule(src=st.sampled_from(SCENES), dst=st.integers(min_value=1, max_value=9))
    def move_scene(self, src, dst):
        scene = self.desk.get_scene(self.scenes[src].id)
        taken = {s.scene_number for s in self.desk.scenes(self.project.id)}
        if dst not in taken:
            return  # moves stay within the existing numbers
        self.desk.move_scene(scene.id, dst, actor="t")

    # --- the rules, checked from scratch ---------------------------------
    @invariant()
    def rules_hold(self):
        masters = {a.id: a.description for a in self.desk.assets(self.project.id)}
        by_asset: dict[str, list] = {}
        for inst in self.desk.branch_instances(self.project.id):  # scene order
            by_asset.setdefault(inst.project_asset_id, []).append(inst)
        for asset_id, chain in by_asset.items():
            prev = None
            for inst in chain:  # scenes come in order
                # I1: the source is the latest earlier appearance
                assert inst.inherited_from_instance_id == (prev.id if prev else None)
                # I2/I3: inherited values are what the source passes on
                if prev is not None and prev.carry_forward:
                    assert inst.inherited_description == prev.effective_description
                    assert inst.inherited_tags == prev.status_tags
                else:
                    assert inst.inherited_description is None
                    assert inst.inherited_tags == []
                # E1 for every unlocked instance
                if not inst.locked:
                    expected = inst.description_override
                    if expected is None:
                        expected = inst.inherited_description
                    if expected is None:
                        expected = masters[asset_id]
                    assert inst.effective_description == expected
                assert len(set(inst.status_tags)) == len(inst.status_tags)
                # T3, T5: pending review only while it has carried tags to review
                if inst.pending_review:
                    assert set(inst.status_tags) & set(inst.inherited_tags), inst
                # A5: a flag is set only while upstream differs from what it last saw
                base = inst.inherited_description
                base = masters[asset_id] if base is None else base
                if inst.upstream_description_changed:
                    assert inst.seen_upstream_description not in (None, base)
                else:
                    assert inst.seen_upstream_description is None
                if inst.upstream_tags_changed:
                    assert inst.seen_upstream_tags is not None
                    assert set(inst.seen_upstream_tags) != set(inst.inherited_tags)
                else:
                    assert inst.seen_upstream_tags is None
                prev = inst


TestPropagationMachine = PropagationMachine.TestCase
TestPropagationMachine.settings = settings(
    max_examples=20, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
