"""The editor's "Detect required assets" panel and the scene's suggestions (D1–D3).

UI only: detection, mapping and suggestions live in core (Desk.detect_assets,
accept_suggestion, dismiss_suggestion); messages go to the `ui.feedback` area the
editor names. Buttons act through on_click callbacks (a click must survive
page_context's rerun)."""

from __future__ import annotations

import streamlit as st

import core
from core.intake import gemini_detect
from ui.editor import areas
from ui.feedback import attempt, flash
from ui.safe import esc

ss = st.session_state
ICON = {"character": ":material/person:", "location": ":material/location_on:",
        "prop": ":material/category:"}


def _gemini_ready() -> bool:
    try:
        return gemini_detect.available(secrets=st.secrets)
    except Exception:  # noqa: BLE001 - no secrets file: no key
        return False


def _detect(desk: core.Desk, actor: str, scene_id: str, method: str, area: str) -> None:
    def run():
        detector = gemini_detect.from_env(secrets=st.secrets) if method == "gemini" else None
        return desk.detect_assets(scene_id, method=method, actor=actor, detector=detector)
    result = attempt(run, area)
    if result is None:
        return
    ss.ed_detected = {
        "scene": scene_id, "method": method,
        "found": [(d.asset_id, d.name, d.asset_type, "; ".join(d.reasons[:2]))
                  for d in result.relevant],
        "present": [d.name for d in result.already_present],
        "mentioned": [d.name for d in result.mentioned_only],
        "capitalized": result.capitalized,
    }
    who = "Gemini" if method == "gemini" else "The detector"
    new = len(result.new_assets_required)
    flash("success" if result.relevant or new else "info",
          f"{who} found {len(result.relevant)} asset(s) to add"
          + (f" and {new} new one(s) to create (see Suggestions)" if new else "")
          + (f"; {len(result.already_present)} already in the scene" if result.already_present
             else "") + ".", area)
    for w in result.warnings:
        flash("warning", w, area)


def _add_found(desk: core.Desk, actor: str, scene_id: str, ids: list[str], area: str) -> None:
    made = attempt(lambda: desk.inherit_scene(scene_id, ids, actor=actor), area)
    if made:                      # as the editor's own "Inherit": shown over the list
        ss.ed_instance = made[0].id
        flash("success", "Added " + ", ".join(f"{i.asset_name} ({i.source_label})"
                                              for i in made) + ".", areas.LEFT)
        ss.pop("ed_detected", None)


def _accept(desk: core.Desk, actor: str, suggestion, area: str) -> None:
    done = attempt(lambda: desk.accept_suggestion(suggestion.id, actor=actor,
                                                  expected_version=suggestion.version), area)
    if done:
        flash("success", f"Created {suggestion.name} and added it to the scene.", area)


def _dismiss(desk: core.Desk, actor: str, suggestion, area: str) -> None:
    if attempt(lambda: desk.dismiss_suggestion(suggestion.id, actor=actor,
                                               expected_version=suggestion.version), area):
        flash("info", f"Ignored {suggestion.name}.", area)


def detection_panel(desk: core.Desk, actor: str, scene: core.Scene, insts: list, *,
                    place: str, area: str, suggestions: bool = True) -> None:
    """The panel; `place` names its widgets (one panel per place), `area` its messages."""
    present = {i.project_asset_id for i in insts}
    with st.container(border=True, key=f"ed_detect_box_{place}"):
        st.markdown("**Detect required assets**")
        st.caption("Reads the scene heading, text and shots for the project's assets "
                   "(names, aliases, dialogue cues, the slugline's location).")
        args = (desk, actor, scene.id)
        gemini = _gemini_ready()
        cols = st.columns(2) if gemini else [st.container()]
        cols[0].button("Detect required assets", key=f"ed_detect_{place}",
                       icon=":material/manage_search:", width="stretch",
                       on_click=_detect, args=(*args, "deterministic", area))
        if gemini:
            cols[1].button("Ask Gemini", key=f"ed_gemini_{place}", icon=":material/auto_awesome:",
                           width="stretch",
                           on_click=_detect, args=(*args, "gemini", area))
        found = ss.get("ed_detected")
        if found and found["scene"] == scene.id:
            todo = [f for f in found["found"] if f[0] not in present]
            for _, name, kind, why in todo:
                st.markdown(f"{ICON.get(kind, '')} **{esc(name)}** "
                            f"<span class='ed-muted'>{esc(why)}</span>",
                            unsafe_allow_html=True)
            if todo:
                st.button(f"Add {len(todo)} to scene {esc(scene.display_label)}", type="primary",
                          key=f"ed_detect_add_{place}", icon=":material/add:",
                          on_click=_add_found,
                          args=(*args, [f[0] for f in todo], area))
            elif found["found"]:
                st.caption("Everything found is already in the scene.")
            if found["mentioned"]:
                st.caption("Only talked about: " + esc(", ".join(found["mentioned"])))
            if found["capitalized"]:
                st.caption("Also in capitals: " + esc(", ".join(found["capitalized"][:12])))
        if not suggestions:
            return
        pending = desk.suggestions(scene.id)
        if pending:
            st.markdown(f"**Suggestions · {len(pending)}**")
        for s in pending:
            c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="center")
            c1.markdown(f"{ICON.get(s.asset_type, '')} **{esc(s.name)}** "
                        f"<span class='ed-muted'>{esc(s.asset_type)} · "
                        f"{esc(s.reason[:80])}</span>", unsafe_allow_html=True)
            c2.button("Add", key=f"ed_sugg_ok_{s.id}", type="tertiary",
                      help=esc(f"Create {s.name} ({s.asset_type}) and add it to this scene"),
                      on_click=_accept, args=(desk, actor, s, area))
            c3.button("Ignore", key=f"ed_sugg_no_{s.id}", type="tertiary",
                      on_click=_dismiss, args=(desk, actor, s, area))
