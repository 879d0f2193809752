"""Benchmark: the continuity checks (C1, `desk.continuity_issues`) and the matrix cells
(C2, `desk.continuity_cells`) over 1,000 scenes x 100 assets = 100,000 instances,
against hand-written queries reading the same rows, in the same run, on the engine of
CONTINUITY_BENCH_ENGINE (bench/engine.py: DuckDB by default, or a throwaway PostgreSQL).

The film is the one of bench/search_matrix.py (its `build`: bulk SQL, tags changing
in runs, story days of ten scenes, 80 % of the instances with a selected image, a few
locked or awaiting review), so there are many tag drops and surviving wear-off tags.

The floors are what any implementation has to read, as DataFrames (DuckDB's `.df()`,
PostgreSQL's rows into `DataFrame.from_records`):
- checks: (1) every instance of the branch in scene order with its scene, asset and
  selected image, its previous appearance's tags, carry-forward and story day (a `lag`
  window) and the tags dropped since then (DuckDB's `list_filter`, PostgreSQL's
  `ARRAY(SELECT … unnest …)`); (2) the history rows of
  the tag fields of the branch (what explains a drop or a kept tag);
- cells: the cells' own SELECT (instance, scene, asset, project, previous appearance,
  selected image) with the dropped tags computed in SQL, and the same history rows.
They do not apply the vocabulary (wear-off), the reasons or the script detection, so
they are a floor, not an equivalent; the ratio says how far above reading the rows
the Python side is. Both are measured interleaved, on the same connection.

Run: .venv/bin/python bench/checks_cells.py [scenes] [assets] [repeats]
     defaults: 1000 100 5; a quick check: bench/checks_cells.py 100 20 1
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from engine import SQL, describe, hand_frame, open_store  # noqa: E402
from search_matrix import build  # noqa: E402

warnings.filterwarnings("ignore", message="The inplace keyword")  # pandas, inside .df()

TYPE_ORDER = "CASE a.asset_type WHEN 'character' THEN 0 WHEN 'location' THEN 1 ELSE 2 END"

CHECKS_FLOOR = f"""
    SELECT *, CASE WHEN prev_carry THEN {SQL["minus"].format(a="prev_tags", b="status_tags")}
                  END AS dropped,
           prev_day IS NOT NULL AND story_day > prev_day AS new_day
    FROM (
        SELECT i.id AS instance_id, s.id AS scene_id, s.scene_number, s.story_day,
               a.id AS asset_id, a.name AS asset_name, a.asset_type, i.effective_description,
               i.status_tags, i.carry_forward, i.locked, i.pending_review,
               i.upstream_description_changed, i.upstream_tags_changed, att.image_key,
               att.state_hash, a.master_image_hash,
               lag(i.status_tags) OVER w AS prev_tags, lag(i.carry_forward) OVER w AS prev_carry,
               lag(s.story_day) OVER w AS prev_day
        FROM scene_asset_instances i
        JOIN scenes s ON s.id = i.scene_id
        JOIN project_assets a ON a.id = i.project_asset_id
        LEFT JOIN image_attempts att ON att.instance_id = i.id AND att.selected
        WHERE i.branch_id = $branch
        WINDOW w AS (PARTITION BY i.project_asset_id ORDER BY s.scene_number)) AS rows
    ORDER BY scene_number, CASE asset_type WHEN 'character' THEN 0 WHEN 'location' THEN 1
             ELSE 2 END, lower(asset_name)
"""

HISTORY_FLOOR = """
    SELECT instance_id, id, field, old_value, new_value, source, reason, changed_at
    FROM instance_history
    WHERE branch_id = $branch
      AND field IN ('status_tags', 'pending_review', 'upstream_tags_changed')
    ORDER BY instance_id, id
"""

CELLS_FLOOR = f"""
    SELECT i.id, i.scene_id, s.scene_number, a.id AS asset_id, a.name, a.asset_type,
           i.status_tags, i.effective_description, i.locked, i.pending_review,
           i.upstream_description_changed OR i.upstream_tags_changed AS upstream,
           i.inherited_from_instance_id, p.effective_description AS prev_description,
           p.status_tags AS prev_tags,
           {SQL["minus"].format(a="i.status_tags", b="p.status_tags")} AS added,
           {SQL["minus"].format(a="p.status_tags", b="i.status_tags")} AS dropped,
           att.image_key, att.state_hash, a.master_image_hash, pr.visual_style
    FROM scene_asset_instances i
    JOIN scenes s ON s.id = i.scene_id
    JOIN project_assets a ON a.id = i.project_asset_id
    JOIN projects pr ON pr.id = i.project_id
    LEFT JOIN scene_asset_instances p ON p.id = i.inherited_from_instance_id
    LEFT JOIN image_attempts att ON att.instance_id = i.id AND att.selected
    WHERE i.branch_id = $branch
    ORDER BY {TYPE_ORDER}, lower(a.name), s.scene_number
"""


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(scenes: int = 1000, assets: int = 100, repeats: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        desk = open_store(Path(tmp) / "bench.duckdb", image_root=Path(tmp) / "images")
        print(describe())
        t0 = time.perf_counter()
        p = build(desk, scenes, assets)
        branch = p.main_branch_id
        with desk.db.cursor() as cur:
            count = cur.execute("SELECT count(*) FROM scene_asset_instances").fetchone()[0]
        print(f"generated {scenes} scenes x {assets} assets = {count} instances by bulk SQL "
              f"in {time.perf_counter() - t0:.1f} s")

        def floor(*sqls):
            def run():
                return [hand_frame(desk, sql, branch) for sql in sqls]
            return run

        cases = [
            ("continuity_issues (all kinds)", lambda: desk.continuity_issues(p.id),
             floor(CHECKS_FLOOR, HISTORY_FLOOR)),
            ("continuity_issues (tag breaks only)",
             lambda: desk.continuity_issues(p.id, kinds=["tag_dropped", "wear_off_survived"]),
             floor(CHECKS_FLOOR, HISTORY_FLOOR)),
            ("continuity_cells", lambda: desk.continuity_cells(p.id),
             floor(CELLS_FLOOR, HISTORY_FLOOR)),
        ]
        print(f"\n{'call':40} {'rows':>7} {'core ms':>9} {'hand ms':>9} {'ratio':>6}  "
              f"(median of {repeats})")
        for label, ours_fn, hand_fn in cases:
            cold, _ = timed(ours_fn)
            ours, hand = [], []
            rows = 0
            for _ in range(repeats):       # interleaved: the same machine load for both
                t, out = timed(ours_fn)
                ours.append(t)
                rows = len(out)
                t, frames = timed(hand_fn)
                hand.append(t)
                if label == "continuity_cells":
                    assert rows == len(frames[0]) == count, (rows, len(frames[0]))
            a, b = statistics.median(ours), statistics.median(hand)
            print(f"{label:40} {rows:>7} {a * 1000:>9.0f} {b * 1000:>9.0f} {a / b:>6.2f}"
                  f"   (first run {cold * 1000:.0f} ms)")
        desk.close()


if __name__ == "__main__":
    main(*(int(x) for x in sys.argv[1:]))
