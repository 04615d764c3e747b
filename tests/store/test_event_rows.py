"""Events as rows: written with each article, rebuilt for older stores, dated by overlap."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dateline import Article, open_store
from dateline.store.event_rows import day_range
from dateline.store.sqlite import MIGRATIONS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-05", ("2022-01-05", "2022-01-05")),
        ("2022-01-05TNI", ("2022-01-05", "2022-01-05")),
        ("2022-01", ("2022-01-01", "2022-01-31")),
        ("2024-02", ("2024-02-01", "2024-02-29")),
        ("2022-Q4", ("2022-10-01", "2022-12-31")),
        ("2022-W01", ("2022-01-03", "2022-01-09")),
        ("2022", ("2022-01-01", "2022-12-31")),
        ("P3D", (None, None)),
        ("PRESENT_REF", (None, None)),
        ("2022-02-30", (None, None)),
        (None, (None, None)),
    ],
)
def test_a_timeml_value_becomes_the_days_it_covers(
    value: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert day_range(value) == expected


def _event_rows(db: sqlite3.Connection) -> list[tuple[str, str, str | None]]:
    return db.execute("SELECT type, aux, country FROM events ORDER BY article_id, idx").fetchall()


def test_each_event_of_a_stored_article_is_a_row_with_its_participants(
    tmp_path: Path, seed: Article
) -> None:
    with open_store(tmp_path / "s.db") as store:
        store.write([seed, seed])
        rows = _event_rows(store.db)
        assert [(t, a) for t, a, _ in rows] == [(e.type, e.aux) for e in seed.events]
        assert ("REQUEST", "negated") in {(t, a) for t, a, _ in rows}
        actors = store.db.execute(
            "SELECT count(*) FROM event_participants WHERE role = 'actor'"
        ).fetchone()[0]
        assert actors == sum(len(e.actors) for e in seed.events)
        in_kz = store.db.execute("SELECT count(*) FROM events WHERE country = 'KZ'").fetchone()[0]
        assert in_kz == sum(1 for e in seed.events if e.place and e.place.country == "KZ") > 0


def test_a_store_from_before_the_events_table_gets_its_rows(tmp_path: Path, seed: Article) -> None:
    with open_store(tmp_path / "new.db") as store:
        store.write([seed])
        expected = _event_rows(store.db)
        row = store.db.execute("SELECT * FROM articles").fetchone()
        columns = row.keys()
    # the same article in a store as schema 4 left it: no events table yet
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        for number, script in enumerate(MIGRATIONS[:4], start=1):
            assert isinstance(script, str)
            db.executescript(f"{script}\nPRAGMA user_version={number};")
        db.execute(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(row),
        )
    db.close()
    with open_store(path) as store:
        assert _event_rows(store.db) == expected
