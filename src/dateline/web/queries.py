"""Filtered, cursor-paginated reads over the store, for the HTTP API and the pages.

Every listing has a stable order: a sort key, newest or largest first, then the row's rowid
as the tie-break. A page ends with an opaque cursor holding the last row's key and rowid;
the next page starts strictly after it (keyset pagination: no OFFSET, so page 1,000 costs
what page 1 costs, and rows inserted meanwhile neither repeat nor shift the pages). Rows
whose sort key is NULL (an event without a date) come after all the others, ordered by
rowid alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateline.errors import Code, DatelineError

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
EXPORT_PAGE = 1000  # rows per query when a listing is downloaded whole
LONGEST_SPAN_FLOOR = 366  # days: a year, the longest calendar span a TimeML value names
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_MATCH_START, _MATCH_END = "\x02", "\x03"  # around matches in FTS snippets


def bad(parameter: str, message: str) -> DatelineError:
    return DatelineError(Code.BAD_PARAMETER, f"{parameter}: {message}")


# --- cursors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    key: Any  # the last row's sort key (None: the page ended among NULL keys)
    rowid: int | str  # its tie-break: a rowid, or a fused event's id
    scope: str  # which listing and filters it belongs to: a cursor is not reusable elsewhere


def encode_cursor(cursor: Cursor) -> str:
    raw = json.dumps([cursor.key, cursor.rowid, cursor.scope], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, scope: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        key, rowid, cursor_scope = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise DatelineError(Code.BAD_CURSOR, "the cursor is not one this server made") from exc
    if not isinstance(rowid, int | str) or cursor_scope != scope:
        raise DatelineError(Code.BAD_CURSOR, "the cursor belongs to another listing or filters")
    return Cursor(key, rowid, scope)


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


@dataclass
class Listing:
    """One SELECT with its filters, sorted by ``key`` (descending) then ``rowid``."""

    select: str  # "SELECT ... FROM ..." giving the columns, plus `_key` and `_rowid`
    key: str  # SQL expression of the sort key
    rowid: str  # SQL expression of the tie-break
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    ascending: bool = False  # search ranks: a lower BM25 score is better

    def _query(self, extra: str, extra_params: Sequence[Any], limit: int) -> str:
        clauses = [*self.where, extra] if extra else list(self.where)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        order = "ASC" if self.ascending else "DESC"
        return f"{self.select}{where} ORDER BY {self.key} {order}, {self.rowid} {order} LIMIT ?"

    def _run(
        self, db: sqlite3.Connection, extra: str, extra_params: Sequence[Any], limit: int
    ) -> list[sqlite3.Row]:
        sql = self._query(extra, extra_params, limit)
        return db.execute(sql, [*self.params, *extra_params, limit]).fetchall()

    def page(
        self, db: sqlite3.Connection, limit: int, cursor: Cursor | None, scope: str
    ) -> tuple[list[sqlite3.Row], str | None]:
        """Up to ``limit`` rows after ``cursor``, and the cursor of the page after them."""
        cmp = ">" if self.ascending else "<"
        rows: list[sqlite3.Row] = []
        if cursor is None or cursor.key is not None:
            extra, extra_params = f"{self.key} IS NOT NULL", []
            if cursor is not None:
                extra = f"({self.key}, {self.rowid}) {cmp} (?, ?)"
                extra_params = [cursor.key, cursor.rowid]
            rows = self._run(db, extra, extra_params, limit + 1)
        if len(rows) <= limit:  # the keyed rows ran out: go on with the NULL-keyed ones
            extra = f"{self.key} IS NULL"
            extra_params = []
            if cursor is not None and cursor.key is None:
                extra += f" AND {self.rowid} {cmp} ?"
                extra_params = [cursor.rowid]
            rows += self._run(db, extra, extra_params, limit + 1 - len(rows))
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], encode_cursor(Cursor(last["_key"], last["_rowid"], scope))


def scope_of(name: str, filters: dict[str, Any]) -> str:
    """A short fingerprint of a listing and its filters, carried inside its cursors."""
    canon = json.dumps([name, sorted((k, v) for k, v in filters.items() if v not in (None, ""))])
    return hashlib.sha256(canon.encode()).hexdigest()[:12]


# --- parameter checks -------------------------------------------------------------------


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise bad("limit", f"must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def check_day(name: str, value: str | None) -> str | None:
    if not value:
        return None
    if not _DAY.match(value):
        raise bad(name, f"must be a day YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise bad(name, f"{value!r} is not a calendar day") from exc


def check_country(value: str | None) -> str | None:
    if not value:
        return None
    if not _COUNTRY.match(value):
        raise bad("country", f"must be an ISO 3166-1 alpha-2 code such as KZ, not {value!r}")
    return value.upper()


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


def check_bbox(value: str | None) -> BBox | None:
    if not value:
        return None
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError as exc:
        raise bad("bbox", f"must be west,south,east,north in degrees, not {value!r}") from exc
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise bad("bbox", f"{value!r} is outside -180..180 / -90..90 or has south > north")
    return BBox(west, south, east, north)


# --- events -----------------------------------------------------------------------------


@dataclass
class EventFilters:
    type: str | None = None
    mode: str | None = None
    aux: str | None = None
    actor: str | None = None
    recipient: str | None = None
    country: str | None = None
    bbox: BBox | None = None
    day_from: str | None = None  # the `from` parameter
    day_to: str | None = None  # the `to` parameter
    story: str | None = None
    article: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, BBox) else v) for k, v in self.__dict__.items()}


def longest_event_span(db: sqlite3.Connection) -> int:
    """Days covered by the longest event range in the store (at least a year).

    A date filter matches events whose range overlaps it; bounding day_from below by this
    span lets the day index narrow the scan without missing a long range."""
    row = db.execute(
        "SELECT max(julianday(day_to) - julianday(day_from)) FROM events"
        " WHERE day_to > date(day_from, '+366 days')"
    ).fetchone()
    return max(LONGEST_SPAN_FLOOR, int(row[0] or 0) + 1)


def _participant_clause(role: str, name: str, walk: bool) -> tuple[str, list[Any]]:
    # A participant matches by entity id or by canonical name (case-insensitive).
    match = "p.role = ? AND (p.entity_id = ? OR p.canonical = ? COLLATE NOCASE)"
    if walk:  # checked per event while walking the day index
        return (
            "EXISTS (SELECT 1 FROM event_participants p WHERE p.article_id = events.article_id"
            f" AND p.idx = events.idx AND {match})",
            [role, name, name],
        )
    return (  # the participant index finds the events; they are sorted afterwards
        "events.rowid IN (SELECT e.rowid FROM event_participants p JOIN events e"
        f" ON e.article_id = p.article_id AND e.idx = p.idx WHERE {match})",
        [role, name, name],
    )


def event_where(
    filters: EventFilters, longest_span: int, walk: bool = False
) -> tuple[list[str], list[Any]]:
    """The WHERE clauses of the filters.

    ``walk`` writes the bbox and participant filters so that no index serves them (a unary
    plus hides a column from the planner): SQLite then walks an index in the listing's
    order and stops at the page's last row, which is fast when matches are common."""
    where: list[str] = []
    params: list[Any] = []
    for column in ("type", "mode", "aux", "country"):
        value = getattr(filters, column)
        if value:
            where.append(f"events.{column} = ?")
            params.append(value)
    if filters.story:
        where.append("events.story_id = ?")
        params.append(filters.story)
    if filters.article:
        where.append("events.article_id = ?")
        params.append(filters.article)
    for role, name in (("actor", filters.actor), ("recipient", filters.recipient)):
        if name:
            clause, clause_params = _participant_clause(role, name, walk)
            where.append(clause)
            params += clause_params
    if filters.bbox:
        box = filters.bbox
        if not walk:  # the R*Tree gives the candidates; the exact test below keeps them
            candidates, candidate_params = geo_candidates(box)
            where.append(f"events.rowid IN ({candidates})")
            params += candidate_params
        where.append("+events.lat BETWEEN ? AND ?")
        params += [box.south, box.north]
        if box.west <= box.east:
            where.append("+events.lon BETWEEN ? AND ?")
            params += [box.west, box.east]
        else:  # the box crosses the antimeridian
            where.append("(+events.lon >= ? OR +events.lon <= ?)")
            params += [box.west, box.east]
    if filters.day_from:
        earliest = date.fromisoformat(filters.day_from) - timedelta(days=longest_span)
        where.append("events.day_to >= ? AND events.day_from >= ?")
        params += [filters.day_from, earliest.isoformat()]
    if filters.day_to:
        where.append("events.day_from <= ?")
        params.append(filters.day_to)
    return where, params


