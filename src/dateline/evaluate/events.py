"""Score the event coder on the PLOVER gold-standard records and ConfliBERT's CAMEO classes.

Data (read from ``../shared/eval/events``, never copied):

- ``plover_gsr/plover_gsr_v2.jsonl``: 322 sentences, one gold event each (``event_v2``,
  mode, actor[]/recipient[] with ISO-3166 alpha-3 or IGO codes and sectors);
- ``conflibert_cameo_train/class_train.tsv``: 1,349 sentences with a CAMEO quad class 0-4.

What is scored:

- the system's event for a sentence is its first asserted event, else its first event of
  any auxiliary mode (the GSR codes reported threats and promises as events); a sentence
  with no event counts as wrong;
- type accuracy: that event's PLOVER type equals ``event_v2``;
- mode accuracy: over sentences whose gold has a mode (v0.5 names mapped to v2, below);
- actor / recipient match, over sentences whose gold names at least one actor (recipient)
  with a code: *code* match when some system participant's code (ISO alpha-3 from its
  country, or IGO for an IGO-sector organisation) is a gold code; *code+sector* match when
  some system participant equals some gold (code, sector) whose sector is given;
- quad macro F1 over the five classes; a sentence with no event is a miss for its true
  class (it predicts no class). The same with "no event → 0 (statement)" is shown too,
  since CAMEO's 01 "make statement" has no PLOVER type.

The learned layer (events/learned.py) is scored only cross-validated: ``--cv K`` folds (a
fixed seeded permutation; identical sentences share a fold). GSR fold k is coded with a type
head trained on the other GSR folds (+ all silver ConfliBERT sentences, see learned.py) and
the quad head trained on all ConfliBERT sentences (they carry no PLOVER type); ConfliBERT
fold k with a quad head trained on its other folds and a type head trained on all the GSR
+ the silver sentences of the other folds. The coder then runs with that model exactly as
``process`` runs with the shipped one, so the "+ learned (CV)" column is the shipped policy
on sentences whose labels its model never saw. The shipped model (data/type_model.json,
trained on everything) is only timed here, never scored: its accuracy would be in-sample.

Run ``python -m dateline.evaluate.events [--data DIR] [--limit N] [--cv 5]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pycountry
from spacy.tokens import Doc

from dateline.events import code_events
from dateline.events.coder import doc_features
from dateline.events.learned import QUAD_LABELS, TYPE_LABELS, TypeModel, fit, silver
from dateline.model import EntityMention, Event, Participant, TimeMention
from dateline.understand.entities import link_entities, load_kb
from dateline.understand.nlp import load_nlp
from dateline.understand.times import find_anchor, find_times

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "events"
PUBLISHED = "2000-01-01"  # the GSR's own convention for its dates
BATCH = 32

# PLOVER v0.5 mode names in the GSR -> v2 mode names (the codebook's)
V05_MODES = {"strike-hun": "hunger", "riot-spon": "riot", "demo-org": "demo", "demo-spon": "demo",
             "strike-gen": "strike", "host": "visit", "confiscate": "seize", "detain": "arrest",
             "martial-law": "curfew"}  # fmt: skip


@dataclass
class Parsed:
    text: str
    doc: Doc
    entities: list[EntityMention]
    times: list[TimeMention]


def parse_texts(texts: list[str]) -> list[Parsed]:
    nlp, kb = load_nlp(), load_kb()
    return [Parsed(text, doc, link_entities(doc, kb), find_times(text, find_anchor(text, PUBLISHED)))
            for text, doc in zip(texts, nlp.pipe(texts, batch_size=BATCH), strict=True)]  # fmt: skip


def first_events(
    parsed: list[Parsed], learned: TypeModel | bool
) -> tuple[list[Event | None], float]:
    """Each text's first event (asserted first) and the seconds ``code_events`` took."""
    out: list[Event | None] = []
    seconds = 0.0
    for p in parsed:
        start = time.perf_counter()
        events = code_events(p.doc, p.entities, [], p.times, [], PUBLISHED, learned=learned)
        seconds += time.perf_counter() - start
        out.append(events[0] if events else None)
    return out, seconds


def fold_ids(texts: list[str], folds: int, seed: int = 0) -> list[int]:
    """A fold per text from a seeded permutation of the distinct (normalised) texts."""
    keys = sorted({" ".join(t.lower().split()) for t in texts})
    order = np.random.default_rng(seed).permutation(len(keys))
    fold = {keys[j]: i % folds for i, j in enumerate(order)}
    return [fold[" ".join(t.lower().split())] for t in texts]


def _coded(events: list[Event | None]) -> list[tuple[str, int] | None]:
    return [(e.type, e.cameo_quad) if e and e.cameo_quad is not None else None for e in events]


