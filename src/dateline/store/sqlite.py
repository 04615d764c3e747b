"""The embedded store: SQLite in WAL mode, a versioned schema, FTS5 over title and body.

One writer, many readers. The full article JSON is kept in ``data`` so later stages can
add fields without a migration; the columns beside it exist to be filtered and indexed.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article, RawItem, raw_digest
from dateline.store.event_rows import EVENTS_MIGRATION, add_event_rows, backfill_event_rows

_FTS_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
BATCH_SIZE = 200  # articles per transaction: small enough that a kill loses little work

# A step is a SQL script, or a function run inside the step's transaction (to derive data).
Migration = str | Callable[[sqlite3.Connection], None]

MIGRATIONS: list[Migration] = [
    # 1: articles, their full-text index, and rejects
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        source_id TEXT,
        url TEXT,
        title TEXT,
        publisher TEXT,
        origin TEXT,
        published TEXT,
        language TEXT,
        text TEXT NOT NULL,
        source TEXT,
        position TEXT,
        data TEXT NOT NULL,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_publisher ON articles(publisher);
    CREATE INDEX articles_url ON articles(url);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TABLE rejects (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        position TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        hint TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        UNIQUE (source, position, code)
    );
    """,
]
MIGRATIONS.append(
    # 2: canonical entities with their aliases, and which articles mention them
    """
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        canonical TEXT NOT NULL,
        kind TEXT NOT NULL,
        country TEXT,
        sector TEXT
    );
    CREATE TABLE entity_aliases (
        entity_id TEXT NOT NULL REFERENCES entities(id),
        alias TEXT NOT NULL,
        PRIMARY KEY (entity_id, alias)
    );
    CREATE INDEX entity_aliases_alias ON entity_aliases(alias COLLATE NOCASE);
    CREATE TABLE article_entities (
        article_id TEXT NOT NULL REFERENCES articles(id),
        entity_id TEXT NOT NULL REFERENCES entities(id),
        mentions INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    );
    CREATE INDEX article_entities_entity ON article_entities(entity_id);
    """
)
MIGRATIONS.append(
    # 3: raw items already turned into stored articles: a re-read item is skipped unprocessed
    """
    CREATE TABLE raw_seen (
        digest TEXT PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id)
    );
    """
)
MIGRATIONS.append(
    # 4: stories and copies, and the index that assigns them (saved with each batch)
    """
    ALTER TABLE articles ADD COLUMN story_id TEXT;
    ALTER TABLE articles ADD COLUMN copy_of TEXT;
    CREATE INDEX articles_story ON articles(story_id);
    CREATE TABLE state (
        name TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        data BLOB NOT NULL
    );
    """
)


def _events_table(db: sqlite3.Connection) -> None:
    """5: events as rows (with their participants), derived from the stored article JSON."""
    for statement in EVENTS_MIGRATION.split(";"):  # no triggers here: ';' ends each statement
        if statement.strip():
            db.execute(statement)
    backfill_event_rows(db)


