"""Score story clustering on ECB+ and copy detection on edited Wikinews articles.

Stories (default): the 982 ECB+ documents (../shared/eval/stories/ecbplus) go through
``dateline.process_many`` (clean + understand, so entities, places and times are set;
``--no-understand`` measures the text-only variant), then through one ``StoryClusterer``.
The gold clusters are the 86 sub-topics (seminal events): each topic pairs two similar
happenings (Tara Reid's and Lindsay Lohan's rehab), so they are hard negatives.

ECB+ has no publication dates, so there is no time decay and no true time order; the
documents go in doc-id order (topic, document number, ecb before ecbplus), which
interleaves a topic's two happenings. Single-pass clustering depends on the order; a
seeded random order is reported beside it. Scores: B-cubed and pairwise P/R/F1 against the
gold sub-topics. The threshold was tuned on ECB+ itself (there is no separate dev split):
the sensitivity table shows its neighbours, and a 2-fold run (threshold chosen on the odd
topics, scored on the even ones, and the reverse) shows what tuning on held-out topics gives.

Copies (``--copies``): every Wikinews article of ../shared/eval/news/wikinews-cc-by gets
edited copies built in memory (never written anywhere): truncated to the first 40–80 % of
its lines, wrapped in site boilerplate, lightly reworded (synonyms, number formats), each
with a different headline. Precision and recall are over pairs (same copy group or not);
every other article is a negative, and articles of the same sub-corpus (Airbus, Apple, GM,
stock market: same topic, often the same days) are the hard ones.

Run ``python -m dateline.evaluate.stories [--data DIR] [--limit N] [--no-understand]
[--copies]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dateline.model import Article, RawItem
from dateline.stories.clusters import StoryClusterer, Weights
from dateline.stories.copies import CopyDetector

EVAL = Path(__file__).resolve().parents[3].parent / "shared" / "eval"
DEFAULT_DATA = EVAL / "stories" / "ecbplus"
DEFAULT_NEWS = EVAL / "news" / "wikinews-cc-by" / "wikinews_articles.jsonl"
THRESHOLD = 0.25  # chosen on ECB+ (with understanding); see the sensitivity table
TEXT_ONLY_THRESHOLD = 0.25  # chosen on ECB+ with --no-understand
GRID = (0.15, 0.20, 0.225, 0.25, 0.275, 0.30, 0.35, 0.40, 0.45)
SEED = 13


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def row(self) -> str:
        return f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}"


def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> Scores:
    """B-cubed over the items in ``gold`` (each item's share of its clusters agreeing)."""
    items = list(gold)
    pred_size = Counter(predicted[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    both = Counter((predicted[i], gold[i]) for i in items)
    precision = sum(both[predicted[i], gold[i]] / pred_size[predicted[i]] for i in items)
    recall = sum(both[predicted[i], gold[i]] / gold_size[gold[i]] for i in items)
    return Scores(precision / len(items), recall / len(items))


def pairwise(predicted: dict[str, str], gold: dict[str, str]) -> Scores:
    """Precision and recall of the item pairs put together (counted, not enumerated)."""
    items = list(gold)

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    pred_pairs = pairs(Counter(predicted[i] for i in items).values())
    gold_pairs = pairs(Counter(gold[i] for i in items).values())
    shared = pairs(Counter((predicted[i], gold[i]) for i in items).values())
    return Scores(
        shared / pred_pairs if pred_pairs else 1.0, shared / gold_pairs if gold_pairs else 1.0
    )


# --- ECB+ -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    doc_id: str
    topic: int
    cluster: str
    article: Article


def _order_key(doc_id: str) -> tuple[int, int, str]:
    topic, rest = doc_id.split("_", 1)
    match = re.match(r"(\d+)(\D+)", rest)
    number, sub = (int(match.group(1)), match.group(2)) if match else (0, rest)
    return int(topic), number, sub


def _raw(record: dict[str, str]) -> RawItem:
    doc_id = record["doc_id"]
    return RawItem(source="ecbplus", position=doc_id, kind="text", text=record["text"],
                   url=record.get("url"), source_id=doc_id)  # fmt: skip


def load_docs(data: Path, limit: int | None, understand: bool) -> list[Doc]:
    """ECB+ records processed by dateline, in doc-id order."""
    from dateline.api import process_many  # the language model loads only when needed

    lines = (data / "ecbplus_docs.jsonl").read_text(encoding="utf-8").splitlines()
    records = sorted((json.loads(line) for line in lines if line.strip()),
                     key=lambda r: _order_key(r["doc_id"]))  # fmt: skip
    records = records[:limit] if limit else records
    items = [_raw(r) for r in records]
    docs = []
    for record, result in zip(records, process_many(items, understand=understand), strict=True):
        if isinstance(result, Article):
            result.doc = None  # the parse is not needed any more; it is large
            docs.append(Doc(record["doc_id"], int(record["topic"]), record["cluster"], result))
    return docs


def cluster(
    docs: Sequence[Doc], threshold: float, weights: Weights | None = None
) -> dict[str, str]:
    """doc id -> story id, one clusterer over the docs in the order given."""
    clusterer = StoryClusterer(threshold=threshold, weights=weights)
    return {doc.doc_id: clusterer.add(doc.article) for doc in docs}


def score(
    docs: Sequence[Doc], threshold: float, weights: Weights | None = None
) -> tuple[Scores, Scores, int]:
    predicted = cluster(docs, threshold, weights)
    gold = {doc.doc_id: doc.cluster for doc in docs}
    return bcubed(predicted, gold), pairwise(predicted, gold), len(set(predicted.values()))


def two_fold(
    docs: Sequence[Doc], grid: Sequence[float], weights: Weights | None = None
) -> list[str]:
    """Tune the threshold on odd topics and score on even ones, and the reverse; the last
    row is the mean of the two held-out scores (the estimate for an untuned corpus)."""
    rows, held_out = [], []
    for name, tune_odd in (("tune odd, score even", True), ("tune even, score odd", False)):
        tune = [d for d in docs if (d.topic % 2 == 1) == tune_odd]
        test = [d for d in docs if (d.topic % 2 == 1) != tune_odd]
        best = max(grid, key=lambda t: score(tune, t, weights)[0].f1)
        b3, pw, _ = score(test, best, weights)
        held_out.append((b3.f1, pw.f1))
        rows.append(f"  {name}: threshold {best:.3f} -> B3 {b3.row()} | pairwise F1 {pw.f1:.3f}")
    b3_mean = sum(b for b, _ in held_out) / len(held_out)
    pw_mean = sum(p for _, p in held_out) / len(held_out)
    rows.append(f"  held-out mean: B3 F1 {b3_mean:.3f} | pairwise F1 {pw_mean:.3f}")
    return rows


def evaluate(data: Path, limit: int | None = None, understand: bool = True,
             threshold: float | None = None) -> str:  # fmt: skip
    """The report for ECB+: scores, sensitivity table, random order, 2-fold."""
    started = time.perf_counter()
    docs = load_docs(data, limit, understand)
    processed = time.perf_counter() - started
    chosen = threshold or (THRESHOLD if understand else TEXT_ONLY_THRESHOLD)
    gold_clusters = len({d.cluster for d in docs})
    lines = [f"ECB+ stories: {len(docs)} documents, {gold_clusters} gold sub-topics, "
             f"understand={understand} (processing {processed:.0f} s)"]  # fmt: skip
    b3, pw, n = score(docs, chosen)
    lines += [f"threshold {chosen:.2f}, doc-id order: {n} stories",
              f"  B-cubed   {b3.row()}", f"  pairwise  {pw.row()}", "sensitivity (doc-id order):"]  # fmt: skip
    for t in GRID:
        b3t, pwt, nt = score(docs, t)
        lines.append(f"  t={t:.3f}  B3 F1 {b3t.f1:.3f}  pairwise F1 {pwt.f1:.3f}  stories {nt}")
    shuffled = list(docs)
    random.Random(SEED).shuffle(shuffled)
    b3r, pwr, nr = score(shuffled, chosen)
    lines.append(
        f"random order (seed {SEED}): B3 {b3r.row()} | pairwise F1 {pwr.f1:.3f} | {nr} stories"
    )
    lines.append("2-fold over topics (grid " + ", ".join(f"{t:g}" for t in GRID) + "):")
    lines += two_fold(docs, GRID)
    return "\n".join(lines)


# --- copies -------------------------------------------------------------------------------

JUNK_TOP = (
    "Skip to main content",
    "Home | World | Business | Tech | Sports | Opinion",
    "Breaking: sign up for alerts on your phone",
    "Advertisement",
    "Posted in World News on our community site",
)
JUNK_BOTTOM = (
    "Share this article on Facebook, Twitter and WhatsApp",
    "Related: more stories from our newsroom you may have missed",
    "Copyright 2024 Example Daily Media Group. All rights reserved.",
    "Comments are closed for this article.",
    "Subscribe to our free newsletter for the latest headlines every morning.",
)
SYNONYMS = {
    "said": "stated", "says": "states", "company": "firm", "announced": "revealed",
    "officials": "authorities", "government": "administration", "increase": "rise",
    "killed": "slain", "large": "big", "began": "started", "also": "additionally",
    "people": "persons", "however": "but", "expected": "anticipated", "shares": "stock",
    "percent": "per cent", "million": "mln", "reported": "stated", "because": "as",
}  # fmt: skip
HEADLINES = ("Report: {t}", "{t} (update)", "UPDATE 2-{t}", "What we know: {t}", "{t} — analysis")


@dataclass(frozen=True)
class CopyCase:
    doc_id: str
    source: int  # the Wikinews article it derives from (the gold group)
    collection: str
    title: str
    text: str
    published: str
    publisher: str


def _truncate(lines: list[str], rng: random.Random) -> list[str]:
    keep = max(2, round(len(lines) * rng.uniform(0.4, 0.8)))
    return lines[:keep]


def _wrap(lines: list[str], rng: random.Random) -> list[str]:
    return (
        rng.sample(JUNK_TOP, rng.randint(1, 3)) + lines + rng.sample(JUNK_BOTTOM, rng.randint(1, 3))
    )


def _reword(lines: list[str], rng: random.Random) -> list[str]:
    """A few synonym swaps and number reformattings, as a copy editor would make."""
    text = "\n".join(lines)
    words = [w for w in SYNONYMS if re.search(rf"\b{w}\b", text)]
    for word in rng.sample(words, min(len(words), rng.randint(2, 5))):
        text = re.sub(rf"\b{word}\b", SYNONYMS[word], text, count=2)
    text = re.sub(r"\b(\d)(\d{3})\b", r"\1,\2", text)  # 1500 -> 1,500
    text = re.sub(
        r"(\d+) per ?cent\b|(\d+)%", lambda m: f"{m.group(1) or m.group(2)} percent", text
    )
    return text.split("\n")


EDITS: dict[str, Callable[[list[str], random.Random], list[str]]] = {
    "truncated": _truncate,
    "wrapped": _wrap,
    "reworded": _reword,
    "truncated+wrapped": lambda ls, rng: _wrap(_truncate(ls, rng), rng),
    "reworded+wrapped": lambda ls, rng: _wrap(_reword(ls, rng), rng),
    "headline only": lambda ls, rng: list(ls),
}


def copy_cases(path: Path, limit: int | None = None, seed: int = SEED) -> list[CopyCase]:
    """Originals and their edited copies, in publication order (originals first on a day)."""
    rng = random.Random(seed)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    records = records[:limit] if limit else records
    cases = []
    for n, record in enumerate(records):
        lines = [line for line in record["text"].split("\n") if line.strip()]
        coll = str(record.get("collection") or record.get("source") or "")
        cases.append(CopyCase(f"{n}:original", n, coll, record["title"], "\n".join(lines),
                              record["date"], "Wikinews"))  # fmt: skip
        for k, (name, edit) in enumerate(EDITS.items()):
            title = rng.choice(HEADLINES).format(t=record["title"])
            cases.append(CopyCase(f"{n}:{name}", n, coll, title, "\n".join(edit(lines, rng)),
                                  f"{record['date']}T{10 + k:02d}:00", f"Outlet {k}"))  # fmt: skip
    return sorted(cases, key=lambda c: c.published)


def evaluate_copies(path: Path, limit: int | None = None) -> str:
    cases = copy_cases(path, limit)
    detector = CopyDetector()
    started = time.perf_counter()
    answers = {
        c.doc_id: detector.add(c.doc_id, c.text, c.published, c.publisher, None) for c in cases
    }
    seconds = time.perf_counter() - started
    group = {c.doc_id: detector.original_of(c.doc_id) or c.doc_id for c in cases}
    gold = {c.doc_id: str(c.source) for c in cases}
    pw = pairwise(group, gold)
    lines = [f"copies: {len(cases)} articles from {len(cases) // (len(EDITS) + 1)} Wikinews "
             f"articles, {len(EDITS)} edits each ({seconds:.2f} s)",
             f"  pairs     {pw.row()}"]  # fmt: skip
    for name in EDITS:
        found = sum(1 for c in cases if c.doc_id.endswith(":" + name)
                    and answers[c.doc_id] == f"{c.source}:original")  # fmt: skip
        total = sum(1 for c in cases if c.doc_id.endswith(":" + name))
        lines.append(f"  {name:<18} copy of its original: {found}/{total}")
    lines.append(_hard_negatives(cases, group))
    return "\n".join(lines)


def _hard_negatives(cases: Sequence[CopyCase], group: Mapping[str, str | None]) -> str:
    """False merges among different articles of the same sub-corpus (same topic)."""
    originals = [c for c in cases if c.doc_id.endswith(":original")]
    pairs = wrong = 0
    for i, a in enumerate(originals):
        for b in originals[i + 1 :]:
            if a.collection == b.collection:
                pairs += 1
                wrong += group[a.doc_id] == group[b.doc_id]
    return f"  same-topic different-article pairs merged: {wrong}/{pairs}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dateline.evaluate.stories", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="ECB+ dir, or the Wikinews JSONL with --copies"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    parser.add_argument(
        "--no-understand", action="store_true", help="text only: no entities, places, times"
    )
    parser.add_argument(
        "--threshold", type=float, default=None, help="story threshold (default: the tuned one)"
    )
    parser.add_argument(
        "--copies", action="store_true", help="copy detection on edited Wikinews articles"
    )
    args = parser.parse_args(argv)
    data = args.data or (DEFAULT_NEWS if args.copies else DEFAULT_DATA)
    if not data.exists():
        what = "Wikinews JSONL" if args.copies else "ECB+ directory (ecbplus_docs.jsonl)"
        print(f"error: evaluation data not found at {data}\nhint: pass --data PATH (the {what})",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.copies:
        print(evaluate_copies(data, args.limit))
    else:
        print(evaluate(data, args.limit, not args.no_understand, args.threshold))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