EVENT_SELECT = (
    "SELECT events.rowid AS _rowid, events.day_from AS _key, events.article_id, events.idx,"
    " events.type, events.mode, events.aux, events.when_value, events.day_from, events.day_to,"
    " events.place, events.geonames_id, events.country, events.lat, events.lon,"
    " events.cameo_quad, events.acled_subtype, events.confidence, events.story_id,"
    " events.publisher, events.published, events.data FROM events"
)


def event_item(row: sqlite3.Row) -> dict[str, Any]:
    """The API's view of one event row (its actors and evidence come from its JSON)."""
    data = json.loads(row["data"])
    evidence = data.get("evidence") or {}
    trigger = data.get("trigger") or {}
    return {
        "id": f"{row['article_id']}:{row['idx']}",
        "article_id": row["article_id"],
        "idx": row["idx"],
        "type": row["type"],
        "mode": row["mode"],
        "aux": row["aux"],
        "when": row["when_value"],
        "day_from": row["day_from"],
        "day_to": row["day_to"],
        "place": row["place"],
        "geonames_id": row["geonames_id"],
        "country": row["country"],
        "lat": row["lat"],
        "lon": row["lon"],
        "actors": [p.get("canonical") for p in data.get("actors") or []],
        "recipients": [p.get("canonical") for p in data.get("recipients") or []],
        "evidence": evidence.get("text"),
        "evidence_start": evidence.get("start"),
        "evidence_end": evidence.get("end"),
        "trigger": trigger.get("text"),
        "cameo_quad": row["cameo_quad"],
        "acled_subtype": row["acled_subtype"],
        "confidence": row["confidence"],
        "story_id": row["story_id"],
        "publisher": row["publisher"],
        "published": row["published"],
    }


