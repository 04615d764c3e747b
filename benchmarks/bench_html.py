"""HTML pages/s: dateline's clean pipeline against trafilatura alone, same pages.

The pages are every HTML response record in the WARC/ARC files of ../shared/eval/warc,
read once with dateline's WARC reader (reading is not timed). Four sides run on them:

- ``dateline``: ``process_many(pages, understand=False)``, the criterion's side: the
  reference only extracts, so dateline stops after cleaning too;
- ``trafilatura``: the reference ``trafilatura.bare_extraction`` call;
- ``trafilatura_no_tables``: that call with the one option dateline sets differently
  (``include_tables=False``), which isolates the cost of dateline's own stages;
- ``dateline_understand``: ``process_many(pages)`` with the default understand stages
  (spaCy parse, entities, places, times), for information; it takes part in the first
  ``--understand-rounds`` rounds only (default: every round; it costs little here, as
  most pages are not English and are not parsed).

All are warmed up, then timed in rotating order in this one process, so the ratios
compare like with like on the same machine state.

    .venv/bin/python benchmarks/bench_html.py [--rounds 5] [--understand-rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import trafilatura
from common import Clock, eval_path, machine, rate, stage_seconds, stage_shares, write_results
from lxml import etree
from trafilatura.meta import reset_caches

import dateline
from dateline.model import Article, RawItem
from dateline.sources.warc import read_warc

# .wat/.wet files are WARC too but hold metadata and plain text, never HTML responses.
_ARCHIVE = re.compile(r"\.(?:warc|arc)(?:\.gz)?$")
Runner = Callable[[Sequence[RawItem]], int]
_LABELS = {
    "dateline": "dateline `process_many(understand=False)`",
    "trafilatura": "trafilatura `bare_extraction` (reference)",
    "trafilatura_no_tables": "trafilatura, dateline's options (`include_tables=False`)",
    "dateline_understand": "dateline `process_many` with understanding (default)",
}


def collect_pages(warc_dir: Path) -> list[RawItem]:
    """Every archived HTML page dateline's reader yields; rejected records are left out."""
    pages: list[RawItem] = []
    for path in sorted(p for p in warc_dir.rglob("*") if _ARCHIVE.search(p.name)):
        # warcio writes warnings about the deliberately malformed test files to stderr;
        # they say nothing about speed and would bury the results.
        with path.open("rb") as stream, contextlib.redirect_stderr(io.StringIO()):
            for item in read_warc(str(path), stream):
                if isinstance(item, RawItem) and item.html:
                    pages.append(item)
    return pages


def run_trafilatura(pages: Sequence[RawItem], include_tables: bool = True) -> int:
    """The reference: what a user calls to get text and metadata. Returns pages with text."""
    produced = 0
    for page in pages:
        try:
            doc = trafilatura.bare_extraction(
                page.html,
                url=page.url,
                with_metadata=True,
                include_comments=False,
                include_tables=include_tables,
            )
        except (ValueError, etree.LxmlError):  # the same errors dateline turns into rejects
            continue
        text = doc.get("text") if isinstance(doc, dict) else doc.text if doc else None
        produced += bool(text)
    return produced


def run_trafilatura_no_tables(pages: Sequence[RawItem]) -> int:
    """trafilatura as dateline calls it (tables left out): separates the cost of the
    rest of the pipeline from the saving of that one option."""
    return run_trafilatura(pages, include_tables=False)


def run_dateline(pages: Sequence[RawItem]) -> int:
    """The whole clean pipeline, no understanding. Returns articles (the rest are rejects)."""
    results = dateline.process_many(pages, understand=False)
    return sum(isinstance(result, Article) for result in results)


def run_dateline_understand(pages: Sequence[RawItem]) -> int:
    """The default pipeline: cleaning, then parse, entities, places and times."""
    return sum(isinstance(result, Article) for result in dateline.process_many(pages))


def english_pages(pages: Sequence[RawItem]) -> int:
    """Pages whose article the understand stages parse (English, or no language found)."""
    results = dateline.process_many(pages, understand=False)
    return sum(
        isinstance(r, Article) and r.language in ("en", None) and bool(r.text.strip())
        for r in results
    )


def time_pass(runner: Runner, pages: Sequence[RawItem]) -> tuple[Clock, int]:
    """The time of one pass, and how many pages gave text."""
    # trafilatura and htmldate memoise per line and per date string; the same pages come
    # round again, so whichever side ran second would find the other's work cached.
    reset_caches()
    with Clock() as clock:
        produced = runner(pages)
    return clock, produced


