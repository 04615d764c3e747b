"""What only the SQLite store does: WAL mode, user_version migrations, resume after a kill.

The behaviours both backends share are in test_contract.py."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dateline import Article, open_store, process
from dateline.errors import Code, DatelineError
from dateline.store.sqlite import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]


def article(body: str, title: str = "A headline") -> Article:
    return process(text=body, title=title, published="2022-01-05")


def test_new_store_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_from_a_newer_dateline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(DatelineError) as caught:
        open_store(path)
    assert caught.value.code is Code.STORE


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_ingest_killed_half_way_resumes_without_loss_or_doubles(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    total = 1500
    for n in range(total):
        (corpus / f"{n:05}.txt").write_text(
            f"Report {n}\n\nThe district council number {n} met on Monday and approved item {n * 7}."
        )
    db = tmp_path / "s.db"
    command = [
        sys.executable,
        "-m",
        "dateline.cli",
        "ingest",
        "--quiet",
        "--db",
        str(db),
        str(corpus),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    running = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _count(db) < 300 and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert 0 < _count(db) < total, "the kill should land half way"
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "rejected 0" in finished.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone() == (
            total,
            total,
        )
        fts = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'council'")
        assert fts.fetchone()[0] == total
