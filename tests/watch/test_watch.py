"""Polling against a local server: changing feeds, conditional GETs, misbehaving servers,
concurrency and per-host politeness. Time is a ManualClock: nothing here sleeps on purpose."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path

import pytest
from watch_support import (
    FeedItem,
    Route,
    Server,
    feed_rows,
    open_store,
    options,
    rss,
    story,
    watcher,
)

from dateline.watch.poll import PollOptions
from dateline.watch.schedule import ManualClock


def titles(tmp_path: Path) -> list[str]:
    with open_store(tmp_path) as store:
        return sorted(a["title"] for a in store.articles())


def test_once_stores_items_and_a_changed_feed_adds_only_new_ones(
    server: Server, tmp_path: Path
) -> None:
    url = server.set("/feed", Route(rss([story(1), story(2)])))
    clock = ManualClock()
    with open_store(tmp_path) as store:
        w = watcher(store, [url], clock)
        first = w.run_once()
        assert (first.polled, first.new_items, first.ingest.stored) == (1, 2, 2)
        # not due yet: nothing is fetched
        assert w.run_once().polled == 0
        assert len(server.hits("/feed")) == 1
        server.set("/feed", Route(rss([story(2), story(3)])))
        clock.advance(3600)
        second = w.run_once()
        assert (second.new_items, second.ingest.stored) == (1, 1)
        w.close()
    assert titles(tmp_path) == ["Harbour log entry 1", "Harbour log entry 2", "Harbour log entry 3"]


def test_conditional_get_sends_validators_and_304_changes_nothing(
    server: Server, tmp_path: Path
) -> None:
    modified = "Thu, 06 Jan 2022 10:00:00 GMT"
    url = server.set("/feed", Route(rss([story(1)]), etag='"v1"', last_modified=modified))
    clock = ManualClock()
    with open_store(tmp_path) as store:
        w = watcher(store, [url], clock)
        w.run_once()
        clock.advance(3600)
        again = w.run_once()
        assert (again.polled, again.not_modified, again.new_items) == (1, 1, 0)
        second = server.hits("/feed")[1].headers
        assert second["If-None-Match"] == '"v1"'
        assert second["If-Modified-Since"] == modified
        row = feed_rows(store)[url]
        assert (row["etag"], row["last_modified"], row["failures"]) == ('"v1"', modified, 0)
        w.close()
    assert titles(tmp_path) == ["Harbour log entry 1"]


def drip_route() -> Route:
    return Route(rss([story(9)]), drip=0.05)


MISBEHAVING = {
    "/timeout": (lambda: Route(rss([story(9)]), delay=3.0), "E305"),
    "/drip": (drip_route, "E305"),
    "/error": (lambda: Route(b"oops", content_type="text/plain", status=500), "E302"),
    "/loop": (lambda: Route(status=302, location="/loop2"), "E303"),
    "/huge": (lambda: Route(b"<rss>" + b"x" * 300_000), "E105"),
    "/image": (lambda: Route(b"\x89PNG\r\n\x1a\n" * 10, content_type="image/png"), "E304"),
    "/broken": (lambda: Route(b"<?xml version='1.0'?><rss><channel><item><title>x"), "E203"),
    "/empty": (lambda: Route(b""), "E102"),
}


def test_misbehaving_feeds_fail_with_their_codes_and_the_others_go_on(
    server: Server, tmp_path: Path
) -> None:
    urls = {path: server.set(path, make()) for path, (make, _) in MISBEHAVING.items()}
    server.set("/loop2", Route(status=302, location="/loop"))
    good = server.set("/good", Route(rss([story(1)])))
    clock = ManualClock()
    with open_store(tmp_path) as store:
        w = watcher(store, [*urls.values(), good], clock)
        done = w.run_once()
        rows = feed_rows(store)
        w.close()
    assert (done.polled, done.failed, done.ingest.stored) == (
        len(MISBEHAVING) + 1,
        len(MISBEHAVING),
        1,
    )
    for path, (_, code) in MISBEHAVING.items():
        row = rows[urls[path]]
        assert row["last_error_code"] == code, (path, row["last_error"])
        assert row["failures"] == 1 and row["last_success"] is None
    assert rows[good]["last_error"] is None and rows[good]["last_success"] is not None


def test_partly_malformed_feed_keeps_the_items_it_can_read(server: Server, tmp_path: Path) -> None:
    body = rss([story(1), story(2)]).replace(b"</channel></rss>", b"<item><title>cut")
    url = server.set("/feed", Route(body))
    with open_store(tmp_path) as store:
        done = watcher(store, [url], ManualClock()).run_once()
    assert done.failed == 0 and done.ingest.stored == 2


def test_item_without_body_is_rejected_once(server: Server, tmp_path: Path) -> None:
    bare = FeedItem(guid="bare", title="Only a title", body="")
    url = server.set("/feed", Route(rss([bare, story(1)])))
    clock = ManualClock()
    with open_store(tmp_path) as store:
        w = watcher(store, [url], clock, poll=watcher_poll(fetch_pages=False))
        first = w.run_once()
        clock.advance(3600)
        second = w.run_once()
        assert (first.ingest.rejected, first.ingest.stored) == (1, 1)
        assert second.new_items == 0  # the reject is done too, not retried every poll
        assert [r["code"] for r in store.rejects()] == ["E202"]


def watcher_poll(**changes: object) -> PollOptions:
    return replace(options().poll, **changes)


def test_global_concurrency_limit(server: Server, tmp_path: Path) -> None:
    urls = [server.set(f"/f{n}", Route(rss([story(n)]), delay=0.05)) for n in range(6)]
    with open_store(tmp_path) as store:
        # per-host politeness would serialise these; the limit is checked on its own
        w = watcher(store, urls, ManualClock(), concurrency=2)
        w.poller.gate = NoGate()
        done = w.run_once()
        w.close()
    assert done.ingest.stored == 6
    assert 1 <= server.max_in_flight <= 2


class NoGate:
    """No per-host politeness: every feed here is on the one local server."""

    def slot(self, url: str) -> AbstractContextManager[None]:
        return nullcontext()


def test_one_request_at_a_time_per_host(
    server: Server, other_server: Server, tmp_path: Path
) -> None:
    urls = [server.set(f"/f{n}", Route(rss([story(n)]), delay=0.03)) for n in range(3)]
    urls += [other_server.set(f"/g{n}", Route(rss([story(10 + n)]), delay=0.03)) for n in range(3)]
    clock = ManualClock()
    with open_store(tmp_path) as store:
        w = watcher(store, urls, clock, concurrency=6, host_delay=2.0)
        done = w.run_once()
        w.close()
    assert done.ingest.stored == 6
    assert server.max_in_flight == 1 and other_server.max_in_flight == 1
    # Three requests per host, each at least the host delay after the one before: the
    # shared clock moved at least 2 x 2.0 s (sleeps for one host also count for the other).
    assert clock.slept >= 2 * 2.0


@pytest.mark.parametrize("wrong", ["text/css", "application/pdf"])
def test_wrong_content_type_is_refused_before_the_body(
    server: Server, tmp_path: Path, wrong: str
) -> None:
    url = server.set("/feed", Route(rss([story(1)]), content_type=wrong))
    with open_store(tmp_path) as store:
        watcher(store, [url], ManualClock()).run_once()
        assert feed_rows(store)[url]["last_error_code"] == "E304"
        assert store.count() == 0
