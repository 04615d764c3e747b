"""Score the event coder on the PLOVER gold-standard records and ConfliBERT's CAMEO classes.

Data (read from ``../shared/eval/events``, never copied):

- ``plover_gsr/plover_gsr_v2.jsonl``: 322 sentences, one gold event each (``event_v2``,
  mode, actor[]/recipient[] with ISO-3166 alpha-3 or IGO codes and sectors);
- ``conflibert_cameo_train/class_train.tsv``: 1,349 sentences with a CAMEO quad class 0-4.

What is scored:

- the system's event for a text is its main event (``Event.main``: the main-clause event of
  the first sentence with an asserted event, else of the first with any event; the GSR codes
  reported threats and promises as events); a text with no event counts as wrong. The
  lexicon-only column also shows the older choice, the text's first asserted event;
- type accuracy: that event's PLOVER type equals ``event_v2``;
- mode accuracy: over sentences whose gold has a mode (v0.5 names mapped to v2, below);
- actor / recipient match, over sentences whose gold names at least one actor (recipient)
  with a code: *code* match when some system participant's code (ISO alpha-3 from its
  country, or IGO for an IGO-sector organisation) is a gold code; *code+sector* match when
  some system participant equals some gold (code, sector) whose sector is given;
- quad macro F1 over the five classes; a sentence with no event is a miss for its true
  class (it predicts no class). The same with "no event → 0 (statement)" is shown too,
  since CAMEO's 01 "make statement" has no PLOVER type.

The learned layer (events/learned.py) is scored only cross-validated: ``--cv K`` folds of
each corpus (a fixed seeded permutation; identical sentences share a fold). For fold k both
heads are trained on the other folds of both corpora (train.fit_model: type head on GSR
+ silver ConfliBERT sentences, quad head on ConfliBERT) and the coder's override bars are
chosen on a held-out fold k+1 (mod K) with models trained on the remaining K-2 folds
(train.choose); fold k is never seen by the weights nor by the bar choice. The coder then
runs with that model exactly as ``process`` runs with a trained one. No model ships with
dateline (the corpora are for evaluation only): ``process`` codes with the lexicon alone
unless the user trains one (``python -m dateline.events.train``, everything, bars by plain
K-fold CV); such a model is only timed here, never scored: its accuracy would be in-sample.

Run ``python -m dateline.evaluate.events [--data DIR] [--limit N] [--cv 5]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pycountry

from dateline.events import code_events
from dateline.events.learned import Thresholds, TypeModel
from dateline.events.train import (
    PUBLISHED,
    Corpus,
    Text,
    choose,
    corpus_of,
    fit_model,
    fold_ids,
    macro_f1,
    main_event,
    parse,
)
from dateline.model import Event, Participant

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "events"

# PLOVER v0.5 mode names in the GSR -> v2 mode names (the codebook's)
V05_MODES = {"strike-hun": "hunger", "riot-spon": "riot", "demo-org": "demo", "demo-spon": "demo",
             "strike-gen": "strike", "host": "visit", "confiscate": "seize", "detain": "arrest",
             "martial-law": "curfew"}  # fmt: skip


def main_events(texts: list[Text], learned: TypeModel | bool) -> tuple[list[Event | None], float]:
    """Each text's main event and the seconds ``code_events`` took."""
    out: list[Event | None] = []
    start = time.perf_counter()
    for text in texts:
        out.append(main_event(text, learned))
    return out, time.perf_counter() - start


def first_events(texts: list[Text]) -> list[Event | None]:
    """Lexicon only, the older choice: each text's first event (asserted ones come first)."""
    out: list[Event | None] = []
    for t in texts:
        events = code_events(t.doc, t.entities, [], t.times, [], PUBLISHED, learned=False)
        out.append(events[0] if events else None)
    return out


def cross_validate(corpus: Corpus, gsr_folds: list[int], quad_folds: list[int], folds: int
                   ) -> tuple[list[Event | None], list[Event | None], list[Thresholds]]:  # fmt: skip
    """Main events of every text coded by a model blind to its fold; the bars chosen per fold."""
    gsr_out: list[Event | None] = [None] * len(corpus.gsr)
    quad_out: list[Event | None] = [None] * len(corpus.quads)
    chosen = []
    for k in range(folds):
        pool = [f for f in range(folds) if f != k]
        bars = choose(corpus, gsr_folds, quad_folds, pool=pool, scored=[(k + 1) % folds])
        chosen.append(bars)
        model = fit_model(corpus, [i for i, f in enumerate(gsr_folds) if f != k],
                          [i for i, f in enumerate(quad_folds) if f != k], bars)  # fmt: skip
        for i in (i for i, f in enumerate(gsr_folds) if f == k):
            gsr_out[i] = main_event(corpus.gsr[i], model)
        for i in (i for i, f in enumerate(quad_folds) if f == k):
            quad_out[i] = main_event(corpus.quads[i], model)
    return gsr_out, quad_out, chosen


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


