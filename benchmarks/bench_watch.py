"""Soak: a few thousand feed polls against a local server; memory must stay flat.

A local threaded server (127.0.0.1 only) serves FEEDS feeds. Each round moves a manual
clock past every feed's next poll, so each round polls every feed. The feeds behave as
real ones do over time: most answer 304 to the conditional GET, some send the same items
again, a few have one new item, and some fail with a 500. RSS is read from /proc at the
start, middle and end of the soak.

The reference, measured in the same run against the same server, is a bare loop of
conditional GETs with urllib3 (no parsing, no store): polls/s of the watcher over polls/s
of the bare loop is the ratio reported. All feeds are on one host, so the watcher's
per-host politeness sends one request at a time, and so does the reference loop. Both share the machine's two cores with the
server thread and with other processes (the load average is recorded).

Run: .venv/bin/python benchmarks/bench_watch.py [--polls 3000] [--feeds 50]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Clock, machine, rate, write_results

from dateline import api
from dateline.sources.fetch import FetchOptions
from dateline.watch.poll import PollOptions
from dateline.watch.schedule import ManualClock, ScheduleOptions
from dateline.watch.watcher import Watcher, WatchOptions

ITEMS_PER_FEED = 20


class Feeds:
    """Feed contents that change over time: version n of a feed has items n .. n+19."""

    def __init__(self, count: int, seed: int = 7) -> None:
        self.version = [0] * count
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.failing: set[int] = set()

    def step(self) -> None:
        """Between rounds: ~5% of feeds get a new item, ~3% start failing for a round."""
        with self.lock:
            self.failing = {i for i in range(len(self.version)) if self.random.random() < 0.03}
            for i in range(len(self.version)):
                if self.random.random() < 0.05:
                    self.version[i] += 1

    def body(self, feed: int) -> tuple[int, bytes]:
        with self.lock:
            return self.version[feed], _rss(feed, self.version[feed])


def _rss(feed: int, version: int) -> bytes:
    start = datetime(2022, 1, 1, tzinfo=UTC)
    items = []
    for n in range(version, version + ITEMS_PER_FEED):
        text = f"Feed {feed} item {n}: the harbour office logged ship {n} at dawn. " * 6
        items.append(
            f"<item><title>Feed {feed} item {n}</title><guid>f{feed}-{n}</guid>"
            f"<pubDate>{format_datetime(start + timedelta(hours=n))}</pubDate>"
            f"<description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"{''.join(items)}</channel></rss>"
    ).encode()


def serve(feeds: Feeds) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            feed = int(self.path.strip("/").removeprefix("feed"))
            if feed in feeds.failing:
                self._send(500, b"busy", {})
                return
            version, body = feeds.body(feed)
            etag = f'"{feed}-{version}"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag})
                return
            # Some servers send no validators: the watcher must then compare items.
            headers = {"ETag": etag} if feed % 4 else {}
            self._send(200, body, {"Content-Type": "application/rss+xml", **headers})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def soak(base: str, feeds: Feeds, count: int, polls: int, db: Path) -> dict[str, Any]:
    urls = [f"{base}/feed{i}" for i in range(count)]
    clock = ManualClock()
    fast = FetchOptions(timeout=5, total_timeout=10)
    options = WatchOptions(
        schedule=ScheduleOptions(min_interval=60, max_interval=600, backoff_cap=600),
        poll=PollOptions(feed_fetch=fast, page_fetch=fast, fetch_pages=False),
        concurrency=4,
        host_delay=0.0,
        understand=False,
    )
    samples: list[dict[str, float]] = []
    totals = {"polled": 0, "not_modified": 0, "failed": 0, "new_items": 0, "stored": 0}
    with api.Store(db) as store:  # watch keeps its state in SQLite
        watcher = Watcher(store, urls, options, clock=clock)
        rounds = max(1, polls // count)
        with Clock() as timer:
            for number in range(rounds):
                if number in (1, rounds // 2, rounds - 1):  # after the first round's ingest
                    gc.collect()
                    samples.append({"round": number, "polls": totals["polled"], "rss_mb": rss_mb()})
                feeds.step()
                clock.advance(601)  # past every feed's longest interval or backoff
                done = watcher.run_once()
                for name in ("polled", "not_modified", "failed", "new_items"):
                    totals[name] += getattr(done, name)
                totals["stored"] += done.ingest.stored
        watcher.close()
        gc.collect()
        samples.append({"round": rounds, "polls": totals["polled"], "rss_mb": rss_mb()})
    return {
        **totals,
        "rounds": rounds,
        "seconds": round(timer.wall, 2),
        "cpu_seconds": round(timer.cpu, 2),
        "polls_per_second": round(rate(totals["polled"], timer.wall), 1),
        "rss": samples,
    }


def bare(base: str, count: int, polls: int) -> dict[str, Any]:
    """The reference: conditional GETs one after another, nothing parsed or stored.

    One at a time, as the watcher's per-host politeness allows against one host."""
    pool = urllib3.PoolManager()
    etags: dict[int, str] = {}
    with Clock() as timer:
        for n in range(polls):
            feed = n % count
            headers = {"If-None-Match": etags[feed]} if feed in etags else {}
            response = pool.request("GET", f"{base}/feed{feed}", headers=headers, retries=False)
            if etag := response.headers.get("ETag"):
                etags[feed] = etag
    return {
        "polls": polls,
        "seconds": round(timer.wall, 2),
        "cpu_seconds": round(timer.cpu, 2),
        "polls_per_second": round(rate(polls, timer.wall), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=3000)
    parser.add_argument("--feeds", type=int, default=50)
    args = parser.parse_args()
    feeds = Feeds(args.feeds)
    httpd, base = serve(feeds)
    try:
        with tempfile.TemporaryDirectory() as folder:
            watched = soak(base, feeds, args.feeds, args.polls, Path(folder) / "soak.db")
        reference = bare(base, args.feeds, args.polls)
    finally:
        httpd.shutdown()
    rss = [s["rss_mb"] for s in watched["rss"]]
    result = {
        "machine": machine(),
        "feeds": args.feeds,
        "watch": watched,
        "reference_bare_conditional_gets": reference,
        "ratio_polls_per_second": round(
            watched["polls_per_second"] / reference["polls_per_second"], 3
        ),
        "rss_growth_mb_middle_to_end": round(rss[-1] - rss[1], 1) if len(rss) > 2 else None,
    }
    path = write_results("watch.json", result)
    print(f"watch: {watched['polled']} polls in {watched['seconds']} s ({watched['polls_per_second']} polls/s, "
          f"cpu {watched['cpu_seconds']} s), new items {watched['new_items']}, failed {watched['failed']}, "
          f"304 {watched['not_modified']}")  # fmt: skip
    print(
        f"reference: {reference['polls_per_second']} polls/s; ratio {result['ratio_polls_per_second']}"
    )
    print("RSS MB: " + ", ".join(f"{s['polls']} polls {s['rss_mb']:.1f}" for s in watched["rss"]))
    print(f"written {path}")


if __name__ == "__main__":
    main()
