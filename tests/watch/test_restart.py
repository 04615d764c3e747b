"""A watch killed with SIGKILL mid-run and restarted loses nothing and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from watch_support import FeedItem, Route, Server, open_store, rss, wait_for, watcher

from dateline.watch.alerts import load_rules
from dateline.watch.command import feed_urls
from dateline.watch.schedule import ManualClock

FEEDS = 3
ITEMS = 12
PAGE = (
    "<html><body><article><h1>{t}</h1><p>{t}. "
    + "The harbour office logged the ship at dawn. " * 8
    + "</p></article></body></html>"
)


def item(server: Server, feed: int, n: int) -> FeedItem:
    title = f"Feed {feed} ship {n} reaches the harbour"
    link = server.set(f"/{feed}/{n}", Route(PAGE.format(t=title).encode(), "text/html", delay=0.02))
    return FeedItem(guid=f"{feed}-{n}", title=title, body=f"<p>{title} […]</p>", link=link)


def serve(server: Server, count: int) -> list[str]:
    return [
        server.set(
            f"/feed{f}", Route(rss([item(server, f, n) for n in range(count)], f"Outlet {f}"))
        )
        for f in range(FEEDS)
    ]


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # tables not made yet
        return 0


def watch(db: Path, feeds: Path, rules: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "dateline.cli", "watch", "--db", str(db), "--no-understand",
               "--host-delay", "0", "--min-interval", "1", "--max-interval", "2", "--rules", str(rules), "-q",
               str(feeds), *extra]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_sigkill_then_restart_loses_and_duplicates_nothing(server: Server, tmp_path: Path) -> None:
    db, feeds, rules = tmp_path / "w.db", tmp_path / "feeds.txt", tmp_path / "rules.yaml"
    alerts = tmp_path / "alerts.jsonl"
    feeds.write_text("# watched\n" + "\n".join(serve(server, ITEMS)) + "\n")
    rules.write_text(
        f"rules:\n  - name: all\n    on: articles\n    actions: [{{jsonl: {json.dumps(str(alerts))}}}]\n"
    )

    first = watch(db, feeds, rules)
    try:
        # some feed done, not all: the kill lands in the middle of the run
        assert wait_for(lambda: count(db, "SELECT count(*) FROM articles") >= ITEMS)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert first.returncode == -signal.SIGKILL
    before = count(db, "SELECT count(*) FROM articles")

    serve(server, ITEMS + 5)  # the feeds moved on while the watcher was down
    total = FEEDS * (ITEMS + 5)
    # The restart runs in this process, an hour later by its clock: every feed is due.
    rules_read, _ = load_rules(rules)
    with open_store(tmp_path, db.name) as store:
        again = watcher(store, feed_urls([str(feeds)]), ManualClock(time.time() + 3600), rules_read)
        again.run_once()
        again.close()

    assert ITEMS <= before < total
    assert count(db, "SELECT count(*) FROM articles") == total
    assert count(db, "SELECT count(DISTINCT title) FROM articles") == total
    assert count(db, "SELECT count(*) FROM feed_items") == total
    assert count(db, "SELECT count(*) FROM feed_items WHERE article_id IS NULL") == 0
    assert count(db, "SELECT count(*) FROM rejects") == 0
    # every page was fetched again at most once: by the run that was killed before storing it
    for f in range(FEEDS):
        for n in range(ITEMS + 5):
            assert 1 <= len(server.hits(f"/{f}/{n}")) <= 2
    # alerts: at least once for every article, never lost
    alerted = {json.loads(line)["key"] for line in alerts.read_text().splitlines()}
    assert count(db, "SELECT count(*) FROM articles") == len(alerted)