FEW_MATCHES = 5000  # events: fewer than this are found by their own index and sorted


def event_rows(
    db: sqlite3.Connection,
    filters: EventFilters,
    limit: int,
    cursor: str | None,
    longest_span: int,
) -> tuple[list[sqlite3.Row], str | None]:
    """One page of event rows and the cursor after it.

    A bbox or participant filter has two good plans, and which is fast depends on how many
    events match, which SQLite's planner cannot know: find the matches by their own index
    (latitude, participant) and sort them, fast when they are few; or walk the day index
    in the listing's order, testing each event, and stop at the page's end, fast when they
    are many. A capped count over that index decides. Both plans give the same rows.
    """
    scope = scope_of("events", filters.as_dict())
    after = _cursor(cursor, scope)
    walk = bool(filters.bbox or filters.actor or filters.recipient) and not _few_matches(
        db, filters
    )
    where, params = event_where(filters, longest_span, walk=walk)
    listing = Listing(EVENT_SELECT, "events.day_from", "events.rowid", where, params)
    return listing.page(db, limit, after, scope)


def _few_matches(db: sqlite3.Connection, filters: EventFilters) -> bool:
    """Whether the participant or bbox filter matches fewer than FEW_MATCHES events,
    counted on its own index up to that cap (so the count costs little either way)."""
    for role, name in (("actor", filters.actor), ("recipient", filters.recipient)):
        if name and _capped(
            db,
            "SELECT 1 FROM event_participants p WHERE p.role = ?"
            " AND (p.entity_id = ? OR p.canonical = ? COLLATE NOCASE)",
            [role, name, name],
        ):
            return True
    if filters.bbox:
        return _capped(db, *geo_candidates(filters.bbox))
    return False


