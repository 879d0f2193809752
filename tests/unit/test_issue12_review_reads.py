"""Issue 12, the review reads at film scale: the matrix cells mark the same breaks
whether the checks' issues are given (the Overview) or not (`continuity_cells`), and
the search results' `upstream_changed` is the instance's flag (it was empty)."""

from __future__ import annotations

from test_continuity_checks import Story


def test_cells_breaks_agree_with_the_issues(desk):
    s = Story(desk)
    s.place(s.brick, 1, 2, 3, 4)
    s.place(s.coat, 1, 3)
    s.edit(1, status_tags=["torn", "muddy"])
    s.review(2, ["torn", "muddy"])
    s.edit(2, status_tags=["muddy"])                      # torn dropped, no reason
    s.edit(1, s.coat, status_tags=["wet"])                 # day 1 -> 2: wet survives
    issues = desk.continuity_issues(s.p.id)
    expected: dict[str, list[str]] = {}
    for i in issues:
        if i.kind in ("tag_dropped", "wear_off_survived"):
            expected.setdefault(i.instance_id, []).append(i.kind)
    assert {k for v in expected.values() for k in v} == {"tag_dropped", "wear_off_survived"}
    for cells in (desk.continuity_cells(s.p.id), desk.branch_overview(s.p.id).cells):
        got = {r.instance_id: r.breaks for r in cells.itertuples() if r.breaks}
        assert got == expected


def test_search_results_carry_the_upstream_flag(desk):
    s = Story(desk, days=(None, None, None, None))
    s.place(s.brick, 1, 2, 3)
    s.edit(2, description_override="Bandaged")
    s.edit(1, description_override="Scarred")              # scene 2 has its own: flagged
    found = desk.search(s.p.id, "asset:brick")
    assert list(found["upstream_changed"]) == [False, True, False]
    assert found["upstream_changed"].map(type).eq(bool).all()
