"""Fit the learned layer and write ``data/type_model.json``: ``python -m dateline.events.train``.

Training data, read at training time and never copied: ../shared/eval/events
``plover_gsr/plover_gsr_v2.jsonl`` (322 sentences, ``event_v2`` → the type head) and
``conflibert_cameo_train/class_train.tsv`` (1,349 sentences, quad class → the quad head;
those the lexicon codes with the gold quad also → the type head, as silver examples).
The file holds numbers keyed by feature names that are single base forms, labels or
dependency paths (learned.py); features seen in fewer than two training sentences are left
out, so no rare word of the corpus is kept either. Deterministic: full-batch training from
zeros, no sampling.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from dateline.events.coder import code_events, doc_features
from dateline.events.learned import (
    MODEL_FILE,
    QUAD_LABELS,
    TYPE_LABELS,
    TypeModel,
    fit,
    model_to_json,
    silver,
)
from dateline.understand.entities import link_entities, load_kb
from dateline.understand.nlp import load_nlp

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "events"
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / MODEL_FILE


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


def featurize(texts: Iterable[str]) -> tuple[list[list[str]], list[tuple[str, int] | None]]:
    """Each text's features and its lexicon-only first event (type, quad)."""
    kb = load_kb()
    feats: list[list[str]] = []
    coded: list[tuple[str, int] | None] = []
    for doc in load_nlp().pipe(texts, batch_size=32):
        feats.append(doc_features(doc))
        events = code_events(doc, link_entities(doc, kb), [], [], [], None, learned=False)
        quad = events[0].cameo_quad if events else None
        coded.append((events[0].type, quad) if events and quad is not None else None)
    return feats, coded


def train(data: Path) -> TypeModel:
    gsr = read_gsr(data / "plover_gsr" / "plover_gsr_v2.jsonl")
    quads = read_quads(data / "conflibert_cameo_train" / "class_train.tsv")
    gsr_x, _ = featurize(t for t, _ in gsr)
    quad_x, coded = featurize(t for t, _ in quads)
    extra_x, extra_y = silver(quad_x, coded, [y for _, y in quads])
    type_head = fit([*gsr_x, *extra_x], [*(y for _, y in gsr), *extra_y], TYPE_LABELS)
    return TypeModel(type_head, fit(quad_x, [str(y) for _, y in quads], QUAD_LABELS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dateline.events.train")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.data / "plover_gsr").is_dir():
        print(f"event training data not found under {args.data}", file=sys.stderr)
        return 2
    model = train(args.data)
    text = json.dumps(model_to_json(model), separators=(",", ":"), sort_keys=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{args.out}: {len(model.type.index)} type features, "
          f"{len(model.quad.index)} quad features, {len(text) / 1e3:.0f} kB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