def geo_candidates(box: BBox) -> tuple[str, list[Any]]:
    """SELECT of the ids of events_geo (the events R*Tree) inside the box, a little wider."""
    lat = "max_lat >= ? AND min_lat <= ?"
    if box.west <= box.east:
        sql = f"SELECT id FROM events_geo WHERE {lat} AND max_lon >= ? AND min_lon <= ?"
        return sql, [box.south, box.north, box.west, box.east]
    # across the antimeridian: two boxes (an OR would make the R*Tree scan everything)
    sql = (
        f"SELECT id FROM events_geo WHERE {lat} AND max_lon >= ?"
        f" UNION ALL SELECT id FROM events_geo WHERE {lat} AND min_lon <= ?"
    )
    return sql, [box.south, box.north, box.west, box.south, box.north, box.east]


def _capped(db: sqlite3.Connection, select: str, params: list[Any]) -> bool:
    sql = f"SELECT count(*) FROM ({select} LIMIT ?)"
    (count,) = db.execute(sql, [*params, FEW_MATCHES]).fetchone()
    return bool(count < FEW_MATCHES)


def events_page(
    db: sqlite3.Connection,
    filters: EventFilters,
    limit: int,
    cursor: str | None,
    longest_span: int,
) -> Page:
    rows, next_cursor = event_rows(db, filters, limit, cursor, longest_span)
    return Page([event_item(row) for row in rows], next_cursor)


def _cursor(text: str | None, scope: str) -> Cursor | None:
    return decode_cursor(text, scope) if text else None


def timeline(
    db: sqlite3.Connection, filters: EventFilters, longest_span: int
) -> list[dict[str, Any]]:
    """Events per first day and type, oldest day first (events without a day are left out)."""
    where, params = event_where(filters, longest_span)
    clauses = " AND ".join([*where, "events.day_from IS NOT NULL"])
    rows = db.execute(
        "SELECT events.day_from AS day, events.type AS type, count(*) AS count FROM events"
        f" WHERE {clauses} GROUP BY events.day_from, events.type ORDER BY day, type",
        params,
    )
    return [dict(row) for row in rows]


# --- fused events -----------------------------------------------------------------------


def fused_matches(event: dict[str, Any], filters: EventFilters) -> bool:
    """Whether one fused event (its JSON) passes the filters a fused event can answer."""
    for key in ("type", "mode", "aux", "country"):
        wanted = getattr(filters, key)
        if wanted and event.get(key) != wanted:
            return False
    if filters.story and event.get("story_id") != filters.story:
        return False
    for key, wanted in (("actors", filters.actor), ("recipients", filters.recipient)):
        if wanted and wanted.casefold() not in {n.casefold() for n in event.get(key) or []}:
            return False
    day: str = event.get("day") or ""
    if (filters.day_from or filters.day_to) and not day:
        return False
    if filters.day_from and day < filters.day_from:
        return False
    return not (filters.day_to and day > filters.day_to)


