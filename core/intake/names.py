"""Names as a screenplay writes them: the key they are matched by and the form they
are shown in. Pure."""

from __future__ import annotations

import re
import unicodedata


def name_key(name: str) -> str:
    """Case- and spacing-insensitive key of a name (curly apostrophes folded)."""
    text = unicodedata.normalize("NFC", name).replace("’", "'").replace("‘", "'")
    return " ".join(text.split()).casefold()


def display_name(raw: str) -> str:
    """`BRICK'S PATIO` -> `Brick's Patio`; text that already has lower case stays."""
    raw = " ".join(raw.split())
    if any(ch.islower() for ch in raw) and any(ch.isupper() for ch in raw):
        return raw      # McCLANE, "Harbour Office": the writer's own casing

    def word(w: str) -> str:
        parts = re.split(r"([\-/(])", w.lower())
        out = []
        for p in parts:
            m = re.match(r"^([^a-zà-ÿ]*)([a-zà-ÿ])(.*)$", p)
            if not m:
                out.append(p)
                continue
            rest = m.group(3)
            # O'BRIEN -> O'Brien, but BRICK'S -> Brick's
            rest = re.sub(r"^(['’])([a-z])(?=[a-z]{2})",
                          lambda x: x.group(1) + x.group(2).upper(), rest)
            out.append(m.group(1) + m.group(2).upper() + rest)
        return "".join(out)

    return " ".join(word(w) for w in raw.split(" "))
