"""The shared store: PostgreSQL, for several writers and readers on several machines.

The same public methods and semantics as the SQLite store (``dateline.store.sqlite``), so
the API, the CLI and the exports do not care which one they get. The logical schema is the
same: the full article JSON in ``data`` (type ``json``, which keeps the text as written, so
exports are byte-for-byte the same as from SQLite), columns beside it to filter on, entity,
raw-item, state and event rows. What differs is how it is done:

- full-text search is a generated ``tsvector`` column (title weighted above body) with a
  GIN index, ranked by ``ts_rank_cd``; queries go through ``websearch_to_tsquery``, which
  accepts any text, so no fallback is needed for bad syntax;
- migrations are numbered rows in ``schema_migrations``, each step applied in its own
  transaction under an advisory lock, so two processes opening a new database at once
  migrate it once;
- each batch is one transaction of set-based ``INSERT ... ON CONFLICT DO NOTHING``
  statements under a transaction-level advisory lock: several processes may ingest at
  once (their pipelines run in parallel, their batches commit one at a time) and nothing
  is stored twice;
- every text column sorts bytewise (``COLLATE "C"``), as SQLite's do, so listings come out
  in the same order on both backends.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.rows import dict_row

from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article, RawItem, raw_digest
from dateline.store.event_rows import EVENT_COLUMNS, PARTICIPANT_COLUMNS, Row, event_rows
from dateline.store.sqlite import BATCH_SIZE, IngestSummary, SaveState, SearchHit, _now

URL_SCHEMES = ("postgresql://", "postgres://")
TEXT_SEARCH_CONFIG = "english"  # stems and drops stop words: "troops" finds "troop"
SEEN_CHUNK = 200  # raw items looked up in raw_seen per round trip
# Key of the advisory lock that serialises migrations and batch commits (any fixed bigint;
# this one spells "dateline" in ASCII, so it is recognisable in pg_locks).
LOCK_KEY = 0x646174656C696E65

_TEXT = 'TEXT COLLATE "C"'
MIGRATIONS: list[str] = [
    # 1: the whole logical schema of the SQLite store's migrations 1-5, in one step
    f"""
    CREATE TABLE articles (
        id {_TEXT} PRIMARY KEY,
        source_id {_TEXT},
        url {_TEXT},
        title {_TEXT},
        publisher {_TEXT},
        origin {_TEXT},
        published {_TEXT},
        language {_TEXT},
        text {_TEXT} NOT NULL,
        source {_TEXT},
        position {_TEXT},
        data JSON NOT NULL,
        ingested_at {_TEXT} NOT NULL,
        story_id {_TEXT},
        copy_of {_TEXT},
        fts TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('{TEXT_SEARCH_CONFIG}', coalesce(title, '')), 'A')
            || setweight(to_tsvector('{TEXT_SEARCH_CONFIG}', text), 'B')
        ) STORED
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_publisher ON articles(publisher);
    CREATE INDEX articles_url ON articles(url);
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_fts ON articles USING GIN (fts);
    CREATE TABLE rejects (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source {_TEXT} NOT NULL,
        position {_TEXT} NOT NULL,
        code {_TEXT} NOT NULL,
        message {_TEXT} NOT NULL,
        hint {_TEXT} NOT NULL,
        first_seen {_TEXT} NOT NULL,
        UNIQUE (source, position, code)
    );
    CREATE TABLE entities (
        id {_TEXT} PRIMARY KEY,
        canonical {_TEXT} NOT NULL,
        kind {_TEXT} NOT NULL,
        country {_TEXT},
        sector {_TEXT}
    );
    CREATE TABLE entity_aliases (
        entity_id {_TEXT} NOT NULL REFERENCES entities(id),
        alias {_TEXT} NOT NULL,
        PRIMARY KEY (entity_id, alias)
    );
    CREATE INDEX entity_aliases_alias ON entity_aliases(lower(alias));
    CREATE TABLE article_entities (
        article_id {_TEXT} NOT NULL REFERENCES articles(id),
        entity_id {_TEXT} NOT NULL REFERENCES entities(id),
        mentions INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    );
    CREATE INDEX article_entities_entity ON article_entities(entity_id);
    CREATE TABLE raw_seen (
        digest {_TEXT} PRIMARY KEY,
        article_id {_TEXT} NOT NULL REFERENCES articles(id)
    );
    CREATE TABLE state (
        name {_TEXT} PRIMARY KEY,
        version {_TEXT} NOT NULL,
        data BYTEA NOT NULL
    );
    CREATE TABLE events (
        article_id {_TEXT} NOT NULL REFERENCES articles(id),
        idx INTEGER NOT NULL,
        type {_TEXT} NOT NULL,
        mode {_TEXT},
        aux {_TEXT} NOT NULL,
        when_value {_TEXT},
        day_from {_TEXT},
        day_to {_TEXT},
        place {_TEXT},
        geonames_id BIGINT,
        country {_TEXT},
        lat DOUBLE PRECISION,
        lon DOUBLE PRECISION,
        cameo_quad INTEGER,
        acled_subtype {_TEXT},
        confidence DOUBLE PRECISION,
        source {_TEXT},
        story_id {_TEXT},
        publisher {_TEXT},
        published {_TEXT},
        data JSON NOT NULL,
        PRIMARY KEY (article_id, idx)
    );
    CREATE INDEX events_type_day ON events(type, day_from);
    CREATE INDEX events_day ON events(day_from);
    CREATE INDEX events_country_day ON events(country, day_from);
    CREATE INDEX events_lat_lon ON events(lat, lon);
    CREATE INDEX events_story ON events(story_id);
    CREATE TABLE event_participants (
        article_id {_TEXT} NOT NULL,
        idx INTEGER NOT NULL,
        role {_TEXT} NOT NULL CHECK (role IN ('actor', 'recipient')),
        entity_id {_TEXT},
        canonical {_TEXT} NOT NULL,
        country {_TEXT},
        sector {_TEXT},
        FOREIGN KEY (article_id, idx) REFERENCES events(article_id, idx)
    );
    CREATE INDEX event_participants_entity ON event_participants(entity_id, role);
    CREATE INDEX event_participants_name ON event_participants(lower(canonical), role);
    CREATE INDEX event_participants_event ON event_participants(article_id, idx);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

