"""Asset editor: one scene's visual definition (DESIGN §5).

Left: the scene's instances; centre: the selected instance; right: the asset drawer.
UI only: every read and every change goes through the Desk; actions run as widget
callbacks (before the script reruns), so the page always renders the saved state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

import core
from core.catalog.assets import split_aliases
from core.editing.edits import REVERTABLE_FIELDS
from core.editing.merge_notes import merged_with
from ui import dragdrop, edit_actions, editor_guard
from ui.context import page_context
from ui.image_panel import render_image_panel
from ui.safe import esc
from ui.textdiff import DIFF_CSS, diff_html
from ui.widgets import FIELD_LABELS, notice, show_error, tag_chips

log = logging.getLogger(__name__)
ss = st.session_state


TYPE_GROUPS = (("character", "Characters"), ("location", "Locations"), ("prop", "Props"))
TYPE_FILTER = {"All": None, "Characters": "character", "Locations": "location", "Props": "prop"}
TYPE_ICON = {"character": ":material/person:", "location": ":material/location_on:",
             "prop": ":material/category:"}
PRODUCER_FIELDS = (REVERTABLE_FIELDS - {"inherited_description", "inherited_tags"}) | {
    "locked", "pending_review"}
DRAWER_LIMIT = 40
CSS = """<style>
.ed-row{font-size:0.78rem;line-height:1.55;margin:-0.55rem 0 0.35rem 0.15rem}
.ed-muted{color:#8a8d96;font-size:0.8rem}
.ed-quote{border-left:3px solid rgba(49,51,63,0.18);padding:0.15rem 0.7rem;
 margin:0.15rem 0 0.4rem 0;font-size:0.9rem}
.ed-hist{font-size:0.82rem;line-height:1.4;padding:0.15rem 0 0.3rem 0;
 border-bottom:1px solid rgba(49,51,63,0.08)}
.ed-chain{font-size:0.84rem;line-height:1.4;margin:0.1rem 0 0.45rem 0}
[class*="st-key-ed_block_"] button{min-height:0;padding:0.05rem 0;justify-content:flex-start;
 text-align:left}
[class*="st-key-ed_block_"] button p{font-size:0.84rem}
""" + DIFF_CSS + "</style>"


# --- small helpers -------------------------------------------------------------------
def k(name: str, iid: str) -> str:
    """Session-state key of one instance's editor state."""
    return f"ed_{name}_{iid}"


def short(text: str | None, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compact(value, limit: int = 90) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "(none)"
    return short(str(value), limit)


def scenes_phrase(labels: list[str]) -> str:
    return ("scene " if len(labels) == 1 else "scenes ") + ", ".join(labels)


def flash(kind: str, message: str, area: str = "centre") -> None:
    ss.setdefault("ed_flash", []).append((area, kind, message))


def show_flash(area: str) -> None:
    rest = []
    for where, kind, message in ss.get("ed_flash", []):
        if where == area:
            notice(kind, message)
        else:
            rest.append((where, kind, message))
    ss.ed_flash = rest


def attempt(fn: Callable, area: str = "centre"):
    """Run one change; domain errors become a message for the producer, never a traceback."""
    try:
        return fn()
    except core.DeskError as exc:
        flash("error", str(exc), area)
    except Exception:  # noqa: BLE001 - anything else is logged, not shown raw
        log.exception("asset editor action failed")
        flash("error", "Something unexpected went wrong and nothing was changed. "
                       "The details are in the server log.", area)
    return None


def badges(inst: core.Instance) -> str:
    """Source and status badges (markdown badge syntax)."""
    src = inst.source_label
    out = [f":gray-badge[{'from ' if src.startswith('Scene') else ''}{esc(src)}]"]
    if inst.pending_review:
        out.append(":violet-badge[:material/rule: review tags]")
    if inst.edited:
        out.append(":orange-badge[:material/edit: edited]")
    if inst.locked:
        out.append(":gray-badge[:material/lock: locked]")
    if inst.upstream_changed:
        out.append(":red-badge[:material/warning: upstream changed]")
    if inst.image_stale:
        out.append(":orange-badge[:material/image: stale image]")
    return " ".join(out)


def reach(result: core.UpdateResult, appearances: list[core.Instance],
          labels: dict[str, str], *, done: bool) -> str:
    """P3 in words: which later scenes a change updates, which it only flags."""
    where = {i.id: i for i in appearances}

    def label(iid: str) -> str:
        inst = where.get(iid)
        return labels.get(inst.scene_id, str(inst.scene_number)) if inst else "?"

    updated = [label(i) for i in result.propagated]
    locked = [label(i) for i in result.flagged if where.get(i) and where[i].locked]
    own = [label(i) for i in result.flagged if not (where.get(i) and where[i].locked)]
    parts = []
    if updated:
        parts.append(("also updated " if done else "will also update ") + scenes_phrase(updated))
    for group, why in ((own, "its own value"), (locked, "locked")):
        if not group:
            continue
        verb = "has" if len(group) == 1 else "have"
        if why == "locked":
            verb = "is" if len(group) == 1 else "are"
        tail = "was flagged" if done else "will be flagged"
        if len(group) > 1:
            tail = "were flagged" if done else "will be flagged"
        parts.append(f"{scenes_phrase(group)} {verb} {why} and {tail}")
    if not parts:
        return "Only this scene changed." if done else "Only this scene changes."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


# --- the edit form of one instance (kept per instance in session state) --------------
def load_form(inst: core.Instance, *, keep_dirty: bool = False) -> None:
    """Fill the form from `inst` and remember the version it was loaded with (A4).
    With keep_dirty, fields the producer has changed keep the producer's value."""
    iid = inst.id
    new = {"version": inst.version, "desc": inst.effective_description,
           "tags": list(inst.status_tags), "cf": inst.carry_forward}
    old = ss.get(k("base", iid))
    for field in ("desc", "tags", "cf"):
        key = k(field, iid)
        if keep_dirty and old is not None and key in ss and ss[key] != old[field]:
            continue
        ss[key] = new[field]
    ss[k("base", iid)] = new
    ss.pop(k("conflict", iid), None)
    ss.pop(k("tagerr", iid), None)


def form_changes(iid: str) -> dict:
    """What the form would change, as update_instance keyword arguments."""
    base = ss.get(k("base", iid))
    if base is None:
        return {}
    changes: dict = {}
    desc = ss.get(k("desc", iid))
    if desc is not None and desc.strip() != base["desc"].strip():
        changes["description_override"] = desc.strip()
    tags = list(ss.get(k("tags", iid)) or [])
    if tags != base["tags"]:
        changes["status_tags"] = tags
    cf = ss.get(k("cf", iid))
    if cf is not None and cf != base["cf"]:
        changes["carry_forward"] = cf
    return changes


def signature(changes: dict) -> str:
    return repr(sorted((key, repr(val)) for key, val in changes.items()))


# --- actions (widget callbacks) --------------------------------------------------------
def select(iid: str | None) -> None:
    ss.ed_instance = iid


def forget(iid: str) -> None:
    """Close the notice of a vanished instance: its kept edits go, no asset is chosen."""
    for name in ("lost", "base", "desc", "tags", "cf", "reason", "conflict", "seen"):
        ss.pop(k(name, iid), None)
    ss.ed_instance = None


def pick_scene() -> None:
    ss.ed_scene_id = ss.ed_scene_pick
    ss.ed_instance = None
    ss.pop("ed_foreign", None)


def switch_to(project_id: str, branch_id: str, scene_id: str, instance_id: str | None) -> None:
    ss.project_id, ss.branch_id = project_id, branch_id
    ss.ed_scene_id, ss.ed_instance = scene_id, instance_id
    ss.pop("ed_foreign", None)


def after_change(result, *, keep_dirty: bool = True) -> None:
    if result is not None and result.instance is not None:
        refresh_form(result.instance, keep_dirty=keep_dirty)


def refresh_form(inst: core.Instance, *, keep_dirty: bool = True) -> None:
    """Reload an open form after a change (the producer's unsaved fields stay)."""
    if k("base", inst.id) in ss:
        load_form(inst, keep_dirty=keep_dirty)


def save(desk: core.Desk, actor: str, iid: str, labels: dict[str, str]) -> None:
    changes = form_changes(iid)
    if not changes:
        flash("info", "Nothing to save: the form matches the saved state.")
        return
    base = ss[k("base", iid)]
    appearances = attempt(lambda: desk.asset_appearances(iid)) or []
    if ss.get(k("seen", iid)) != signature(changes):
        # P3: a change that reaches other scenes is shown before it is saved.
        pv = attempt(lambda: desk.preview_update(iid, **changes))
        if pv is None:
            return
        if pv.propagated or pv.flagged:
            flash("warning", "Check where this change goes (see the preview), then press "
                             "Save again.")
            return
    reason = (ss.get(k("reason", iid)) or "").strip() or None
    try:
        result = desk.update_instance(iid, expected_version=base["version"], actor=actor,
                                      reason=reason, **changes)
    except core.ConflictError as exc:
        ss[k("conflict", iid)] = {"message": str(exc), "current": exc.current}
        return
    except core.DeskError as exc:
        flash("error", str(exc))
        return
    except Exception:  # noqa: BLE001
        log.exception("save failed")
        flash("error", "Something unexpected went wrong and nothing was saved. "
                       "The details are in the server log.")
        return
    load_form(result.instance)
    ss[k("reason", iid)] = ""
    ss.pop(k("seen", iid), None)
    merged = ""
    if result.instance.version > base["version"] + 1:      # others saved meanwhile (A6)
        merged = merged_with(desk.history(iid), base["version"], result.change_id)
    ss.ed_last_save = (iid, result.change_id)              # for "Undo this save" (A3)
    flash("success", (f"Saved, merged with {merged}. " if merged else "Saved. ")
          + reach(result, appearances, labels, done=True))


def discard(desk: core.Desk, iid: str) -> None:
    inst = attempt(lambda: desk.get_instance(iid))
    if inst is not None:
        load_form(inst)
        ss[k("reason", iid)] = ""


def load_current(iid: str, keep_mine: bool) -> None:
    conflict = ss.get(k("conflict", iid))
    if not conflict or conflict["current"] is None:
        return
    if not keep_mine:
        ss[k("stash", iid)] = ss.get(k("desc", iid))
    load_form(conflict["current"], keep_dirty=keep_mine)


def clear_override(desk: core.Desk, actor: str, iid: str, labels: dict[str, str]) -> None:
    base = ss[k("base", iid)]
    appearances = attempt(lambda: desk.asset_appearances(iid)) or []
    try:
        result = desk.update_instance(iid, expected_version=base["version"], actor=actor,
                                      reason=(ss.get(k("reason", iid)) or "").strip() or None,
                                      description_override=None)
    except core.ConflictError as exc:
        ss[k("conflict", iid)] = {"message": str(exc), "current": exc.current}
        return
    except core.DeskError as exc:
        flash("error", str(exc))
        return
    ss[k("desc", iid)] = result.instance.effective_description
    after_change(result)
    flash("success", "Override cleared: the description follows "
                     + ("the master again. " if result.instance.inherited_description is None
                        else f"scene {result.instance.source_scene_number} again. ")
                     + reach(result, appearances, labels, done=True))


def simple_action(desk_call: Callable, done: str, area: str = "centre") -> None:
    result = attempt(desk_call, area)
    if result is not None:
        after_change(result)
        flash("success", done, area)


def remove(desk: core.Desk, actor: str, iid: str, version: int, name: str) -> None:
    result = attempt(lambda: desk.remove_instance(iid, expected_version=version, actor=actor),
                     "left")
    if result is not None:
        ss.ed_instance = None
        flash("success", f"Removed {name} from the scene (its history is kept).", "left")


def bulk(desk: core.Desk, actor: str, scene_id: str, action: str) -> None:
    """Lock, unlock or remove the chosen instances at their current versions: one
    transaction, all or nothing."""
    chosen = set(ss.get(f"ed_bulk_{scene_id}") or [])
    insts = attempt(lambda: desk.scene_instances(scene_id), "left") or []
    items = [(i.id, i.version) for i in insts if i.id in chosen]
    names = {i.id: i.asset_name for i in insts}
    call = {"lock": desk.lock_instances, "unlock": desk.unlock_instances,
            "remove": desk.remove_instances}[action]
    result = attempt(lambda: call(items, actor=actor), "left")
    if result is None:
        return
    for inst in result.instances:
        refresh_form(inst)
    done = [names[i] for i, _ in items if i not in set(result.skipped)]
    verb = {"lock": "Locked", "unlock": "Unlocked", "remove": "Removed"}[action]
    if done:
        flash("success", f"{verb}: {', '.join(done)}.", "left")
    else:
        flash("info", f"Nothing to do: the chosen assets are already {action}ed.", "left")
    if action == "remove" and ss.get("ed_instance") in chosen:
        ss.ed_instance = None
    ss[f"ed_bulk_{scene_id}"] = []


def inherit(desk: core.Desk, actor: str, scene_id: str, candidates: list[str],
            area: str) -> None:
    wanted = [aid for aid in candidates if ss.get(f"ed_inh_{scene_id}_{aid}", True)]
    if not wanted:
        flash("info", "Tick at least one asset to inherit.", area)
        return
    made = attempt(lambda: desk.inherit_scene(scene_id, wanted, actor=actor), area)
    if made is None:
        return
    if made:
        ss.ed_instance = made[0].id
        flash("success", f"Added {len(made)} asset(s): "
                         + ", ".join(f"{i.asset_name} ({i.source_label})" for i in made) + ".",
              "left")
    else:
        flash("info", "Nothing new: those assets are already in the scene.", "left")


def add_to_scene(desk: core.Desk, actor: str, scene_id: str, asset_ids: list[str]) -> None:
    made = attempt(lambda: desk.inherit_scene(scene_id, asset_ids, actor=actor), "drawer")
    if made:
        ss.ed_instance = made[0].id
        flash("success", "Added to the scene: " + ", ".join(
            f"{i.asset_name} ({i.source_label})" for i in made) + ".", "drawer")
    elif made is not None:
        flash("info", "Already in the scene.", "drawer")


def clone(desk: core.Desk, actor: str, project_id: str, global_id: str, name: str) -> None:
    asset = attempt(lambda: desk.clone_global_asset(project_id, global_id, actor=actor),
                    "drawer")
    if asset is not None:
        flash("success", f"{name} is now a project asset: add it to the scene from the "
                         "Project tab.", "drawer")


def create_asset(desk: core.Desk, actor: str, project_id: str, scene_id: str) -> None:
    name = (ss.get("ed_new_name") or "").strip()
    aliases = split_aliases(ss.get("ed_new_aliases"))
    asset = attempt(lambda: desk.add_asset(
        project_id, name, ss.get("ed_new_type") or "character",
        (ss.get("ed_new_desc") or "").strip(), aliases=aliases), "drawer")
    if asset is None:
        return  # the message names the problem; the form keeps what was typed
    for key in ("ed_new_name", "ed_new_aliases", "ed_new_desc"):
        ss[key] = ""
    if ss.get("ed_new_add", True):
        add_to_scene(desk, actor, scene_id, [asset.id])
    else:
        flash("success", f"Created {asset.name}.", "drawer")


def review(desk: core.Desk, actor: str, inst: core.Instance, mode: str) -> None:
    if mode == "all":
        keep = list(inst.status_tags)
    elif mode == "none":
        keep = []
    else:
        keep = [t for t in inst.status_tags if ss.get(f"ed_keep_{inst.id}_{t}", True)]
    dropped = [t for t in inst.status_tags if t not in keep]
    result = attempt(lambda: desk.review_tags(inst.id, keep, expected_version=inst.version,
                                              actor=actor), "review")
    if result is not None:
        after_change(result)
        flash("success", f"{inst.asset_name}: kept {', '.join(keep) or 'no conditions'}"
                         + (f", dropped {', '.join(dropped)}." if dropped else "."), "review")


def normalize_tags(desk: core.Desk, iid: str) -> None:
    key = k("tags", iid)
    try:
        ss[key] = desk.normalize_tags(list(ss.get(key) or []))
        ss.pop(k("tagerr", iid), None)
    except core.ValidationError as exc:
        ss[k("tagerr", iid)] = str(exc)


# --- placing the editor: scene and instance, synced with ?scene=…&instance=… ---------------
def sync_from_url(desk: core.Desk, scene_ids: list[str]) -> None:
    """Apply the URL when it changed outside this page (a link, a reload, back/forward)."""
    wanted = (st.query_params.get("scene"), st.query_params.get("instance"))
    if wanted == ss.get("_ed_url"):
        return
    ss._ed_url = wanted
    scene_id, instance_id = wanted
    if instance_id and not scene_id:
        try:
            scene_id = desk.get_instance(instance_id).scene_id
        except core.DeskError:
            return
    if not scene_id:
        return
    if scene_id in scene_ids:
        ss.ed_scene_id, ss.ed_instance = scene_id, instance_id
        return
    try:
        ss.ed_foreign = (desk.get_scene(scene_id), instance_id)
    except core.DeskError:
        flash("warning", "The linked scene no longer exists; showing this branch's scenes.",
              "top")


def sync_to_url(scene_id: str, instance_id: str | None) -> None:
    ss._ed_url = (scene_id, instance_id)
    if st.query_params.get("scene") != scene_id:
        st.query_params["scene"] = scene_id
    if instance_id and st.query_params.get("instance") != instance_id:
        st.query_params["instance"] = instance_id
    elif not instance_id and "instance" in st.query_params:
        del st.query_params["instance"]


# --- rendering -------------------------------------------------------------------------------
BLOCKER_TITLES = {
    "no_instances": "No assets",
    "pending_review": "Carried conditions to review",
    "upstream_changed": "Upstream changed",
    "missing_image": "No reference image",
    "stale_image": "Stale image",
}


def mark_ready(desk: core.Desk, actor: str, scene_id: str) -> None:
    if attempt(lambda: desk.mark_scene_ready(scene_id, actor=actor), "gate") is not None:
        flash("success", "Signed off: the scene is ready for the next stage.", "gate")


def render_readiness(desk: core.Desk, actor: str, scene: core.Scene,
                     names: dict[str, str]) -> None:
    """The gatekeeper (R1): exactly what blocks the scene, each blocker opening its asset."""
    rd = desk.scene_readiness(scene.id)
    with st.container(border=True):
        n = len(rd.blockers)
        badge = (":green-badge[:material/check: Ready]" if rd.ready else
                 f":red-badge[{n} blocker{'s' if n != 1 else ''}]")
        st.markdown(f"**Scene readiness** · {badge}")
        show_flash("gate")
        if rd.lapsed:
            st.caption("An earlier sign-off lapsed: the scene changed since.")
        if rd.ready:
            if rd.signed_off:
                st.caption(f"Signed off by {esc(rd.signed_off.actor)} · "
                           f"{rd.signed_off.signed_at:%Y-%m-%d %H:%M} UTC.")
            else:
                st.caption("Nothing blocks this scene.")
                st.button("Mark scene ready", key="ed_mark_ready", type="primary",
                          icon=":material/verified:", on_click=mark_ready,
                          args=(desk, actor, scene.id))
            return
        kinds = list(dict.fromkeys([*BLOCKER_TITLES, *(b.kind for b in rd.blockers)]))
        with st.container(height=190) if n > 5 else st.container():
            for kind in kinds:
                group = [b for b in rd.blockers if b.kind == kind]
                if not group:
                    continue
                st.caption(f"{BLOCKER_TITLES.get(kind, kind).upper()} · {len(group)}")
                for b in group:
                    if not b.instance_id:
                        st.markdown(f"<div class='ed-hist'>{esc(b.message)}</div>",
                                    unsafe_allow_html=True)
                        continue
                    st.button(esc(b.message), key=f"ed_block_{kind}_{b.instance_id}",
                              type="tertiary", on_click=select, args=(b.instance_id,),
                              help=esc(f"Open {names.get(b.instance_id, 'this asset')} in "
                                       "the editor"))


def render_review_panel(desk: core.Desk, actor: str, pending: list[core.Instance]) -> None:
    with st.container(border=True):
        st.markdown("**Carried conditions to review** — which conditions really carry into "
                    "this scene? Untick what has worn off, then save the choice.")
        show_flash("review")
        for inst in pending:
            c1, c2, c3 = st.columns([1.3, 3, 2.6], vertical_alignment="center")
            c1.button(esc(inst.asset_name), icon=TYPE_ICON.get(inst.asset_type),
                      key=f"ed_rv_pick_{inst.id}", type="tertiary", on_click=select,
                      args=(inst.id,), help="Open in the editor")
            with c2.container(horizontal=True, gap="small"):
                for tag in inst.status_tags:
                    st.checkbox(esc(tag), value=True, key=f"ed_keep_{inst.id}_{tag}")
            with c3.container(horizontal=True, gap="xsmall"):
                st.button("Keep all", key=f"ed_rv_all_{inst.id}", on_click=review,
                          args=(desk, actor, inst, "all"))
                st.button("Keep none", key=f"ed_rv_none_{inst.id}", on_click=review,
                          args=(desk, actor, inst, "none"))
                st.button("Save choice", key=f"ed_rv_save_{inst.id}", type="primary",
                          on_click=review, args=(desk, actor, inst, "pick"))


def render_inherit(desk: core.Desk, actor: str, scene: core.Scene,
                   asset_names: dict[str, str], area: str, expanded: bool) -> None:
    candidates = desk.inherit_candidates(scene.id)
    title = f"Inherit from earlier scenes ({len(candidates)})" if candidates else \
        "Inherit from earlier scenes"
    with st.expander(title, expanded=expanded):
        if not candidates:
            st.caption("Nothing to inherit: every asset the script maps to this scene (or "
                       "that the previous scene has) is already here. Add others from the "
                       "drawer.")
            return
        st.caption("Each asset starts from its latest earlier appearance (or its master).")
        for aid in candidates:
            st.checkbox(esc(asset_names.get(aid, aid)), value=True,
                        key=f"ed_inh_{scene.id}_{aid}")
        st.button(f"Add the ticked assets to scene {esc(scene.display_label)}",
                  key=f"ed_inherit_{scene.id}_{area}", type="primary",
                  on_click=inherit, args=(desk, actor, scene.id, candidates, area))


def render_left(desk: core.Desk, actor: str, scene: core.Scene, insts: list[core.Instance],
                selected: str | None, asset_names: dict[str, str]) -> None:
    st.markdown(f"**In this scene** · {len(insts)} asset{'s' if len(insts) != 1 else ''}")
    show_flash("left")
    if not insts:
        st.caption("No assets yet.")
        return
    for asset_type, title in TYPE_GROUPS:
        group = [i for i in insts if i.asset_type == asset_type]
        if not group:
            continue
        st.caption(f"{title.upper()} · {len(group)}")
        for inst in group:
            with st.container(gap="xxsmall"):
                st.button(esc(inst.asset_name), key=f"ed_pick_{inst.id}", on_click=select,
                          args=(inst.id,), icon=TYPE_ICON.get(inst.asset_type),
                          type="secondary" if inst.id == selected else "tertiary")
                st.markdown(f"<div class='ed-row'>\n\n{badges(inst)} "
                            f"{tag_chips(inst.status_tags)}\n\n</div>", unsafe_allow_html=True)
    with st.expander("Bulk actions"):
        by_id = {i.id: i for i in insts}
        st.multiselect("Choose assets", list(by_id), key=f"ed_bulk_{scene.id}",
                       format_func=lambda i: by_id[i].asset_name if i in by_id else i,
                       placeholder="Choose assets")
        with st.container(horizontal=True, gap="xsmall"):
            st.button("Lock", icon=":material/lock:", key="ed_bulk_lock", on_click=bulk,
                      args=(desk, actor, scene.id, "lock"))
            st.button("Unlock", icon=":material/lock_open:", key="ed_bulk_unlock", on_click=bulk,
                      args=(desk, actor, scene.id, "unlock"))
            st.button("Remove from scene", key="ed_bulk_remove", on_click=bulk,
                      args=(desk, actor, scene.id, "remove"))
    render_inherit(desk, actor, scene, asset_names, "left", expanded=False)


def render_empty(desk: core.Desk, actor: str, scene: core.Scene,
                 asset_names: dict[str, str]) -> None:
    with st.container(border=True):
        st.markdown("#### No assets in this scene yet")
        st.markdown(
            "- **Inherit from earlier scenes**: each asset starts in the state it was left "
            "in at its latest earlier appearance (or from its master).\n"
            "- **Add manually** from the asset drawer on the right: press *Add*, drag an "
            "asset into the drop box, clone one from the global library, or create a new "
            "asset.")
        show_flash("empty")
        render_inherit(desk, actor, scene, asset_names, "empty", expanded=True)
        render_detection(desk, actor, scene, [], "empty")


def render_conflict(iid: str, desk: core.Desk) -> None:
    conflict = ss.get(k("conflict", iid))
    if not conflict:
        return
    cur = conflict["current"]
    with st.container(border=True):
        st.error("**Not saved — someone else changed this asset here first.** Your unsaved "
                 "edits are still in the form below; nothing you typed is lost.")
        if cur is None:
            st.caption(esc(conflict["message"]))
            return
        last = None
        try:
            rows = desk.history(iid)
            last = rows[-1] if rows else None
        except core.DeskError:
            pass
        who = (f" · changed last by **{esc(last.actor)}** ({esc(last.source)}, "
               f"{last.at:%Y-%m-%d %H:%M} UTC)") if last else ""
        st.markdown(f"Current state · version {cur.version}"
                    f"{' · :material/lock: locked' if cur.locked else ''}{who}")
        st.markdown(f"<div class='ed-quote'>{esc(cur.effective_description)}</div>"
                    f"<div style='margin-bottom:0.6rem'>{tag_chips(cur.status_tags)} · "
                    f"carry forward {'on' if cur.carry_forward else 'off'}</div>",
                    unsafe_allow_html=True)
        with st.container(horizontal=True, gap="xsmall"):
            st.button("Load current version", key=k("load_current", iid), type="primary",
                      on_click=load_current, args=(iid, False),
                      help="Replace the form with the current state (your text stays "
                           "available to copy).")
            st.button("Keep my edits on top of it", key=k("rebase", iid),
                      on_click=load_current, args=(iid, True),
                      help="Take the current version as the base and keep the fields you "
                           "changed; saving then replaces the other change.")


def render_history(desk: core.Desk, actor: str, inst: core.Instance,
                   labels: dict[str, str]) -> None:
    rows = desk.history(inst.id)
    with st.expander(f"History · {len(rows)} change{'s' if len(rows) != 1 else ''}"):
        show_all = st.toggle("Show every field", key=k("hist_all", inst.id),
                             help="Also show inheritance links and upstream flags.")
        current = {"description_override": inst.description_override,
                   "effective_description": inst.effective_description,
                   "status_tags": list(inst.status_tags),
                   "carry_forward": inst.carry_forward}
        shown = [h for h in reversed(rows) if show_all or h.field in PRODUCER_FIELDS]
        edit_actions.revert_confirm(
            desk, actor, inst, lambda r: reach(r, desk.asset_appearances(inst.id), labels,
                                               done=False), simple_action)
        box = st.container(height=320) if len(shown) > 8 else st.container()
        with box:
            for h in shown:
                c1, c2 = st.columns([6, 1.1], vertical_alignment="center")
                reason = f" · “{esc(short(h.reason, 80))}”" if h.reason else ""
                if isinstance(h.old_value, str) or isinstance(h.new_value, str):
                    change = f"<span class='cd-diff'>{diff_html(h.old_value, h.new_value)}</span>"
                else:
                    change = f"{esc(compact(h.old_value))} → <b>{esc(compact(h.new_value))}</b>"
                c1.markdown(
                    f"<div class='ed-hist'><b>{esc(FIELD_LABELS.get(h.field, h.field))}</b> "
                    f"{change}<br>"
                    f"<span class='ed-muted'>#{h.id} · {esc(h.actor)} · {esc(h.source)} · "
                    f"{h.at:%Y-%m-%d %H:%M}{reason}</span></div>", unsafe_allow_html=True)
                if h.field in REVERTABLE_FIELDS:
                    value = h.new_value
                    if h.field == "status_tags":
                        value = list(value or [])
                    old = list(h.old_value or []) if h.field == "status_tags" else h.old_value
                    if current.get(h.field) != value:
                        c2.button("Revert", key=k(f"revert_{h.id}", inst.id), type="tertiary",
                                  disabled=inst.locked,
                                  help="Make this the value again (an ordinary, audited edit); "
                                       "you see what it does before it is saved",
                                  on_click=edit_actions.ask_revert, args=(inst.id, h.id, False))
                    elif old != value:
                        c2.button("Restore before", key=k(f"before_{h.id}", inst.id),
                                  type="tertiary", disabled=inst.locked,
                                  help="This is the current value: restore the value before "
                                       "this change (previewed first)",
                                  on_click=edit_actions.ask_revert, args=(inst.id, h.id, True))
                    else:
                        c2.caption("current")
            if not shown:
                st.caption("No changes to show.")


def render_chain(desk: core.Desk, inst: core.Instance, labels: dict[str, str]) -> None:
    chain = desk.inheritance_chain(inst.id)
    title = " → ".join(labels.get(c.scene_id, str(c.scene_number)) for c in chain)
    with st.expander(f"Inheritance chain · scene {esc(title)}"):
        for step in chain:
            here = " (this scene)" if step.id == inst.id else ""
            cf = "" if step.carry_forward else " · carry forward off"
            number = labels.get(step.scene_id, step.scene_number)
            st.markdown(
                f"<div class='ed-chain'><b>Scene {esc(number)}</b>{here} "
                f"<span class='ed-muted'>· {esc(step.source_label)}{cf}</span><br>"
                f"{esc(short(step.effective_description, 220))}<br>"
                f"{tag_chips(step.status_tags)}</div>", unsafe_allow_html=True)


def render_centre(desk: core.Desk, actor: str, inst: core.Instance,
                  labels: dict[str, str], suggestions: list[str]) -> None:
    iid = inst.id
    base = ss.get(k("base", iid))
    fresh = (base is None or k("desc", iid) not in ss
             or (base["version"] != inst.version and not form_changes(iid)
                 and k("conflict", iid) not in ss))
    if fresh:
        load_form(inst)
    locked = inst.locked
    # A form with unsaved edits is never disabled: Streamlit drops a disabled widget's
    # incoming value, which would lose text typed before a lock made elsewhere (A4).
    frozen = locked and not form_changes(iid)

    icon = TYPE_ICON.get(inst.asset_type, "")
    st.subheader(f"{icon} {esc(inst.asset_name)}", anchor=False)
    st.markdown(f"{badges(inst)} <span class='ed-muted'>· {esc(inst.asset_type)} · scene "
                f"{esc(labels.get(inst.scene_id, inst.scene_number))} · version "
                f"{inst.version}</span>", unsafe_allow_html=True)
    show_flash("centre")
    render_conflict(iid, desk)
    stash = ss.pop(k("stash", iid), None)
    if stash:
        st.caption("Your unsaved text, to copy back if you still want it:")
        st.code(stash, language=None, wrap_lines=True)
    if frozen:
        st.info("**Locked** — this state is frozen; edits, tag review and revert are "
                "refused until you unlock it.", icon=":material/lock:")
    elif locked:
        st.warning("**Locked** since you started editing. Your unsaved edits are kept "
                   "below: unlock to save them, or discard them.", icon=":material/lock:")

    fallback = None
    if inst.description_override is not None or inst.upstream_description_changed:
        fallback = desk.fallback_description(iid)

    if inst.upstream_changed:
        with st.container(border=True):
            st.markdown(":material/warning: **The earlier scene changed**")
            if inst.upstream_description_changed:
                st.markdown("*Description* — this scene keeps its own. Upstream now passes "
                            f"on (from {esc(fallback.source)}):")
                st.markdown(f"<div class='ed-quote'>{esc(fallback.description)}</div>",
                            unsafe_allow_html=True)
            if inst.upstream_tags_changed:
                st.markdown(f"*Tags* — upstream now passes on {tag_chips(inst.inherited_tags)}"
                            f" · here {tag_chips(inst.status_tags)}", unsafe_allow_html=True)
            edit_actions.take_upstream(desk, actor, inst, simple_action)

    master = desk.get_asset(inst.project_asset_id)
    with st.container(border=True):
        st.caption("MASTER DESCRIPTION (reference)")
        st.markdown(f"<div style='font-size:0.88rem'>{esc(master.description)}</div>",
                    unsafe_allow_html=True)

    if inst.description_override is not None:
        follows = "Own description for this scene (an override)."
    elif inst.inherited_description is not None:
        follows = f"Follows scene {inst.source_scene_number}; editing saves an override."
    else:
        follows = "Follows the master description live; editing saves an override."
    st.text_area("Description at the start of this scene", key=k("desc", iid), height=120,
                 disabled=frozen)
    st.caption(follows)
    if inst.description_override is not None and fallback is not None:
        with st.container(border=True, gap="xsmall"):
            st.caption(esc(f"Clearing the override falls back to {fallback.source}: "
                           f"“{short(fallback.description, 180)}”"))
            st.button("Clear override", key=k("clear", iid), disabled=locked,
                      icon=":material/undo:", on_click=clear_override,
                      args=(desk, actor, iid, labels))

    tags_now = list(ss.get(k("tags", iid)) or [])
    options = list(dict.fromkeys([*tags_now, *inst.status_tags, *suggestions]))
    st.multiselect("Condition tags", options, key=k("tags", iid), accept_new_options=True,
                   disabled=frozen, placeholder="Add a condition (muddy, torn, …)",
                   on_change=normalize_tags, args=(desk, iid),
                   help="Pick from the vocabulary and the project's tags, or type a new one.")
    if ss.get(k("tagerr", iid)):
        notice("error", ss[k("tagerr", iid)])
    st.toggle("Carry this state forward to the asset's next appearance", key=k("cf", iid),
              disabled=frozen,
              help="Off: the next appearance starts again from the master (for example "
                   "after a costume change).")
    st.text_input("Reason (optional, saved in the history)", key=k("reason", iid),
                  disabled=frozen, placeholder="e.g. after the fight in scene 4")

    changes = form_changes(iid)
    if changes and not locked:
        with st.container(border=True):
            st.markdown("**Preview** — what saving will do")
            try:
                pv = desk.preview_update(iid, **changes)
            except core.DeskError as exc:
                show_error(exc)
            else:
                notice("info", reach(pv, desk.asset_appearances(iid), labels, done=False))
                edit_actions.conflict_notes(pv)
                ss[k("seen", iid)] = signature(changes)
            with st.container(horizontal=True, gap="xsmall"):
                st.button("Save", key=k("save", iid), type="primary",
                          on_click=save, args=(desk, actor, iid, labels))
                st.button("Discard changes", key=k("discard", iid), on_click=discard,
                          args=(desk, iid))
    elif changes:
        with st.container(horizontal=True, gap="xsmall"):
            st.button("Save", key=k("save", iid), type="primary",
                      on_click=save, args=(desk, actor, iid, labels))
            st.button("Discard changes", key=k("discard", iid), on_click=discard,
                      args=(desk, iid))
    else:
        st.caption("No unsaved changes.")

    with st.container(horizontal=True, gap="xsmall", vertical_alignment="center"):
        if locked:
            st.button("Unlock", icon=":material/lock_open:", key=k("unlock", iid),
                      on_click=simple_action, args=(
                lambda: desk.unlock_instance(iid, expected_version=inst.version, actor=actor),
                f"Unlocked {inst.asset_name}: it follows its upstream again."))
        else:
            st.button("Lock", icon=":material/lock:", key=k("lock", iid),
                      on_click=simple_action, args=(
                lambda: desk.lock_instance(iid, expected_version=inst.version, actor=actor),
                f"Locked {inst.asset_name}: its state is frozen here."),
                help="Freeze this state: edits and upstream changes will not alter it.")
        with st.popover("Remove from scene"):
            st.caption(esc(f"Remove {inst.asset_name} from this scene? Its history is kept "
                           "and its next appearance re-links to the previous one."))
            st.button("Remove", key=k("remove", iid), type="primary", on_click=remove,
                      args=(desk, actor, iid, inst.version, inst.asset_name))
        edit_actions.undo_last_save(
            desk, actor, inst, lambda r: reach(r, desk.asset_appearances(iid), labels,
                                               done=False), simple_action)

    render_image_panel(ss.ctx, inst)
    render_chain(desk, inst, labels)
    render_history(desk, actor, inst, labels)


def render_drawer(desk: core.Desk, actor: str, project: core.Project, scene: core.Scene,
                  insts: list[core.Instance]) -> None:
    st.markdown("**Asset drawer**")
    show_flash("drawer")
    c1, c2 = st.columns([1.4, 1])
    query = c1.text_input("Search", key="ed_q", placeholder="Search name or alias",
                          label_visibility="collapsed").strip().casefold()
    kind = TYPE_FILTER[c2.selectbox("Type", list(TYPE_FILTER), key="ed_kind",
                                    label_visibility="collapsed")]

    def matches(a) -> bool:
        if kind and a.asset_type != kind:
            return False
        hay = [a.name, *a.aliases]
        return not query or any(query in h.casefold() for h in hay)

    in_scene = {i.project_asset_id for i in insts}
    assets = desk.assets(project.id)
    shown = [a for a in assets if matches(a)]
    tab_p, tab_g = st.tabs([f"Project · {len(assets)}", "Global library"])
    with tab_p:
        available = [a for a in shown if a.id not in in_scene]
        st.caption("Drag an asset into the drop box to add it to this scene.")
        ss.setdefault("ed_dnd_n", 0)
        dropped = dragdrop.drop_assets([a.name for a in available],
                                       key=f"ed_dnd_{scene.id}_{ss.ed_dnd_n}")
        if dropped:
            by_name = {a.name: a.id for a in available}
            ss.ed_dnd_n += 1
            add_to_scene(desk, actor, scene.id, [by_name[n] for n in dropped if n in by_name])
            st.rerun()
        for a in available[:DRAWER_LIMIT]:
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.markdown(f"{TYPE_ICON.get(a.asset_type, '')} {esc(a.name)}"
                        + ("" if a.approved else " <span class='ed-muted'>(not approved)</span>"),
                        unsafe_allow_html=True)
            c2.button("Add", key=f"ed_add_{a.id}", type="tertiary", icon=":material/add:",
                      on_click=add_to_scene, args=(desk, actor, scene.id, [a.id]),
                      help=esc(f"Add {a.name} to scene {scene.display_label}"))
        if len(available) > DRAWER_LIMIT:
            st.caption(f"…and {len(available) - DRAWER_LIMIT} more: refine the search.")
        here = len(shown) - len(available)
        if not shown:
            st.caption("No project asset matches.")
        elif here:
            st.caption(f"{here} matching asset{'s are' if here != 1 else ' is'} already in "
                       "the scene.")
        with st.expander("New project asset", icon=":material/add:"):
            st.text_input("Name", key="ed_new_name")
            st.selectbox("Type", ["character", "location", "prop"], key="ed_new_type")
            st.text_area("Master description", key="ed_new_desc", height=90)
            st.text_input("Aliases (separated by ;)", key="ed_new_aliases")
            st.checkbox(f"Add it to scene {esc(scene.display_label)}", value=True,
                        key="ed_new_add")
            st.button("Create asset", key="ed_new_create", type="primary",
                      on_click=create_asset, args=(desk, actor, project.id, scene.id))
    with tab_g:
        in_project = {a.global_asset_id: a for a in assets if a.global_asset_id}
        by_name = {a.name.casefold(): a for a in assets}
        globals_ = [g for g in desk.global_assets() if matches(g)]
        if not globals_:
            st.caption("No library asset matches.")
        for g in globals_:
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.markdown(f"{TYPE_ICON.get(g.asset_type, '')} {esc(g.name)}<br>"
                        f"<span class='ed-muted'>{esc(short(g.description, 80))}</span>",
                        unsafe_allow_html=True)
            mine = in_project.get(g.id) or by_name.get(g.name.casefold())
            if mine is None:
                c2.button("Clone", key=f"ed_clone_{g.id}", on_click=clone, type="tertiary",
                          args=(desk, actor, project.id, g.id, g.name),
                          help="Copy into this project as a project asset")
            elif mine.id in in_scene:
                c2.caption("in scene")
            else:
                c2.button("Add", key=f"ed_gadd_{g.id}", on_click=add_to_scene, type="tertiary",
                          args=(desk, actor, scene.id, [mine.id]),
                          help=esc(f"Already in the project: add {g.name} to this scene"))


# --- asset detection and suggestions (D1–D3): the panel lives in ui/detection.py ----------
def render_detection(desk: core.Desk, actor: str, scene: core.Scene,
                     insts: list[core.Instance], area: str) -> None:
    from ui.detection import detection_panel
    detection_panel(desk, actor, scene, insts, area=area, flash=flash, attempt=attempt,
                    suggestions=area == "drawer")


def main() -> None:
    ctx = page_context()      # also hands a deep link that ran without app.py back to it
    st.markdown(CSS, unsafe_allow_html=True)
    if ctx is None:
        st.title("Asset editor")
        st.info("No projects yet.")
        return
    desk, project, actor = ctx.desk, ctx.project, ctx.actor
    scenes = desk.scenes(project.id, ctx.branch.id)
    if not scenes:
        st.title("Asset editor")
        st.info(f"The {esc(ctx.branch.name)} branch has no scenes yet: import a screenplay or "
                "add scenes first.")
        return
    by_id = {s.id: s for s in scenes}
    labels = {s.id: s.display_label for s in scenes}
    scene_ids = list(by_id)
    sync_from_url(desk, scene_ids)
    if ss.get("ed_scene_id") not in by_id:
        ss.ed_scene_id, ss.ed_instance = scene_ids[0], None
    ss.ed_scene_pick = ss.ed_scene_id

    top_l, top_r = st.columns([3, 2], gap="medium")
    with top_l:
        st.markdown("## :material/edit_note: Asset editor")
        show_flash("top")
        foreign = ss.get("ed_foreign")
        if foreign:
            fscene, finst = foreign
            other = desk.get_project(fscene.project_id)
            bname = {b.id: b.name for b in desk.branches(other.id)}.get(fscene.branch_id, "?")
            st.warning(f"The link opens scene {esc(fscene.display_label)} of "
                       f"**{esc(other.name)}** ({esc(bname)} branch), not the one chosen in "
                       "the sidebar.")
            st.button(esc(f"Switch to {other.name} · {bname}"), key="ed_switch",
                      on_click=switch_to,
                      args=(fscene.project_id, fscene.branch_id, fscene.id, finst))
        st.selectbox("Scene", scene_ids, key="ed_scene_pick", on_change=pick_scene,
                     format_func=lambda i: f"Scene {by_id[i].display_label} · {by_id[i].heading}")
        scene = by_id[ss.ed_scene_id]
        pos = scene_ids.index(scene.id)
        with st.expander("Scene text and the previous scene's end state"):
            if pos > 0:
                prev = scenes[pos - 1]
                st.caption(f"SCENE {esc(prev.display_label)} ENDED")
                st.markdown(f"<div class='ed-quote'>{esc(prev.end_state_summary or '—')}</div>",
                            unsafe_allow_html=True)
            day = f" · story day {scene.story_day}" if scene.story_day is not None else ""
            st.caption(f"SCENE {esc(scene.display_label)}{day}")
            st.text(scene.script_excerpt or "(no script excerpt)")

    insts = desk.scene_instances(scene.id)
    ids = [i.id for i in insts]
    if ss.get("ed_instance") is None and ids:
        ss.ed_instance = ids[0]     # never another one after the chosen one vanished (A6)
    selected = ss.ed_instance
    sync_to_url(scene.id, selected)
    names = {i.id: i.asset_name for i in insts}
    asset_names = {a.id: a.name for a in desk.assets(project.id)}

    with top_r:
        render_readiness(desk, actor, scene, names)

    pending = [i for i in insts if i.pending_review and not i.locked]
    if pending:
        render_review_panel(desk, actor, pending)
    else:
        show_flash("review")         # the answer that closed the panel

    left, centre, right = st.columns([1.15, 2.15, 1.25], gap="medium")
    with left:
        render_left(desk, actor, scene, insts, selected, asset_names)
    with centre:
        if selected is not None and selected not in ids:
            editor_guard.render_gone(desk, selected, form_changes(selected),
                                     close=lambda: forget(selected))
        elif not insts:
            render_empty(desk, actor, scene, asset_names)
        else:
            inst = next(i for i in insts if i.id == selected)
            with editor_guard.form_box(inst.id):
                render_centre(desk, actor, inst, labels, desk.tag_suggestions(project.id))
    with right:
        render_drawer(desk, actor, project, scene, insts)
        render_detection(desk, actor, scene, insts, "drawer")


try:
    main()
except core.DeskError as exc:  # e.g. the instance was removed in another tab meanwhile
    show_error(exc)
except Exception:  # noqa: BLE001 - never a raw traceback on screen
    log.exception("asset editor failed")
    st.error("The asset editor hit an unexpected problem; the details are in the server log.")
ss.ed_flash = []  # shown once (st.rerun skips this, so its messages survive the rerun)
