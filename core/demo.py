"""The demo film: "Low Tide at Gull Point", an original short written for Continuity Desk.

`seed_demo(desk)` builds it in one transaction through the functions the `Desk`'s
methods call, so it exercises the same rules a producer does: scenes are inherited
one by one in story order, and each scene's starting state is then edited with a
recorded reason.

What the demo shows (the unit tests in tests/unit/test_demo.py rely on it):

- scenes 1–5, 7–9: scene 6 was cut, so the numbering has a gap;
- Brick gets muddy (scene 4), then bloody (scene 5), and is cleaned up after
  a shower at the motel (scene 7), every step with its reason in the history;
- Brick's trench coat is ruined and stops carrying forward after scene 5, so
  its next appearance (scene 8, the spare coat) follows the master again;
- the brass lantern and Wendell Pike skip scenes; Pike's mud from scene 4 is
  carried into scene 8 a day later and left pending review for the producer.

Deterministic: the same content every time (only the generated ids differ).
`open_desk` never calls this; `app.py` seeds an empty configured database.
"""

from __future__ import annotations

from core.catalog import asset_bulk, assets, projects, scenes
from core.chain import inheritance
from core.desk import Desk
from core.editing import edits
from core.images import attempts
from core.models import UNSET, Project
from core.store import instances
from core.store.history import Context

PROJECT_NAME = "Low Tide at Gull Point"

# name -> (type, master description, aliases)
ASSETS: dict[str, tuple[str, str, list[str]]] = {
    "Brick": (
        "character",
        "Brick Malone, retired detective in his sixties: grey stubble, heavy brow, "
        "rolled shirt sleeves, reading glasses on a cord.",
        ["Brick Malone", "Malone"],
    ),
    "Dot": (
        "character",
        "Dot Alvarez, Brick's former partner, fifties, now runs a bait shop: cropped "
        "silver hair, yellow rain jacket, rubber boots.",
        ["Dot Alvarez", "Alvarez"],
    ),
    "Pike": (
        "character",
        "Wendell Pike, the harbor master: tall and gaunt, captain's cap, oilskin coat, "
        "chest-high waders.",
        ["Wendell Pike", "Wendell"],
    ),
    "Brick's Patio": (
        "location",
        "Small brick patio behind a bungalow: potted tomato plants, a rusted iron table, "
        "a hook by the back door for the lantern, a chain-link fence to the alley.",
        ["Patio"],
    ),
    "Dot's Pickup": (
        "location",
        "Dented 1980s pickup truck in faded teal; in the cab a cracked vinyl bench "
        "seat, fishing rods across the back window, a bobblehead pelican on the dash.",
        ["Pickup", "Truck"],
    ),
    "Gull Point Marsh": (
        "location",
        "Tidal salt marsh at low tide: black mud flats, reeds taller than a man, a "
        "plank boardwalk half sunk, harbor lights far off.",
        ["Marsh", "Gull Point"],
    ),
    "Pike's Boathouse": (
        "location",
        "Weathered clapboard boathouse on pilings: coiled ropes, crab pots, a workbench "
        "under a single hanging bulb, water slapping below the floorboards.",
        ["Boathouse"],
    ),
    "Seabreeze Motel": (
        "location",
        "Two-storey roadside motel with a flickering neon gull sign, turquoise doors, "
        "a gravel parking lot and a vending machine by the stairs.",
        ["Motel", "Seabreeze"],
    ),
    "Harbor Ledger": (
        "prop",
        "Water-stained leather harbor ledger, spine cracked, three pages razored out.",
        ["Ledger", "Logbook"],
    ),
    "Brass Lantern": (
        "prop",
        "Old brass storm lantern with a glass chimney and a wire handle.",
        ["Lantern"],
    ),
    "Trench Coat": (
        "prop",
        "Brick's tan trench coat: belted, wide lapels, frayed cuffs.",
        ["Coat", "Brick's Coat"],
    ),
}

LIBRARY: list[tuple[str, str, str, list[str]]] = [
    ("Beat Cop", "character",
     "Uniformed patrol officer, navy uniform, peaked cap, radio on the shoulder.",
     ["Patrolman", "Officer"]),
    ("Roadside Diner", "location",
     "Chrome-trimmed roadside diner: red vinyl booths, counter stools, pie case.",
     ["Diner"]),
    ("Rotary Telephone", "prop", "Black rotary desk telephone with a coiled cord.", ["Phone"]),
    ("Manila Case File", "prop",
     "Dog-eared manila folder stamped CLOSED, photos paper-clipped to the front.",
     ["Case File", "Folder"]),
]

