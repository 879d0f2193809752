"""Property tests for propagation (P1, P2, E1, E2, T3, A3, I1): after any random
sequence of edits, locks, reviews, reverts, upstream decisions, master edits and
appearance changes, the database satisfies the rules checked from scratch, and
no edit changed a field of an instance that did not follow in it."""

from __future__ import annotations

import hypothesis.strategies as st
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
        self.desk = core.open_desk(":memory:")
        self.project = self.desk.create_project("Model film", actor="t")
        self.scenes = {n: self.desk.add_scene(self.project.id, n, f"INT. ROOM {n} - DAY")
                       for n in SCENES}
        self.assets = {name: self.desk.add_asset(self.project.id, name, "character",
                                                 f"{name}, as written")
                       for name in ASSETS}
        for n in SCENES[:3]:
            self.desk.inherit_scene(self.scenes[n].id, actor="t")

    def teardown(self):
        self.desk.close()

    # --- helpers ---------------------------------------------------------
    def _instance(self, n, name):
        return snapshot(self.desk, self.project).get((n, name))

    def _edit(self, call, expect_unchanged_others=True):
        """Run a producer edit; check non-followers kept their fields (P1, P2)."""
        before = snapshot(self.desk, self.project)
        try:
            result = call()
        except (core.LockedError, core.ValidationError):
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

    @rule(n=st.sampled_from(SCENES), name=st.sampled_from(ASSETS), take=st.booleans())
    def upstream_decision(self, n, name, take):
        inst = self._instance(n, name)
        if inst is None:
            return
        call = self.desk.take_upstream if take else self.desk.mark_reviewed
        result = self._edit(lambda: call(inst.id, expected_version=inst.version, actor="t"))
        if result is not None:
            assert not result.instance.upstream_changed

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
        result = self._edit(lambda: self.desk.revert_instance(
            inst.id, h.id, expected_version=inst.version, actor="t"))
        if result is not None:  # A3: the field now shows what H recorded as new
            got = result.instance
            if h.field == "status_tags":
                assert got.status_tags == h.new_value
            elif h.field == "carry_forward":
                assert got.carry_forward == h.new_value
            elif h.field == "effective_description":
                assert got.effective_description == h.new_value
            else:
                assert got.description_override == h.new_value

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
                prev = inst


TestPropagationMachine = PropagationMachine.TestCase
TestPropagationMachine.settings = settings(
    max_examples=20, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
