"""Feed state in the store: what each feed held, when it is due, and which items are done.

The tables come from the store's migration; the SQL that reads and writes them lives here,
on the store's connection. An item's row is written only after its article (or reject) is
stored, and in the same transaction as the feed's new ETag and schedule: a run killed in
between finds the item not done and the feed still due with its old validators, takes the
item again, and the store's dedup turns the second write into a no-op.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ITEMS_PER_DAY_WINDOW = 7 * 86400.0  # items/day is measured over the last week


@dataclass(frozen=True)
class FeedState:
    url: str
    etag: str | None
    last_modified: str | None
    interval: float
    next_poll: float
    failures: int


@dataclass(frozen=True)
class ItemDone:
    key: str
    article_id: str | None  # None when the item was rejected
    reject_code: str | None


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    # The store's connection is in autocommit mode; IMMEDIATE takes the write lock up front.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def register(db: sqlite3.Connection, urls: Iterable[str], now: float, interval: float) -> None:
    """Add feeds not yet known, due at once; known feeds keep their state."""
    with transaction(db):
        db.executemany(
            "INSERT OR IGNORE INTO feeds (url, added_at, interval, next_poll) VALUES (?,?,?,?)",
            [(url, now, interval, now) for url in urls],
        )


def due(db: sqlite3.Connection, urls: Sequence[str], now: float) -> list[FeedState]:
    """The feeds among ``urls`` whose next poll is at or before ``now``, longest due first."""
    wanted = set(urls)
    rows = db.execute(
        "SELECT url, etag, last_modified, interval, next_poll, failures FROM feeds"
        " WHERE next_poll <= ? ORDER BY next_poll, url",
        (now,),
    )
    return [FeedState(**dict(row)) for row in rows if row["url"] in wanted]


def next_due(db: sqlite3.Connection, urls: Sequence[str]) -> float | None:
    """When the first of ``urls`` is due next."""
    wanted = set(urls)
    for row in db.execute("SELECT url, next_poll FROM feeds ORDER BY next_poll"):
        if row["url"] in wanted:
            return float(row["next_poll"])
    return None


def done_keys(db: sqlite3.Connection, url: str) -> frozenset[str]:
    rows = db.execute("SELECT item_key FROM feed_items WHERE feed_url = ?", (url,))
    return frozenset(row[0] for row in rows)


def finish_poll(
    db: sqlite3.Connection,
    url: str,
    now: float,
    items: Sequence[ItemDone],
    *,
    etag: str | None,
    last_modified: str | None,
    interval: float,
    alerted: bool,
) -> None:
    """Mark the poll's items done and move the feed on, in one transaction."""
    with transaction(db):
        db.executemany(
            "INSERT OR IGNORE INTO feed_items"
            " (feed_url, item_key, first_seen, article_id, reject_code, alerted)"
            " VALUES (?,?,?,?,?,?)",
            [
                (url, item.key, now, item.article_id, item.reject_code, int(alerted))
                for item in items
            ],
        )
        db.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, interval = ?, next_poll = ?,"
            " failures = 0, polls = polls + 1, last_poll = ?, last_success = ?,"
            " last_change = CASE WHEN ? THEN ? ELSE last_change END WHERE url = ?",
            (etag, last_modified, interval, now + interval, now, now, bool(items), now, url),
        )


def record_failure(
    db: sqlite3.Connection,
    url: str,
    now: float,
    *,
    code: str,
    message: str,
    failures: int,
    delay: float,
) -> None:
    with transaction(db):
        db.execute(
            "UPDATE feeds SET failures = ?, polls = polls + 1, last_poll = ?, next_poll = ?,"
            " last_error = ?, last_error_code = ?, last_error_at = ? WHERE url = ?",
            (failures, now, now + delay, message, code, now, url),
        )


def unalerted(db: sqlite3.Connection) -> list[str]:
    """Articles stored by the watcher whose alert rules have not been evaluated yet."""
    rows = db.execute(
        "SELECT DISTINCT article_id FROM feed_items"
        " WHERE alerted = 0 AND article_id IS NOT NULL ORDER BY rowid"
    )
    return [row[0] for row in rows]


def mark_alerted(db: sqlite3.Connection, article_ids: Iterable[str]) -> None:
    with transaction(db):
        db.executemany(
            "UPDATE feed_items SET alerted = 1 WHERE article_id = ? AND alerted = 0",
            [(article_id,) for article_id in article_ids],
        )


def last_fired(db: sqlite3.Connection, rule: str, key: str) -> float | None:
    row = db.execute(
        "SELECT fired_at FROM alerts WHERE rule = ? AND key = ?", (rule, key)
    ).fetchone()
    return float(row[0]) if row else None


def record_alert(db: sqlite3.Connection, rule: str, key: str, now: float, payload: str) -> None:
    with transaction(db):
        db.execute(
            "INSERT INTO alerts (rule, key, fired_at, payload) VALUES (?,?,?,?)"
            " ON CONFLICT(rule, key) DO UPDATE SET fired_at = excluded.fired_at,"
            " payload = excluded.payload",
            (rule, key, now, payload),
        )


def health(db: sqlite3.Connection, now: float) -> list[dict[str, Any]]:
    """Each feed's health for `dateline feeds`."""
    since = now - ITEMS_PER_DAY_WINDOW
    rows = db.execute(
        "SELECT f.*, (SELECT count(*) FROM feed_items i WHERE i.feed_url = f.url) AS items,"
        " (SELECT count(*) FROM feed_items i WHERE i.feed_url = f.url AND i.first_seen >= ?)"
        " AS recent FROM feeds f ORDER BY f.url",
        (since,),
    )
    return [_health_row(dict(row), now) for row in rows]


def _health_row(row: dict[str, Any], now: float) -> dict[str, Any]:
    # Over the last week, or since the feed was added when that is more recent; at least
    # one day, so a feed added a minute ago does not claim thousands of items a day.
    days = max((now - max(row["added_at"], now - ITEMS_PER_DAY_WINDOW)) / 86400.0, 1.0)
    return {
        "url": row["url"],
        "last_success": iso(row["last_success"]),
        "last_error": row["last_error"],
        "last_error_code": row["last_error_code"],
        "last_error_at": iso(row["last_error_at"]),
        "failures": row["failures"],
        "polls": row["polls"],
        "items": row["items"],
        "items_per_day": round(row["recent"] / days, 2),
        "etag": row["etag"],
        "last_modified": row["last_modified"],
        "interval_seconds": round(row["interval"], 1),
        "next_poll": iso(row["next_poll"]),
    }


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
