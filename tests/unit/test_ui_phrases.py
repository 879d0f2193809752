"""The editor's words for where a change goes (P3): long lists stay readable."""

from ui.editor.phrases import SCENES_LISTED, scenes_phrase


def test_a_few_scenes_are_all_named():
    assert scenes_phrase(["4"]) == "scene 4"
    assert scenes_phrase(["2", "3A"]) == "scenes 2, 3A"
    listed = [str(n) for n in range(1, SCENES_LISTED + 1)]
    assert scenes_phrase(listed) == "scenes " + ", ".join(listed)


def test_a_long_list_gives_the_count_the_first_scenes_and_the_last():
    many = [str(n) for n in range(5, 51)]          # 46 scenes, 5 to 50
    phrase = scenes_phrase(many)
    assert phrase == "46 scenes: " + ", ".join(many[:SCENES_LISTED - 1]) + ", …, 50"
    assert "17" not in phrase.split(", ")           # the middle is left out
