"""A generated film at production scale, for looking at pages and timing them.

Writes a DuckDB file holding a 200-scene film (about 60 assets: characters, places
and props from a generated screenplay) whose scenes are inherited in story order, with
conditions that change along the way (tags added, reviewed and worn off), so the
matrix, the issues and the editor have real content.

Run: .venv/bin/python bench/film.py [path] [scenes]
then: CONTINUITY_DB_PATH=path .venv/bin/streamlit run app.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import core  # noqa: E402

PLACES = [f"{a} {b}" for a in ("NORTH", "SOUTH", "OLD", "NEW", "GREAT")
          for b in ("HARBOUR", "PIER", "DINER", "ROOFTOP", "MOTEL", "GARAGE")]
PEOPLE = ["BRICK", "STEEL", "MARGOT", "RAY", "DOT", "PIKE", "COGNITO", "SPARROW", "JACK",
          "DAN", "WAITRESS", "MINION", "HALE", "IRIS", "OTTO", "VERA", "BRUNO", "LENA",
          "MOSS", "TILLY", "GUS", "NORA", "FINN", "ROSA", "ABE", "KIT"]
PROPS = ["PORSCHE", "LEDGER", "REVOLVER", "LANTERN", "SUITCASE", "TRENCH COAT"]
TAGS = ["muddy", "bloody", "torn", "wet", "dusty", "sweaty", "broken", "worn"]


def screenplay(scenes: int, seed: int = 11) -> str:
    rnd = random.Random(seed)
    out = ["Title: The Long Tide", "Author: Bench", ""]
    for n in range(1, scenes + 1):
        place = rnd.choice(PLACES)
        out += [f"{rnd.choice(['INT.', 'EXT.'])} {place} - {rnd.choice(['DAY', 'NIGHT'])}", ""]
        cast = rnd.sample(PEOPLE, 4)
        prop = rnd.choice(PROPS)
        out += [f"{cast[0]} and {cast[1]} wait by the door with the {prop}.", ""]
        for line in range(4):
            out += [cast[line % 4], f"Line {line} of scene {n}.", ""]
    return "\n".join(out)


def build(path: str, scenes: int = 200) -> None:
    Path(path).unlink(missing_ok=True)
    desk = core.open_desk(db_path=path, image_root=str(Path(path).with_suffix("")) + "-images")
    try:
        start = time.perf_counter()
        rep = desk.import_screenplay_as_project("The Long Tide", screenplay(scenes),
                                                actor="bench")
        pid = rep.project_id
        for a in desk.assets(pid):
            if not a.approved:
                desk.update_asset(a.id, expected_version=a.version, actor="bench",
                                  approved=True)
        made = len(rep.instances_created)          # populated by the import (I7)
        made += sum(len(desk.inherit_scene(s.id, actor="bench")) for s in desk.scenes(pid)
                    if not desk.scene_instances(s.id))
        rnd = random.Random(3)
        for s in desk.scenes(pid)[::7]:
            insts = desk.scene_instances(s.id)
            if insts:
                i = rnd.choice(insts)
                desk.update_instance(i.id, expected_version=i.version, actor="bench",
                                     status_tags=rnd.sample(TAGS, 2), reason="the fight")
        print(f"{path}: {scenes} scenes, {len(desk.assets(pid))} assets, "
              f"{made} instances inherited in {time.perf_counter() - start:.1f} s")
    finally:
        desk.close()


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "/tmp/film200.duckdb",
          int(sys.argv[2]) if len(sys.argv) > 2 else 200)
