"""Desk.import_preview: one preview cache per open database; the global library's CSV
preview is computed afresh once the library changed (core.library.preview_cache)."""

from __future__ import annotations

from desk_factory import make_desk

CSV = b"name,type,description,aliases\nRay,character,Detective,\n"


def test_library_csv_preview_follows_the_library(desk):
    runs = []

    def preview():
        runs.append(1)
        return desk.import_library_csv(CSV, actor="ana", dry_run=True)

    first = desk.import_preview("library_csv", None, CSV, (), preview)
    assert desk.import_preview("library_csv", None, CSV, (), preview) is first
    assert len(runs) == 1 and first.created == ["Ray"]
    desk.add_global_asset("Ray", "character", "Detective")
    again = desk.import_preview("library_csv", None, CSV, (), preview)
    assert len(runs) == 2 and again.created == []


def test_each_database_has_its_own_previews(desk, tmp_path):
    other = make_desk(":memory:", image_root=tmp_path / "other")
    try:
        mine = desk.import_preview("library_csv", None, CSV, (), lambda: "mine")
        theirs = other.import_preview("library_csv", None, CSV, (), lambda: "theirs")
        assert (mine, theirs) == ("mine", "theirs")
    finally:
        other.close()
