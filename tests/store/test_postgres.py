"""What only the PostgreSQL store does: concurrent writers, migration rows, its own errors.

The behaviours it shares with SQLite are in test_contract.py (run on both backends).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pgtest import Server, rows

from dateline import open_store, process
from dateline.api import PgStore
from dateline.errors import Code, DatelineError
from dateline.store import postgres

ROOT = Path(__file__).resolve().parents[2]


def test_a_postgres_url_opens_the_postgres_store(pg: Server) -> None:
    url = pg.new_database()
    with open_store(url) as store:
        assert isinstance(store, PgStore)
    with open_store(url.replace("postgresql://", "postgres://", 1)) as store:
        assert isinstance(store, PgStore)


def test_migrations_are_rows_and_reopening_applies_none_again(pg: Server) -> None:
    url = pg.new_database()
    for _ in range(3):
        with open_store(url) as store:
            applied = rows(store, "SELECT version FROM schema_migrations ORDER BY version")
            assert applied == [(n,) for n in range(1, postgres.SCHEMA_VERSION + 1)]
            tables = rows(
                store,
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            )
    assert tables[0][0] == 10  # the 9 store tables and schema_migrations, created once


def test_a_store_from_a_newer_dateline_is_refused(pg_url: str) -> None:
    with open_store(pg_url) as store:
        store.db.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (999,))
    with pytest.raises(DatelineError) as caught:
        open_store(pg_url)
    assert caught.value.code is Code.STORE
    assert "999" in caught.value.message


def test_an_unreachable_server_is_a_coded_error_without_the_password(pg: Server) -> None:
    with pytest.raises(DatelineError) as caught:
        open_store("postgresql://someone:secret@127.0.0.1:1/nowhere?connect_timeout=2")
    assert caught.value.code is Code.PG_CONNECT
    assert "secret" not in caught.value.message and "someone:***@" in caught.value.message


def test_stores_in_two_schemas_are_separate(pg: Server) -> None:
    first, second = pg.new_schema(), pg.new_schema()
    with open_store(first) as store:
        store.ingest([process(text="Only in the first store.", title="First")])
    with open_store(second) as store:
        assert store.count() == 0


def test_text_with_nul_characters_is_stored_whole(pg_url: str) -> None:
    """PostgreSQL text cannot hold NUL: the columns drop it, the stored JSON keeps it."""
    raw = process(text="Verbatim\x00 text about Almaty.", title="T\x00", clean=False)
    with open_store(pg_url) as store:
        assert store.ingest([raw]).stored == 1
        assert store.get(raw.id).text == raw.text
        assert [h.id for h in store.search("almaty")] == [raw.id]


def test_web_search_syntax(pg_url: str) -> None:
    with open_store(pg_url) as store:
        store.ingest(
            [
                process(text="Troops arrived in Almaty on Thursday.", title="Troops"),
                process(text="Fuel prices rose in Zhanaozen.", title="Fuel"),
                process(text="Prices of fuel in Aktau were stable.", title="Aktau"),
            ]
        )
        assert {h.title for h in store.search("zhanaozen OR almaty")} == {"Troops", "Fuel"}
        assert [h.title for h in store.search('"fuel prices"')] == ["Fuel"]
        assert [h.title for h in store.search("fuel -zhanaozen")] == ["Aktau"]
        assert [h.title for h in store.search("troop")] == ["Troops"]  # stemmed


def _ingest(url: str, corpus: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "dateline.cli", "ingest", "--quiet", "--no-understand"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [*command, "--db", url, str(corpus)], env=env, stderr=subprocess.PIPE, text=True
    )


def _wait_for_writers(
    holder: psycopg.Connection[Any], running: list[subprocess.Popen[str]]
) -> None:
    """Until every process waits for the write lock (each has a batch ready to commit)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        (waiting,) = holder.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone() or (0,)
        if waiting == len(running):
            return
        assert all(p.poll() is None for p in running), "a writer ended before the lock was freed"
        time.sleep(0.05)
    raise AssertionError("the writers never reached the write lock")


def test_two_processes_ingesting_the_same_inputs_store_each_article_once(
    pg: Server, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    total = 300  # batches of 200 and 100
    for n in range(total):
        (corpus / f"{n:05}.txt").write_text(
            f"Report {n}\n\nThe district council number {n} met on Monday and approved item {n}."
        )
    url = pg.new_database()
    open_store(url).close()
    # Hold the write lock until both have processed their first batch, so that the two
    # commit the same articles against each other rather than one after the other.
    with psycopg.connect(url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (postgres.LOCK_KEY,))
        running = [_ingest(url, corpus), _ingest(url, corpus)]
        _wait_for_writers(holder, running)
    reports = [process.communicate(timeout=300)[1] for process in running]
    assert [process.returncode for process in running] == [0, 0], reports
    counts = [
        [int(n) for n in re.findall(r"(?:read|stored|duplicate|rejected) (\d+)", report)]
        for report in reports
    ]
    assert [c[0] for c in counts] == [total, total]  # each read everything
    assert sum(c[1] for c in counts) == total  # and between them stored each article once
    assert sum(c[2] for c in counts) == total
    with open_store(url) as store:
        assert rows(store, "SELECT count(*), count(DISTINCT id) FROM articles") == [(total, total)]
        assert rows(store, "SELECT count(*) FROM raw_seen") == [(total,)]
        assert len(store.search("council", limit=total + 1)) == total


def test_stores_opened_at_once_on_a_new_database_migrate_it_once(pg: Server) -> None:
    url = pg.new_database()
    start = threading.Barrier(4)

    def open_and_count() -> int:
        start.wait()
        with open_store(url) as store:
            return store.count()

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: open_and_count(), range(4))) == [0, 0, 0, 0]
    with open_store(url) as store:
        applied = rows(store, "SELECT version FROM schema_migrations ORDER BY version")
        assert applied == [(n,) for n in range(1, postgres.SCHEMA_VERSION + 1)]


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every store table, in a stable order."""
    with open_store(url) as store:
        tables = [
            name
            for (name,) in rows(
                store,
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() ORDER BY table_name",
            )
        ]
        return {t: sorted(map(repr, rows(store, f"SELECT * FROM {t}"))) for t in tables}


def test_loading_a_batch_output_twice_changes_nothing(pg_url: str, tmp_path: Path) -> None:
    from distributed import Client

    from dateline.batch.load import load
    from dateline.batch.run import Options, run_batch

    out = tmp_path / "out"
    with Client(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0"
    ) as client:
        run_batch([str(ROOT / "samples")], out, Options(understand=False), client=client)
    with open_store(pg_url) as store:
        first = load(out, store)
    before = _dump(pg_url)
    with open_store(pg_url) as store:
        second = load(out, store)
    assert (first.stored, second.stored, second.duplicate) == (13, 0, 13)
    assert _dump(pg_url) == before
    assert len(before["articles"]) == 13 and before["state"]  # the batch's story index
