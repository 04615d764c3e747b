"""Articles/s of copy detection plus story clustering over a generated stream.

The 163 Wikinews articles of ../shared/eval/news/wikinews-cc-by are expanded in memory to
``--articles`` articles (nothing is written but the result file). Each generated article
takes a base article and one edit:

- copies (about 70 %): truncated to 40–80 % of its lines, wrapped in site boilerplate,
  lightly reworded, or its lines rotated with a numbered sentence appended — the
  ``CopyDetector`` should group these, and they take the cheap path of the clusterer;
- mashups (about 30 %): sentences drawn from three articles of the same sub-corpus and
  shuffled — not a copy of anything, so they go through the full TF-IDF scoring.

Articles are built directly (title, text, publisher, published = base date + 0–3 days,
no entities, places or times): this measures the stories stage alone, on clean text, with
no language model. The stream is in publication order. Peak RSS (resource.getrusage) covers
the whole process, generated texts included.

    .venv/bin/python benchmarks/bench_stories.py [--articles 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
from collections import Counter
from datetime import date, timedelta
from time import perf_counter, process_time
from typing import Any

from common import eval_path, machine, rate, write_results

from dateline.evaluate.stories import JUNK_BOTTOM, JUNK_TOP, _reword
from dateline.model import Article
from dateline.stories import StoryClusterer


def _load() -> list[dict[str, Any]]:
    path = eval_path("news", "wikinews-cc-by", "wikinews_articles.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _copy(lines: list[str], rng: random.Random, n: int) -> list[str]:
    kind = rng.randrange(4)
    if kind == 0:
        return lines[: max(2, round(len(lines) * rng.uniform(0.4, 0.8)))]
    if kind == 1:
        return rng.sample(JUNK_TOP, 2) + lines + rng.sample(JUNK_BOTTOM, 2)
    if kind == 2:
        return _reword(lines, rng)
    cut = rng.randrange(len(lines))
    return [*lines[cut:], *lines[:cut], f"This is copy number {n} of the report."]


def _mashup(bases: list[list[str]], rng: random.Random) -> list[str]:
    lines = [line for base in bases for line in rng.sample(base, max(1, len(base) // 3))]
    rng.shuffle(lines)
    return lines


def generate(
    records: list[dict[str, Any]], count: int, seed: int
) -> tuple[list[Article], Counter[str]]:
    rng = random.Random(seed)
    texts = [[ln for ln in r["text"].split("\n") if ln.strip()] for r in records]
    by_collection: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by_collection.setdefault(str(r.get("collection")), []).append(i)
    kinds: Counter[str] = Counter()
    articles = []
    for n in range(count):
        i = rng.randrange(len(records))
        if rng.random() < 0.3:
            group = by_collection[str(records[i].get("collection"))]
            lines = _mashup([texts[j] for j in rng.sample(group, min(3, len(group)))], rng)
            kinds["mashup"] += 1
        else:
            lines = _copy(texts[i], rng, n)
            kinds["copy"] += 1
        day = date.fromisoformat(records[i]["date"]) + timedelta(days=rng.randrange(4))
        articles.append(Article(id=f"g{n}", title=f"{records[i]['title']} ({n})",
                                text="\n".join(lines), published=day.isoformat(),
                                publisher=f"Outlet {n % 50}"))  # fmt: skip
    articles.sort(key=lambda a: a.published or "")
    return articles, kinds


def run(count: int, seed: int) -> dict[str, Any]:
    articles, kinds = generate(_load(), count, seed)
    clusterer = StoryClusterer()
    started, cpu_started = perf_counter(), process_time()
    copies = 0
    for article in articles:
        clusterer.add(article)
        copies += clusterer.copies.original_of(article.id) != article.id
    seconds = perf_counter() - started
    cpu_seconds = process_time() - cpu_started  # the machine is shared: CPU time too
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "articles": count,
        "generated": dict(kinds),
        "seconds": round(seconds, 2),
        "articles_per_s": rate(count, seconds),
        "cpu_seconds": round(cpu_seconds, 2),
        "articles_per_cpu_s": rate(count, cpu_seconds),
        "found_as_copies": copies,
        "stories": len(clusterer.stories()),
        "peak_rss_mb": round(peak_kib / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = run(args.articles, args.seed)
    print(json.dumps(result, indent=2))
    write_results("stories.json", {"machine": machine(), "result": result})


if __name__ == "__main__":
    main()
