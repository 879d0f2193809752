"""Unit-test fixtures for core: a real store on the test engine, never a mock.

- `desk`: `make_desk(":memory:", image_root=tmp_path/"images")`.
- `film`: a small project on `desk` with scenes 1, 2, 4, 7 (a gap in the numbering) and
  assets of every type (two characters, a location, a prop, and an unapproved prop),
  plus helpers that keep the tests short.
- `snapshot`: every table of the database (as listed by information_schema), sorted, so a
  test can prove that a refused change wrote nothing.

Helpers live on the fixtures because `conftest` is not a unique module name across test
directories (tests/e2e has one too), so it cannot be imported.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from desk_factory import make_desk
from import_support import table_snapshot

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `core` lives at the repository root
    sys.path.insert(0, str(ROOT))

import core  # noqa: E402

SCENE_NUMBERS = (1, 2, 4, 7)
ACTOR = "ana"


@dataclass
class Film:
    desk: core.Desk
    project: core.Project
    scenes: dict[int, core.Scene] = field(default_factory=dict)
    assets: dict[str, core.Asset] = field(default_factory=dict)

    def inherit(self, scene_number: int, *asset_names: str) -> list[core.Instance]:
        ids = [self.assets[n].id for n in asset_names]
        return self.desk.inherit_scene(self.scenes[scene_number].id, ids, actor=ACTOR)

    def place(self, asset_name: str, *scene_numbers: int) -> list[core.Instance]:
        """Give the asset an appearance in each scene, in the order given."""
        return [self.inherit(n, asset_name)[0] for n in scene_numbers]

    def get(self, instance: core.Instance | str) -> core.Instance:
        iid = instance if isinstance(instance, str) else instance.id
        return self.desk.get_instance(iid)

    def edit(self, instance: core.Instance | str, *, reason: str | None = None,
             actor: str = ACTOR, **changes) -> core.UpdateResult:
        current = self.get(instance)
        return self.desk.update_instance(current.id, expected_version=current.version,
                                         actor=actor, reason=reason, **changes)

    def remove(self, instance: core.Instance | str) -> core.UpdateResult:
        current = self.get(instance)
        return self.desk.remove_instance(current.id, expected_version=current.version,
                                         actor=ACTOR)

    def edit_master(self, asset_name: str, **changes) -> core.Asset:
        asset = self.desk.get_asset(self.assets[asset_name].id)
        updated = self.desk.update_asset(asset.id, expected_version=asset.version,
                                         actor=ACTOR, **changes)
        self.assets[asset_name] = updated
        return updated

    def instance_in(self, scene_number: int, asset_name: str) -> core.Instance | None:
        aid = self.assets[asset_name].id
        for inst in self.desk.scene_instances(self.scenes[scene_number].id):
            if inst.project_asset_id == aid:
                return inst
        return None


@pytest.fixture
def desk(tmp_path):
    d = make_desk(":memory:", image_root=tmp_path / "images")
    yield d
    d.close()


def build_film(desk) -> Film:
    project = desk.create_project("Brick & Steel", actor=ACTOR)
    film = Film(desk, project)
    for n in SCENE_NUMBERS:
        film.scenes[n] = desk.add_scene(project.id, n, f"INT. SCENE {n} - DAY",
                                        script_excerpt=f"Scene {n} happens.")
    for name, kind, description, approved in (
        ("Brick", "character", "Retired detective, grey stubble, clean white shirt", True),
        ("Steel", "character", "Young partner in a navy suit", True),
        ("Patio", "location", "Sunlit patio with terracotta tiles", True),
        ("Porsche", "prop", "Red 1970s Porsche 911", True),
        ("Revolver", "prop", "Snub-nosed revolver (not approved yet)", False),
    ):
        film.assets[name] = desk.add_asset(project.id, name, kind, description,
                                           approved=approved)
    return film


@pytest.fixture
def film(desk) -> Film:
    return build_film(desk)


@pytest.fixture(scope="session")
def make_film():
    """`make_film(desk)` builds the `film` project on any desk (for wider-scoped fixtures)."""
    return build_film


@pytest.fixture
def snapshot():
    return table_snapshot