# One dict per scene: number, heading, story day, excerpt, end state, assets the
# script names (mapped and inherited), optional shots, and the edits that give
# each asset its state at the *start* of the scene: (asset, kind, value, reason),
# kind in {"tags", "description", "carry_forward", "review"}.
SCENES: list[dict] = [
    {
        "number": 1,
        "heading": "EXT. BRICK'S PATIO - DAY",
        "day": 1,
        "excerpt": (
            "BRICK MALONE, sixties, repots a tomato plant that has clearly given up. The "
            "brass lantern hangs unlit on its hook. DOT ALVAREZ lets herself in through "
            "the alley gate, a water-stained ledger under her arm.\n\n"
            "DOT\nYou still hang that lantern out for nobody?\n\n"
            "BRICK\nFor the moths. They don't ask favours.\n\n"
            "She drops the ledger on the table. Three pages are missing."
        ),
        "end": (
            "Brick agrees to look into the ledger. He pulls on his trench coat and takes "
            "the brass lantern from its hook. Everyone is clean and dry."
        ),
        "assets": ["Brick", "Dot", "Brick's Patio", "Harbor Ledger", "Brass Lantern",
                   "Trench Coat"],
        "shots": ["Wide: the patio, Brick kneeling by the tomatoes",
                  "Insert: the ledger's razored page stubs"],
        "edits": [],
    },
    {
        "number": 2,
        "heading": "INT. DOT'S PICKUP - MOVING - DUSK",
        "day": 1,
        "excerpt": (
            "The pickup rattles down the coast road. Brick reads the ledger by the glow "
            "of the dashboard, glasses on the end of his nose.\n\n"
            "BRICK\nEvery page that's left has the same initials. W.P.\n\n"
            "DOT\nWendell Pike. Harbor master. Thirty years.\n\n"
            "BRICK\nThirty years is a long time to keep a clean book."
        ),
        "end": "They park at the edge of Gull Point Marsh as the tide runs out.",
        "assets": ["Brick", "Dot", "Dot's Pickup", "Harbor Ledger", "Trench Coat"],
        "edits": [],
    },
    {
        "number": 3,
        "heading": "EXT. GULL POINT MARSH - NIGHT",
        "day": 1,
        "excerpt": (
            "Lantern light skates over the reeds. Out on the flats WENDELL PIKE, in "
            "waders, drags a crate toward the channel.\n\n"
            "BRICK\nEvening, Wendell. Bit late for clams.\n\n"
            "Pike bolts. Brick gives chase and goes down knee-deep in the mud. Dot wades "
            "in after him. The lantern drops; its glass cracks on a piling."
        ),
        "end": (
            "Brick is muddy to the knees, the coat's hem caked with mud. Dot is soaked to "
            "the waist. Pike, muddy too, gets away toward his boathouse. The lantern's "
            "glass is cracked and it is left behind on the boardwalk."
        ),
        "assets": ["Brick", "Dot", "Pike", "Gull Point Marsh", "Brass Lantern",
                   "Trench Coat"],
        "shots": ["Wide: lantern bobbing across the reeds",
                  "Close: Brick sinking into the mud"],
        "edits": [],
    },
    {
        "number": 4,
        "heading": "INT. PIKE'S BOATHOUSE - NIGHT",
        "day": 1,
        "excerpt": (
            "Pike tears open the crate under the hanging bulb: bundles of ledger pages. "
            "The door bangs. Brick, dripping marsh water, fills the frame.\n\n"
            "PIKE\nYou're trespassing, Malone.\n\n"
            "BRICK\nI'm retired. I'm just visiting.\n\n"
            "Pike swings a boat hook. They crash into the crab pots. Dot grabs the pages."
        ),
        "end": (
            "Brick's left eyebrow is split and bleeding, the coat's left sleeve torn at "
            "the seam. Dot has the missing pages. Pike is knocked cold on the floorboards."
        ),
        "assets": ["Brick", "Dot", "Pike", "Pike's Boathouse", "Trench Coat"],
        "edits": [
            ("Brick", "tags", ["muddy"], "Fell knee-deep in the marsh chasing Pike (scene 3)"),
            ("Dot", "tags", ["wet"], "Waded into the marsh after Brick (scene 3)"),
            ("Pike", "tags", ["muddy"], "Ran across the mud flats in his waders (scene 3)"),
            ("Trench Coat", "tags", ["muddy"], "Hem dragged through the marsh mud (scene 3)"),
        ],
    },
    {
        "number": 5,
        "heading": "INT. DOT'S PICKUP - MOVING - NIGHT",
        "day": 1,
        "excerpt": (
            "Dot drives one-handed, the recovered pages in her lap. Brick presses a "
            "bait-shop rag to his eyebrow.\n\n"
            "DOT\nYou're bleeding on my ledger.\n\n"
            "BRICK\nIt's evidence now. Blood adds character.\n\n"
            "He peels off the ruined trench coat and throws it in the truck bed."
        ),
        "end": (
            "They check in to the Seabreeze Motel for the night. The trench coat is beyond "
            "saving."
        ),
        "assets": ["Brick", "Dot", "Dot's Pickup", "Harbor Ledger", "Trench Coat"],
        "edits": [
            ("Brick", "tags", ["muddy", "bloody"],
             "Split eyebrow in the boathouse fight (scene 4)"),
            ("Brick", "description",
             "Brick Malone, retired detective in his sixties: grey stubble, heavy brow, "
             "left eyebrow split and bleeding down his cheek, rolled shirt sleeves.",
             "Split eyebrow in the boathouse fight (scene 4)"),
            ("Dot", "review", ["wet"], "Same night: she is still soaked"),
            ("Trench Coat", "tags", ["muddy", "torn"],
             "Left sleeve torn at the seam in the boathouse fight (scene 4)"),
            ("Trench Coat", "carry_forward", False,
             "Brick bins the ruined coat; from scene 8 he wears his identical spare"),
        ],
    },
    # Scene 6 was cut in the edit: the numbering keeps its gap.
    {
        "number": 7,
        "heading": "INT. SEABREEZE MOTEL - ROOM 12 - NIGHT",
        "day": 1,
        "excerpt": (
            "Steam rolls out of the bathroom. Brick emerges scrubbed pink, a butterfly "
            "bandage over his eyebrow. Dot, in dry clothes, has the pages spread across "
            "the bedspread next to the ledger.\n\n"
            "DOT\nThey fit. Every one of them.\n\n"
            "BRICK\nThen Wendell's going to come looking for them."
        ),
        "end": "Brick dozes in the armchair; Dot keeps watch by the window until dawn.",
        "assets": ["Brick", "Dot", "Seabreeze Motel", "Harbor Ledger"],
        "edits": [
            ("Brick", "tags", [], "Showered at the motel"),
            ("Brick", "description",
             "Brick Malone, retired detective in his sixties: grey stubble, heavy brow, "
             "hair still damp, butterfly bandage over the left eyebrow.",
             "Showered at the motel; Dot taped the cut"),
            ("Dot", "tags", [], "Changed into dry clothes from her go-bag"),
        ],
    },
    {
        "number": 8,
        "heading": "EXT. SEABREEZE MOTEL - DAY",
        "day": 2,
        "excerpt": (
            "Morning glare on the gravel. Brick steps out in a fresh trench coat. Pike is "
            "leaning on the pickup's hood, cap in his hands.\n\n"
            "PIKE\nI came to make a deal.\n\n"
            "BRICK\nYou came to make a confession. Dot's writing it down."
        ),
        "end": (
            "Pike hands over the harbor keys and climbs into a patrol car. Brick and Dot "
            "drive home."
        ),
        "assets": ["Brick", "Dot", "Pike", "Seabreeze Motel", "Dot's Pickup",
                   "Trench Coat"],
        # Pike's mud from scene 4 is carried into this scene a day later; the
        # review is left to the producer (pending review).
        "edits": [],
    },
    {
        "number": 9,
        "heading": "EXT. BRICK'S PATIO - DAY",
        "day": 3,
        "excerpt": (
            "The tomato plant has one red tomato. Brick hangs the lantern back on its "
            "hook, cracked glass and all. Dot sets the ledger on the table, whole again.\n\n"
            "DOT\nYou could un-retire.\n\n"
            "BRICK\nI could. Pass the watering can."
        ),
        "end": "The lantern is lit at dusk. Fade out.",
        "assets": ["Brick", "Dot", "Brick's Patio", "Brass Lantern", "Harbor Ledger"],
        "edits": [
            ("Brick", "description",
             "Brick Malone, retired detective in his sixties: grey stubble, heavy brow, a "
             "small healing scar over the left eyebrow, rolled shirt sleeves.",
             "Two days later: the bandage is off"),
            ("Brass Lantern", "tags", ["cracked"],
             "Glass cracked when it was dropped in the marsh (scene 3)"),
            ("Brick's Patio", "description",
             "Small brick patio behind a bungalow: potted tomato plants, one red tomato, "
             "a rusted iron table, a hook by the back door for the lantern.",
             "The tomato plant has fruited by day 3"),
        ],
    },
]