MIGRATIONS.append(_events_table)
MIGRATIONS.append(
    # watch: each feed's polling state, the items taken from it, and the alerts fired
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        added_at REAL NOT NULL,
        etag TEXT,
        last_modified TEXT,
        interval REAL NOT NULL,
        next_poll REAL NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        polls INTEGER NOT NULL DEFAULT 0,
        last_poll REAL,
        last_success REAL,
        last_change REAL,
        last_error TEXT,
        last_error_code TEXT,
        last_error_at REAL
    );
    CREATE TABLE feed_items (
        feed_url TEXT NOT NULL REFERENCES feeds(url),
        item_key TEXT NOT NULL,
        first_seen REAL NOT NULL,
        article_id TEXT,
        reject_code TEXT,
        alerted INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (feed_url, item_key)
    );
    CREATE INDEX feed_items_unalerted ON feed_items(alerted) WHERE alerted = 0;
    CREATE TABLE alerts (
        rule TEXT NOT NULL,
        key TEXT NOT NULL,
        fired_at REAL NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (rule, key)
    );
    """
)
MIGRATIONS.append(
    # web: an R*Tree over the events that have coordinates, so a bbox filter finds its
    # candidates without scanning a latitude band (the exact test still runs on events:
    # the R*Tree stores 32-bit floats, rounded outward)
    """
    CREATE VIRTUAL TABLE events_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);
    INSERT INTO events_geo SELECT rowid, lat, lat, lon, lon FROM events
        WHERE lat IS NOT NULL AND lon IS NOT NULL;
    CREATE TRIGGER events_geo_ai AFTER INSERT ON events
        WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL BEGIN
        INSERT INTO events_geo VALUES (new.rowid, new.lat, new.lat, new.lon, new.lon);
    END;
    CREATE TRIGGER events_geo_ad AFTER DELETE ON events BEGIN
        DELETE FROM events_geo WHERE id = old.rowid;
    END;
    CREATE TRIGGER events_geo_au AFTER UPDATE OF lat, lon ON events BEGIN
        DELETE FROM events_geo WHERE id = old.rowid;
        INSERT INTO events_geo SELECT new.rowid, new.lat, new.lat, new.lon, new.lon
            WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL;
    END;
    """
)
SCHEMA_VERSION = len(MIGRATIONS)
SaveState = Callable[[], tuple[str, bytes] | None]  # None: nothing to save with this batch


@dataclass
class IngestSummary:
    read: int = 0
    stored: int = 0
    duplicate: int = 0
    rejected: int = 0
    reject_codes: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "stored": self.stored,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "reject_codes": dict(sorted(self.reject_codes.items())),
        }


@dataclass
class SearchHit:
    id: str
    title: str | None
    publisher: str | None
    published: str | None
    snippet: str
    score: float


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteStore:
    """A dateline store in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DatelineError(Code.STORE, f"cannot open store {self.path}: {exc}") from exc

    # --- schema -----------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DatelineError(
                Code.STORE,
                f"store schema {version} is newer than this dateline ({SCHEMA_VERSION})",
                "Upgrade dateline to open this store.",
            )
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            if isinstance(step, str):
                # executescript commits first; BEGIN/COMMIT inside keeps each step atomic
                self.db.executescript(f"BEGIN;\n{step}\nPRAGMA user_version={number};\nCOMMIT;")
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                step(self.db)
                self.db.execute(f"PRAGMA user_version={number}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        with self.db:  # its own transaction
            self._put_state(version, data)

    def _put_state(self, version: str, data: bytes, name: str = "stories") -> None:
        self.db.execute(
            "INSERT INTO state (name, version, data) VALUES (?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET version = excluded.version, data = excluded.data",
            (name, version, data),
        )

    def load_state(self, version: str, name: str = "stories") -> bytes | None:
        row = self.db.execute("SELECT version, data FROM state WHERE name = ?", (name,)).fetchone()
        return bytes(row["data"]) if row and row["version"] == version else None

    def _write_batch(
        self, batch: list[Article | Reject], summary: IngestSummary, save_state: SaveState | None
    ) -> None:
        now = _now()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for result in batch:
                summary.read += 1
                if isinstance(result, Reject):
                    self._add_reject(result, now)
                    summary.rejected += 1
                    summary.reject_codes[result.code] = summary.reject_codes.get(result.code, 0) + 1
                elif self._add_article(result, now):
                    summary.stored += 1
                else:
                    summary.duplicate += 1
            state = save_state() if save_state is not None else None
            if state is not None:
                self._put_state(*state)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def seen(self, raw: RawItem) -> bool:
        """Whether this exact raw item was already stored as an article."""
        row = self.db.execute("SELECT 1 FROM raw_seen WHERE digest = ?", (raw_digest(raw),))
        return row.fetchone() is not None

    def unseen(
        self, items: Iterable[RawItem | Reject], summary: IngestSummary
    ) -> Iterator[RawItem | Reject]:
        """The items not stored before; the others are counted as read and duplicate."""
        for item in items:
            if isinstance(item, RawItem) and self.seen(item):
                summary.read += 1
                summary.duplicate += 1
                continue
            yield item

    def _add_article(self, article: Article, now: str) -> bool:
        prov = article.provenance
        data = article.to_json()
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO articles (id, source_id, url, title, publisher, origin,"
            " published, language, text, source, position, data, ingested_at, story_id, copy_of)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.id,
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
                json.dumps(data, ensure_ascii=False),
                now,
                article.story_id,
                article.copy_of,
            ),
        )
        if article.raw is not None:
            self.db.execute(
                "INSERT OR IGNORE INTO raw_seen (digest, article_id) VALUES (?, ?)",
                (raw_digest(article.raw), article.id),
            )
        if cursor.rowcount != 1:
            return False
        self._add_entities(article)
        add_event_rows(self.db, data)
        return True

    def _add_entities(self, article: Article) -> None:
        """Entity rows, their aliases (every surface form seen) and per-article counts."""
        mentions: dict[str, int] = {}
        for mention in article.entities:
            self.db.execute(
                "INSERT INTO entities (id, canonical, kind, country, sector) VALUES (?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET country = coalesce(entities.country, excluded.country),"
                " sector = coalesce(entities.sector, excluded.sector)",
                (
                    mention.entity_id,
                    mention.canonical,
                    mention.kind,
                    mention.country,
                    mention.sector,
                ),
            )
            self.db.execute(
                "INSERT OR IGNORE INTO entity_aliases (entity_id, alias) VALUES (?, ?)",
                (mention.entity_id, mention.text),
            )
            mentions[mention.entity_id] = mentions.get(mention.entity_id, 0) + 1
        self.db.executemany(
            "INSERT OR IGNORE INTO article_entities (article_id, entity_id, mentions) VALUES (?,?,?)",
            [(article.id, entity_id, count) for entity_id, count in mentions.items()],
        )

    def _add_reject(self, reject: Reject, now: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO rejects (source, position, code, message, hint, first_seen)"
            " VALUES (?,?,?,?,?,?)",
            (reject.source, reject.position, reject.code, reject.message, reject.hint, now),
        )

    # --- reading ----------------------------------------------------------------------

    def get(self, article_id: str) -> Article:
        """One article by id, or by a unique id prefix of 6 characters or more."""
        rows = self.db.execute(
            # a prefix compared as text: LIKE would read % and _ in it as wildcards
            "SELECT data FROM articles WHERE id = ?1"
            " OR (length(?1) >= 6 AND substr(id, 1, length(?1)) = ?1) LIMIT 2",
            (article_id,),
        ).fetchall()
        if len(rows) != 1:
            problem = "no article" if not rows else "more than one article"
            raise DatelineError(Code.NOT_IN_STORE, f"{problem} with id {article_id!r}")
        return Article.from_json(json.loads(rows[0]["data"]))

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search ranked by BM25; FTS syntax errors fall back to plain terms."""
        try:
            return self._search(query, limit)
        except sqlite3.OperationalError:
            words = [w for w in re.findall(r"\w+", query) if w not in _FTS_OPERATORS]
            return self._search(" ".join(f'"{w}"' for w in words), limit) if words else []

    def _search(self, match: str, limit: int) -> list[SearchHit]:
        rows = self.db.execute(
            "SELECT a.id, a.title, a.publisher, a.published,"
            " snippet(articles_fts, 1, '[', ']', '…', 12) AS snippet, bm25(articles_fts) AS score"
            " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ? ORDER BY score LIMIT ?",
            (match, limit),
        ).fetchall()
        return [SearchHit(**dict(row)) for row in rows]

    def articles(self) -> Iterator[dict[str, Any]]:
        """Every article's JSON as stored, in a stable order (publication date, then id)."""
        for row in self.db.execute("SELECT data FROM articles ORDER BY published, id"):
            yield json.loads(row["data"])

    def stored_events(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(article id, event JSON) of every stored event, in the order of ``articles``."""
        rows = self.db.execute(
            "SELECT article_id, data FROM events ORDER BY published, article_id, idx"
        )
        for row in rows:
            yield row["article_id"], json.loads(row["data"])

    def rejects(self) -> list[dict[str, str]]:
        rows = self.db.execute(
            "SELECT source, position, code, message, hint, first_seen FROM rejects ORDER BY id"
        )
        return [dict(row) for row in rows]

    def entities(
        self, query: str | None = None, kind: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Entities by how many articles mention them; ``query`` matches names and aliases."""
        where, params = [], []
        if query:
            where.append(
                "(e.canonical LIKE ? OR e.id = ? OR e.id IN"
                " (SELECT entity_id FROM entity_aliases WHERE alias LIKE ?))"
            )
            params += [f"%{query}%", query, f"%{query}%"]
        if kind:
            where.append("e.kind = ?")
            params.append(kind)
        sql = (
            "SELECT e.id, e.canonical, e.kind, e.country, e.sector,"
            " count(ae.article_id) AS articles, coalesce(sum(ae.mentions), 0) AS mentions,"
            " (SELECT group_concat(alias, ' | ') FROM entity_aliases WHERE entity_id = e.id)"
            " AS aliases"
            " FROM entities e LEFT JOIN article_entities ae ON ae.entity_id = e.id"
            f" {'WHERE ' + ' AND '.join(where) if where else ''}"
            " GROUP BY e.id ORDER BY articles DESC, mentions DESC, e.canonical LIMIT ?"
        )
        rows = self.db.execute(sql, [*params, limit])
        return [dict(row) for row in rows]

    def stories(self, limit: int = 50) -> list[dict[str, Any]]:
        """Stories by size: articles, distinct outlets, copies, first and last date, a title."""
        rows = self.db.execute(
            "SELECT story_id, count(*) AS articles, count(DISTINCT publisher) AS outlets,"
            " sum(copy_of IS NOT NULL) AS copies, min(published) AS first, max(published) AS last,"
            " (SELECT title FROM articles b WHERE b.story_id = a.story_id"
            "  ORDER BY b.published IS NULL, b.published, b.id LIMIT 1) AS title"
            " FROM articles a WHERE story_id IS NOT NULL GROUP BY story_id"
            " ORDER BY articles DESC, first, story_id LIMIT ?",
            (limit,),
        )
        return [dict(row) for row in rows]

    def overview(self) -> dict[str, Any]:
        """Counts for a human summary of the store."""

        def top(column: str, table: str = "articles") -> list[tuple[str, int]]:
            rows = self.db.execute(
                f"SELECT coalesce({column}, '?') AS k, count(*) AS n FROM {table}"
                " GROUP BY k ORDER BY n DESC, k LIMIT 8"
            )
            return [(row["k"], row["n"]) for row in rows]

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
            "latest": [tuple(row) for row in latest],
            "entities": int(self.db.execute("SELECT count(*) FROM entities").fetchone()[0]),
            "stories": int(
                self.db.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone()[0]
            ),
            "copies": int(
                self.db.execute(
                    "SELECT count(*) FROM articles WHERE copy_of IS NOT NULL"
                ).fetchone()[0]
            ),
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