def fused_page(
    events: list[dict[str, Any]], filters: EventFilters, limit: int, cursor: str | None
) -> Page:
    """Fused events newest day first (undated last), then by id; cursor on (day, id)."""
    scope = scope_of("fused", filters.as_dict())
    chosen = sorted(
        (e for e in events if fused_matches(e, filters)),
        key=lambda e: (e.get("day") is not None, e.get("day") or "", e["id"]),
        reverse=True,
    )
    start = 0
    if cursor:
        after = decode_cursor(cursor, scope)
        position = {(e.get("day"), e["id"]): i for i, e in enumerate(chosen)}
        start = position.get((after.key, after.rowid), -1) + 1
        if start == 0:
            raise DatelineError(Code.BAD_CURSOR, "the cursor's event is no longer listed")
    items = chosen[start : start + limit]
    if start + limit >= len(chosen):
        return Page(items, None)
    last = items[-1]
    # the fused id stands in the rowid's place: it is unique and stable
    return Page(items, encode_cursor(Cursor(last.get("day"), last["id"], scope)))


# --- articles ---------------------------------------------------------------------------


@dataclass
class ArticleFilters:
    q: str | None = None
    publisher: str | None = None
    day_from: str | None = None
    day_to: str | None = None
    entity: str | None = None
    place: str | None = None
    country: str | None = None
    story: str | None = None


ARTICLE_COLUMNS = (
    "a.rowid AS _rowid, a.id, a.title, a.publisher, a.origin, a.published, a.url, a.language,"
    " a.story_id, a.copy_of"
)


def _entity_ids(value: str) -> tuple[str, list[Any]]:
    return (
        "SELECT id FROM entities WHERE id = ? OR canonical = ? COLLATE NOCASE"
        " UNION SELECT entity_id FROM entity_aliases WHERE alias = ? COLLATE NOCASE",
        [value, value, value],
    )


def article_where(filters: ArticleFilters) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if filters.publisher:
        where.append("a.publisher = ?")
        params.append(filters.publisher)
    if filters.day_from:
        where.append("a.published >= ?")
        params.append(filters.day_from)
    if filters.day_to:
        where.append("substr(a.published, 1, 10) <= ?")
        params.append(filters.day_to)
    if filters.story:
        where.append("a.story_id = ?")
        params.append(filters.story)
    if filters.entity:
        ids, ids_params = _entity_ids(filters.entity)
        where.append(
            f"a.id IN (SELECT article_id FROM article_entities WHERE entity_id IN ({ids}))"
        )
        params += ids_params
    if filters.place:
        ids, ids_params = _entity_ids(filters.place)
        where.append(
            "a.id IN (SELECT ae.article_id FROM article_entities ae JOIN entities e"
            f" ON e.id = ae.entity_id WHERE e.kind = 'place' AND e.id IN ({ids}))"
        )
        params += ids_params
    if filters.country:
        where.append(
            "a.id IN (SELECT ae.article_id FROM article_entities ae JOIN entities e"
            " ON e.id = ae.entity_id WHERE e.kind = 'place' AND e.country = ?)"
        )
        params.append(filters.country)
    return where, params


def fts_match(query: str) -> str:
    """The query as FTS5 syntax when valid, else its words each quoted."""
    words = [w for w in re.findall(r"\w+", query) if w.upper() not in {"AND", "OR", "NOT", "NEAR"}]
    return " ".join(f'"{w}"' for w in words)


def articles_page(
    db: sqlite3.Connection, filters: ArticleFilters, limit: int, cursor: str | None
) -> Page:
    scope = scope_of("articles", filters.__dict__)
    where, params = article_where(filters)
    if filters.q:
        listing = _search_listing(filters.q, where, params)
        try:
            rows, next_cursor = listing.page(db, limit, _cursor(cursor, scope), scope)
        except sqlite3.OperationalError:  # not valid FTS syntax: search its words instead
            listing = _search_listing(fts_match(filters.q), where, params)
            rows, next_cursor = listing.page(db, limit, _cursor(cursor, scope), scope)
    else:
        select = f"SELECT {ARTICLE_COLUMNS}, a.published AS _key, NULL AS snippet FROM articles a"
        listing = Listing(select, "a.published", "a.rowid", where, params)
        rows, next_cursor = listing.page(db, limit, _cursor(cursor, scope), scope)
    return Page([_article_item(row) for row in rows], next_cursor)


