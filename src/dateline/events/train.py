"""Fit the learned layer and write it where the coder looks (``learned.model_path()``, in
the cache folder unless $DATELINE_EVENT_MODEL says otherwise): ``python -m dateline.events.train``.

Training data, read at training time and never copied: ../shared/eval/events
``plover_gsr/plover_gsr_v2.jsonl`` (322 sentences, ``event_v2`` → the type head) and
``conflibert_cameo_train/class_train.tsv`` (1,349 sentences, quad class → the quad head;
those the lexicon codes with the gold quad also → the type head, as silver examples).
The file holds numbers keyed by feature names that are base forms (at most a verb and one
argument head), labels or dependency paths (learned.py); features seen in fewer than two
training sentences are left out, so no rare word of the corpus is kept either.
Deterministic: full-batch training from zeros, no sampling.

The coder's override bars (``Thresholds``) are chosen here too, by cross-validation: each
candidate of ``GRID`` is scored with K models, each trained without one fold and run (the
real coder, main event per text) on that fold; the candidate with the best mean of GSR type
accuracy and ConfliBERT quad macro F1 is shipped. The bar for creating events from silence
is not tuned (see Thresholds). ``dateline eval events`` repeats the choice inside each of
its own folds (on one held-out fold of its training part), so its figures never see the chosen bar's data.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from dateline.events.coder import code_events, doc_features
from dateline.events.learned import (
    QUAD_LABELS,
    TYPE_LABELS,
    Thresholds,
    TypeModel,
    fit,
    model_path,
    model_to_json,
    silver,
)
from dateline.model import EntityMention, Event, TimeMention
from dateline.understand.entities import link_entities, load_kb
from dateline.understand.nlp import load_nlp

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "events"
PUBLISHED = "2000-01-01"  # the GSR's own convention for its dates

# the candidate bars: (ambiguous, sure, quad, sure_quad); 1.01 never fires. ``ambiguous``
# stays >= 0.6: lower bars scored the same in CV but let the sentence-level model relabel
# the main clause of two-trigger sentences ("If talks fail, the union would strike").
GRID = tuple(
    Thresholds(ambiguous=a, sure=s, quad=q, sure_quad=sq)
    for a, s, (q, sq) in product((0.6, 0.8), (0.5, 0.7, 1.01), ((0.5, 0.7), (0.6, 1.01), (0.6, 0.9)))
)  # fmt: skip


@dataclass
class Text:
    """One labelled text, parsed once: what the coder needs, and the model's features."""

    doc: Doc
    entities: list[EntityMention]
    times: list[TimeMention]
    features: list[str]


@dataclass
class Corpus:
    gsr: list[Text]
    types: list[str]  # PLOVER type per GSR text
    quads: list[Text]
    labels: list[int]  # quad class per ConfliBERT text
    lexicon: list[tuple[str, int] | None]  # the lexicon's main (type, quad) per ConfliBERT text


def main_event(text: Text, learned: TypeModel | bool) -> Event | None:
    """The text's main event (``Event.main``), as ``process`` would mark it."""
    events = code_events(text.doc, text.entities, [], text.times, [], PUBLISHED, learned=learned)
    return next((e for e in events if e.main), None)


def coded(event: Event | None) -> tuple[str, int] | None:
    return (event.type, event.cameo_quad) if event and event.cameo_quad is not None else None


def fit_model(corpus: Corpus, gsr: Sequence[int], quads: Sequence[int],
              thresholds: Thresholds | None = None) -> TypeModel:  # fmt: skip
    """Heads trained on the given GSR and ConfliBERT indices only (silver from those too)."""
    extra_x, extra_y = silver([corpus.quads[i].features for i in quads],
                              [corpus.lexicon[i] for i in quads],
                              [corpus.labels[i] for i in quads])  # fmt: skip
    type_head = fit([*(corpus.gsr[i].features for i in gsr), *extra_x],
                    [*(corpus.types[i] for i in gsr), *extra_y], TYPE_LABELS, balanced=True)  # fmt: skip
    quad_head = fit([corpus.quads[i].features for i in quads],
                    [str(corpus.labels[i]) for i in quads], QUAD_LABELS)  # fmt: skip
    return TypeModel(type_head, quad_head, thresholds or Thresholds())