_ARTICLE_COLUMNS = (
    "id, source_id, url, title, publisher, origin, published, language, text, source,"
    " position, data, ingested_at, story_id, copy_of"
)
# One statement per batch: parallel arrays unnested into rows; RETURNING says which were new.
_INSERT_ARTICLES = (
    f"INSERT INTO articles ({_ARTICLE_COLUMNS})"
    " SELECT id, source_id, url, title, publisher, origin, published, language, text, source,"
    " position, data::json, ingested_at, story_id, copy_of"
    f" FROM unnest({', '.join(['%s::text[]'] * 15)})"
    f" AS t({_ARTICLE_COLUMNS})"
    " ON CONFLICT (id) DO NOTHING RETURNING id"
)
_HEADLINE_OPTIONS = (
    "StartSel=[, StopSel=], MaxWords=12, MinWords=4, MaxFragments=1, FragmentDelimiter=…"
)
_STORED_IDS = "SELECT id FROM articles WHERE id = ANY(%s)"
_SEARCH = f"""
SELECT id, title, publisher, published,
       ts_headline('{TEXT_SEARCH_CONFIG}', text, query,
                   '{_HEADLINE_OPTIONS}') AS snippet,
       -rank AS score
FROM (
    SELECT a.id, a.title, a.publisher, a.published, a.text, q AS query,
           ts_rank_cd(a.fts, q, 1) AS rank
    FROM articles a, websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %s) q
    WHERE a.fts @@ q
    ORDER BY rank DESC, a.id
    LIMIT %s
) hits
ORDER BY rank DESC, id
"""
_FTS5_AND = re.compile(r"\bAND\b")
_FTS5_NOT = re.compile(r"\bNOT\s+")