def _search_listing(match: str, where: list[str], params: list[Any]) -> Listing:
    # bm25() only works in the query over the FTS table: rank inside, paginate outside
    inner = (
        f"SELECT {ARTICLE_COLUMNS}, bm25(articles_fts) AS _key,"
        " snippet(articles_fts, 1, char(2), char(3), '…', 12) AS snippet"
        " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
        f" WHERE articles_fts MATCH ?{''.join(' AND ' + w for w in where)}"
    )
    return Listing(
        f"SELECT * FROM ({inner})", "_key", "_rowid", [], [match, *params], ascending=True
    )


def _article_item(row: sqlite3.Row) -> dict[str, Any]:
    item = {k: row[k] for k in row.keys() if not k.startswith("_")}  # noqa: SIM118
    if item.get("snippet") is None:
        item.pop("snippet", None)
    return item


def snippet_parts(snippet: str | None) -> list[tuple[str, bool]]:
    """A snippet cut into (text, is_match) pieces, for a page to mark up safely."""
    if not snippet:
        return []
    parts: list[tuple[str, bool]] = []
    for i, piece in enumerate(re.split(f"{_MATCH_START}|{_MATCH_END}", snippet)):
        if piece:
            parts.append((piece, i % 2 == 1))
    return parts


def snippet_text(snippet: str | None) -> str | None:
    """A snippet with its matches in [brackets], as `dateline search` shows them."""
    if snippet is None:
        return None
    return snippet.replace(_MATCH_START, "[").replace(_MATCH_END, "]")


