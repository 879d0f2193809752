"""Helpers for the import, detection and library tests (kept apart from conftest so
these tests stand on their own)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from core.demo import seed_demo

HERE = Path(__file__).parent / "screenplays"
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "brick-and-steel.fountain"
if not SAMPLE.exists():  # CI lays shared/ beside the clone; a developer has /work/shared
    SAMPLE = Path("/work/shared/samples/brick-and-steel.fountain")


def table_snapshot(desk) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean nothing was written."""
    with desk.db.cursor() as cur:
        tables = [r[0] for r in cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema = current_schema() "
            "ORDER BY table_name").fetchall()]
        return {t: sorted(cur.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}


def rich_demo(desk, actor: str = "ana"):
    """The demo film with a row in every project table: generated images, a master
    image, a screenplay import, suggestions, a branch, a saved search, a sign-off, a
    library entry and the history of a removed instance (ids whose rows are gone)."""
    project = seed_demo(desk)
    inst = desk.branch_instances(project.id)
    first = desk.scenes(project.id)[0]
    jobs = desk.request_images([i.id for i in desk.scene_instances(first.id)], actor=actor)
    desk.wait_for_jobs([j.id for j in jobs], timeout=60)
    desk.mark_scene_ready(first.id, actor=actor)
    desk.create_branch(project.id, "Alt ending", from_branch_id=project.main_branch_id,
                       up_to_scene_number=3, actor=actor)
    desk.save_search(project.id, "Muddy", "tag:muddy", actor=actor)
    gone = desk.get_instance(inst[-1].id)
    desk.remove_instance(gone.id, expected_version=gone.version, actor=actor)
    phone = desk.add_global_asset("Rotary Telephone", "prop", "Black rotary phone")
    desk.clone_global_asset(project.id, phone.id, actor=actor)
    brick = next(a for a in desk.assets(project.id) if a.name == "Brick")
    master = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(master, "PNG")
    desk.set_master_image(brick.id, master.getvalue(), expected_version=brick.version,
                          actor=actor)
    desk.import_screenplay(project.id, SAMPLE.read_text(), actor=actor)
    last = desk.scenes(project.id)[-1].scene_number
    scene = desk.add_scene(project.id, last + 1, "INT. DINER - NIGHT",
                           script_excerpt="WAITRESS\nMore coffee?", shots=["CLOSE ON a mug"])
    desk.detect_assets(scene.id, actor=actor)
    return project