def is_postgres_url(db: object) -> bool:
    return isinstance(db, str) and db.startswith(URL_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def websearch_query(query: str) -> str:
    """SQLite FTS5's AND and NOT in web-search syntax (where words are ANDed and '-' negates),
    so a query written for one backend means the same on the other."""
    return _FTS5_NOT.sub("-", _FTS5_AND.sub(" ", query))


def _column_text(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; the columns lose it, the article JSON keeps it."""
    return value.replace("\x00", "") if value and "\x00" in value else value


def _without_nul(rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows for text columns: every string without NUL (see ``_column_text``)."""
    return [tuple(_column_text(v) if isinstance(v, str) else v for v in row) for row in rows]


_INSERT_EVENTS = (
    f"INSERT INTO events ({EVENT_COLUMNS}) VALUES ({', '.join(['%s'] * 21)}) ON CONFLICT DO NOTHING"
)
_INSERT_PARTICIPANTS = (
    f"INSERT INTO event_participants ({PARTICIPANT_COLUMNS}) VALUES ({', '.join(['%s'] * 7)})"
)


@dataclass
class _Batch:
    """The rows of one batch, gathered before they go to the database."""

    now: str
    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def article_arrays(self, skip: set[str]) -> list[list[str | None]]:
        """Column arrays of the batch's articles, each id once (its first copy), less ``skip``."""
        unique: dict[str, Article] = {}
        for article in self.articles:
            if article.id not in skip:
                unique.setdefault(article.id, article)
        rows = [self._article_row(a) for a in unique.values()]
        return [list(column) for column in zip(*rows, strict=True)]

    def _article_row(self, article: Article) -> tuple[str | None, ...]:
        prov = article.provenance
        return (
            article.id,
            *(
                _column_text(value)
                for value in (
                    article.source_id,
                    article.url,
                    article.title,
                    article.publisher,
                    article.origin,
                    article.published,
                    article.language,
                    article.text,
                    prov.source if prov else None,
                    prov.position if prov else None,
                )
            ),
            json.dumps(article.to_json(), ensure_ascii=False),
            self.now,
            article.story_id,
            article.copy_of,
        )


class PostgresStore:
    """A dateline store in one PostgreSQL database, given by a ``postgresql://`` URL."""

    _cursor_names = itertools.count()

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = redact(url)  # what messages and `dateline summary` show
        try:
            self.db: psycopg.Connection[dict[str, Any]] = psycopg.connect(
                url, autocommit=True, row_factory=dict_row
            )
        except psycopg.Error as exc:
            raise DatelineError(Code.PG_CONNECT, f"cannot open store {self.path}: {exc}") from exc
        try:
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    # --- schema -----------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise DatelineError(
                Code.STORE,
                f"store schema {version} is newer than this dateline ({SCHEMA_VERSION})",
                "Upgrade dateline to open this store.",
            )
        if version == SCHEMA_VERSION:
            return  # the usual case, without the lock: opening never waits for a writer
        with self.db.transaction():
            self._lock()
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
        for number, step in enumerate(MIGRATIONS, start=1):
            with self.db.transaction():
                self._lock()
                if self.schema_version >= number:  # applied before, or by another process
                    continue
                self.db.execute(step)  # no parameters: runs as one multi-statement script
                self.db.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))

    def _lock(self) -> None:
        """Hold the store's write lock until the current transaction ends."""
        self.db.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))

    @property
    def schema_version(self) -> int:
        """The last migration applied; 0 for a database dateline has not used yet."""
        found = self._one(self.db.execute("SELECT to_regclass('schema_migrations') AS t"))
        if found["t"] is None:
            return 0
        row = self.db.execute("SELECT coalesce(max(version), 0) AS v FROM schema_migrations")
        return int(self._one(row)["v"])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _one(cursor: psycopg.Cursor[dict[str, Any]]) -> dict[str, Any]:
        row = cursor.fetchone()
        assert row is not None  # aggregates always give a row
        return row

    # --- writing ----------------------------------------------------------------------

    def write(
        self,
        results: Iterable[Article | Reject],
        summary: IngestSummary | None = None,
        save_state: SaveState | None = None,
    ) -> IngestSummary:
        """Store articles and rejects in batches; an article already stored is a duplicate.

        ``save_state`` gives corpus-wide state (the story index) to store in the same
        transaction as each batch, so a killed run leaves articles and state in step."""
        summary = summary or IngestSummary()
        batch: list[Article | Reject] = []
        for result in results:
            batch.append(result)
            if len(batch) >= BATCH_SIZE:
                self._write_batch(batch, summary, save_state)
                batch = []
        if batch:
            self._write_batch(batch, summary, save_state)
        return summary

    def save_state(self, version: str, data: bytes) -> None:
        with self.db.transaction():
            self._put_state(version, data)

    def _put_state(self, version: str, data: bytes, name: str = "stories") -> None:
        self.db.execute(
            "INSERT INTO state (name, version, data) VALUES (%s, %s, %s)"
            " ON CONFLICT (name) DO UPDATE SET version = excluded.version, data = excluded.data",
            (name, version, data),
        )

    def load_state(self, version: str, name: str = "stories") -> bytes | None:
        row = self.db.execute("SELECT version, data FROM state WHERE name = %s", (name,)).fetchone()
        return bytes(row["data"]) if row and row["version"] == version else None

    def _write_batch(
        self, batch: list[Article | Reject], summary: IngestSummary, save_state: SaveState | None
    ) -> None:
        gathered = _Batch(_now())
        for result in batch:
            if isinstance(result, Reject):
                gathered.rejects.append(result)
            else:
                gathered.articles.append(result)
        with self.db.transaction():
            self._lock()  # batches of concurrent writers commit one at a time
            self._add_rejects(gathered)
            new = self._add_articles(gathered)
            state = save_state() if save_state is not None else None
            if state is not None:
                self._put_state(*state)
        # counted once the transaction has committed, in input order
        for result in batch:
            summary.read += 1
            if isinstance(result, Reject):
                summary.rejected += 1
                summary.reject_codes[result.code] = summary.reject_codes.get(result.code, 0) + 1
            elif result.id in new:
                new.discard(result.id)  # a second copy in the same batch is a duplicate
                summary.stored += 1
            else:
                summary.duplicate += 1

    def _add_rejects(self, batch: _Batch) -> None:
        if not batch.rejects:
            return
        with self.db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO rejects (source, position, code, message, hint, first_seen)"
                " VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                _without_nul(
                    (r.source, r.position, r.code, r.message, r.hint, batch.now)
                    for r in batch.rejects
                ),
            )

    def _add_articles(self, batch: _Batch) -> set[str]:
        """Insert the batch's articles; the ids of those not stored before, with their rows."""
        if not batch.articles:
            return set()
        # Stored ones are left out before inserting: ON CONFLICT alone would still compute
        # their tsvector. Under the write lock nobody can store one in between.
        ids = list({a.id for a in batch.articles})
        known = {r["id"] for r in self.db.execute(_STORED_IDS, (ids,))}
        new: set[str] = set()
        if len(known) < len(ids):
            rows = self.db.execute(_INSERT_ARTICLES, batch.article_arrays(known))
            new = {row["id"] for row in rows}
        seen = {raw_digest(a.raw): a.id for a in batch.articles if a.raw is not None}
        if seen:
            self.db.execute(
                "INSERT INTO raw_seen (digest, article_id)"
                " SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING",
                (list(seen), list(seen.values())),
            )
        fresh: dict[str, Article] = {}  # each new article's first copy in the batch
        for article in batch.articles:
            if article.id in new:
                fresh.setdefault(article.id, article)
        self._add_entities(list(fresh.values()))
        self._add_event_rows(list(fresh.values()))
        return new

    def _add_event_rows(self, articles: list[Article]) -> None:
        """The articles' events as rows, from the same code as SQLite's, in one batch."""
        events: list[Row] = []
        participants: list[Row] = []
        for article in articles:
            rows, people = event_rows(article.to_json())
            events += rows
            participants += people
        with self.db.cursor() as cursor:
            if events:
                cursor.executemany(_INSERT_EVENTS, _without_nul(events))
            if participants:
                cursor.executemany(_INSERT_PARTICIPANTS, _without_nul(participants))

    def _add_entities(self, articles: list[Article]) -> None:
        """Entity rows, their aliases (every surface form seen) and per-article counts.

        One row per entity, merged in Python as SQLite's row-by-row upserts would merge it
        (first name and kind; first known country and sector), since one PostgreSQL
        statement may not update a row twice."""
        entities: dict[str, list[str | None]] = {}
        aliases: set[tuple[str, str]] = set()
        mentions: dict[tuple[str, str], int] = {}
        for article in articles:
            for m in article.entities:
                row = entities.setdefault(
                    m.entity_id, [m.entity_id, m.canonical, m.kind, None, None]
                )
                row[3] = row[3] or m.country
                row[4] = row[4] or m.sector
                aliases.add((m.entity_id, m.text))
                key = (article.id, m.entity_id)
                mentions[key] = mentions.get(key, 0) + 1
        if not entities:
            return
        with self.db.cursor() as cursor:
            cursor.executemany(  # in id order: concurrent upserts lock rows in one order
                "INSERT INTO entities (id, canonical, kind, country, sector)"
                " VALUES (%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE SET"
                " country = coalesce(entities.country, excluded.country),"
                " sector = coalesce(entities.sector, excluded.sector)",
                _without_nul(entities[key] for key in sorted(entities)),
            )
            cursor.executemany(
                "INSERT INTO entity_aliases (entity_id, alias) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                _without_nul(sorted(aliases)),
            )
            cursor.executemany(
                "INSERT INTO article_entities (article_id, entity_id, mentions)"
                " VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                _without_nul((a, e, n) for (a, e), n in mentions.items()),
            )

    def seen(self, raw: RawItem) -> bool:
        """Whether this exact raw item was already stored as an article."""
        row = self.db.execute("SELECT 1 FROM raw_seen WHERE digest = %s", (raw_digest(raw),))
        return row.fetchone() is not None

    def unseen(
        self, items: Iterable[RawItem | Reject], summary: IngestSummary
    ) -> Iterator[RawItem | Reject]:
        """The items not stored before; the others are counted as read and duplicate.

        Items are looked up SEEN_CHUNK at a time: one round trip per chunk, not per item."""
        iterator = iter(items)
        while chunk := list(itertools.islice(iterator, SEEN_CHUNK)):
            digests = [raw_digest(i) if isinstance(i, RawItem) else None for i in chunk]
            rows = self.db.execute(
                "SELECT digest FROM raw_seen WHERE digest = ANY(%s)",
                ([d for d in digests if d is not None],),
            )
            stored = {row["digest"] for row in rows}
            for item, digest in zip(chunk, digests, strict=True):
                if digest is not None and digest in stored:
                    summary.read += 1
                    summary.duplicate += 1
                    continue
                yield item

    # --- reading ----------------------------------------------------------------------

    def get(self, article_id: str) -> Article:
        """One article by id, or by a unique id prefix of 6 characters or more."""
        prefix = re.sub(r"([\\%_])", r"\\\1", article_id) + "%"
        rows = self.db.execute(
            "SELECT data FROM articles WHERE id = %s OR (length(%s) >= 6 AND id LIKE %s) LIMIT 2",
            (article_id, article_id, prefix),
        ).fetchall()
        if len(rows) != 1:
            problem = "no article" if not rows else "more than one article"
            raise DatelineError(Code.NOT_IN_STORE, f"{problem} with id {article_id!r}")
        return Article.from_json(rows[0]["data"])

    def count(self) -> int:
        return int(self._one(self.db.execute("SELECT count(*) AS n FROM articles"))["n"])

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search ranked by ts_rank_cd (``score`` is its negative, so that lower
        ranks first as with SQLite's BM25). Any text is a valid query: quoted phrases,
        OR, -word and FTS5's AND/NOT are understood, other punctuation is ignored."""
        rows = self.db.execute(_SEARCH, (websearch_query(query), limit)).fetchall()
        return [SearchHit(**row) for row in rows]

    def articles(self) -> Iterator[dict[str, Any]]:
        """Every article's JSON as stored, in a stable order (publication date, then id).

        Read through a server-side cursor, so a large store is never all in memory."""
        name = f"articles_{next(self._cursor_names)}"
        with self.db.transaction(), self.db.cursor(name=name) as cursor:
            cursor.itersize = 500
            cursor.execute("SELECT data FROM articles ORDER BY published NULLS FIRST, id")
            for row in cursor:
                yield row["data"]

    def stored_events(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(article id, event JSON) of every stored event, in the order of ``articles``."""
        name = f"events_{next(self._cursor_names)}"
        with self.db.transaction(), self.db.cursor(name=name) as cursor:
            cursor.itersize = 500
            cursor.execute(
                "SELECT article_id, data FROM events"
                " ORDER BY published NULLS FIRST, article_id, idx"
            )
            for row in cursor:
                yield row["article_id"], row["data"]

    def rejects(self) -> list[dict[str, str]]:
        rows = self.db.execute(
            "SELECT source, position, code, message, hint, first_seen FROM rejects ORDER BY id"
        )
        return list(rows)

    def entities(
        self, query: str | None = None, kind: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Entities by how many articles mention them; ``query`` matches names and aliases."""
        where: list[str] = []
        params: list[Any] = []
        if query:
            where.append(
                "(e.canonical ILIKE %s OR e.id = %s OR e.id IN"
                " (SELECT entity_id FROM entity_aliases WHERE alias ILIKE %s))"
            )
            params += [f"%{query}%", query, f"%{query}%"]
        if kind:
            where.append("e.kind = %s")
            params.append(kind)
        sql = (
            "SELECT e.id, e.canonical, e.kind, e.country, e.sector,"
            " count(ae.article_id) AS articles, coalesce(sum(ae.mentions), 0) AS mentions,"
            " (SELECT string_agg(alias, ' | ') FROM entity_aliases WHERE entity_id = e.id)"
            " AS aliases"
            " FROM entities e LEFT JOIN article_entities ae ON ae.entity_id = e.id"
            f" {'WHERE ' + ' AND '.join(where) if where else ''}"
            " GROUP BY e.id ORDER BY articles DESC, mentions DESC, e.canonical LIMIT %s"
        )
        return list(self.db.execute(sql, [*params, limit]))

    def stories(self, limit: int = 50) -> list[dict[str, Any]]:
        """Stories by size: articles, distinct outlets, copies, first and last date, a title."""
        rows = self.db.execute(
            "SELECT story_id, count(*) AS articles, count(DISTINCT publisher) AS outlets,"
            " count(copy_of) AS copies, min(published) AS first, max(published) AS last,"
            " (SELECT title FROM articles b WHERE b.story_id = a.story_id"
            "  ORDER BY b.published IS NULL, b.published, b.id LIMIT 1) AS title"
            " FROM articles a WHERE story_id IS NOT NULL GROUP BY story_id"
            " ORDER BY articles DESC, first NULLS FIRST, story_id LIMIT %s",
            (limit,),
        )
        return list(rows)

    def overview(self) -> dict[str, Any]:
        """Counts for a human summary of the store."""

        def top(column: str, table: str = "articles") -> list[tuple[str, int]]:
            rows = self.db.execute(
                f"SELECT coalesce({column}, '?') AS k, count(*) AS n FROM {table}"
                " GROUP BY k ORDER BY n DESC, k LIMIT 8"
            )
            return [(row["k"], row["n"]) for row in rows]

        def scalar(sql: str) -> int:
            return int(self._one(self.db.execute(sql))["n"])

        latest = self.db.execute(
            "SELECT published, publisher, title FROM articles"
            " ORDER BY published IS NULL, published DESC, id LIMIT 10"
        )
        return {
            "articles": self.count(),
            "schema": self.schema_version,
            "publishers": top("publisher"),
            "languages": top("language"),
            "origins": top("origin"),
            "reject_codes": top("code", "rejects"),
            "latest": [(r["published"], r["publisher"], r["title"]) for r in latest],
            "entities": scalar("SELECT count(*) AS n FROM entities"),
            "stories": scalar("SELECT count(DISTINCT story_id) AS n FROM articles"),
            "copies": scalar("SELECT count(copy_of) AS n FROM articles"),
            "event_types": self._asserted_event_types(),
            "top_entities": self.entities(limit=6),
        }

    def _asserted_event_types(self) -> list[tuple[str, int]]:
        """Asserted events by PLOVER type."""
        rows = self.db.execute(
            "SELECT type AS t, count(*) AS n FROM events WHERE aux = 'asserted'"
            " GROUP BY t ORDER BY n DESC, t"
        )
        return [(row["t"], row["n"]) for row in rows]
