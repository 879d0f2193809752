"""Where the editor shows its messages: the `ui.feedback` areas of its parts."""

TOP = "editor.top"
GATE = "editor.gate"
REVIEW = "editor.review"
LEFT = "editor.left"
DRAWER = "editor.drawer"


def centre(iid: str) -> str:
    """One instance's form: its messages never show in another instance's form."""
    return f"editor.centre.{iid}"


def empty(scene_id: str) -> str:
    return f"editor.empty.{scene_id}"


def image(iid: str) -> str:
    return f"editor.image.{iid}"
