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

``--cv K`` adds a learned fallback, cross-validated: trigger-word → type counts learned on
K-1 folds of the GSR (the gold ``event_text`` words) fill in the type when the lexicon finds
nothing; each fold is scored only with counts from the other folds.

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

import pycountry

from dateline.events import code_events
from dateline.events.lexicon import base_form, load_lexicon
from dateline.model import Event, Participant
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
class Coded:
    text: str
    event: Event | None
    words: list[str]  # base forms of the sentence's words (for the learned fallback)
    seconds: float
    n_words: int


def code_texts(texts: list[str]) -> list[Coded]:
    nlp, kb, lex = load_nlp(), load_kb(), load_lexicon()
    out = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=BATCH), strict=True):
        entities = link_entities(doc, kb)
        times = find_times(text, find_anchor(text, PUBLISHED))
        start = time.perf_counter()
        events = code_events(doc, entities, [], times, [], PUBLISHED)
        seconds = time.perf_counter() - start
        words = [base_form(t.text, lex) for t in doc if t.is_alpha]
        out.append(Coded(text, events[0] if events else None, words, seconds, len(doc)))
    return out


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


class Fallback:
    """Word → gold-type counts from training sentences (the words of gold ``event_text``)."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        lex = load_lexicon()
        self.counts: dict[str, Counter[str]] = {}
        for rec in records:
            for word in (rec.get("event_text") or "").split():
                self.counts.setdefault(base_form(word, lex), Counter())[rec["event_v2"]] += 1

    def predict(self, words: list[str]) -> str | None:
        votes: Counter[str] = Counter()
        for word in words:
            votes.update(self.counts.get(word, Counter()))
        return votes.most_common(1)[0][0] if votes else None


def score_gsr(records: list[dict[str, Any]], coded: list[Coded], folds: int) -> dict[str, Any]:
    types: list[str | None] = [c.event.type if c.event else None for c in coded]
    learned = list(types)
    if folds > 1:
        for k in range(folds):
            train = [r for i, r in enumerate(records) if i % folds != k]
            model = Fallback(train)
            for i, c in enumerate(coded):
                if i % folds == k and c.event is None:
                    learned[i] = model.predict(c.words)
    gold = [r["event_v2"] for r in records]
    modes = []
    for rec, c in zip(records, coded, strict=True):
        g = rec.get("mode_v2_hint") or rec.get("mode_v05")
        if g:
            modes.append(c.event is not None and c.event.mode == V05_MODES.get(g, g))
    actor = [_match(c.event.actors if c.event else [], r["actor"]) for r, c in zip(records, coded, strict=True) if any(a.get("code") for a in r["actor"])]  # fmt: skip
    recip = [_match(c.event.recipients if c.event else [], r["recipient"]) for r, c in zip(records, coded, strict=True) if any(a.get("code") for a in r["recipient"] if isinstance(a, dict))]  # fmt: skip
    confusion: Counter[tuple[str, str]] = Counter(
        (g, t or "-") for g, t in zip(gold, types, strict=True) if g != t
    )
    return {
        "n": len(records),
        "type_acc": sum(g == t for g, t in zip(gold, types, strict=True)) / len(records),
        "type_acc_cv": sum(g == t for g, t in zip(gold, learned, strict=True)) / len(records),
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


def score_quads(rows: list[tuple[str, int]], coded: list[Coded]) -> dict[str, Any]:
    gold = [label for _, label in rows]
    pred = [c.event.cameo_quad if c.event else None for c in coded]
    f1, per = macro_f1(gold, pred)
    f1_zero, per_zero = macro_f1(gold, [0 if p is None else p for p in pred])
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
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
    if isinstance(value, tuple):
        return f"{value[0]:.3f} (n={value[1]})"
    return f"{value:.3f}"


def report(gsr: dict[str, Any], quads: dict[str, Any], ms_per_kword: float, folds: int) -> str:
    lines = [
        "## Events",
        "",
        f"PLOVER GSR ({gsr['n']} sentences; first asserted event per sentence, else first event):",
        "",
        "| measure | value |",
        "|---|---|",
        f"| type accuracy (lexicon only) | {_pct(gsr['type_acc'])} |",
        f"| type accuracy (+ learned fallback, {folds}-fold CV) | {_pct(gsr['type_acc_cv'])} |",
        f"| sentences with no event | {gsr['no_event']} |",
        f"| mode accuracy (gold has a mode) | {_pct(gsr['mode_acc'])} |",
        f"| actor code match | {_pct(gsr['actor_code'])} |",
        f"| actor code+sector match | {_pct(gsr['actor_sector'])} |",
        f"| recipient code match | {_pct(gsr['recipient_code'])} |",
        f"| recipient code+sector match | {_pct(gsr['recipient_sector'])} |",
        "",
        "Most frequent confusions (gold → system): "
        + ", ".join(f"{g}→{s} {n}" for (g, s), n in gsr["confusion"]),
        "",
        f"ConfliBERT CAMEO quad classes ({quads['n']} sentences):",
        "",
        "| measure | value |",
        "|---|---|",
        f"| quad macro F1 (no event = miss) | {_pct(quads['macro_f1'])} |",
        f"| per class F1 | {', '.join(f'{k}: {v:.2f}' for k, v in quads['per_class'].items())} |",
        f"| accuracy | {_pct(quads['accuracy'])} |",
        f"| sentences with no event | {quads['no_event']} |",
        f"| quad macro F1 (no event → 0, statement) | {_pct(quads['macro_f1_none_is_0'])} |",
        "",
        f"code_events: {ms_per_kword:.1f} ms per 1,000 words (parse excluded)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dateline eval events")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cv", type=int, default=5, help="folds for the learned fallback")
    args = parser.parse_args(argv)
    gsr_path = args.data / "plover_gsr" / "plover_gsr_v2.jsonl"
    quad_path = args.data / "conflibert_cameo_train" / "class_train.tsv"
    if not gsr_path.is_file() or not quad_path.is_file():
        print(f"event evaluation data not found under {args.data}", file=sys.stderr)
        return 2
    records = _read_gsr(gsr_path, args.limit)
    rows = _read_quads(quad_path, args.limit)
    coded_gsr = code_texts([r["text"] for r in records])
    coded_quads = code_texts([text for text, _ in rows])
    every = coded_gsr + coded_quads
    ms = 1000 * sum(c.seconds for c in every) / max(1, sum(c.n_words for c in every)) * 1000
    print(
        report(score_gsr(records, coded_gsr, args.cv), score_quads(rows, coded_quads), ms, args.cv)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
