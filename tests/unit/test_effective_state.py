"""E1: effective_description = description_override ?? inherited_description ?? master."""

from __future__ import annotations

MASTER = "Retired detective, grey stubble, clean white shirt"


def test_E1_first_appearance_shows_master_and_stores_nothing_inherited(film):
    (x1,) = film.inherit(1, "Brick")
    assert x1.description_override is None
    assert x1.inherited_description is None
    assert x1.inherited_tags == [] and x1.status_tags == []
    assert x1.effective_description == MASTER
    assert x1.follows_master


def test_E1_override_wins_over_inherited_and_master(film):
    x1, x2 = film.place("Brick", 1, 2)
    film.edit(x1, description_override="Shirt torn after the fight")
    x2 = film.get(x2)
    assert x2.inherited_description == "Shirt torn after the fight"
    assert x2.effective_description == "Shirt torn after the fight"
    film.edit(x2, description_override="Wearing a borrowed raincoat")
    x2 = film.get(x2)
    assert x2.effective_description == "Wearing a borrowed raincoat"
    assert x2.inherited_description == "Shirt torn after the fight"


def test_E1_clearing_override_falls_back_to_inherited_not_master(film):
    x1, x2 = film.place("Brick", 1, 4)
    film.edit(x1, description_override="Shirt torn after the fight")
    film.edit(x2, description_override="Wearing a borrowed raincoat")
    r = film.edit(x2, description_override=None)
    assert r.instance.description_override is None
    assert r.instance.effective_description == "Shirt torn after the fight"
    assert r.instance.effective_description != MASTER
    assert film.get(x2).effective_description == "Shirt torn after the fight"


def test_E1_clearing_override_on_first_appearance_falls_back_to_master(film):
    (x1,) = film.inherit(1, "Brick")
    film.edit(x1, description_override="Muddy from head to toe")
    r = film.edit(x1, description_override=None)
    assert r.instance.effective_description == MASTER
    assert r.instance.inherited_description is None


def test_E1_first_appearance_follows_master_edits_and_flows_to_followers(film):
    x1, x2, x4 = film.place("Brick", 1, 2, 4)
    film.edit_master("Brick", description="Retired detective, now clean-shaven")
    new = "Retired detective, now clean-shaven"
    x1, x2, x4 = film.get(x1), film.get(x2), film.get(x4)
    assert x1.effective_description == new and x1.inherited_description is None
    assert x2.inherited_description == new and x2.effective_description == new
    assert x4.inherited_description == new and x4.effective_description == new
    for later in (x2, x4):
        rows = [h for h in film.desk.history(later.id) if h.field == "effective_description"]
        last = rows[-1]
        assert (last.old_value, last.new_value) == (MASTER, new)
        assert last.source == "propagation"
        assert last.reason == "master edited"


def test_E1_reset_instance_stores_nothing_inherited_and_follows_master_live(film):
    x1, x2, x4 = film.place("Brick", 1, 2, 4)
    film.edit(x1, description_override="Covered in mud", status_tags=["muddy"])
    film.edit(x1, carry_forward=False)
    x2, x4 = film.get(x2), film.get(x4)
    assert x2.inherited_description is None and x2.inherited_tags == []
    assert x2.effective_description == MASTER and x2.status_tags == []
    assert x4.effective_description == MASTER

    new = "Retired detective in a fresh linen suit"
    film.edit_master("Brick", description=new)
    x1, x2, x4 = film.get(x1), film.get(x2), film.get(x4)
    assert x1.effective_description == "Covered in mud"      # its own override stays
    assert x2.effective_description == new                   # the reset follows the master
    assert x2.inherited_description is None
    assert x4.inherited_description == new and x4.effective_description == new
    for later in (x2, x4):
        last = [h for h in film.desk.history(later.id) if h.field == "effective_description"][-1]
        assert last.new_value == new
        assert (last.source, last.reason) == ("propagation", "master edited")


def test_E1_master_edit_does_not_touch_instances_with_inherited_state(film):
    x1, x2 = film.place("Brick", 1, 2)
    film.edit(x1, description_override="Shirt torn after the fight")
    version = film.get(x2).version
    film.edit_master("Brick", description="Retired detective, now clean-shaven")
    x2 = film.get(x2)
    assert x2.effective_description == "Shirt torn after the fight"
    assert x2.version == version
    assert not x2.upstream_changed


def test_E1_effective_is_override_else_inherited_else_master_across_scene(film):
    film.place("Brick", 1, 2, 4, 7)
    film.edit(film.instance_in(2, "Brick"), description_override="Bruised")
    film.edit(film.instance_in(4, "Brick"), description_override="Bandaged")
    film.edit(film.instance_in(4, "Brick"), description_override=None)
    master = film.desk.get_asset(film.assets["Brick"].id).description
    for n in (1, 2, 4, 7):
        i = film.instance_in(n, "Brick")
        expected = i.description_override or i.inherited_description or master
        assert i.effective_description == expected
