"""The hostile film of the S1 tests (page tests here, Chromium in tests/e2e): every
name, heading, label, description and reason full of HTML and Markdown. Seeded
through core, like any producer's data."""

from __future__ import annotations

from pathlib import Path

from desk_factory import make_desk

PROJECT = "<base href=http://evil.example/>Film **bold** $x^2$"
ASSET = "<img src=http://evil.example/n.png> <b>bold</b> Brick"
PROP = "[link](http://evil.example) ![img](http://evil.example/i.png) Hat"
MASTER = ('<iframe srcdoc="<b>bold</b>"></iframe> ![img](http://evil.example/m.png) '
          "http://evil.example/remote.png $x^2$")
HEADING_1 = "# heading <b>bold</b> [link](http://evil.example)"
HEADING_2 = "INT. ![img](http://evil.example/h.png) - $x^2$"
LABEL_1 = "**bold**"
LABEL_2 = "<b>bold</b>"
END_STATE = "**bold** $x^2$ <img src=http://evil.example/e.png>"
OVERRIDE = ('<object data="data:text/html,<b>bold</b>"></object> **bold** '
            "![img](http://evil.example/o.png)")
REASON = "[link](http://evil.example) ![img](http://evil.example/r.png) **bold**"
LIBRARY = "<b>bold</b> Lantern ![img](http://evil.example/g.png)"
PROP_DESC = "# heading\n\n**bold** [link](http://evil.example)"

def seed(db_path: Path, image_root: Path) -> dict:
    """The hostile film in a new database; the ids the tests open."""
    desk = make_desk(db_path, image_root=image_root, provider="offline")
    try:
        p = desk.create_project(PROJECT, actor="e2e")
        s1 = desk.add_scene(p.id, 1, HEADING_1, label=LABEL_1, end_state_summary=END_STATE,
                            script_excerpt="BRICK\n<b>bold</b> **bold**", story_day=1)
        s2 = desk.add_scene(p.id, 2, HEADING_2, label=LABEL_2, story_day=2)
        brick = desk.add_asset(p.id, ASSET, "character", MASTER)
        hat = desk.add_asset(p.id, PROP, "prop", PROP_DESC)
        desk.add_global_asset(LIBRARY, "prop", "**bold** ![img](http://evil.example/gd.png)")
        first = desk.inherit_scene(s1.id, [brick.id, hat.id], actor="e2e")
        b1 = next(i for i in first if i.project_asset_id == brick.id)
        desk.update_instance(b1.id, expected_version=b1.version, actor="e2e",
                             status_tags=["muddy"])
        desk.inherit_scene(s2.id, [brick.id, hat.id], actor="e2e")
        jobs = desk.request_images([i.id for i in desk.branch_instances(p.id)], actor="e2e")
        desk.wait_for_jobs([j.id for j in jobs], timeout=60)
        b2 = next(i for i in desk.scene_instances(s2.id) if i.project_asset_id == brick.id)
        desk.update_instance(b2.id, expected_version=b2.version, actor="e2e",
                             description_override=OVERRIDE, reason=REASON)  # image now stale
        return {"scene1": s1.id, "scene2": s2.id, "brick2": b2.id}
    finally:
        desk.close()
