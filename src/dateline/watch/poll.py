"""One poll of one feed, run in a worker thread: network only, never the store.

The feed is fetched with the validators held from last time (ETag, Last-Modified), read
with the feed reader, and the items not done before are kept. An item whose body is only
a summary gets its article page fetched in its place, if robots.txt allows. Every request
goes through the host gate: one request at a time per host, ``host_delay`` apart.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from dateline.errors import Code, DatelineError, Reject
from dateline.model import RawItem, raw_digest
from dateline.sources import detect
from dateline.sources.feeds import read_feed
from dateline.sources.fetch import Fetched, FetchOptions, fetch
from dateline.watch.robots import RobotsCache
from dateline.watch.schedule import Clock
from dateline.watch.state import FeedState

_TAG = re.compile(r"<[^>]*>")
# Codes that say the whole feed could not be read, as opposed to one bad item.
_FEED_LEVEL = frozenset({Code.BAD_FEED.value, Code.EMPTY.value, Code.BINARY.value})

Item = RawItem | Reject


@dataclass(frozen=True)
class PollOptions:
    feed_fetch: FetchOptions = field(default_factory=FetchOptions)
    page_fetch: FetchOptions = field(default_factory=FetchOptions)
    fetch_pages: bool = True
    page_threshold: int = 500  # an item body shorter than this (in characters) is a summary


@dataclass
class PollResult:
    url: str
    error: DatelineError | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    items: list[tuple[str, Item]] = field(default_factory=list)  # (item key, item), new only
    notes: list[str] = field(default_factory=list)  # page fetches that fell back to summaries
    pages: int = 0  # article pages fetched


class HostGate:
    """Politeness: one request at a time per host (host and port), ``delay`` seconds apart."""

    def __init__(self, clock: Clock, delay: float) -> None:
        self.clock = clock
        self.delay = delay
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            last = self._last.get(host)
            if last is not None:
                wait = last + self.delay - self.clock.now()
                if wait > 0:
                    self.clock.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = self.clock.now()


class Poller:
    """What the worker threads share: options, the host gate and the robots.txt cache."""

    def __init__(self, options: PollOptions, gate: HostGate, robots: RobotsCache) -> None:
        self.options = options
        self.gate = gate
        self.robots = robots

    def poll(self, feed: FeedState, done: frozenset[str]) -> PollResult:
        """Fetch one feed and return its new items; any failure is in ``error``."""
        result = PollResult(feed.url)
        try:
            fetched = self._fetch_feed(feed)
        except DatelineError as exc:
            result.error = exc
            return result
        result.etag, result.last_modified = fetched.etag, fetched.last_modified
        if fetched.status == 304:
            result.not_modified = True
            return result
        items = list(read_feed(feed.url, fetched.data))
        if fatal := _feed_level_reject(items):
            result.error = DatelineError(Code(fatal.code), fatal.message, fatal.hint)
            return result
        for key, item in _keyed(items):
            if key in done:
                continue
            result.items.append((key, self._full(item, result)))
        return result

    def _fetch_feed(self, feed: FeedState) -> Fetched:
        options = replace(self.options.feed_fetch, etag=feed.etag, last_modified=feed.last_modified)
        with self.gate.slot(feed.url):
            return fetch(feed.url, options)

    def _full(self, item: Item, result: PollResult) -> Item:
        """The item, or its article page in its place when the item holds only a summary."""
        if not (self.options.fetch_pages and isinstance(item, RawItem) and item.url):
            return item
        if visible_length(item) >= self.options.page_threshold:
            return item
        url = item.url
        if not url.startswith(("http://", "https://")):
            return item
        try:
            allowed = self.robots.allowed(url)
        except Exception as exc:  # the boundary: robots parsing must not cost the item
            result.notes.append(f"{url}: robots.txt could not be read ({exc}); summary kept")
            return item
        if not allowed:
            error = DatelineError(Code.ROBOTS, f"{url}: disallowed by robots.txt; summary kept")
            result.notes.append(str(error))
            return item
        try:
            with self.gate.slot(url):
                page = fetch(url, self.options.page_fetch)
        except DatelineError as exc:
            result.notes.append(f"{exc}; summary kept")
            return item
        result.pages += 1
        return page_item(item, page) or item


def _feed_level_reject(items: list[Item]) -> Reject | None:
    for item in items:
        if isinstance(item, Reject) and not item.position and item.code in _FEED_LEVEL:
            return item
    return None


def _keyed(items: list[Item]) -> Iterator[tuple[str, Item]]:
    """Each item with a key that stays the same across polls; repeats within a feed dropped."""
    seen: set[str] = set()
    for item in items:
        key = item_key(item)
        if key not in seen:
            seen.add(key)
            yield key, item


def item_key(item: Item) -> str:
    if isinstance(item, Reject):
        # Positions shift as items come and go; the message names the item (its title).
        digest = hashlib.sha256(f"{item.code}\0{item.message}".encode()).hexdigest()[:20]
        return f"reject:{digest}"
    if item.source_id:
        return f"id:{item.source_id}"
    if item.url:
        return f"url:{item.url}"
    return f"digest:{raw_digest(item)}"


def visible_length(item: RawItem) -> int:
    """Characters of text the item carries, markup removed."""
    if item.html is not None:
        return len(" ".join(html.unescape(_TAG.sub(" ", item.html)).split()))
    return len(" ".join((item.text or "").split()))


def page_item(item: RawItem, page: Fetched) -> RawItem | None:
    """The article page as the item's body, keeping what the feed said about it."""
    kind = detect.detect_kind(page.data[: detect.HEAD_BYTES])
    if kind not in ("html", "text"):
        return None
    text, _ = detect.decode(page.data, page.charset)
    return replace(
        item,
        kind=kind,
        html=text if kind == "html" else None,
        text=text if kind == "text" else None,
    )