def cross_validate(gsr: list[Parsed], types: list[str], quads: list[Parsed], labels: list[int],
                   quad_lex: list[Event | None], folds: int
                   ) -> tuple[list[Event | None], list[Event | None]]:  # fmt: skip
    """The coder's first events with the learned layer, each fold's model blind to its labels.

    The type head also learns from "silver" ConfliBERT sentences (lexicon type confirmed by
    the gold quad, learned.silver): for a ConfliBERT fold only those of the other folds.
    """
    gsr_x = [doc_features(p.doc) for p in gsr]
    quad_x = [doc_features(p.doc) for p in quads]
    quad_y = [str(y) for y in labels]
    coded = _coded(quad_lex)
    silver_x, silver_y = silver(quad_x, coded, labels)
    quad_all = fit(quad_x, quad_y, QUAD_LABELS)
    gsr_out: list[Event | None] = [None] * len(gsr)
    quad_out: list[Event | None] = [None] * len(quads)
    gsr_ids = fold_ids([p.text for p in gsr], folds)
    quad_ids = fold_ids([p.text for p in quads], folds)
    for k in range(folds):
        train = [i for i, f in enumerate(gsr_ids) if f != k]
        type_head = fit([*(gsr_x[i] for i in train), *silver_x],
                        [*(types[i] for i in train), *silver_y], TYPE_LABELS)  # fmt: skip
        test = [i for i, f in enumerate(gsr_ids) if f == k]
        events, _ = first_events([gsr[i] for i in test], TypeModel(type_head, quad_all))
        for i, event in zip(test, events, strict=True):
            gsr_out[i] = event
    for k in range(folds):
        train = [i for i, f in enumerate(quad_ids) if f != k]
        quad_head = fit([quad_x[i] for i in train], [quad_y[i] for i in train], QUAD_LABELS)
        extra_x, extra_y = silver([quad_x[i] for i in train], [coded[i] for i in train],
                                  [labels[i] for i in train])  # fmt: skip
        type_head = fit([*gsr_x, *extra_x], [*types, *extra_y], TYPE_LABELS)
        test = [i for i, f in enumerate(quad_ids) if f == k]
        events, _ = first_events([quads[i] for i in test], TypeModel(type_head, quad_head))
        for i, event in zip(test, events, strict=True):
            quad_out[i] = event
    return gsr_out, quad_out


def alpha3(p: Participant) -> str | None:
    if p.sector == "IGO":
        return "IGO"
    if p.country:
        found = pycountry.countries.get(alpha_2=p.country)
        return found.alpha_3 if found is not None else None
    return None


def _match(system: list[Participant], gold: list[dict[str, Any]]) -> tuple[bool, bool | None]:
    codes = {alpha3(p) for p in system} - {None}
    pairs = {(alpha3(p), p.sector) for p in system}
    gold_pairs = {(g["code"], (g["sector"] or "")[:3]) for g in gold if g.get("sector")}
    code_hit = bool(codes & {g["code"] for g in gold})
    return code_hit, (bool(pairs & gold_pairs) if gold_pairs else None)


def _ratio(hits: Iterable[bool | None]) -> tuple[float, int]:
    values = [h for h in hits if h is not None]
    return (sum(values) / len(values) if values else 0.0), len(values)


def score_gsr(records: list[dict[str, Any]], coded: list[Event | None]) -> dict[str, Any]:
    types = [e.type if e else None for e in coded]
    gold = [r["event_v2"] for r in records]
    modes = []
    for rec, e in zip(records, coded, strict=True):
        g = rec.get("mode_v2_hint") or rec.get("mode_v05")
        if g:
            modes.append(e is not None and e.mode == V05_MODES.get(g, g))
    actor = [_match(e.actors if e else [], r["actor"]) for r, e in zip(records, coded, strict=True) if any(a.get("code") for a in r["actor"])]  # fmt: skip
    recip = [_match(e.recipients if e else [], r["recipient"]) for r, e in zip(records, coded, strict=True) if any(a.get("code") for a in r["recipient"] if isinstance(a, dict))]  # fmt: skip
    confusion: Counter[tuple[str, str]] = Counter(
        (g, t or "-") for g, t in zip(gold, types, strict=True) if g != t
    )
    return {
        "n": len(records),
        "type_acc": sum(g == t for g, t in zip(gold, types, strict=True)) / max(1, len(records)),
        "no_event": sum(t is None for t in types),
        "mode_acc": _ratio(modes),
        "actor_code": _ratio(a for a, _ in actor),
        "actor_sector": _ratio(s for _, s in actor),
        "recipient_code": _ratio(a for a, _ in recip),
        "recipient_sector": _ratio(s for _, s in recip),
        "confusion": confusion.most_common(12),
    }


