"""Articles/s of store-only ingest into PostgreSQL, next to SQLite on the same articles.

The Wikinews articles of ../shared/eval/news/wikinews-cc-by are expanded to ``--articles``
distinct articles as in bench_ingest.py and processed once, without understanding (clean
text, no entities or events: this measures the store, not the language model). Each repeat
then times, on fresh stores opened before the clock starts:

  (a) SQLite: ``store.ingest(articles)`` into a new file (the reference; bench_ingest's (b))
  (b) PostgreSQL: ``store.ingest(articles)`` into a new database
  (c) SQLite re-ingest: the same articles again, every one a duplicate
  (d) PostgreSQL re-ingest: likewise

The PostgreSQL server is started for the run from the Debian packages (tests/store/pgtest.py),
on 127.0.0.1 over TCP, with its default durability (fsync on, synchronous commit: one WAL
flush per 200-article batch); SQLite runs in WAL mode with synchronous=NORMAL, as the store
sets it. ``--db-url`` uses an existing server instead (its databases are created by the
harness). CPU time is the client's; the server's is read from /proc and reported beside it.

    .venv/bin/python benchmarks/bench_store_pg.py [--articles 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_ingest import expand, load_base, timed_process, write_jsonl
from common import REPO, Clock, eval_path, machine, rate, write_results

import dateline
from dateline.model import Article
from dateline.store.sqlite import IngestSummary

sys.path.insert(0, str(REPO / "tests" / "store"))
import pgtest

_LABELS = {
    "a_sqlite": "(a) SQLite `store.ingest(articles)`",
    "b_postgres": "(b) PostgreSQL `store.ingest(articles)`",
    "c_sqlite_duplicates": "(c) SQLite re-ingest, all duplicates",
    "d_postgres_duplicates": "(d) PostgreSQL re-ingest, all duplicates",
}


class Timing:
    """One mode's clocks over the repeats, with the server's CPU seconds for PostgreSQL."""

    def __init__(self) -> None:
        self.clocks: list[Clock] = []
        self.server_cpu: list[float] = []
        self.summary: IngestSummary | None = None


def timed_store(
    db: str, articles: list[Article], server: pgtest.Server | None, timing: Timing
) -> None:
    # the store is opened (and its schema created) before the clock starts
    with contextlib.closing(dateline.open_store(db)) as store:
        before = server.server_cpu_seconds() if server else None
        with Clock() as clock:
            timing.summary = store.ingest(articles)
        if server and before is not None:
            timing.server_cpu.append((server.server_cpu_seconds() or 0.0) - before)
    timing.clocks.append(clock)


def one_repeat(
    articles: list[Article], server: pgtest.Server, run: Path, times: dict[str, Timing]
) -> None:
    sqlite_db, pg_url = str(run / "a.db"), server.new_database("bench")
    timed_store(sqlite_db, articles, None, times["a_sqlite"])
    timed_store(pg_url, articles, server, times["b_postgres"])
    timed_store(sqlite_db, articles, None, times["c_sqlite_duplicates"])
    timed_store(pg_url, articles, server, times["d_postgres_duplicates"])


def mode(count: int, timing: Timing) -> dict[str, Any]:
    """The median of the repeats is the number; the range shows the spread."""
    seconds = [clock.wall for clock in timing.clocks]
    rates = [rate(count, s) for s in seconds]
    cpu = statistics.median(clock.cpu for clock in timing.clocks)
    result: dict[str, Any] = {
        "articles": count,
        "seconds": statistics.median(seconds),
        "articles_per_s": rate(count, statistics.median(seconds)),
        "articles_per_s_min": min(rates),
        "articles_per_s_max": max(rates),
        "seconds_each": seconds,
        "client_cpu_seconds": cpu,
        "server_cpu_seconds": (statistics.median(timing.server_cpu) if timing.server_cpu else None),
        "summary": timing.summary.to_json() if timing.summary else None,
    }
    total_cpu = cpu + (result["server_cpu_seconds"] or 0.0)
    result["articles_per_cpu_s"] = rate(count, total_cpu)  # client and server together
    return result


def ratios(modes: dict[str, dict[str, Any]]) -> dict[str, float]:
    def per_s(name: str) -> float:
        return float(modes[name]["articles_per_s"])

    def per_cpu_s(name: str) -> float:
        return float(modes[name]["articles_per_cpu_s"])

    return {
        "postgres_over_sqlite": per_s("b_postgres") / per_s("a_sqlite"),
        "postgres_over_sqlite_cpu": per_cpu_s("b_postgres") / per_cpu_s("a_sqlite"),
        "postgres_over_sqlite_duplicates": per_s("d_postgres_duplicates")
        / per_s("c_sqlite_duplicates"),
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| mode | articles | median s | articles/s | range articles/s | client CPU s"
        " | server CPU s | articles/CPU s | stored / duplicate |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, label in _LABELS.items():
        data = result["modes"][name]
        counts = data["summary"]
        server = data["server_cpu_seconds"]
        lines.append(
            f"| {label} | {data['articles']} | {data['seconds']:.2f}"
            f" | {data['articles_per_s']:,.0f}"
            f" | {data['articles_per_s_min']:,.0f}–{data['articles_per_s_max']:,.0f}"
            f" | {data['client_cpu_seconds']:.2f} | {'' if server is None else f'{server:.2f}'}"
            f" | {data['articles_per_cpu_s']:,.0f}"
            f" | {counts['stored']} / {counts['duplicate']} |"
        )
    r = result["ratios"]
    lines.append(
        f"\nratio (b)/(a) PostgreSQL / SQLite: **{r['postgres_over_sqlite']:.3f}**"
        f" (by CPU time, server included: {r['postgres_over_sqlite_cpu']:.3f});"
        f" re-ingest (d)/(c): {r['postgres_over_sqlite_duplicates']:.3f}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="distinct articles to store")
    parser.add_argument("--repeat", type=int, default=3, help="runs of every mode; median kept")
    parser.add_argument("--db-url", help="an existing PostgreSQL server (maintenance database)")
    args = parser.parse_args(argv)
    if min(args.articles, args.repeat) < 1:
        parser.error("--articles and --repeat must be at least 1")
    base = load_base(eval_path("news", "wikinews-cc-by", "wikinews_articles.jsonl"))
    if args.db_url:
        os.environ[pgtest.OWN_SERVER_ENV] = args.db_url
    info = machine()
    server = pgtest.start(durable=True)
    try:
        with tempfile.TemporaryDirectory(prefix="dateline-bench-pg-") as tmp:
            jsonl = Path(tmp) / "articles.jsonl"
            written = write_jsonl(expand(base, args.articles), jsonl)
            _, articles = timed_process(jsonl)
            times = {name: Timing() for name in _LABELS}
            one_repeat(articles[: len(base)], server, Path(tmp), {n: Timing() for n in _LABELS})
            for number in range(args.repeat):
                run = Path(tmp) / f"run{number}"
                run.mkdir()
                one_repeat(articles, server, run, times)
        version = server.url  # recorded below with the server's own version string
        with contextlib.closing(dateline.open_store(server.new_database("version"))) as store:
            row = store.db.execute("SHOW server_version").fetchone()
            version = str(row["server_version"]) if row else version
    finally:
        server.stop()
    modes = {name: mode(written, times[name]) for name in _LABELS}
    result = {
        "benchmark": "store_pg",
        "machine": {**info, "postgresql": version},
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "articles": written,
        "repeat": args.repeat,
        "durability": "PostgreSQL defaults (fsync, synchronous_commit on); SQLite WAL, NORMAL",
        "modes": modes,
        "ratios": ratios(modes),
    }
    print(markdown(result))
    print(f"\nwrote {write_results('store_pg.json', result)}")


if __name__ == "__main__":
    main()
