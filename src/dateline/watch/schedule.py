"""When a feed is polled next: intervals that follow how often it changes, backoff on errors.

All times are seconds since the epoch from a ``Clock``, so tests drive time by hand and
never sleep.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait this long (or, for a test clock, move time on)."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that moves only when told to, or when something sleeps on it."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()  # politeness waits sleep on it from worker threads
        self.slept = 0.0

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(max(seconds, 0.0))
        with self._lock:
            self.slept += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@dataclass(frozen=True)
class ScheduleOptions:
    min_interval: float = 300.0  # never poll one feed more often than this
    max_interval: float = 6 * 3600.0  # never leave a healthy feed longer than this
    initial_interval: float = 1800.0
    speed_up: float = 0.5  # interval factor after a poll that found new items
    slow_down: float = 1.5  # interval factor after a poll that found nothing new
    backoff_cap: float = 24 * 3600.0  # longest wait after repeated errors

    def clamp(self, interval: float) -> float:
        return min(max(interval, self.min_interval), max(self.max_interval, self.min_interval))

    @property
    def first_interval(self) -> float:
        return self.clamp(self.initial_interval)


def next_interval(options: ScheduleOptions, interval: float, new_items: int) -> float:
    """The interval after a successful poll.

    Multiplicative steps converge on a feed's own rhythm: a feed that has news at each
    poll is polled twice as often (down to min_interval), one that has none is polled
    half again as rarely (up to max_interval)."""
    factor = options.speed_up if new_items > 0 else options.slow_down
    return options.clamp(interval * factor)


def backoff_delay(options: ScheduleOptions, failures: int) -> float:
    """The wait after the ``failures``-th error in a row: min_interval doubled each time."""
    base = max(options.min_interval, 1.0)
    # The exponent is bounded so that a feed failing for months cannot overflow a float.
    delay = base * 2.0 ** min(max(failures - 1, 0), 60)
    return max(min(delay, max(options.backoff_cap, base)), options.min_interval)
