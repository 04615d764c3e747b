"""Test support for the watch tests. A local HTTP server whose feeds change over time and misbehave on purpose.

Routes are set by each test: ``server.set(path, Route(...))``. The server keeps the
requests it saw and how many delayed requests were held at once, so tests can
check conditional GETs, politeness and concurrency without timing anything.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from dateline import api
from dateline.sources.fetch import FetchOptions
from dateline.watch.alerts import Rule
from dateline.watch.poll import PollOptions
from dateline.watch.schedule import ManualClock, ScheduleOptions
from dateline.watch.watcher import Watcher, WatchOptions

STOP = threading.Event()  # set at teardown so that stalling handlers let go at once


@dataclass
class Route:
    body: bytes = b""
    content_type: str | None = "application/rss+xml"
    status: int = 200
    etag: str | None = None  # answer 304 to a matching If-None-Match
    last_modified: str | None = None  # answer 304 to a matching If-Modified-Since
    delay: float = 0.0  # seconds before answering (timeouts, concurrency)
    drip: float = 0.0  # seconds between body bytes (slow drip)
    location: str | None = None  # for redirects
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.handle(self, "GET")

            def do_POST(self) -> None:
                owner.handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, route: Route) -> str:
        with self.lock:
            self.routes[path] = route
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        with self.lock:
            self.requests.append(Seen(request.path, dict(request.headers.items()), method, body))
            route = self.routes.get(request.path)
        # the client may give up, as it should on a stalling server
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(request, route)

    def _held(self, seconds: float) -> None:
        """Wait before answering, counted as in flight. Counting stops before any byte of
        the answer is sent, so a client that got its answer is never still counted."""
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            STOP.wait(seconds)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _answer(self, request: BaseHTTPRequestHandler, route: Route | None) -> None:
        if route is None:
            request.send_response(404)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        if route.delay:
            self._held(route.delay)
        if route.handler is not None:
            route.handler(request)
            return
        if _not_modified(request, route):
            request.send_response(304)
            if route.etag:
                request.send_header("ETag", route.etag)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.send_response(route.status)
        if route.content_type:
            request.send_header("Content-Type", route.content_type)
        if route.etag:
            request.send_header("ETag", route.etag)
        if route.last_modified:
            request.send_header("Last-Modified", route.last_modified)
        if route.location:
            request.send_header("Location", route.location)
        for name, value in route.headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(route.body)))
        request.end_headers()
        if route.drip:
            for byte in route.body:
                if STOP.wait(route.drip):
                    return
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
        else:
            request.wfile.write(route.body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _not_modified(request: BaseHTTPRequestHandler, route: Route) -> bool:
    if route.etag and request.headers.get("If-None-Match") == route.etag:
        return True
    return bool(
        route.last_modified and request.headers.get("If-Modified-Since") == route.last_modified
    )


@dataclass
class FeedItem:
    guid: str
    title: str
    body: str  # HTML
    link: str | None = None
    published: datetime = datetime(2022, 1, 6, 10, 0, tzinfo=UTC)


def rss(items: list[FeedItem], title: str = "Test Wire") -> bytes:
    """An RSS 2.0 feed of the items."""
    entries = []
    for item in items:
        link = f"<link>{escape(item.link)}</link>" if item.link else ""
        entries.append(
            f"<item><title>{escape(item.title)}</title>{link}"
            f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
            f"<pubDate>{format_datetime(item.published)}</pubDate>"
            f"<description>{escape(item.body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://wire.example/</link>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


def story(n: int, words: int = 60) -> FeedItem:
    """A distinct full-text item (long enough not to count as a summary)."""
    sentence = f"Item number {n} reports that the harbour office logged ship {n} at dawn."
    body = "<p>" + " ".join([sentence] * max(1, words // 12)) + "</p>"
    return FeedItem(guid=f"item-{n}", title=f"Harbour log entry {n}", body=body)


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll a condition (for subprocess tests); not a timed assertion, only a bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# --- watchers: fast timeouts, no politeness delay, no language model ---------------

FAST_FETCH = FetchOptions(timeout=0.5, total_timeout=1.0, max_bytes=200_000)


def options(**changes: Any) -> WatchOptions:
    base = WatchOptions(
        schedule=ScheduleOptions(min_interval=60, max_interval=3600, initial_interval=600),
        poll=PollOptions(feed_fetch=FAST_FETCH, page_fetch=FAST_FETCH, page_threshold=200),
        concurrency=4,
        host_delay=0.0,
        understand=False,
    )
    return replace(base, **changes)


def watcher(
    store: api.Store,
    feeds: Sequence[str],
    clock: ManualClock,
    rules: Sequence[Rule] = (),
    echoed: list[str] | None = None,
    **changes: Any,
) -> Watcher:
    sink = echoed if echoed is not None else []
    return Watcher(
        store,
        feeds,
        options(**changes),
        clock=clock,
        rules=rules,
        echo=sink.append,
        log=sink.append,
        sleep=lambda seconds: None,
    )


def feed_rows(store: api.Store) -> dict[str, dict[str, Any]]:
    rows = store.db.execute("SELECT * FROM feeds")
    return {row["url"]: dict(row) for row in rows}


def open_store(tmp_path: Path, name: str = "watch.db") -> api.Store:
    return api.open_store(tmp_path / name)
