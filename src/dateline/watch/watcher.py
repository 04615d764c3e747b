"""The watch loop: poll the due feeds concurrently, store their new items, alert, repeat.

Worker threads do the network (feeds, pages, robots.txt); the calling thread does all the
processing and every write to the store, one feed result at a time, in this order:

1. new items are processed and written (raw items stored before are skipped unprocessed);
2. in one transaction, the items are marked done and the feed gets its new validators and
   next poll time;
3. the alert rules run over the new articles, which are then marked alerted.

A kill between 1 and 2 leaves the feed due with its old ETag: the next run gets the same
items, finds them stored (raw_seen), and completes 2. A kill between 2 and 3 leaves the
articles unalerted, and the next run alerts on them first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from dateline import api
from dateline.errors import DatelineError, Reject
from dateline.model import Article, RawItem, raw_digest
from dateline.store.sqlite import IngestSummary
from dateline.stories.assign import STATE_VERSION
from dateline.watch import state
from dateline.watch.actions import Alerter
from dateline.watch.alerts import Alert, Rule
from dateline.watch.poll import HostGate, Item, Poller, PollOptions, PollResult
from dateline.watch.robots import RobotsCache, download
from dateline.watch.schedule import (
    Clock,
    ScheduleOptions,
    SystemClock,
    backoff_delay,
    next_interval,
)
from dateline.watch.state import FeedState, ItemDone

Log = Callable[[str], None]


@dataclass(frozen=True)
class WatchOptions:
    schedule: ScheduleOptions = field(default_factory=ScheduleOptions)
    poll: PollOptions = field(default_factory=PollOptions)
    concurrency: int = 4  # feed polls in flight at once, over all hosts
    host_delay: float = 1.0  # seconds between two requests to one host
    understand: bool = True
    user_agent: str = "dateline"  # the name robots.txt rules are matched against


@dataclass
class RoundSummary:
    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    pages: int = 0
    alerts: int = 0
    ingest: IngestSummary = field(default_factory=IngestSummary)

    def to_json(self) -> dict[str, Any]:
        return {
            "polled": self.polled,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "new_items": self.new_items,
            "pages": self.pages,
            "alerts": self.alerts,
            **self.ingest.to_json(),
        }


class Watcher:
    def __init__(
        self,
        store: api.Store,
        feeds: Sequence[str],
        options: WatchOptions | None = None,
        *,
        clock: Clock | None = None,
        rules: Sequence[Rule] = (),
        echo: Log = print,
        log: Log | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.feeds = list(dict.fromkeys(feeds))
        self.options = options or WatchOptions()
        self.clock = clock or SystemClock()
        self.log = log or (lambda message: None)
        self.alerter = (
            Alerter(store.db, rules, self.clock, echo, self.log, sleep) if rules else None
        )
        gate = HostGate(self.clock, self.options.host_delay)
        agent = self.options.poll.page_fetch.user_agent

        def fetch_robots(url: str) -> Any:
            with gate.slot(url):
                return download(url, agent, self.options.poll.page_fetch.timeout)

        robots = RobotsCache(self.options.user_agent, self.clock, fetch_robots)
        self.poller = Poller(self.options.poll, gate, robots)
        self.pool = ThreadPoolExecutor(max(1, self.options.concurrency), "dateline-watch")
        self.stories = store.story_index()
        self._saved_at = time.monotonic()
        state.register(store.db, self.feeds, self.clock.now(), self.options.schedule.first_interval)
        self._catch_up_alerts()

    # --- the loop ---------------------------------------------------------------------

    def run_once(self) -> RoundSummary:
        """Poll every due feed once and store what is new."""
        summary = RoundSummary()
        due = state.due(self.store.db, self.feeds, self.clock.now())
        futures: dict[Future[PollResult], FeedState] = {
            self.pool.submit(self.poller.poll, feed, state.done_keys(self.store.db, feed.url)): feed
            for feed in due
        }
        for future in as_completed(futures):
            self._apply(futures[future], future.result(), summary)
        return summary

    def run(self, stop: threading.Event, max_rounds: int | None = None) -> RoundSummary:
        """Poll until ``stop`` is set (or ``max_rounds`` rounds), waiting for the next due feed."""
        total = RoundSummary()
        rounds = 0
        while not stop.is_set() and (max_rounds is None or rounds < max_rounds):
            _add(total, self.run_once())
            rounds += 1
            upcoming = state.next_due(self.store.db, self.feeds)
            wait = (
                self.options.schedule.min_interval
                if upcoming is None
                else upcoming - self.clock.now()
            )
            stop.wait(min(max(wait, 0.0), 60.0))  # wakes at once on stop
        return total

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.store.save_state(STATE_VERSION, self.stories.dumps())

    # --- one feed's result ------------------------------------------------------------

    def _apply(self, feed: FeedState, result: PollResult, summary: RoundSummary) -> None:
        summary.polled += 1
        now = self.clock.now()
        for note in result.notes:
            self.log(f"{feed.url}: {note}")
        if result.error is not None:
            self._failed(feed, result.error, now, summary)
            return
        summary.pages += result.pages
        if result.not_modified:
            summary.not_modified += 1
        done = self._store(result.items, summary.ingest)
        summary.new_items += len(done)
        interval = next_interval(self.options.schedule, feed.interval, len(done))
        state.finish_poll(
            self.store.db,
            feed.url,
            now,
            done,
            etag=result.etag,
            last_modified=result.last_modified,
            interval=interval,
            alerted=self.alerter is None,
        )
        if done:
            stored = sum(1 for item in done if item.article_id)
            self.log(f"{feed.url}: {len(done)} new item(s), {stored} article(s)")
        if self.alerter is not None:
            summary.alerts += len(self._alert([d.article_id for d in done if d.article_id]))

    def _failed(
        self, feed: FeedState, error: DatelineError, now: float, summary: RoundSummary
    ) -> None:
        summary.failed += 1
        failures = feed.failures + 1
        delay = backoff_delay(self.options.schedule, failures)
        state.record_failure(
            self.store.db,
            feed.url,
            now,
            code=error.code.value,
            message=error.message,
            failures=failures,
            delay=delay,
        )
        self.log(
            f"{feed.url}: failed [{error.code.value}] {error.message}; next try in {delay:g} s"
        )

    def _store(self, items: list[tuple[str, Item]], ingest: IngestSummary) -> list[ItemDone]:
        """Process and store new items; say for each what it became."""
        if not items:
            return []
        fresh = [
            item for _, item in items if not (isinstance(item, RawItem) and self.store.seen(item))
        ]
        results = list(
            api.process_many(fresh, understand=self.options.understand, stories=self.stories)
        )
        outcome: dict[int, Article | Reject] = {
            id(item): r for item, r in zip(fresh, results, strict=True)
        }
        self.store.write(results, ingest, self._story_state)
        done = []
        for key, item in items:
            result = outcome.get(id(item))
            if isinstance(result, Reject):
                done.append(ItemDone(key, None, result.code))
            elif isinstance(result, Article):
                done.append(ItemDone(key, result.id, None))
            else:  # stored by an earlier poll or run: the store knows its article
                ingest.read += 1
                ingest.duplicate += 1
                done.append(ItemDone(key, self._article_of(item), None))
        return done

    def _article_of(self, item: Item) -> str | None:
        if not isinstance(item, RawItem):
            return None
        row = self.store.db.execute(
            "SELECT article_id FROM raw_seen WHERE digest = ?", (raw_digest(item),)
        ).fetchone()
        return str(row[0]) if row else None

    def _story_state(self) -> tuple[str, bytes] | None:
        # As `dateline ingest` does: the whole index is pickled at most every 30 s, inside
        # a batch's transaction; a kill loses at most that much index, never articles.
        if time.monotonic() - self._saved_at < api.STATE_EVERY_SECONDS:
            return None
        self._saved_at = time.monotonic()
        return STATE_VERSION, self.stories.dumps()

    # --- alerts -----------------------------------------------------------------------

    def _alert(self, article_ids: list[str]) -> list[Alert]:
        if self.alerter is None:
            return []
        try:
            return self.alerter.check(article_ids)
        except DatelineError as exc:
            self.log(f"alerts failed [{exc.code.value}]: {exc.message}")
            return []

    def _catch_up_alerts(self) -> None:
        """Alert on articles a killed run stored but did not get to alert on."""
        pending = state.unalerted(self.store.db)
        if not pending:
            return
        if self.alerter is None:
            state.mark_alerted(self.store.db, pending)
            return
        self.log(f"alerting on {len(pending)} article(s) left by an interrupted run")
        self._alert(pending)


def _add(total: RoundSummary, one: RoundSummary) -> None:
    for name in ("polled", "not_modified", "failed", "new_items", "pages", "alerts"):
        setattr(total, name, getattr(total, name) + getattr(one, name))
    for name in ("read", "stored", "duplicate", "rejected"):
        setattr(total.ingest, name, getattr(total.ingest, name) + getattr(one.ingest, name))
    for code, n in one.ingest.reject_codes.items():
        total.ingest.reject_codes[code] = total.ingest.reject_codes.get(code, 0) + n
