"""Tag search across a branch (T4): a small query language compiled to bound SQL.

    tag:bloody tag:torn -tag:clean asset:brick type:character scene:3..7 "porsche"

Terms are separated by white space and AND together; a leading `-` negates a term.

| term                  | matches instances                                                |
|-----------------------|------------------------------------------------------------------|
| `tag:a,b`             | with tag a or b (tags are normalized as T1 says)                 |
| `-tag:a,b`            | with neither a nor b                                             |
| `asset:brick`         | whose asset's name or an alias contains "brick" (any case)       |
| `type:prop`           | of that asset type (character, location, prop)                   |
| `scene:3..7`          | in scenes 3 to 7; also `scene:4`, `scene:..5`, `scene:12..`      |
| `locked:yes` / `no`   | locked or not (E2)                                               |
| `stale:yes` / `no`    | whose selected image shows an earlier state, or not (G7)         |
| `pending:yes` / `no`  | whose carried tags await review, or not (T3)                     |
| `image:yes` / `no`    | with or without a selected reference image                       |
| `"dark coat"`, `coat` | whose effective description or asset name contains the text      |

`key:"two words"` quotes a value with spaces. A word with a colon is read as a
term, so free text with a colon is quoted (`"12:30"`). `yes`/`no` also accept
`true`/`false`; `-locked:yes` means `locked:no`.

A malformed query raises `QueryError` (a `ValidationError`) whose message names
the bad term and its position (1-based, in characters); `.term` and `.position`
hold them for the UI. Values are always bound as SQL parameters, never spliced
into SQL text: quotes, SQL and any script are only ever data.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from itertools import compress

import pandas as pd

from core import validation as v
from core.catalog.projects import resolve_branch
from core.errors import ValidationError
from core.store import read_model
from core.tags.normalize import normalize_tag

MAX_QUERY = 2000
MAX_VALUE = 200
MAX_SCENE = 999_999_999
FLAG_KEYS = {"locked": "locked", "stale": "stale", "pending": "pending", "image": "image"}
KEYS = ("tag", "asset", "type", "scene", *FLAG_KEYS)
_YES = {"yes": True, "true": True, "no": False, "false": False}
HELP = ('tag:bloody,muddy  -tag:clean  asset:brick  type:character|location|prop  '
        'scene:3..7  locked:yes|no  stale:yes|no  pending:yes|no  image:yes|no  "free text"')


class QueryError(ValidationError):
    """A malformed search query; `.term` is the bad term, `.position` where it starts
    (1-based, counted in characters)."""

    def __init__(self, message: str, term: str = "", position: int = 0):
        super().__init__(message)
        self.term = term
        self.position = position


@dataclass
class Query:
    any_tags: list[list[str]] = field(default_factory=list)   # each group: any of
    no_tags: list[str] = field(default_factory=list)
    assets: list[tuple[bool, str]] = field(default_factory=list)   # (negated, text)
    types: list[tuple[bool, str]] = field(default_factory=list)
    scene_from: int | None = None
    scene_to: int | None = None
    texts: list[tuple[bool, str]] = field(default_factory=list)
    locked: bool | None = None
    stale: bool | None = None
    pending: bool | None = None
    image: bool | None = None
    empty_range: bool = False     # two scene terms that do not overlap: nothing matches


@dataclass(frozen=True)
class _Term:
    text: str          # as written
    position: int      # 1-based
    negated: bool
    key: str | None    # lower-cased, None for free text
    value: str
    quoted: bool


def _fail(term: _Term | None, problem: str, *, text: str = "", position: int = 0):
    t = term.text if term else text
    p = term.position if term else position
    raise QueryError(f"Search term “{v.shown(t)}” at position {p}: {problem}", t, p)


def _tokens(query: str) -> list[_Term]:
    """Split the query into terms, each with where it starts."""
    out: list[_Term] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        start = i
        negated = query[i] == "-"
        if negated:
            i += 1
        key = None
        # A key is the text up to the first colon of a bare word.
        j = i
        while j < n and not query[j].isspace() and query[j] not in '":':
            j += 1
        if j < n and query[j] == ":":
            key = query[i:j]
            i = j + 1
        if i < n and query[i] == '"':
            close = query.find('"', i + 1)
            if close < 0:
                _fail(None, "the quote is not closed.", text=query[start:], position=start + 1)
            value, quoted, i = query[i + 1:close], True, close + 1
            if i < n and not query[i].isspace():
                end = i
                while end < n and not query[end].isspace():
                    end += 1
                _fail(None, "put a space after the closing quote.",
                      text=query[start:end], position=start + 1)
        else:
            j = i
            while j < n and not query[j].isspace():
                j += 1
            value, quoted = query[i:j], False
            if '"' in value:
                _fail(None, "a quote inside a word; quote the whole value "
                      '(tag:"…", "free text").', text=query[start:j], position=start + 1)
            i = j
        out.append(_Term(query[start:i], start + 1, negated,
                         None if key is None else key.lower(), value, quoted))
    return out


def parse(query: str) -> Query:
    """Read a query into parameters. Raises QueryError naming the bad term."""
    if not isinstance(query, str):
        raise ValidationError("The search query must be text.")
    if len(query) > MAX_QUERY:
        raise ValidationError(
            f"The search query is too long: {len(query)} characters, at most {MAX_QUERY}.")
    for pos, ch in enumerate(query):
        if unicodedata.category(ch) in ("Cc", "Cs") and not ch.isspace():
            raise QueryError(
                f"The search query contains an invisible control character at position "
                f"{pos + 1}; remove it.", repr(ch), pos + 1)
    q = Query()
    terms = _tokens(query)
    for k, term in enumerate(terms):
        _refuse_operator(terms, k)
        _apply(q, term)
    return q


_OPERATORS = {"OR", "AND", "NOT", "|", "||", "&", "&&"}


def _refuse_operator(terms: list[_Term], k: int) -> None:
    """Terms always AND together: a bare OR / AND / NOT would otherwise be searched for
    as free text and silently find nothing, so name what to write instead."""
    term = terms[k]
    if term.key is not None or term.quoted or term.negated or term.value not in _OPERATORS:
        return
    if term.value == "NOT":
        _fail(term, "there is no NOT; put a minus before the term instead: -tag:clean.")
    if term.value in ("AND", "&", "&&"):
        _fail(term, "terms always AND together; leave the word out.")
    words = [t.value for t in (terms[k - 1] if k else None, terms[k + 1] if k + 1 < len(terms)
                               else None)
             if t is not None and t.key in (None, "tag") and not t.negated]
    example = f"tag:{','.join(words)}" if len(words) == 2 else "tag:muddy,bloody"
    _fail(term, f"there is no OR; list the alternatives in one term: {example}.")


def _apply(q: Query, term: _Term) -> None:
    value = unicodedata.normalize("NFC", term.value).strip()
    if term.key is None:
        if not value:
            _fail(term, "an empty term; write a word, a quoted phrase or key:value.")
        if not term.quoted and value.startswith("-"):
            _fail(term, "a term can be negated once; use -word or -key:value.")
        if len(value) > MAX_VALUE:
            _fail(term, f"the text is too long (at most {MAX_VALUE} characters).")
        q.texts.append((term.negated, value))
        return
    if term.key not in KEYS:
        _fail(term, f"unknown term “{term.key}:”. Use one of {', '.join(k + ':' for k in KEYS)}"
              ' — or quote free text that has a colon ("12:30").')
    if not value:
        _fail(term, f"“{term.key}:” needs a value, e.g. {_example(term.key)}.")
    if len(value) > MAX_VALUE:
        _fail(term, f"the value is too long (at most {MAX_VALUE} characters).")
    if term.key == "tag":
        tags = []
        for part in value.split(","):
            try:
                tag = normalize_tag(part)
            except ValidationError as e:
                _fail(term, str(e))
            if tag not in tags:
                tags.append(tag)
        if term.negated:
            q.no_tags += [t for t in tags if t not in q.no_tags]
        else:
            q.any_tags.append(tags)
    elif term.key == "asset":
        q.assets.append((term.negated, value))
    elif term.key == "type":
        try:
            q.types.append((term.negated, v.asset_type(value)))
        except ValidationError as e:
            _fail(term, str(e))
    elif term.key == "scene":
        if term.negated:
            _fail(term, "a scene range cannot be negated; write the range you want.")
        _scene_range(q, value, term)
    else:
        flag = _YES.get(value.lower())
        if flag is None:
            _fail(term, f"write {term.key}:yes or {term.key}:no.")
        flag = flag != term.negated
        name = FLAG_KEYS[term.key]
        current = getattr(q, name)
        if current is not None and current != flag:
            _fail(term, f"contradicts the earlier {term.key}: term.")
        setattr(q, name, flag)


def _example(key: str) -> str:
    return {"tag": "tag:bloody", "asset": "asset:brick", "type": "type:character",
            "scene": "scene:3..7"}.get(key, f"{key}:yes")


def _scene_range(q: Query, value: str, term: _Term) -> None:
    lo_text, dots, hi_text = value.partition("..")
    ok = all(t == "" or (t.isascii() and t.isdigit()) for t in (lo_text, hi_text))
    if not ok or (not lo_text and not hi_text):
        _fail(term, "write a scene or range such as scene:3, scene:3..7, scene:3.. or "
              "scene:..7.")
    lo = int(lo_text) if lo_text else None
    hi = lo if not dots else (int(hi_text) if hi_text else None)
    if any(x is not None and x > MAX_SCENE for x in (lo, hi)):
        _fail(term, f"scene numbers go up to {MAX_SCENE}.")
    if lo is not None and hi is not None and lo > hi:
        _fail(term, "the range starts after it ends.")
    if lo is not None:
        q.scene_from = lo if q.scene_from is None else max(q.scene_from, lo)
    if hi is not None:
        q.scene_to = hi if q.scene_to is None else min(q.scene_to, hi)
    if q.scene_from is not None and q.scene_to is not None and q.scene_from > q.scene_to:
        q.empty_range = True


# --- SQL ------------------------------------------------------------------------------

COLUMNS = [
    "instance_id", "scene_id", "scene_number", "scene_label", "heading", "story_day",
    "asset_id", "asset_name", "asset_type", "effective_description", "status_tags",
    "pending_review", "locked", "upstream_changed", "carry_forward", "image_key",
    "image_stale",
]

# Aliases are joined with U+001F, a control character a query can never contain, so a
# match cannot span two aliases. Portable to PostgreSQL (array_to_string, strpos, &&).
_NAME_HAS = ("(strpos(lower(a.name), lower(?)) > 0 "
             "OR strpos(lower(array_to_string(a.aliases, chr(31))), lower(?)) > 0)")
_TEXT_HAS = ("(strpos(lower(i.effective_description), lower(?)) > 0 "
             "OR strpos(lower(a.name), lower(?)) > 0)")


def where_clause(q: Query, branch_id: str) -> tuple[str, list]:
    """The SQL condition of a parsed query (over `i` instances, `s` scenes, `a` assets,
    `att` the selected attempt) and its parameters. Staleness is decided in Python
    (`read_model`): the state hash is one rule, kept in `images.state`."""
    where, params = ["i.branch_id = ?"], [branch_id]
    if q.empty_range:
        where.append("FALSE")
    for group in q.any_tags:
        where.append("i.status_tags && ?::VARCHAR[]")
        params.append(group)
    if q.no_tags:
        where.append("NOT (i.status_tags && ?::VARCHAR[])")
        params.append(q.no_tags)
    for neg, text in q.assets:
        where.append(f"NOT {_NAME_HAS}" if neg else _NAME_HAS)
        params += [text, text]
    for neg, typ in q.types:
        where.append("a.asset_type <> ?" if neg else "a.asset_type = ?")
        params.append(typ)
    if q.scene_from is not None:
        where.append("s.scene_number >= ?")
        params.append(q.scene_from)
    if q.scene_to is not None:
        where.append("s.scene_number <= ?")
        params.append(q.scene_to)
    for neg, text in q.texts:
        where.append(f"NOT {_TEXT_HAS}" if neg else _TEXT_HAS)
        params += [text, text]
    # Flags as SQL text, not parameters: DuckDB plans a constant filter better (it
    # then probes the image attempts with the few matching instances).
    if q.locked is not None:
        where.append("i.locked" if q.locked else "NOT i.locked")
    if q.pending is not None:
        where.append("i.pending_review" if q.pending else "NOT i.pending_review")
    if q.image is not None:
        where.append("att.image_key IS NOT NULL" if q.image else "att.image_key IS NULL")
    if q.stale:      # only an instance with an image can have a stale one
        where.append("att.image_key IS NOT NULL")
    return " AND ".join(where), params


# Result columns from `read_model.Summary` fields where the names differ.
_FIELD_OF = {"instance_id": "id", "asset_id": "project_asset_id"}


def search(cur, project_id: str, query: str, branch_id: str | None = None) -> pd.DataFrame:
    """T4: the instances of the branch (default Main) the query matches, in scene order
    then type and name, one row each (`COLUMNS`), read as columns. Mostly a result is
    a small part of the branch: one query brings its rows whole
    (`read_model.light_columns`). Staleness is decided in Python, after the query, so
    `stale:` reads every row with an image: thin rows then, their scene and asset
    fields looked up (`read_model.branch_columns`)."""
    branch_id = resolve_branch(cur, project_id, branch_id)
    q = parse(query)
    if q.stale is None:
        got = read_model.light_columns(cur, *where_clause(q, branch_id), found=True)
    else:
        got = read_model.branch_columns(cur, project_id, branch_id,
                                        *where_clause(q, branch_id),
                                        order=read_model.SCENE_ORDER)
        keep = [s == q.stale for s in got["image_stale"]]
        got = {k: list(compress(v, keep)) for k, v in got.items()}
        got["upstream_changed"] = [d or t for d, t in zip(
            got["upstream_description_changed"], got["upstream_tags_changed"],
            strict=True)]
    frame = pd.DataFrame({k: got[_FIELD_OF.get(k, k)] for k in COLUMNS}, columns=COLUMNS,
                         dtype=object)
    if len(frame):
        frame["scene_number"] = frame["scene_number"].astype(int)
    return frame


# --- export and counts -----------------------------------------------------------------

CSV_COLUMNS = [("scene_number", "scene"), ("scene_label", "label"), ("heading", "heading"),
               ("story_day", "story day"), ("asset_name", "asset"), ("asset_type", "type"),
               ("status_tags", "tags"), ("effective_description", "description"),
               ("locked", "locked"), ("pending_review", "pending review"),
               ("upstream_changed", "upstream changed"), ("image_key", "image"),
               ("image_stale", "stale image"), ("instance_id", "instance id")]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(x) for x in value)
    text = str(value)
    # A cell a spreadsheet would run as a formula is kept as text.
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(frame: pd.DataFrame) -> str:
    """Search results as CSV for spreadsheets (tags joined by "; ", formula-safe)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([title for _, title in CSV_COLUMNS])
    for row in frame.itertuples(index=False):
        w.writerow([_csv_cell(getattr(row, col)) for col, _ in CSV_COLUMNS])
    return out.getvalue()


def tag_counts(cur, project_id: str, branch_id: str | None = None) -> pd.DataFrame:
    """How many instances of the branch carry each tag, most used first, with the tag's
    vocabulary category (T2; `custom` for tags outside it)."""
    from core.tags.vocabulary import category_of, lookup

    branch_id = resolve_branch(cur, project_id, branch_id)
    rows = cur.execute(
        "SELECT tag, count(*) AS n FROM (SELECT UNNEST(status_tags) AS tag "
        "FROM scene_asset_instances WHERE branch_id = ?) t GROUP BY tag ORDER BY n DESC, tag",
        [branch_id],
    ).fetchall()
    data = [[t, int(n), category_of(t), None if lookup(t) is None else lookup(t).persists]
            for t, n in rows]
    return pd.DataFrame(data, columns=["tag", "count", "category", "persists"], dtype=object)
