"""Adaptive intervals and exponential backoff, unit by unit and through the watcher."""

from __future__ import annotations

from pathlib import Path

from watch_support import Route, Server, feed_rows, open_store, rss, story, watcher

from dateline.watch.schedule import ManualClock, ScheduleOptions, backoff_delay, next_interval

OPTIONS = ScheduleOptions(min_interval=60, max_interval=3600, initial_interval=600)


def test_interval_shrinks_on_news_and_grows_without_within_bounds() -> None:
    assert next_interval(OPTIONS, 600, new_items=3) == 300
    assert next_interval(OPTIONS, 600, new_items=0) == 900
    assert next_interval(OPTIONS, 80, new_items=1) == 60  # never below min_interval
    assert next_interval(OPTIONS, 3000, new_items=0) == 3600  # never above max_interval


def test_backoff_doubles_from_min_interval_up_to_its_cap() -> None:
    delays = [backoff_delay(OPTIONS, n) for n in range(1, 6)]
    assert delays == [60, 120, 240, 480, 960]
    capped = ScheduleOptions(min_interval=60, backoff_cap=300)
    assert backoff_delay(capped, 10) == 300
    assert backoff_delay(OPTIONS, 10_000) == OPTIONS.backoff_cap  # no overflow


def test_min_interval_bounds_the_first_interval() -> None:
    assert ScheduleOptions(min_interval=7200, initial_interval=600).first_interval == 7200


def test_watcher_backs_off_on_errors_and_recovers(server: Server, tmp_path: Path) -> None:
    url = server.set("/feed", Route(b"down", content_type="text/plain", status=500))
    clock = ManualClock()
    gaps = []
    with open_store(tmp_path) as store:
        w = watcher(store, [url], clock)
        for _ in range(4):
            w.run_once()
            row = feed_rows(store)[url]
            gaps.append(row["next_poll"] - clock.now())
            clock.advance(row["next_poll"] - clock.now())  # exactly when it is due again
        assert gaps == [60, 120, 240, 480]
        assert feed_rows(store)[url]["failures"] == 4
        server.set("/feed", Route(rss([story(1)])))
        w.run_once()
        row = feed_rows(store)[url]
        assert (row["failures"], row["last_error_code"]) == (0, "E302")  # last error kept
        assert row["last_success"] is not None
        w.close()


def test_watcher_interval_follows_how_often_the_feed_changes(
    server: Server, tmp_path: Path
) -> None:
    clock = ManualClock()
    url = server.set("/feed", Route(rss([story(0)])))
    intervals = []
    with open_store(tmp_path) as store:
        w = watcher(store, [url], clock)
        for n in range(1, 4):  # news at every poll: polled more and more often
            w.run_once()
            intervals.append(feed_rows(store)[url]["interval"])
            server.set("/feed", Route(rss([story(n)])))
            clock.advance(intervals[-1])
        for _ in range(3):  # then nothing new: polled less and less often
            w.run_once()
            intervals.append(feed_rows(store)[url]["interval"])
            clock.advance(intervals[-1])
        w.close()
    assert intervals[:3] == [300, 150, 75]
    assert intervals[3] == 60  # one more item arrived at that poll, bounded by min_interval
    assert intervals[4:] == [90, 135]