def article_json(db: sqlite3.Connection, article_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT data FROM articles WHERE id = ?", (article_id,)).fetchone()
    return json.loads(row["data"]) if row else None


# --- entities ---------------------------------------------------------------------------


@dataclass
class EntityFilters:
    q: str | None = None
    kind: str | None = None
    country: str | None = None


def entities_page(
    db: sqlite3.Connection, filters: EntityFilters, limit: int, cursor: str | None
) -> Page:
    scope = scope_of("entities", filters.__dict__)
    where, params = [], []
    if filters.q:
        where.append(
            "(e.canonical LIKE ? OR e.id = ? OR e.id IN"
            " (SELECT entity_id FROM entity_aliases WHERE alias LIKE ?))"
        )
        params += [f"%{filters.q}%", filters.q, f"%{filters.q}%"]
    if filters.kind:
        where.append("e.kind = ?")
        params.append(filters.kind)
    if filters.country:
        where.append("e.country = ?")
        params.append(filters.country)
    inner = (
        "SELECT e.rowid AS _rowid, e.id, e.canonical, e.kind, e.country, e.sector,"
        " (SELECT count(*) FROM article_entities ae WHERE ae.entity_id = e.id) AS _key"
        f" FROM entities e{' WHERE ' + ' AND '.join(where) if where else ''}"
    )
    listing = Listing(f"SELECT * FROM ({inner})", "_key", "_rowid", [], params)
    rows, next_cursor = listing.page(db, limit, _cursor(cursor, scope), scope)
    items = []
    for row in rows:
        item = {k: row[k] for k in ("id", "canonical", "kind", "country", "sector")}
        item["articles"] = row["_key"]
        items.append(item)
    return Page(items, next_cursor)


def entity(db: sqlite3.Connection, entity_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT id, canonical, kind, country, sector FROM entities WHERE id = ?", (entity_id,)
    ).fetchone()
    if row is None:
        return None
    found = dict(row)
    found["aliases"] = [
        r[0]
        for r in db.execute(
            "SELECT alias FROM entity_aliases WHERE entity_id = ? ORDER BY alias", (entity_id,)
        )
    ]
    found["articles"] = db.execute(
        "SELECT count(*) FROM article_entities WHERE entity_id = ?", (entity_id,)
    ).fetchone()[0]
    found["mentions_by_day"] = [
        dict(r)
        for r in db.execute(
            "SELECT substr(a.published, 1, 10) AS day, sum(ae.mentions) AS mentions,"
            " count(*) AS articles FROM article_entities ae JOIN articles a ON a.id = ae.article_id"
            " WHERE ae.entity_id = ? AND a.published IS NOT NULL GROUP BY day ORDER BY day",
            (entity_id,),
        )
    ]
    return found


def entity_events(
    db: sqlite3.Connection, entity_id: str, role: str, limit: int = 100
) -> list[dict[str, Any]]:
    rows = db.execute(
        f"{EVENT_SELECT} WHERE events.rowid IN (SELECT e.rowid FROM event_participants p"
        " JOIN events e ON e.article_id = p.article_id AND e.idx = p.idx"
        " WHERE p.entity_id = ? AND p.role = ?)"
        " ORDER BY events.day_from IS NULL, events.day_from DESC, events.rowid DESC LIMIT ?",
        (entity_id, role, limit),
    )
    return [event_item(row) for row in rows]


def entity_quotes(db: sqlite3.Connection, entity_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """Quotes whose speaker is the entity, from the articles that mention it."""
    found: list[dict[str, Any]] = []
    rows = db.execute(
        "SELECT a.id, a.title, a.published, a.data FROM article_entities ae"
        " JOIN articles a ON a.id = ae.article_id WHERE ae.entity_id = ?"
        " ORDER BY a.published DESC LIMIT 500",
        (entity_id,),
    )
    for row in rows:
        for index, quote in enumerate(json.loads(row["data"]).get("quotes") or []):
            if (quote.get("speaker") or {}).get("entity_id") == entity_id:
                found.append(
                    {
                        "article_id": row["id"],
                        "title": row["title"],
                        "published": row["published"],
                        "quote": index,
                        "text": quote.get("text"),
                        "direct": quote.get("direct"),
                    }
                )
    return found[:limit]


# --- stories ----------------------------------------------------------------------------


def stories_page(db: sqlite3.Connection, q: str | None, limit: int, cursor: str | None) -> Page:
    scope = scope_of("stories", {"q": q})
    where = "WHERE story_id IS NOT NULL"
    params: list[Any] = []
    if q:
        where += " AND story_id IN (SELECT story_id FROM articles WHERE title LIKE ?)"
        params.append(f"%{q}%")
    inner = (
        "SELECT min(a.rowid) AS _rowid, story_id AS id, count(*) AS _key,"
        " count(DISTINCT publisher) AS outlets, sum(copy_of IS NOT NULL) AS copies,"
        " min(published) AS first, max(published) AS last,"
        " (SELECT title FROM articles b WHERE b.story_id = a.story_id"
        "  ORDER BY b.published IS NULL, b.published, b.id LIMIT 1) AS title"
        f" FROM articles a {where} GROUP BY story_id"
    )
    listing = Listing(f"SELECT * FROM ({inner})", "_key", "_rowid", [], params)
    rows, next_cursor = listing.page(db, limit, _cursor(cursor, scope), scope)
    items = []
    for row in rows:
        item = {k: row[k] for k in ("id", "title", "outlets", "copies", "first", "last")}
        item["articles"] = row["_key"]
        items.append(item)
    return Page(items, next_cursor)


def story_articles(db: sqlite3.Connection, story_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.story_id = ?"
        " ORDER BY a.published IS NULL, a.published, a.id",
        (story_id,),
    )
    return [_article_item(row) for row in rows]


def story_article_json(db: sqlite3.Connection, story_id: str) -> Iterator[dict[str, Any]]:
    rows = db.execute(
        "SELECT data FROM articles WHERE story_id = ? ORDER BY published, id", (story_id,)
    )
    for row in rows:
        yield json.loads(row["data"])


def all_article_json(db: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every stored article's JSON, in the order the store's own fusion reads them."""
    for row in db.execute("SELECT data FROM articles ORDER BY published, id"):
        yield json.loads(row["data"])
