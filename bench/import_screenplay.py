"""Benchmark: importing a long screenplay (a generated 200-scene Fountain file).

Measures, in this run and process:
- parsing alone, and the full import (parse + scenes + assets + I5 mapping + the
  instances, populate=True being the default since I7; see import_populate.py) into an
  empty project, for 20 and for N scenes: the per-scene cost ratio N vs 20 shows
  whether import stays linear, and import vs parse shows where the time goes;
- the preview (dry run, rolled back) and the idempotent re-import of the same file;
- peak Python memory (tracemalloc) of parsing and of the import of N scenes.
Run: .venv/bin/python bench/import_screenplay.py [scenes] [repeats]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from engine import describe, open_store  # noqa: E402

from core.intake.screenplay import parse_screenplay  # noqa: E402

PLACES = ["HARBOUR OFFICE", "BRICK'S PATIO", "ROOFTOP", "MOTEL ROOM 12", "PIER", "DINER",
          "POLICE GARAGE", "LIGHTHOUSE", "MARSH", "TRAIN STATION", "CASINO FLOOR", "ALLEY"]
PEOPLE = ["BRICK", "STEEL", "MARGOT", "RAY", "DOT", "PIKE", "COGNITO", "SPARROW", "JACK",
          "DAN", "WAITRESS", "MINION", "DETECTIVE RAY", "HANDSOME MAN"]


def screenplay(scenes: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    out = ["Title: Long Night", "Author: Bench", ""]
    for n in range(1, scenes + 1):
        place = rnd.choice(PLACES)
        when = rnd.choice(["DAY", "NIGHT", "CONTINUOUS", "LATER"])
        out += [f"{rnd.choice(['INT.', 'EXT.'])} {place} - {when} #{n}#", ""]
        cast = rnd.sample(PEOPLE, 3)
        out += [f"{cast[0]} waits by the door with the PORSCHE keys. {cast[1].title()}'s "
                f"coat is soaked. [[note {n}]]", ""]
        for line in range(6):
            who = cast[line % 3]
            ext = rnd.choice(["", " (V.O.)", " (CONT'D)", ""])
            out += [f"{who}{ext}", rnd.choice(["(quietly)", "(beat)", ""]) or "...",
                    f"Line {line} of scene {n}, about {rnd.choice(PEOPLE).title()}.", ""]
        out += ["CUT TO:", ""]
    return "\n".join(out)


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_once(text: str) -> None:
    desk = open_store(":memory:", image_root="/tmp/continuity-bench-images")
    try:
        p = desk.create_project("Bench", actor="bench")
        desk.import_screenplay(p.id, text, actor="bench")
    finally:
        desk.close()


def peak(fn) -> float:
    tracemalloc.start()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / 1024 / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(describe())
    small_text, big_text = screenplay(20), screenplay(n)
    import_once(small_text)                                  # warm caches and imports

    parse_small = timed(lambda: parse_screenplay(small_text), repeats)
    parse_big = timed(lambda: parse_screenplay(big_text), repeats)
    import_small = timed(lambda: import_once(small_text), repeats)
    import_big = timed(lambda: import_once(big_text), repeats)

    desk = open_store(":memory:", image_root="/tmp/continuity-bench-images")
    p = desk.create_project("Bench", actor="bench")
    preview = timed(lambda: desk.import_screenplay(p.id, big_text, actor="bench",
                                                   dry_run=True), repeats)
    desk.import_screenplay(p.id, big_text, actor="bench")
    again = timed(lambda: desk.import_screenplay(p.id, big_text, actor="bench"), repeats)
    rep = desk.import_screenplay(p.id, big_text, actor="bench")
    assert not rep.changed and len(desk.scenes(p.id)) == n
    desk.close()

    mem_parse = peak(lambda: parse_screenplay(big_text))
    mem_import = peak(lambda: import_once(big_text))

    print(f"screenplay: {n} scenes, {len(big_text) / 1024:.0f} KB "
          f"(baseline 20 scenes, {len(small_text) / 1024:.0f} KB); median of {repeats}")
    print(f"parse        20: {parse_small * 1000:8.1f} ms   {n}: {parse_big * 1000:8.1f} ms   "
          f"per-scene ratio {n}/20: {(parse_big / n) / (parse_small / 20):.2f}")
    print(f"import       20: {import_small * 1000:8.1f} ms   {n}: {import_big * 1000:8.1f} ms   "
          f"per-scene ratio {n}/20: {(import_big / n) / (import_small / 20):.2f}")
    print(f"import / parse ({n} scenes): {import_big / parse_big:.1f}x   "
          f"({import_big / n * 1000:.1f} ms per scene)")
    print(f"preview (dry run) / import: {preview / import_big:.2f}   "
          f"re-import (no change) / import: {again / import_big:.2f}")
    print(f"peak Python memory: parse {mem_parse:.1f} MB, import {mem_import:.1f} MB "
          f"(ratio {mem_import / mem_parse:.1f}x)")


if __name__ == "__main__":
    main()
