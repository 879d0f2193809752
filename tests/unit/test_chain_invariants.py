"""Rule-based property test for I1, E1, I2/I3 and A1, with referential integrity.

After any random sequence of adding appearances (inherit_scene with explicit asset ids),
inheriting a scene's candidates, removing appearances (remove_instance), moving scenes
(move_scene), producer edits and master edits:

- I1: every instance's inherited_from_instance_id is its asset's latest earlier
  appearance in the branch, computed here independently from desk.scenes +
  desk.scene_instances;
- I2/I3: what it inherited is what that source passes on; E1: its effective description
  is override ?? inherited ?? master;
- A1: every history row seen earlier is still present, unchanged; new rows only get
  higher ids;
- referential integrity, checked on the DuckDB tables directly: no instance points at a
  missing project, branch, scene, asset or source instance; every history row's instance
  exists or existed (was created through core and has its removal rows).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from desk_factory import make_desk
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

SCENE_NUMBERS = (1, 2, 4, 7)
ASSETS = (("Brick", "character"), ("Patio", "location"), ("Porsche", "prop"))
TAG_SETS = ([], ["muddy"], ["torn", "wet"], ["bloody"])
OVERRIDES = (None, "Soaked through", "Bandaged arm")
MASTERS = ("As first written", "Rewritten master", "Third master draft")
START = ((0,), (0, 1), (0,), (1,))   # asset indexes per scene at the start
IMAGE_ROOT = Path(tempfile.gettempdir()) / "continuity-unit-images"


class ChainMachine(RuleBasedStateMachine):
    @initialize()
    def build(self):
        self.desk = make_desk(":memory:", image_root=IMAGE_ROOT)
        self.project = self.desk.create_project("Property film", actor="prop")
        self.scene_ids = [
            self.desk.add_scene(self.project.id, n, f"INT. ROOM {n} - NIGHT").id
            for n in SCENE_NUMBERS
        ]
        self.asset_ids = [
            self.desk.add_asset(self.project.id, name, kind, f"{name}: {MASTERS[0]}").id
            for name, kind in ASSETS
        ]
        self.created: set[str] = set()
        self.removed: set[str] = set()
        self.seen_history: list[tuple] = []
        # start with chains in place, so that every move or removal re-links something
        for scene_ix, asset_ixs in enumerate(START):
            self._note_created(self.desk.inherit_scene(
                self.scene_ids[scene_ix], [self.asset_ids[a] for a in asset_ixs], actor="prop"))

    def teardown(self):
        if not hasattr(self, "desk"):
            return
        try:
            self.check_through_the_api()
        finally:
            self.desk.close()

    # --- helpers ------------------------------------------------------------------
    def _sql(self, sql, params=()):
        with self.desk.db.cursor() as cur:
            return cur.execute(sql, list(params)).fetchall()

    def _instance(self, scene_ix, asset_ix):
        rows = self._sql(
            "SELECT id, version FROM scene_asset_instances "
            "WHERE scene_id = ? AND project_asset_id = ?",
            [self.scene_ids[scene_ix], self.asset_ids[asset_ix]])
        return rows[0] if rows else None

    def _note_created(self, instances):
        self.created.update(i.id for i in instances)

    # --- rules --------------------------------------------------------------------
    @rule(scene=st.integers(0, 3), assets=st.sets(st.integers(0, 2), min_size=1, max_size=2))
    def add_appearances(self, scene, assets):
        ids = [self.asset_ids[a] for a in sorted(assets)]
        already = {a for a in ids if self._sql(
            "SELECT 1 FROM scene_asset_instances WHERE scene_id = ? AND project_asset_id = ?",
            [self.scene_ids[scene], a])}
        made = self.desk.inherit_scene(self.scene_ids[scene], ids, actor="prop")
        assert [i.project_asset_id for i in made] == [a for a in ids if a not in already]
        self._note_created(made)

    @rule(scene=st.integers(0, 3))
    def inherit_candidates(self, scene):
        expected = self.desk.inherit_candidates(self.scene_ids[scene])
        sc = self.desk.get_scene(self.scene_ids[scene])    # as a page run read them
        assert self.desk.inherit_candidates_of(sc, self.desk.scene_instances(sc.id)) == expected
        made = self.desk.inherit_scene(self.scene_ids[scene], None, actor="prop")
        assert [i.project_asset_id for i in made] == expected
        self._note_created(made)

    @rule(scene=st.integers(0, 3), asset=st.integers(0, 2))
    def remove_appearance(self, scene, asset):
        found = self._instance(scene, asset)
        if found is None:
            return
        self.desk.remove_instance(found[0], expected_version=found[1], actor="prop")
        self.removed.add(found[0])

    @rule(scene=st.integers(0, 3), to=st.integers(1, 8))
    def move_scene(self, scene, to):
        moved = self.desk.move_scene(self.scene_ids[scene], to, actor="prop")
        assert moved.scene_number == to

    @rule(scene=st.integers(0, 3), asset=st.integers(0, 2),
          override=st.sampled_from(OVERRIDES), tags=st.sampled_from(TAG_SETS),
          carry=st.booleans())
    def edit(self, scene, asset, override, tags, carry):
        found = self._instance(scene, asset)
        if found is None:
            return
        self.desk.update_instance(found[0], expected_version=found[1], actor="prop",
                                  description_override=override, status_tags=tags,
                                  carry_forward=carry)

    @rule(asset=st.integers(0, 2), master=st.sampled_from(MASTERS))
    def edit_master(self, asset, master):
        a = self.desk.get_asset(self.asset_ids[asset])
        self.desk.update_asset(a.id, expected_version=a.version, actor="prop",
                               description=f"{a.name}: {master}")

    # --- invariants ---------------------------------------------------------------
    def _check_chains(self, scenes: list[tuple[str, int]], by_scene: dict[str, list],
                      masters: dict[str, str]) -> None:
        """I1, I2/I3 and E1 over the branch, given the scenes in order and their instances."""
        numbers = [n for _, n in scenes]
        assert numbers == sorted(set(numbers))
        assert {sid for sid, _ in scenes} == set(self.scene_ids)
        last: dict[str, object] = {}
        for sid, number in scenes:
            for inst in by_scene.get(sid, []):
                assert inst.scene_id == sid and inst.scene_number == number
                source = last.get(inst.project_asset_id)
                # I1: the source is the asset's latest earlier appearance in the branch
                assert inst.inherited_from_instance_id == (source.id if source else None)
                # I2 / I3: what it inherited is what that source passes on
                if source is not None and source.carry_forward:
                    assert inst.inherited_description == source.effective_description
                    assert inst.inherited_tags == source.status_tags
                else:
                    assert inst.inherited_description is None
                    assert inst.inherited_tags == []
                # E1 (nothing is locked in this machine)
                assert inst.effective_description == (
                    inst.description_override or inst.inherited_description
                    or masters[inst.project_asset_id])
                assert inst.id in self.created and inst.id not in self.removed
                last[inst.project_asset_id] = inst

    def check_through_the_api(self):
        """The same rules, computed from desk.scenes + desk.scene_instances."""
        scenes = self.desk.scenes(self.project.id)
        by_scene = {s.id: self.desk.scene_instances(s.id) for s in scenes}
        masters = {a.id: a.description for a in self.desk.assets(self.project.id)}
        self._check_chains([(s.id, s.scene_number) for s in scenes], by_scene, masters)
        live = {i.id for xs in by_scene.values() for i in xs}
        assert live == self.created - self.removed

    @invariant()
    def I1_E1_sources_are_latest_earlier_appearances(self):
        """Checked after every step on the tables (cheap); at the end of every run
        through the API as well (`check_through_the_api`)."""
        rows = self._sql("""
            SELECT i.id, i.scene_id, s.scene_number, i.project_asset_id,
                   i.inherited_from_instance_id, i.carry_forward, i.effective_description,
                   i.description_override, i.inherited_description, i.status_tags,
                   i.inherited_tags
            FROM scene_asset_instances i JOIN scenes s ON s.id = i.scene_id
            ORDER BY s.scene_number, i.project_asset_id""")
        by_scene: dict[str, list] = {}
        for r in rows:
            inst = _Row(*r[:9], list(r[9]), list(r[10]))
            by_scene.setdefault(inst.scene_id, []).append(inst)
        scenes = self._sql("SELECT id, scene_number FROM scenes ORDER BY scene_number")
        masters = dict(self._sql("SELECT id, description FROM project_assets"))
        self._check_chains(scenes, by_scene, masters)

    @invariant()
    def A1_history_is_never_rewritten(self):
        rows = self._sql("SELECT * FROM instance_history ORDER BY id")
        assert rows[: len(self.seen_history)] == self.seen_history
        ids = [r[0] for r in rows]
        assert ids == sorted(set(ids))
        self.seen_history = rows
        # every history row's instance exists, or existed and its removal is recorded
        assert {r[1] for r in rows} == self.created        # each has its creation rows
        removal = {r[1] for r in rows if r[6] == "effective_description" and r[8] is None}
        assert removal == self.removed

    @invariant()
    def referential_integrity(self):
        dangling = self._sql("""
            SELECT 'instance', i.id FROM scene_asset_instances i
            LEFT JOIN scenes s ON s.id = i.scene_id
            LEFT JOIN project_assets a ON a.id = i.project_asset_id
            LEFT JOIN projects p ON p.id = i.project_id
            LEFT JOIN branches b ON b.id = i.branch_id
            LEFT JOIN scene_asset_instances src ON src.id = i.inherited_from_instance_id
            WHERE s.id IS NULL OR a.id IS NULL OR p.id IS NULL OR b.id IS NULL
               OR (i.inherited_from_instance_id IS NOT NULL AND src.id IS NULL)
               OR s.branch_id <> i.branch_id OR a.project_id <> i.project_id
               OR (src.id IS NOT NULL AND (src.project_asset_id <> i.project_asset_id
                                           OR src.branch_id <> i.branch_id))
            UNION ALL
            SELECT 'scene', s.id FROM scenes s LEFT JOIN branches b ON b.id = s.branch_id
            WHERE b.id IS NULL OR b.project_id <> s.project_id
            UNION ALL
            SELECT 'mapping', m.scene_id FROM scene_assets m
            LEFT JOIN scenes s ON s.id = m.scene_id
            LEFT JOIN project_assets a ON a.id = m.project_asset_id
            WHERE s.id IS NULL OR a.id IS NULL
            UNION ALL
            SELECT 'history', CAST(h.id AS VARCHAR) FROM instance_history h
            LEFT JOIN project_assets a ON a.id = h.project_asset_id
            LEFT JOIN projects p ON p.id = h.project_id
            WHERE a.id IS NULL OR p.id IS NULL
        """)
        assert dangling == []
        live = {r[0] for r in self._sql("SELECT id FROM scene_asset_instances")}
        assert live == self.created - self.removed


@dataclass(frozen=True)
class _Row:
    id: str
    scene_id: str
    scene_number: int
    project_asset_id: str
    inherited_from_instance_id: str | None
    carry_forward: bool
    effective_description: str
    description_override: str | None
    inherited_description: str | None
    status_tags: list[str]
    inherited_tags: list[str]


ChainMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=10, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestI1ChainInvariants = ChainMachine.TestCase