def measure(
    pages: Sequence[RawItem], rounds: int, understand_rounds: int
) -> dict[str, dict[str, Any]]:
    runners: dict[str, Runner] = {
        "dateline": run_dateline,
        "trafilatura": run_trafilatura,
        "trafilatura_no_tables": run_trafilatura_no_tables,
        "dateline_understand": run_dateline_understand,
    }
    for runner in runners.values():  # warm-up: imports, language models, lxml parsers
        runner(pages)
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    produced: dict[str, int] = {}
    for number in range(max(rounds, understand_rounds)):
        # rotate who goes first so drift (CPU clock, memory) falls on every side
        names = [
            name
            for name in runners
            if number < (understand_rounds if name == "dateline_understand" else rounds)
        ]
        order = names[number % len(names) :] + names[: number % len(names)]
        for name in order:
            clock, produced[name] = time_pass(runners[name], pages)
            seconds[name].append(clock.wall)
            cpu[name].append(clock.cpu)
    return {
        name: summarise(seconds[name], cpu[name], len(pages), produced[name]) for name in runners
    }


def summarise(seconds: list[float], cpu: list[float], pages: int, produced: int) -> dict[str, Any]:
    per_round = [rate(pages, s) for s in seconds]
    return {
        "pages": pages * len(seconds),
        "seconds": sum(seconds),
        "pages_per_s": rate(pages * len(seconds), sum(seconds)),
        "cpu_seconds": sum(cpu),
        "pages_per_cpu_s": rate(pages * len(cpu), sum(cpu)),
        "round_pages_per_s_min": min(per_round),
        "round_pages_per_s_max": max(per_round),
        "produced_text": produced,
        "seconds_each": seconds,
    }


def _ratio(
    sides: dict[str, dict[str, Any]],
    reference: str,
    key: str = "pages_per_s",
    side: str = "dateline",
) -> float:
    return float(sides[side][key] / sides[reference][key])


def markdown(result: dict[str, Any]) -> str:
    sides, pages = result["sides"], result["distinct_pages"]
    lines = [
        "| side | pages | seconds | pages/s | per-round pages/s | CPU s | pages/CPU s"
        " | pages with text |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in _LABELS.items():
        side = sides[name]
        lines.append(
            f"| {label} | {side['pages']} | {side['seconds']:.2f} | {side['pages_per_s']:.1f}"
            f" | {side['round_pages_per_s_min']:.1f}–{side['round_pages_per_s_max']:.1f}"
            f" | {side['cpu_seconds']:.2f} | {side['pages_per_cpu_s']:.1f}"
            f" | {side['produced_text']}/{pages} |"
        )
    lines.append(
        f"\nratio dateline (understand=False)/trafilatura (pages/s): **{result['ratio']:.3f}**"
        f" (by CPU time: {result['ratio_cpu']:.3f})"
    )
    lines.append(
        "ratio dateline/trafilatura with dateline's options (pipeline overhead):"
        f" {result['ratio_same_options']:.3f} (by CPU time: {result['ratio_same_options_cpu']:.3f})"
    )
    lines.append(
        "ratio dateline with understanding/trafilatura:"
        f" {result['ratio_understand']:.3f} (by CPU time: {result['ratio_understand_cpu']:.3f})"
    )
    lines.append(f"English pages (the only ones parsed): {result['english_pages']}")
    lines.append(stage_shares(result["stage_seconds"]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed passes per side")
    parser.add_argument(
        "--understand-rounds", type=int, help="timed passes with understanding (default: --rounds)"
    )
    args = parser.parse_args(argv)
    if args.understand_rounds is None:
        args.understand_rounds = args.rounds
    if args.rounds < 1 or args.understand_rounds < 1:
        parser.error("--rounds and --understand-rounds must be at least 1")
    pages = collect_pages(eval_path("warc"))
    if not pages:
        raise SystemExit("no HTML pages found in the WARC files")
    info = machine()  # before measuring: the load average at the start
    sides = measure(pages, args.rounds, args.understand_rounds)
    result = {
        "benchmark": "html",
        "machine": info,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "rounds": args.rounds,
        "understand_rounds": args.understand_rounds,
        "distinct_pages": len(pages),
        "html_million_chars": round(sum(len(p.html or "") for p in pages) / 1e6, 3),
        "reference": "trafilatura.bare_extraction(html, url=url, with_metadata=True,"
        " include_comments=False)",
        "labels": _LABELS,
        "sides": sides,
        "ratio": _ratio(sides, "trafilatura"),
        "ratio_same_options": _ratio(sides, "trafilatura_no_tables"),
        "ratio_cpu": _ratio(sides, "trafilatura", "pages_per_cpu_s"),
        "ratio_same_options_cpu": _ratio(sides, "trafilatura_no_tables", "pages_per_cpu_s"),
        "ratio_understand": _ratio(sides, "trafilatura", side="dateline_understand"),
        "ratio_understand_cpu": _ratio(
            sides, "trafilatura", "pages_per_cpu_s", side="dateline_understand"
        ),
        "english_pages": english_pages(pages),
        # one extra pass with every stage (understanding included) timed alone
        "stage_seconds": stage_seconds(pages, understand=True),
    }
    print(markdown(result))
    print(f"\nwrote {write_results('html.json', result)}")


if __name__ == "__main__":
    main()
