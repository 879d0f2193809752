"""Aliases typed as one text (the editor's field, the Library's cell, a CSV cell) are
read by one rule: separated by `;`, a `;` inside an alias written `;;`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.catalog.assets import join_aliases, split_aliases

pytestmark = pytest.mark.engine_free   # opens no store (tests/conftest.py)


@pytest.mark.parametrize(("text", "aliases"), [
    ("Seagull; Bird", ["Seagull", "Bird"]),
    ("  Brick Braddock ;; ; B ", ["Brick Braddock ;", "B"]),
    ("Smith, Jr.", ["Smith, Jr."]),          # a comma belongs to the alias
    ("", []), (None, []), (" ; ;", []),
])
def test_split_aliases(text, aliases):
    assert split_aliases(text) == aliases


@pytest.mark.parametrize("aliases", [[";"], ["a;", ";b"], ["x;;y", "z"], ["one", "two"]])
def test_join_then_split_keeps_semicolons(aliases):
    assert split_aliases(join_aliases(aliases)) == aliases


@given(st.lists(st.text(alphabet="ab ;,", min_size=1).map(str.strip).filter(
    lambda a: a and not a.startswith(";") and not a.endswith(";")), max_size=5))
def test_join_then_split_gives_the_aliases_back(aliases):
    assert split_aliases(join_aliases(aliases)) == aliases