def macro_f1(gold: Sequence[int], pred: Sequence[int | None]) -> tuple[float, dict[int, float]]:
    """Macro F1 over the five quad classes; a None prediction is a miss for its true class."""
    per = {}
    for cls in range(5):
        tp = sum(g == cls and p == cls for g, p in zip(gold, pred, strict=True))
        fp = sum(g != cls and p == cls for g, p in zip(gold, pred, strict=True))
        fn = sum(g == cls and p != cls for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[cls] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(per.values()) / 5, per


def fold_ids(texts: Sequence[str], folds: int, seed: int = 0) -> list[int]:
    """A fold per text from a seeded permutation of the distinct (normalised) texts."""
    keys = sorted({" ".join(t.lower().split()) for t in texts})
    order = np.random.default_rng(seed).permutation(len(keys))
    fold = {keys[j]: i % folds for i, j in enumerate(order)}
    return [fold[" ".join(t.lower().split())] for t in texts]


def _objective(corpus: Corpus, model: TypeModel, gsr: Sequence[int], quads: Sequence[int],
               grid: Sequence[Thresholds]) -> list[tuple[int, list[int | None]]]:  # fmt: skip
    """Per candidate: (GSR type hits, quad predictions) on the given texts."""
    out = []
    for bars in grid:
        m = replace(model, thresholds=bars)
        hits = sum(
            (e := main_event(corpus.gsr[i], m)) is not None and e.type == corpus.types[i]
            for i in gsr
        )
        preds = [(e.cameo_quad if (e := main_event(corpus.quads[i], m)) else None) for i in quads]
        out.append((hits, preds))
    return out


def choose(corpus: Corpus, gsr_folds: Sequence[int], quad_folds: Sequence[int],
           pool: Iterable[int], scored: Iterable[int] | None = None,
           grid: Sequence[Thresholds] = GRID) -> Thresholds:  # fmt: skip
    """The candidate with the best sum of GSR type accuracy and quad macro F1.

    Each fold k of ``scored`` (default: all of ``pool``) is coded by a model trained on the
    folds of ``pool`` other than k; texts of folds outside ``pool`` are never used. Plain
    K-fold CV when ``pool`` is every fold; a held-out fold when ``scored`` is one fold.
    """
    pool = list(pool)
    hits = [0] * len(grid)
    preds: list[list[int | None]] = [[] for _ in grid]
    gold: list[int] = []
    n_gsr = 0
    for k in pool if scored is None else list(scored):
        train_g = [i for i, f in enumerate(gsr_folds) if f in pool and f != k]
        train_q = [i for i, f in enumerate(quad_folds) if f in pool and f != k]
        test_g = [i for i, f in enumerate(gsr_folds) if f == k]
        test_q = [i for i, f in enumerate(quad_folds) if f == k]
        model = fit_model(corpus, train_g, train_q)
        for j, (h, p) in enumerate(_objective(corpus, model, test_g, test_q, grid)):
            hits[j] += h
            preds[j].extend(p)
        gold.extend(corpus.labels[i] for i in test_q)
        n_gsr += len(test_g)
    scores = [h / max(1, n_gsr) + macro_f1(gold, p)[0] for h, p in zip(hits, preds, strict=True)]
    return grid[int(np.argmax(scores))]


def read_gsr(path: Path) -> list[tuple[str, str]]:
    """(sentence, PLOVER type) pairs."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(r["text"], r["event_v2"]) for r in rows]


def read_quads(path: Path) -> list[tuple[str, int]]:
    """(sentence, quad class) pairs."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, _, label = line.rpartition("\t")
        if text and label.strip().isdigit():
            rows.append((text, int(label)))
    return rows


def parse(texts: Iterable[str], published: str = PUBLISHED) -> list[Text]:
    from dateline.understand.times import find_anchor, find_times

    kb = load_kb()
    texts = list(texts)
    return [Text(doc, link_entities(doc, kb), find_times(t, find_anchor(t, published)),
                 doc_features(doc))
            for t, doc in zip(texts, load_nlp().pipe(texts, batch_size=32), strict=True)]  # fmt: skip


def corpus_of(gsr: list[Text], types: list[str], quads: list[Text], labels: list[int]) -> Corpus:
    return Corpus(gsr, types, quads, labels, [coded(main_event(t, False)) for t in quads])


def train(data: Path, folds: int = 5) -> TypeModel:
    gsr_rows = read_gsr(data / "plover_gsr" / "plover_gsr_v2.jsonl")
    quad_rows = read_quads(data / "conflibert_cameo_train" / "class_train.tsv")
    corpus = corpus_of(parse(t for t, _ in gsr_rows), [y for _, y in gsr_rows],
                       parse(t for t, _ in quad_rows), [y for _, y in quad_rows])  # fmt: skip
    gsr_folds = fold_ids([t for t, _ in gsr_rows], folds)
    quad_folds = fold_ids([t for t, _ in quad_rows], folds)
    bars = choose(corpus, gsr_folds, quad_folds, pool=range(folds))
    return fit_model(corpus, range(len(gsr_rows)), range(len(quad_rows)), bars)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dateline.events.train")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="default: learned.model_path()")
    args = parser.parse_args(argv)
    if not (args.data / "plover_gsr").is_dir():
        print(f"event training data not found under {args.data}", file=sys.stderr)
        return 2
    model = train(args.data)
    text = json.dumps(model_to_json(model), separators=(",", ":"), sort_keys=True)
    args.out = args.out or model_path()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{args.out}: {len(model.type.index)} type features, "
          f"{len(model.quad.index)} quad features, {len(text) / 1e3:.0f} kB, {model.thresholds}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
