"""robots.txt for article pages: fetched once per host, parsed by urllib.robotparser, cached.

What a robots.txt answer means follows RFC 9309: a 2xx body is parsed; a 4xx means there
are no rules (everything may be fetched); a 5xx or a network failure means the site cannot
say, so nothing is fetched from it until the answer is asked again. Feeds themselves are
not checked: a feed is published to be polled, an article page is crawled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import urllib3

from dateline.watch.schedule import Clock

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_TTL = 24 * 3600.0  # RFC 9309: a cached robots.txt should not be used for longer
UNREACHABLE_TTL = 3600.0  # after a 5xx or a network error, ask again sooner
_CHUNK = 16 * 1024

# Separate from the fetcher's pool: robots.txt redirects are followed by urllib3 here.
_POOL = urllib3.PoolManager(num_pools=16)


@dataclass(frozen=True)
class RobotsAnswer:
    status: int  # HTTP status, or 0 when the request failed
    body: bytes


Download = Callable[[str], RobotsAnswer]


def download(url: str, user_agent: str, timeout: float = 10.0) -> RobotsAnswer:
    """GET a robots.txt with a size cap and a deadline over the whole read."""
    deadline = time.monotonic() + timeout * 2
    retries = urllib3.Retry(total=None, connect=0, read=0, status=0, redirect=5)
    try:
        response = _POOL.request(
            "GET",
            url,
            headers={"User-Agent": user_agent},
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=retries,
            preload_content=False,
        )
        try:
            return RobotsAnswer(response.status, _read_capped(response, deadline))
        finally:
            response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError, TimeoutError):
        return RobotsAnswer(0, b"")


def _read_capped(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    # A longer file is cut at the cap, as RFC 9309 allows, rather than refused.
    while size < MAX_ROBOTS_BYTES and time.monotonic() < deadline:
        chunk = response.read1(min(_CHUNK, MAX_ROBOTS_BYTES - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    response.close()  # whatever is left unread must not reach the next request
    return b"".join(chunks)


@dataclass
class _Entry:
    parser: RobotFileParser
    expires: float


class RobotsCache:
    """Whether a page may be fetched, asking each host for its robots.txt at most once a TTL."""

    def __init__(self, user_agent: str, clock: Clock, fetch_robots: Download) -> None:
        self.user_agent = user_agent
        self.clock = clock
        self.fetch_robots = fetch_robots
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        # One fetch per host even when several threads ask at once.
        with self._lock:
            host_lock = self._host_locks.setdefault(origin, threading.Lock())
        with host_lock:
            entry = self._entries.get(origin)
            if entry is None or entry.expires <= self.clock.now():
                entry = self._load(origin)
                with self._lock:
                    self._entries[origin] = entry
        return entry.parser.can_fetch(self.user_agent, url)

    def _load(self, origin: str) -> _Entry:
        answer = self.fetch_robots(f"{origin}/robots.txt")
        parser = RobotFileParser()
        now = self.clock.now()
        if 200 <= answer.status < 300:
            parser.parse(answer.body.decode("utf-8", "replace").splitlines())
            return _Entry(parser, now + ROBOTS_TTL)
        if 400 <= answer.status < 500:
            parser.parse([])  # no rules: every page may be fetched
            return _Entry(parser, now + ROBOTS_TTL)
        parser.parse(["User-agent: *", "Disallow: /"])
        return _Entry(parser, now + UNREACHABLE_TTL)
