"""Events as rows: one per event of a stored article, so they can be filtered and indexed.

The article JSON stays the source of truth; these rows are derived from it (and rebuilt from
it by migration 5 for stores written before). Dates become a closed day range so that a
month ("2022-01") or a week matches a date filter by overlap, not only exact days.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from dateline.understand.times import value_days

EVENTS_MIGRATION = """
CREATE TABLE events (
    article_id TEXT NOT NULL REFERENCES articles(id),
    idx INTEGER NOT NULL,
    type TEXT NOT NULL,
    mode TEXT,
    aux TEXT NOT NULL,
    when_value TEXT,
    day_from TEXT,
    day_to TEXT,
    place TEXT,
    geonames_id INTEGER,
    country TEXT,
    lat REAL,
    lon REAL,
    cameo_quad INTEGER,
    acled_subtype TEXT,
    confidence REAL,
    source TEXT,
    story_id TEXT,
    publisher TEXT,
    published TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX events_type_day ON events(type, day_from);
CREATE INDEX events_day ON events(day_from);
CREATE INDEX events_country_day ON events(country, day_from);
CREATE INDEX events_lat_lon ON events(lat, lon);
CREATE INDEX events_story ON events(story_id);
CREATE TABLE event_participants (
    article_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('actor', 'recipient')),
    entity_id TEXT,
    canonical TEXT NOT NULL,
    country TEXT,
    sector TEXT,
    FOREIGN KEY (article_id, idx) REFERENCES events(article_id, idx)
);
CREATE INDEX event_participants_entity ON event_participants(entity_id, role);
CREATE INDEX event_participants_name ON event_participants(canonical COLLATE NOCASE, role);
CREATE INDEX event_participants_event ON event_participants(article_id, idx);
"""

EVENT_COLUMNS = (
    "article_id, idx, type, mode, aux, when_value, day_from, day_to, place, geonames_id,"
    " country, lat, lon, cameo_quad, acled_subtype, confidence, source, story_id, publisher,"
    " published, data"
)
PARTICIPANT_COLUMNS = "article_id, idx, role, entity_id, canonical, country, sector"
Row = tuple[Any, ...]
_INSERT_EVENT = f"INSERT OR IGNORE INTO events ({EVENT_COLUMNS}) VALUES ({','.join('?' * 21)})"
_INSERT_PARTICIPANT = (
    f"INSERT INTO event_participants ({PARTICIPANT_COLUMNS}) VALUES ({','.join('?' * 7)})"
)


def day_range(value: str | None) -> tuple[str | None, str | None]:
    """The first and last ISO day a TimeML value covers; (None, None) when it names no
    calendar span (durations, PRESENT_REF, seasons, decades)."""
    days = value_days(value) if value else None
    return (days[0].isoformat(), days[1].isoformat()) if days else (None, None)


def event_span(event: dict[str, Any]) -> tuple[str | None, str | None]:
    """An event's day range: its value, widened to its end value for intervals."""
    when = event.get("when") or {}
    start, end = day_range(when.get("value"))
    if when.get("end_value"):
        _, end_of_interval = day_range(when["end_value"])
        end = end_of_interval or end
    return start, end


def event_rows(article: dict[str, Any]) -> tuple[list[Row], list[Row]]:
    """The rows of one stored article's events (its JSON as stored) and of their
    participants, in EVENT_COLUMNS and PARTICIPANT_COLUMNS order, for any backend."""
    events: list[Row] = []
    participants: list[Row] = []
    for idx, event in enumerate(article.get("events") or []):
        place = event.get("place") or {}
        day_from, day_to = event_span(event)
        events.append(
            (
                article["id"],
                idx,
                event["type"],
                event.get("mode"),
                event["aux"],
                (event.get("when") or {}).get("value"),
                day_from,
                day_to,
                place.get("name"),
                place.get("geonames_id"),
                place.get("country"),
                place.get("lat"),
                place.get("lon"),
                event.get("cameo_quad"),
                event.get("acled_subtype"),
                event.get("confidence"),
                event.get("source"),
                article.get("story_id"),
                article.get("publisher"),
                article.get("published"),
                json.dumps(event, ensure_ascii=False),
            )
        )
        participants += _participants(article["id"], idx, event)
    return events, participants


def add_event_rows(db: Any, article: dict[str, Any]) -> None:
    """Insert the rows of one stored article's events into a SQLite store."""
    events, participants = event_rows(article)
    db.executemany(_INSERT_EVENT, events)
    db.executemany(_INSERT_PARTICIPANT, participants)


def _participants(article_id: str, idx: int, event: dict[str, Any]) -> Iterable[tuple[Any, ...]]:
    for role, key in (("actor", "actors"), ("recipient", "recipients")):
        for p in event.get(key) or []:
            yield (
                article_id,
                idx,
                role,
                p.get("entity_id"),
                p["canonical"],
                p.get("country"),
                p.get("sector"),
            )


def backfill_event_rows(db: Any) -> None:
    """Rows for every stored article (used once, when migration 5 meets an older store)."""
    for row in db.execute("SELECT data FROM articles").fetchall():
        add_event_rows(db, json.loads(row[0]))
