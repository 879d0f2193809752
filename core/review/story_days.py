"""Story days between consecutive scenes: the one rule the timeline (C2) and the
continuity checks (C1) read.

A scene with no story day never starts one. Going to a later day is time passing:
wear-off tags (T2) may fade, and one that survives is flagged (C1). Going back to an
earlier day (a flashback) is a day boundary on the timeline, but no time passed: a tag
lost there needs a reason or a reset like any other, and nothing "survives into a later
day"."""

from __future__ import annotations


def day_step(before: int | None, after: int | None) -> int:
    """1 into a later story day, -1 back to an earlier one, 0 for the same day or an
    unknown one."""
    if before is None or after is None or before == after:
        return 0
    return 1 if after > before else -1
