"""`dateline watch` and `dateline feeds`: thin click layers over the Watcher and the feed state."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

import click

from dateline import api
from dateline.errors import Code, DatelineError
from dateline.sources.feeds import looks_like_opml, read_opml
from dateline.sources.fetch import FetchOptions
from dateline.watch import state
from dateline.watch.alerts import Rule, load_rules
from dateline.watch.poll import PollOptions
from dateline.watch.schedule import ScheduleOptions, SystemClock
from dateline.watch.watcher import RoundSummary, Watcher, WatchOptions


def _err(message: str) -> None:
    click.echo(message, err=True)


def feed_urls(specs: Sequence[str]) -> list[str]:
    """Feed URLs from URLs, text files (one URL a line, # comments) and OPML files."""
    urls: list[str] = []
    for spec in specs:
        urls.extend(_urls_of(spec))
    if not urls:
        raise DatelineError(Code.FEED_LIST, "no feed URL given")
    return list(dict.fromkeys(urls))


def _urls_of(spec: str) -> Iterator[str]:
    if spec.startswith(("http://", "https://")):
        yield spec
        return
    path = Path(spec)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatelineError(
            Code.FEED_LIST, f"{spec}: not a URL or a readable file ({exc.strerror or exc})"
        ) from exc
    if looks_like_opml(data[:4096]):
        found, rejects = read_opml(spec, data)
        for reject in rejects:
            _err(f"rejected [{reject.code}] {reject.source} {reject.position}: {reject.message}")
        yield from found
        return
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("http://", "https://")):
            yield line
        else:
            _err(f"rejected [{Code.FEED_LIST.value}] {spec} line {number}: not an http(s) URL")


def _rules(path: str | None) -> list[Rule]:
    if path is None:
        return []
    rules, errors = load_rules(path)
    for error in errors:
        _err(f"error [{error.code.value}]: {error.message}")
    if errors:
        # A rule that silently never runs is worse than a watch that does not start.
        first = errors[0]
        raise DatelineError(first.code, f"{len(errors)} bad rule(s) in {path}; none was run")
    return rules


@click.command()
@click.option(
    "--db", "db_path", default="dateline.db", show_default=True, help="SQLite store path."
)
@click.argument("feeds", nargs=-1, required=True)
@click.option("--once", is_flag=True, help="Poll every due feed one time and exit.")
@click.option(
    "--min-interval",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds: never poll one feed more often than this.",
)
@click.option(
    "--max-interval",
    type=click.FloatRange(min=0),
    default=21600.0,
    show_default=True,
    help="Seconds: never leave a feed unpolled longer than this (errors aside).",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=4, show_default=True,
              help="Feed polls in flight at once.")  # fmt: skip
@click.option("--host-delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")  # fmt: skip
@click.option("--fetch-pages/--no-fetch-pages", default=True, show_default=True,
              help="Fetch the article page when a feed item holds only a summary.")  # fmt: skip
@click.option("--page-threshold", type=click.IntRange(min=0), default=500, show_default=True,
              help="Characters: an item body shorter than this is a summary.")  # fmt: skip
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="YAML alert rules.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Seconds to connect and per read; a whole fetch gets 3 times this.")  # fmt: skip
@click.option("--max-bytes", type=click.IntRange(min=1), default=20_000_000, show_default=True,
              help="Largest feed or page (bytes).")  # fmt: skip
@click.option("--no-understand", is_flag=True, help="Stop after cleaning: no entities, events.")
@click.option("--quiet", "-q", is_flag=True, help="No per-feed lines on stderr.")
def watch(
    db_path: str,
    feeds: tuple[str, ...],
    once: bool,
    min_interval: float,
    max_interval: float,
    concurrency: int,
    host_delay: float,
    fetch_pages: bool,
    page_threshold: int,
    rules_path: str | None,
    timeout: float,
    max_bytes: int,
    no_understand: bool,
    quiet: bool,
) -> None:
    """Poll FEEDS (URLs, text files of URLs, OPML files) and store new items.

    State lives in the store: a restart resumes where the last run stopped.
    """
    urls = feed_urls(feeds)
    rules = _rules(rules_path)
    fetch_options = FetchOptions(timeout=timeout, total_timeout=timeout * 3, max_bytes=max_bytes)
    options = WatchOptions(
        schedule=ScheduleOptions(
            min_interval=min_interval,
            max_interval=max(max_interval, min_interval),
            initial_interval=min(max(1800.0, min_interval), max(max_interval, min_interval)),
        ),
        poll=PollOptions(
            feed_fetch=fetch_options,
            page_fetch=fetch_options,
            fetch_pages=fetch_pages,
            page_threshold=page_threshold,
        ),
        concurrency=concurrency,
        host_delay=host_delay,
        understand=not no_understand,
    )
    with _sqlite_store(db_path) as store:
        watcher = Watcher(
            store,
            urls,
            options,
            clock=SystemClock(),
            rules=rules,
            echo=click.echo,
            log=None if quiet else _err,
        )
        try:
            total = watcher.run_once() if once else watcher.run(_stop_on_signals())
        finally:
            watcher.close()
    _err(_summary_line(total))


def _sqlite_store(db_path: str) -> api.Store:
    store = api.open_store(db_path)
    if isinstance(store, api.Store):
        return store
    store.close()
    raise DatelineError(
        Code.BAD_OPTION,
        "dateline watch and feeds keep their state in a SQLite store; give a file path to --db",
    )


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM, so the loop ends between feeds and saves its state."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def _summary_line(total: RoundSummary) -> str:
    counts = total.to_json()
    return (
        f"polled {counts['polled']} (not modified {counts['not_modified']}, failed"
        f" {counts['failed']}), new items {counts['new_items']}, pages {counts['pages']},"
        f" stored {counts['stored']}, duplicate {counts['duplicate']},"
        f" rejected {counts['rejected']}, alerts {counts['alerts']}"
    )


@click.command()
@click.option(
    "--db", "db_path", default="dateline.db", show_default=True, help="SQLite store path."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
)
def feeds(db_path: str, fmt: str) -> None:
    """Each watched feed's health: last success, last error, items per day, validators held."""
    with _sqlite_store(db_path) as store:
        rows = state.health(store.db, SystemClock().now())
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("url", "last success", "last error", "items/day", "etag", "last-modified")
    for row in rows:
        error = f"[{row['last_error_code']}] {row['last_error']}" if row["last_error"] else ""
        table.add_row(
            row["url"],
            row["last_success"] or "",
            error,
            f"{row['items_per_day']:g}",
            row["etag"] or "",
            row["last_modified"] or "",
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)
