"""The one way a page tells the producer how an action went.

Buttons act through `on_click` callbacks, so an outcome is shown on the next run:
`flash` queues a message for an area of the screen (any name, e.g. "editor.left"),
`show_flash(area)` shows the area's messages once, where the area is drawn.
`attempt` runs one change and turns its failure into a message, never a traceback.
Every message is plain text (S1)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

import core
from ui.widgets import notice

log = logging.getLogger(__name__)
_KEY = "flash_messages"
UNEXPECTED = ("Something unexpected went wrong and nothing was changed. "
              "The details are in the server log.")


def flash(kind: str, message: str, area: str) -> None:
    """Queue `message` (kind: success, info, warning or error) for `area`."""
    st.session_state.setdefault(_KEY, []).append((area, kind, message))


def show_flash(area: str) -> None:
    """Show, then forget, the messages queued for `area`, oldest first."""
    queued = st.session_state.get(_KEY, [])
    for where, kind, message in queued:
        if where == area:
            notice(kind, message)
    st.session_state[_KEY] = [m for m in queued if m[0] != area]


def attempt(fn: Callable, area: str):
    """`fn()`, or None after flashing why it failed: a domain error as it is worded,
    anything else as one general message (the details go to the server log)."""
    try:
        return fn()
    except core.DeskError as exc:
        flash("error", str(exc), area)
    except Exception:  # noqa: BLE001 - anything else is logged, not shown raw
        log.exception("action failed (%s)", area)
        flash("error", UNEXPECTED, area)
    return None