def _row(name: str, key: str, columns: list[dict[str, Any]]) -> str:
    return f"| {name} | " + " | ".join(_pct(c[key]) for c in columns) + " |"


def report(gsr: list[dict[str, Any]], quads: list[dict[str, Any]], ms: tuple[float, float],
           folds: int, chosen: list[Thresholds]) -> str:  # fmt: skip
    """Columns: lexicon only (first event), lexicon only (main event), + learned (CV, main)."""
    head = ["| measure | lexicon only, first event | lexicon only, main event "
            f"| + learned layer, main event ({folds}-fold CV) |", "|---|---|---|---|"]  # fmt: skip
    bars = "; ".join(f"{b.ambiguous}/{b.sure}/{b.quad}/{b.sure_quad}" for b in chosen)
    lines = [
        "## Events",
        "",
        f"PLOVER GSR ({gsr[0]['n']} sentences):",
        "",
        *head,
        _row("type accuracy", "type_acc", gsr),
        _row("sentences with no event", "no_event", gsr),
        _row("mode accuracy (gold has a mode)", "mode_acc", gsr),
        _row("actor code match", "actor_code", gsr),
        _row("actor code+sector match", "actor_sector", gsr),
        _row("recipient code match", "recipient_code", gsr),
        _row("recipient code+sector match", "recipient_sector", gsr),
        "",
        "Most frequent confusions, + learned (gold → system): "
        + ", ".join(f"{g}→{s} {n}" for (g, s), n in gsr[-1]["confusion"]),
        "",
        f"ConfliBERT CAMEO quad classes ({quads[0]['n']} sentences):",
        "",
        *head,
        _row("quad macro F1 (no event = miss)", "macro_f1", quads),
        "| per class F1 | " + " | ".join(_per(q["per_class"]) for q in quads) + " |",
        _row("accuracy", "accuracy", quads),
        _row("sentences with no event", "no_event", quads),
        _row("quad macro F1 (no event → 0, statement)", "macro_f1_none_is_0", quads),
        "",
        f"Override bars chosen per fold on a held-out fold (ambiguous/sure/quad/sure_quad): {bars}",
        "",
        f"code_events: {ms[0]:.1f} ms per 1,000 words lexicon only, {ms[1]:.1f} with a trained"
        " model if one is installed (parse excluded)",
    ]
    return "\n".join(lines)


def _per(per: dict[int, float]) -> str:
    return ", ".join(f"{k}: {v:.2f}" for k, v in per.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dateline eval events")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cv", type=int, default=5, help="folds for the learned layer (>= 3)")
    args = parser.parse_args(argv)
    gsr_path = args.data / "plover_gsr" / "plover_gsr_v2.jsonl"
    quad_path = args.data / "conflibert_cameo_train" / "class_train.tsv"
    if not gsr_path.is_file() or not quad_path.is_file():
        print(f"event evaluation data not found under {args.data}", file=sys.stderr)
        return 2
    folds = max(3, args.cv)  # one fold tested, one held out for the bars, the rest trained
    records = _read_gsr(gsr_path, args.limit)
    rows = _read_quads(quad_path, args.limit)
    corpus = corpus_of(parse(r["text"] for r in records), [r["event_v2"] for r in records],
                       parse(text for text, _ in rows), [y for _, y in rows])  # fmt: skip
    texts = corpus.gsr + corpus.quads
    words = max(1, sum(len(t.doc) for t in texts))
    gsr_lex, s_gsr = main_events(corpus.gsr, False)
    quad_lex, s_quad = main_events(corpus.quads, False)
    _, s_shipped = main_events(texts, True)
    gsr_cv, quad_cv, chosen = cross_validate(
        corpus, fold_ids([r["text"] for r in records], folds),
        fold_ids([text for text, _ in rows], folds), folds)  # fmt: skip
    ms = (1e6 * (s_gsr + s_quad) / words, 1e6 * s_shipped / words)
    gsr_cols = [score_gsr(records, c) for c in (first_events(corpus.gsr), gsr_lex, gsr_cv)]
    quad_cols = [score_quads(rows, c) for c in (first_events(corpus.quads), quad_lex, quad_cv)]
    print(report(gsr_cols, quad_cols, ms, folds, chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