def seed_demo(desk: Desk, actor: str = "demo", only_if_empty: bool = False) -> Project | None:
    """Create the demo project (and the library entries it shows) in one transaction,
    through the functions the Desk's methods call: scenes are inherited in story order
    (those up to the next scene with edits at once, as if one by one), each scene's
    edits right after it.

    `only_if_empty`: seed only a store without projects (the app's first start), None
    otherwise. App processes starting together on one empty team server take turns
    (the dialect's table lock), so the demo is seeded once."""
    store = desk.images.store

    def work(cur):
        if only_if_empty:
            for statement in cur.dialect.exclusive_lock("projects", wait_seconds=120):
                cur.execute(statement)
            if cur.execute("SELECT count(*) FROM projects").fetchone()[0]:
                return None
        _seed_library(cur)
        project = projects.create_project(cur, PROJECT_NAME)
        made = [asset_bulk.new_asset(project.id, name, kind, description, aliases=aliases)
                for name, (kind, description, aliases) in ASSETS.items()]
        asset_bulk.insert(cur, made)
        ids = {a.name: a.id for a in made}
        scene_ids = {}
        for spec in SCENES:
            scene_ids[spec["number"]] = scenes.add_scene(
                cur, project.id, spec["number"], spec["heading"],
                script_excerpt=spec["excerpt"], end_state_summary=spec["end"],
                story_day=spec["day"], shots=spec.get("shots")).id
        inheritance.map_assets_bulk(cur, project.id, [
            (scene_ids[spec["number"]], ids[name]) for spec in SCENES
            for name in spec["assets"]], "user")
        inherit = Context(actor, "inheritance")
        waiting: list[dict] = []
        for spec in SCENES:
            waiting.append(spec)
            if not spec["edits"] and spec is not SCENES[-1]:
                continue            # scenes up to the next edited one: inherited together
            created = inheritance.inherit_scenes(
                cur, [scene_ids[w["number"]] for w in waiting], inherit,
                {scene_ids[w["number"]]: [ids[name] for name in w["assets"]]
                 for w in waiting})
            waiting = []
            rows = instances.load_rows(cur, created)
            attempts.inherit_many(cur, store, rows, inherit)     # I2/I3 images
            here = [r for r in rows if r["scene_id"] == scene_ids[spec["number"]]]
            by_asset = {r["project_asset_id"]: r["id"] for r in here}
            versions = {r["id"]: r["version"] for r in here}
            for name, kind, value, reason in spec["edits"]:
                iid = by_asset[ids[name]]
                versions[iid] = _edit(cur, iid, versions[iid], kind, value,
                                      Context(actor, "user", reason))
        return projects.get_project(cur, project.id)
    return desk.db.transaction(work)


def _edit(cur, instance_id: str, version: int, kind: str, value, ctx: Context) -> int:
    """One edit of the scene's starting state; -> the instance's new version (only
    edits of the same scene follow, and they change other assets' chains)."""
    if kind == "review":
        return edits.review_tags(cur, instance_id, value, version, ctx).instance.version
    changes = {"description_override": UNSET, "status_tags": UNSET, "carry_forward": UNSET}
    key = {"tags": "status_tags", "description": "description_override",
           "carry_forward": "carry_forward"}[kind]
    changes[key] = value
    return edits.update_instance(cur, instance_id, version, ctx, **changes).instance.version


def _seed_library(cur) -> None:
    present = {g.name.casefold() for g in assets.list_global_assets(cur)}
    for name, asset_type, description, aliases in LIBRARY:
        if name.casefold() not in present:
            assets.add_global_asset(cur, name, asset_type, description, aliases=aliases)
