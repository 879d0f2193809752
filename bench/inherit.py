"""Benchmark: inheriting a scene (I1–I5) — a 60-asset scene through `desk.inherit_scene`
against a hand-written `INSERT ... SELECT` of the same instance rows and history rows,
and the per-scene cost as the film grows (one more scene in films of 10, 100 and 1,000
scenes).

Each film is its own temporary DuckDB file, or with CONTINUITY_BENCH_ENGINE=postgresql
its own schema on a throwaway PostgreSQL server (bench/engine.py): the tables from
`core.open_desk`, the project from the API, the earlier scenes written by bulk SQL
(the engine's few own pieces from bench/engine.py), shaped like a settled chain so
that inheriting one more scene changes nothing upstream: every asset in every scene,
its tags changing in runs of 3 to 9 scenes (own edits) and carried forward, its
description overridden every 25 scenes and followed in between, one history row per
field of each instance.

Per repeat and per film, interleaved so that both see the same machine load:
- core: add scene N+1 (not timed), then `desk.inherit_scene(scene, asset_ids)` with
  the film's assets (timed);
- floor: add scene N+2 (not timed), then one transaction of two set-based statements
  (timed): `INSERT INTO scene_asset_instances ... SELECT` from each asset's latest
  earlier appearance, and `INSERT INTO instance_history ... SELECT` of one row per
  field core wrote for its new instances (the same fields, counted in the same run).
It prints the medians, core / floor per film, and the per-scene growth ratio of the
largest film against the smallest (core and floor).

Run: .venv/bin/python bench/inherit.py [assets] [film sizes, comma-separated] [repeats]
     defaults: 60 10,100,1000 3; a quick check: bench/inherit.py 10 5,20 1
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from engine import ENGINE, SQL, describe, open_store, settle  # noqa: E402

TAG_RUNS = ["", "muddy", "muddy,wet", "bloody", "bloody,torn", "torn", "", "wet", "dusty",
            "clean", "", "sweaty,dirty", "cracked", "broken,weathered", ""]

# The instance columns of the first schema (later migrations only add nullable ones).
COLUMNS = ("id, project_id, branch_id, scene_id, project_asset_id, description_override, "
           "inherited_description, effective_description, inherited_tags, status_tags, "
           "carry_forward, inherited_from_instance_id, locked, pending_review, "
           "upstream_description_changed, upstream_tags_changed, version, "
           "modification_count, last_modified_field, modification_reason, created_at, "
           "updated_at")
HISTORY = ("instance_id, project_id, branch_id, scene_id, project_asset_id, field, "
           "old_value, new_value, actor, source, reason, changed_at")


def _tags(expr: str) -> str:
    """The tag run of asset k at scene number `expr` (a list, '' entries dropped)."""
    runs = SQL["list"].format(", ".join(f"'{t}'" for t in TAG_RUNS))
    return SQL["tags"].format(f"({runs})[1 + ((({expr}) {SQL['div']} (3 + k % 7) + k) "
                              f"% {len(TAG_RUNS)})::INTEGER]")


def build(desk, scenes: int, assets: int):
    p = desk.create_project("Bench", actor="bench")
    bid = p.main_branch_id

    def work(cur):
        cur.execute(
            f"""
            INSERT INTO scenes (id, project_id, branch_id, scene_number, label, heading,
                                script_excerpt, end_state_summary, story_day, created_at)
            SELECT gen_random_uuid()::VARCHAR, ?, ?, n, NULL, 'INT. ROOM ' || n || ' - DAY',
                   'Scene ' || n || ' happens.', '', (n - 1) {SQL["div"]} 10 + 1, now()
            FROM {SQL["series"]} r(n)
            """, [p.id, bid, scenes])
        cur.execute(
            f"""
            INSERT INTO project_assets (id, project_id, name, aliases, asset_type, description,
                                        approved, created_at, updated_at)
            SELECT gen_random_uuid()::VARCHAR, ?, 'Asset ' || lpad(n::VARCHAR, 3, '0'),
                   {SQL["empty"]},
                   CASE n % 3 WHEN 0 THEN 'character' WHEN 1 THEN 'location' ELSE 'prop' END,
                   'Master description of asset ' || n, TRUE, now(), now()
            FROM {SQL["series"]} r(n)
            """, [p.id, assets])
        cur.execute(
            """
            CREATE TEMP TABLE gen AS
            SELECT gen_random_uuid()::VARCHAR AS id, s.id AS scene_id, s.scene_number AS n,
                   a.id AS asset_id, dense_rank() OVER (ORDER BY a.name) AS k,
                   a.name, a.description AS master
            FROM scenes s, project_assets a
            WHERE s.branch_id = ? AND a.project_id = ?
            """, [bid, p.id])
        # E(n): the master up to scene 25, then an override every 25 scenes, followed.
        eff = ("CASE WHEN {n} <= 25 THEN master ELSE name || ', state ' || (({n}) - 1) "
               + SQL["div"] + " 25 END")
        cur.execute(
            f"""
            INSERT INTO scene_asset_instances ({COLUMNS})
            SELECT id, ?, ?, scene_id, asset_id,
                   CASE WHEN n > 1 AND (n - 1) % 25 = 0 THEN {eff.format(n='n')} END,
                   CASE WHEN n > 1 THEN {eff.format(n='n - 1')} END,
                   {eff.format(n='n')},
                   CASE WHEN n > 1 THEN {_tags('n - 1')} ELSE {SQL["empty"]} END,
                   {_tags('n')}, TRUE,
                   lag(id) OVER (PARTITION BY asset_id ORDER BY n),
                   FALSE, FALSE, FALSE, FALSE, 1, 0, NULL, NULL, now(), now()
            FROM gen
            """, [p.id, bid])
        cur.execute("DROP TABLE gen")
        cur.execute(
            f"""
            INSERT INTO instance_history ({HISTORY})
            SELECT i.id, i.project_id, i.branch_id, i.scene_id, i.project_asset_id, f.field,
                   NULL, to_json(i.effective_description)::VARCHAR, 'bench', 'inheritance',
                   NULL, now()
            FROM scene_asset_instances i,
                 (VALUES ('inherited_description'), ('effective_description'),
                         ('status_tags'), ('inherited_from_instance_id')) f(field)
            WHERE i.branch_id = ?
            """, [bid])
    desk.db.transaction(work)
    settle(desk)
    return p, [a.id for a in desk.assets(p.id)]


# Each asset's latest appearance before the scene: DuckDB's arg_max, PostgreSQL's DISTINCT ON.
LATEST = {
    "duckdb": """SELECT i.project_asset_id, arg_max(i.id, s.scene_number) AS id
                 FROM scene_asset_instances i JOIN scenes s ON s.id = i.scene_id
                 WHERE i.branch_id = ? AND s.scene_number < ?
                   AND i.project_asset_id = ANY(?::VARCHAR[])
                 GROUP BY i.project_asset_id""",
    "postgresql": """SELECT DISTINCT ON (i.project_asset_id) i.project_asset_id, i.id
                     FROM scene_asset_instances i JOIN scenes s ON s.id = i.scene_id
                     WHERE i.branch_id = ? AND s.scene_number < ?
                       AND i.project_asset_id = ANY(?::VARCHAR[])
                     ORDER BY i.project_asset_id, s.scene_number DESC""",
}


def hand_inherit(desk, p, scene_id: str, scene_number: int, asset_ids: list[str],
                 fields: list[str]) -> float:
    """The floor: the same new rows and history rows, by two set-based statements."""
    values = {
        "inherited_description": "to_json(inherited_description)",
        "effective_description": "to_json(effective_description)",
        "inherited_tags": "to_json(inherited_tags)",
        "status_tags": "to_json(status_tags)",
        "inherited_from_instance_id": "to_json(inherited_from_instance_id)",
        "pending_review": "to_json(pending_review)",
        "carry_forward": "to_json(carry_forward)",
    }
    case = " ".join(f"WHEN '{f}' THEN {values.get(f, 'NULL')}::VARCHAR" for f in fields)

    def work(cur):
        cur.execute(
            f"""
            INSERT INTO scene_asset_instances ({COLUMNS})
            SELECT gen_random_uuid()::VARCHAR, ?, ?, ?, src.project_asset_id, NULL,
                   src.effective_description, src.effective_description,
                   src.status_tags, src.status_tags, TRUE, src.id, FALSE,
                   {SQL["len"].format("src.status_tags")} > 0, FALSE, FALSE, 1, 0, NULL, NULL,
                   now(), now()
            FROM ({LATEST[ENGINE]}) latest
            JOIN scene_asset_instances src ON src.id = latest.id
            """, [p.id, p.main_branch_id, scene_id, p.main_branch_id, scene_number, asset_ids])
        cur.execute(
            f"""
            INSERT INTO instance_history ({HISTORY})
            SELECT * FROM (
                SELECT id, project_id, branch_id, scene_id, project_asset_id, f.field, NULL,
                       CASE f.field {case} END AS v, 'bench', 'inheritance', NULL, now()
                FROM scene_asset_instances, (SELECT unnest(?::VARCHAR[]) AS field) f
                WHERE scene_id = ?) AS rows
            WHERE v IS NOT NULL AND v NOT IN ('[]', 'false', 'null')  -- as a blank row
            """, [fields, scene_id])
    start = time.perf_counter()
    desk.db.transaction(work)
    return time.perf_counter() - start


def count(desk, sql: str, params) -> int:
    with desk.db.cursor() as cur:
        return cur.execute(sql, params).fetchone()[0]


class Film:
    def __init__(self, tmp: str, scenes: int, assets: int):
        self.desk = open_store(Path(tmp) / f"film{scenes}.duckdb",
                                   image_root=Path(tmp) / f"img{scenes}")
        t0 = time.perf_counter()
        self.project, self.asset_ids = build(self.desk, scenes, assets)
        self.size, self.next = scenes, scenes + 1
        self.core: list[float] = []
        self.hand: list[float] = []
        self.fields: list[str] = []
        n = count(self.desk, "SELECT count(*) FROM scene_asset_instances", [])
        print(f"film of {scenes} scenes x {assets} assets = {n} instances, "
              f"built by bulk SQL in {time.perf_counter() - t0:.1f} s")

    def scene(self):
        s = self.desk.add_scene(self.project.id, self.next, f"INT. NEW ROOM {self.next} - DAY")
        self.next += 1
        return s

    def core_once(self) -> None:
        s = self.scene()
        last = count(self.desk, "SELECT coalesce(max(id), 0) FROM instance_history", [])
        start = time.perf_counter()
        made = self.desk.inherit_scene(s.id, self.asset_ids, actor="bench")
        self.core.append(time.perf_counter() - start)
        assert len(made) == len(self.asset_ids)
        with self.desk.db.cursor() as cur:
            rows = cur.execute(
                "SELECT field, count(*) FILTER (WHERE scene_id = ?), count(*) "
                "FROM instance_history WHERE id > ? GROUP BY field ORDER BY field",
                [s.id, last]).fetchall()
        assert all(r[1] == r[2] for r in rows), "inheriting changed earlier scenes"
        self.core_rows = sum(r[1] for r in rows)
        self.fields = [r[0] for r in rows]

    def hand_once(self) -> None:
        s = self.scene()
        self.hand.append(hand_inherit(self.desk, self.project, s.id, s.scene_number,
                                      self.asset_ids, self.fields))
        assert count(self.desk, "SELECT count(*) FROM scene_asset_instances WHERE scene_id = ?",
                     [s.id]) == len(self.asset_ids)
        self.hand_rows = count(self.desk, "SELECT count(*) FROM instance_history "
                               "WHERE scene_id = ?", [s.id])


def main(assets: int = 60, sizes: str = "10,100,1000", repeats: int = 3) -> None:
    scene_counts = [int(x) for x in str(sizes).split(",")]
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        films = [Film(tmp, n, assets) for n in scene_counts]
        for _ in range(repeats):
            for film in films:           # interleaved: same load for every number
                film.core_once()
                film.hand_once()
        print(f"\ninherit one {assets}-asset scene; median of {repeats}; history rows "
              f"written: core {films[-1].core_rows}, hand-written {films[-1].hand_rows} "
              f"(fields: {', '.join(films[-1].fields)})")
        print(f"{'film':>12} {'core ms':>9} {'ms/inst':>8} {'hand ms':>9} {'core/hand':>9}")
        med = {}
        for film in films:
            a, b = statistics.median(film.core), statistics.median(film.hand)
            med[film.size] = (a, b)
            print(f"{film.size:>6} scenes {a * 1000:>9.0f} {a * 1000 / assets:>8.1f} "
                  f"{b * 1000:>9.1f} {a / b:>9.2f}")
        for film in films:
            film.desk.close()
    small, big = scene_counts[0], scene_counts[-1]
    if big != small:
        print(f"per-scene cost, film of {big} vs {small} scenes: core "
              f"{med[big][0] / med[small][0]:.2f}, hand-written {med[big][1] / med[small][1]:.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 60, args[1] if len(args) > 1 else "10,100,1000",
         int(args[2]) if len(args) > 2 else 3)
