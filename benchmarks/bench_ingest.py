"""Articles/s of ingest into SQLite, next to a bare sqlite3 INSERT as the floor.

The 163 Wikinews articles of ../shared/eval/news/wikinews-cc-by are expanded in memory to
``--articles`` distinct articles (body lines rotated, a sentence with the copy number
appended, so every id differs) and written as dateline JSONL to a temporary directory.
One run then measures, ``--repeat`` times (the median is reported), each mode on a
fresh database in that directory. Modes (a) to (d) run with ``understand=False``: they
measure reading, cleaning and storing, not the language model.

  (a) end to end: ``open_store(db).ingest_inputs([jsonl], understand=False)``
  (b) store only: ``store.ingest(articles)`` on articles processed beforehand
  (c) the floor: sqlite3 ``executemany`` of the same (id, title, text) rows into a plain
      table with an FTS5 index, WAL mode
  (d) re-ingest: (a) again on its database, every article a duplicate
  (e) end to end with understanding (the default pipeline: spaCy parse, entities, places,
      times) on the first ``--understand-articles`` of the expanded articles

    .venv/bin/python benchmarks/bench_ingest.py [--articles 5000] [--repeat 3]
        [--understand-articles 300]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from common import Clock, eval_path, machine, rate, stage_seconds, stage_shares, write_results

import dateline
from dateline.model import Article, RawItem
from dateline.sources.reader import read_inputs
from dateline.store.sqlite import IngestSummary

# The floor mirrors what dateline's schema must do at least: a keyed row and its FTS5
# entry (same tokenizer, same pragmas), and nothing else.
_FLOOR_SCHEMA = """
CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT, text TEXT NOT NULL);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
"""
_LABELS = {
    "a_end_to_end": "(a) `ingest_inputs` end to end (read + clean + store)",
    "process_only": "read + clean only (`process_inputs`), for the split",
    "b_store_only": "(b) `store.ingest(articles)` only",
    "c_sqlite_floor": "(c) bare sqlite3 `executemany` + FTS5, WAL (floor)",
    "d_reingest_duplicates": "(d) re-ingest, all duplicates",
    "e_understand": "(e) `ingest_inputs` end to end with understanding",
}
_UNDERSTAND = {"e_understand"}  # the only mode that runs the understand stages


def load_base(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def expand(base: Sequence[dict[str, Any]], count: int) -> Iterator[dict[str, Any]]:
    """``count`` dateline JSONL records; copy 0 of each article is the original."""
    for number in range(count):
        record, copy = base[number % len(base)], number // len(base)
        yield {
            "id": f"{record['id']}~{copy}",
            "url": f"{record['url']}#copy-{copy}" if copy else record["url"],
            "title": record["title"],
            "text": _edit(record["text"], copy),
            "published": record["date"],  # the corpus says "date"; dateline reads "published"
        }


def _edit(text: str, copy: int) -> str:
    """Rotate the body lines and name the copy; the first line (the Wikinews dateline) stays
    first, so the cleaning rules see the article as it was written."""
    if copy == 0:
        return text
    head, *body = text.split("\n")
    shift = copy % len(body) if body else 0
    body = body[shift:] + body[:shift]
    return "\n".join([head, *body, f"This is copy number {copy} of this article."])


def write_jsonl(records: Iterator[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def timed_ingest(db: Path, jsonl: Path, understand: bool = False) -> tuple[Clock, IngestSummary]:
    with dateline.open_store(db) as store, Clock() as clock:
        summary = store.ingest_inputs([str(jsonl)], understand=understand)
    return clock, summary


def timed_process(jsonl: Path) -> tuple[Clock, list[Article]]:
    with Clock() as clock:
        results = list(dateline.process_inputs([str(jsonl)], understand=False))
    articles = [r for r in results if isinstance(r, Article)]
    if len(articles) != len(results):
        raise SystemExit(f"{len(results) - len(articles)} records were rejected; expected none")
    return clock, articles


def timed_store(db: Path, articles: list[Article]) -> tuple[Clock, IngestSummary]:
    # the store is opened (and its schema created) before the clock starts
    with contextlib.closing(dateline.open_store(db)) as store, Clock() as clock:
        summary = store.ingest(articles)
    return clock, summary


def timed_floor(db: Path, articles: list[Article]) -> Clock:
    rows = [(a.id, a.title, a.text) for a in articles]
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # as dateline's store sets it
        connection.executescript(_FLOOR_SCHEMA)
        with Clock() as clock:
            connection.execute("BEGIN")
            connection.executemany("INSERT INTO articles (id, title, text) VALUES (?,?,?)", rows)
            connection.execute("COMMIT")
    return clock


def mode(
    count: int, words: int, clocks: list[Clock], summary: IngestSummary | None = None
) -> dict[str, Any]:
    """The median of the repeats is the number; the range shows the spread."""
    seconds = [clock.wall for clock in clocks]
    rates = [rate(count, s) for s in seconds]
    cpu = statistics.median(clock.cpu for clock in clocks)
    result: dict[str, Any] = {
        "articles": count,
        "seconds": statistics.median(seconds),
        "articles_per_s": rate(count, statistics.median(seconds)),
        "words": words,
        "words_per_s": rate(words, statistics.median(seconds)),
        "articles_per_s_min": min(rates),
        "articles_per_s_max": max(rates),
        "seconds_each": seconds,
        "cpu_seconds": cpu,
        "articles_per_cpu_s": rate(count, cpu),
    }
    if summary is not None:
        result["summary"] = summary.to_json()
    return result


def warm_up(base: Sequence[dict[str, Any]], tmp: Path) -> None:
    """Load the language models, the gazetteer and fill import caches before timing."""
    jsonl = tmp / "warmup.jsonl"
    write_jsonl(expand(base, len(base)), jsonl)
    timed_ingest(tmp / "warmup.db", jsonl)
    write_jsonl(expand(base, 32), jsonl)  # one chunk: loads spaCy, knowledge base, gazetteer
    timed_ingest(tmp / "warmup-understand.db", jsonl, understand=True)


def clean_words(jsonl: Path) -> int:
    """Whitespace tokens of the clean texts (the words the language model reads)."""
    results = dateline.process_inputs([str(jsonl)], understand=False)
    return sum(len(r.text.split()) for r in results if isinstance(r, Article))


def one_repeat(
    jsonl: Path, small: Path, run: Path
) -> dict[str, tuple[Clock, IngestSummary | None]]:
    """Every mode once, each on a fresh database in ``run``."""
    times: dict[str, tuple[Clock, IngestSummary | None]] = {}
    times["a_end_to_end"] = timed_ingest(run / "a.db", jsonl)
    times["d_reingest_duplicates"] = timed_ingest(run / "a.db", jsonl)
    clock, articles = timed_process(jsonl)
    times["process_only"] = (clock, None)
    times["b_store_only"] = timed_store(run / "b.db", articles)
    times["c_sqlite_floor"] = (timed_floor(run / "c.db", articles), None)
    times["e_understand"] = timed_ingest(run / "e.db", small, understand=True)
    return times


def measure(
    base: Sequence[dict[str, Any]], count: int, small_count: int, repeat: int, tmp: Path
) -> dict[str, Any]:
    jsonl, small = tmp / "articles.jsonl", tmp / "understand.jsonl"
    written = write_jsonl(expand(base, count), jsonl)
    small_written = write_jsonl(expand(base, small_count), small)
    words, small_words = clean_words(jsonl), clean_words(small)
    warm_up(base, tmp)
    clocks: dict[str, list[Clock]] = {name: [] for name in _LABELS}
    summaries: dict[str, IngestSummary | None] = {}
    for number in range(repeat):
        run = tmp / f"run{number}"
        run.mkdir()
        for name, (clock, summary) in one_repeat(jsonl, small, run).items():
            clocks[name].append(clock)
            summaries[name] = summary
        shutil.rmtree(run)  # keeps the disk (and its cache) in the same state for each repeat
    modes = {
        name: mode(
            small_written if name in _UNDERSTAND else written,
            small_words if name in _UNDERSTAND else words,
            clocks[name],
            summaries[name],
        )
        for name in _LABELS
    }
    items = [item for item in read_inputs([str(jsonl)]) if isinstance(item, RawItem)]
    return {
        "jsonl_mb": round(jsonl.stat().st_size / 1e6, 3),
        "understand_articles": small_written,
        "modes": modes,
        "stage_seconds": stage_seconds(items),
    }


def ratios(modes: dict[str, dict[str, Any]]) -> dict[str, float]:
    def per_s(name: str) -> float:
        return float(modes[name]["articles_per_s"])

    def per_cpu_s(name: str) -> float:
        return float(modes[name]["articles_per_cpu_s"])

    return {
        "b_store_over_c_floor": per_s("b_store_only") / per_s("c_sqlite_floor"),
        "b_store_over_c_floor_cpu": per_cpu_s("b_store_only") / per_cpu_s("c_sqlite_floor"),
        "a_end_to_end_over_c_floor": per_s("a_end_to_end") / per_s("c_sqlite_floor"),
        "a_end_to_end_over_b_store": per_s("a_end_to_end") / per_s("b_store_only"),
        "e_understand_over_a_end_to_end": per_s("e_understand") / per_s("a_end_to_end"),
    }


def _n(value: float) -> str:
    """A rate with a decimal when it is small (mode (e) runs at tens of articles/s)."""
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def markdown(result: dict[str, Any]) -> str:
    modes = result["modes"]
    lines = [
        "| mode | articles | median seconds | articles/s | range articles/s | CPU s"
        " | articles/CPU s | words/s | stored / duplicate |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, label in _LABELS.items():
        data = modes[name]
        counts = data.get("summary")
        stored = f"{counts['stored']} / {counts['duplicate']}" if counts else ""
        lines.append(
            f"| {label} | {data['articles']} | {data['seconds']:.2f}"
            f" | {_n(data['articles_per_s'])}"
            f" | {_n(data['articles_per_s_min'])}–{_n(data['articles_per_s_max'])}"
            f" | {data['cpu_seconds']:.2f} | {_n(data['articles_per_cpu_s'])}"
            f" | {data['words_per_s']:,.0f} | {stored} |"
        )
    for name, expected in (("a_end_to_end", "articles"), ("e_understand", "understand_articles")):
        stored = modes[name]["summary"]["stored"]
        if stored != result[expected]:  # the expansion must give every copy its own id
            lines.append(f"\nWARNING: only {stored} of {result[expected]} articles were distinct")
    r = result["ratios"]
    lines.append(
        f"\nratio (b)/(c) store only / sqlite floor: **{r['b_store_over_c_floor']:.3f}**"
        f" (by CPU time: {r['b_store_over_c_floor_cpu']:.3f})"
    )
    lines.append(f"ratio (a)/(c) end to end / sqlite floor: {r['a_end_to_end_over_c_floor']:.4f}")
    lines.append(
        f"ratio (e)/(a) with / without understanding: {r['e_understand_over_a_end_to_end']:.4f}"
    )
    lines.append("clean stages only: " + stage_shares(result["stage_seconds"]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="distinct articles to ingest")
    parser.add_argument("--repeat", type=int, default=3, help="runs of every mode; median kept")
    parser.add_argument(
        "--understand-articles", type=int, default=300, help="articles for mode (e)"
    )
    args = parser.parse_args(argv)
    if min(args.articles, args.repeat, args.understand_articles) < 1:
        parser.error("--articles, --repeat and --understand-articles must be at least 1")
    base = load_base(eval_path("news", "wikinews-cc-by", "wikinews_articles.jsonl"))
    info = machine()  # before measuring: the load average at the start
    # the expanded corpus and the databases live in a temporary directory, never the repo
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as tmp:
        measured = measure(base, args.articles, args.understand_articles, args.repeat, Path(tmp))
    result = {
        "benchmark": "ingest",
        "machine": info,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "base_articles": len(base),
        "articles": args.articles,
        "repeat": args.repeat,
        **measured,
        "ratios": ratios(measured["modes"]),
    }
    print(markdown(result))
    print(f"\nwrote {write_results('ingest.json', result)}")


if __name__ == "__main__":
    main()