def macro_f1(gold: list[int], pred: list[int | None]) -> tuple[float, dict[int, float]]:
    per = {}
    for cls in range(5):
        tp = sum(g == cls and p == cls for g, p in zip(gold, pred, strict=True))
        fp = sum(g != cls and p == cls for g, p in zip(gold, pred, strict=True))
        fn = sum(g == cls and p != cls for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[cls] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(per.values()) / 5, per


def score_quads(rows: list[tuple[str, int]], coded: list[Event | None]) -> dict[str, Any]:
    gold = [label for _, label in rows]
    pred = [e.cameo_quad if e else None for e in coded]
    f1, per = macro_f1(gold, pred)
    f1_zero, per_zero = macro_f1(gold, [0 if p is None else p for p in pred])
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold))
    return {"n": len(rows), "macro_f1": f1, "per_class": per, "accuracy": acc,
            "macro_f1_none_is_0": f1_zero, "per_class_none_is_0": per_zero,
            "no_event": sum(p is None for p in pred)}  # fmt: skip


def _read_gsr(path: Path, limit: int | None) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()][:limit]


def _read_quads(path: Path, limit: int | None) -> list[tuple[str, int]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, _, label = line.rpartition("\t")
        if text and label.strip().isdigit():
            rows.append((text, int(label)))
    return rows[:limit]


def _pct(value: tuple[float, int] | float) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return f"{value[0]:.3f} (n={value[1]})"
    return f"{value:.3f}"


def _row(name: str, key: str, lexicon: dict[str, Any], learned: dict[str, Any]) -> str:
    return f"| {name} | {_pct(lexicon[key])} | {_pct(learned[key])} |"


def report(gsr: tuple[dict[str, Any], dict[str, Any]], quads: tuple[dict[str, Any], dict[str, Any]],
           ms: tuple[float, float], folds: int) -> str:  # fmt: skip
    """``gsr`` and ``quads``: (lexicon only, + learned layer cross-validated)."""
    (g0, g1), (q0, q1) = gsr, quads
    head = [f"| measure | lexicon only | + learned layer ({folds}-fold CV) |", "|---|---|---|"]
    lines = [
        "## Events",
        "",
        f"PLOVER GSR ({g0['n']} sentences; first asserted event per sentence, else first event):",
        "",
        *head,
        _row("type accuracy", "type_acc", g0, g1),
        _row("sentences with no event", "no_event", g0, g1),
        _row("mode accuracy (gold has a mode)", "mode_acc", g0, g1),
        _row("actor code match", "actor_code", g0, g1),
        _row("actor code+sector match", "actor_sector", g0, g1),
        _row("recipient code match", "recipient_code", g0, g1),
        _row("recipient code+sector match", "recipient_sector", g0, g1),
        "",
        "Most frequent confusions, + learned (gold → system): "
        + ", ".join(f"{g}→{s} {n}" for (g, s), n in g1["confusion"]),
        "",
        f"ConfliBERT CAMEO quad classes ({q0['n']} sentences):",
        "",
        *head,
        _row("quad macro F1 (no event = miss)", "macro_f1", q0, q1),
        f"| per class F1 | {_per(q0['per_class'])} | {_per(q1['per_class'])} |",
        _row("accuracy", "accuracy", q0, q1),
        _row("sentences with no event", "no_event", q0, q1),
        _row("quad macro F1 (no event → 0, statement)", "macro_f1_none_is_0", q0, q1),
        "",
        f"code_events: {ms[0]:.1f} ms per 1,000 words lexicon only, {ms[1]:.1f} with the shipped"
        " model (parse excluded)",
    ]
    return "\n".join(lines)


def _per(per: dict[int, float]) -> str:
    return ", ".join(f"{k}: {v:.2f}" for k, v in per.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dateline eval events")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cv", type=int, default=5, help="folds for the learned layer (>= 2)")
    args = parser.parse_args(argv)
    gsr_path = args.data / "plover_gsr" / "plover_gsr_v2.jsonl"
    quad_path = args.data / "conflibert_cameo_train" / "class_train.tsv"
    if not gsr_path.is_file() or not quad_path.is_file():
        print(f"event evaluation data not found under {args.data}", file=sys.stderr)
        return 2
    folds = max(2, args.cv)
    records = _read_gsr(gsr_path, args.limit)
    rows = _read_quads(quad_path, args.limit)
    gsr = parse_texts([r["text"] for r in records])
    quads = parse_texts([text for text, _ in rows])
    words = max(1, sum(len(p.doc) for p in gsr + quads))
    gsr_lex, s_gsr = first_events(gsr, False)
    quad_lex, s_quad = first_events(quads, False)
    _, s_shipped = first_events(gsr + quads, True)
    gsr_cv, quad_cv = cross_validate(gsr, [r["event_v2"] for r in records], quads,
                                     [y for _, y in rows], quad_lex, folds)  # fmt: skip
    ms = (1e6 * (s_gsr + s_quad) / words, 1e6 * s_shipped / words)
    print(report((score_gsr(records, gsr_lex), score_gsr(records, gsr_cv)),
                 (score_quads(rows, quad_lex), score_quads(rows, quad_cv)), ms, folds))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
