"""A small learned layer over the transparent coder: sentence → PLOVER type and quad class.

Two multinomial logistic regressions (numpy, L2, full-batch Adam) over sparse binary
features of a sentence; ``train.py`` fits them on ../shared/eval/events and writes
the model file (:func:`model_path`: feature name → weights, plus the coder's override bars; names are
base forms, at most a verb with one argument head, labels or dependency paths).

- ``type`` head: the 16 PLOVER types, trained on the PLOVER GSR sentences plus "silver"
  ConfliBERT sentences: those whose lexicon-coded first event has the gold quad class,
  labelled with that event's type (the gold quad confirms the lexicon's reading);
- ``quad`` head: the CAMEO quad class 0-4 (trained on the ConfliBERT CAMEO sentences).

Features (prefix: meaning):

    lex:T    the lexicon coded an event of type T in the sentence (every trigger)
    lex1:T   ... the first one the coder reports (asserted first); lexq:Q its quad class
    lexaux:A its auxiliary mode, lex1aux:T>A both; lexn:N how many distinct types; nolex
             when none; neg>T negation in a sentence whose first trigger is T
    cand:T   some word's base form is a lexicon trigger of type T (whether it fired or not)
    rootcue:C  the root is a cue word of class C (speech, promise, ...)
    trig:W   a trigger's base form; tpath:D>D its dependency path to the root (3 steps)
    root:W   the base form of the sentence root; verb:W every verb; subj:W / obj:W their heads
    vo:V>O   a verb and its object head; vp:V>P>O a verb, its preposition and that object
    neg, md:W, to  negation, modal verbs, an infinitive under the root
    w:W      bag of base forms (alphabetic, not stop words) — the fallback when all else is new

The coder calls the model only where the lexicon is silent or ambiguous (coder.py).
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Span, Token

from dateline.events.lexicon import Lexicon, base_form
from dateline.understand.gazetteer import default_cache_dir

TYPE_LABELS = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
               "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
               "COERCE", "ASSAULT")  # fmt: skip
QUAD_LABELS = ("0", "1", "2", "3", "4")
MODEL_FILE = "type_model.json"


class Hit(NamedTuple):
    """One lexicon trigger as the coder kept it."""

    tok: Token
    type: str
    aux: str
    quad: int


def _path(tok: Token) -> str:
    deps, cur = [], tok
    for _ in range(3):
        if cur.head.i == cur.i:
            break
        deps.append(cur.dep_)
        cur = cur.head
    return ">".join(deps) or "ROOT"


def sentence_features(sent: Span, lex: Lexicon, hits: Sequence[Hit]) -> list[str]:
    """The sparse features of ``sent`` (a set, as a sorted list)."""
    feats: set[str] = set()
    if hits:
        first = next((h for h in hits if h.aux == "asserted"), hits[0])
        feats |= {f"lex1:{first.type}", f"lexq:{first.quad}", f"lexaux:{first.aux}"}
        feats.add(f"lexn:{min(len({h.type for h in hits}), 3)}")
        feats.add(f"lex1aux:{first.type}>{first.aux}")
        for h in hits:
            feats.add(f"lex:{h.type}")
            feats.add(f"trig:{base_form(h.tok.text, lex)}")
            feats.add(f"tpath:{_path(h.tok)}")
    else:
        feats.add("nolex")
    root = sent.root
    feats.add(f"root:{base_form(root.text, lex)}")
    for tok in sent:
        if not tok.is_alpha:
            continue
        base = base_form(tok.text, lex)
        if tok.pos_ == "VERB":
            feats.add(f"verb:{base}")
            feats.update(_argument_features(tok, base, lex))
        if tok.dep_ == "neg" or tok.lower_ in ("never", "no"):
            feats.add("neg")
        if tok.tag_ == "MD":
            feats.add(f"md:{tok.lower_}")
        if not tok.is_stop:
            feats.add(f"w:{base}")
        for rule in lex.rules.get(base, ()):
            feats.add(f"cand:{rule.type}")
    if any(c.dep_ == "xcomp" for c in root.children):
        feats.add("to")
    for cue in lex.cues.get(base_form(root.text, lex), ()):
        feats.add(f"rootcue:{cue}")
    if "neg" in feats and hits:
        feats.add(f"neg>{hits[0].type}")
    return sorted(feats)


def _argument_features(verb: Token, base: str, lex: Lexicon) -> set[str]:
    """A verb's argument heads, alone and paired with the verb ("give>aid" is not "give>way")."""
    feats: set[str] = set()
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "agent"):
            feats.add(f"subj:{base_form(child.text, lex)}")
        elif child.dep_ in ("dobj", "dative", "attr", "oprd"):
            obj = base_form(child.text, lex)
            feats |= {f"obj:{obj}", f"vo:{base}>{obj}"}
        elif child.dep_ in ("prep", "prt"):
            for pobj in (c for c in child.children if c.dep_ == "pobj"):
                feats.add(f"vp:{base}>{child.lower_}>{base_form(pobj.text, lex)}")
            feats.add(f"vp:{base}>{child.lower_}")
    return feats


# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """One multinomial logistic regression: feature → weight row, plus a bias."""

    labels: tuple[str, ...]
    index: dict[str, int]
    weights: NDArray[np.float64]  # (features, labels)
    bias: NDArray[np.float64]  # (labels,)

    def proba(self, feats: Sequence[str]) -> dict[str, float]:
        rows = [i for i in map(self.index.get, feats) if i is not None]
        scores = self.bias + self.weights[rows].sum(axis=0) if rows else self.bias.copy()
        scores = scores - scores.max()
        exp = np.exp(scores)
        exp /= exp.sum()
        return {label: float(p) for label, p in zip(self.labels, exp, strict=True)}

    def to_json(self) -> dict[str, Any]:
        names = sorted(self.index, key=self.index.__getitem__)
        return {
            "labels": list(self.labels),
            "bias": [round(float(b), 4) for b in self.bias],
            "weights": {
                n: [round(float(w), 4) for w in self.weights[self.index[n]]] for n in names
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Head:
        names = list(data["weights"])
        weights = np.array([data["weights"][n] for n in names], dtype=np.float64)
        return cls(tuple(data["labels"]), {n: i for i, n in enumerate(names)},
                   weights.reshape(len(names), len(data["labels"])),
                   np.array(data["bias"], dtype=np.float64))  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """Where the coder lets the model decide (coder._learned); scores are joint type scores.

    ``new``: create an event where the lexicon found none — a precision guard for ordinary
    news, set by hand (never tuned on the event corpora, where every sentence has an event);
    ``statement``: the quad head's p(0) above which a trigger-less sentence is a statement;
    ``ambiguous`` / ``sure``: relabel the lexicon's main trigger when the lexicon is unsure /
    sure of its type; ``quad`` / ``sure_quad``: relabel it (unsure / sure lexicon) when the
    quad head puts another quad class at or above this. A bar above 1 never fires. These
    four are chosen by cross-validation (train.py) and stored with the weights; the defaults
    are the first shipped policy (a sure lexicon is never overridden).
    """

    new: float = 0.6
    statement: float = 0.5
    ambiguous: float = 0.6
    sure: float = 1.01
    quad: float = 0.6
    sure_quad: float = 1.01


@dataclass(frozen=True)
class TypeModel:
    type: Head
    quad: Head
    thresholds: Thresholds = Thresholds()


def fit(samples: Sequence[Sequence[str]], labels: Sequence[str], classes: Sequence[str],
        l2: float = 1.0, steps: int = 150, min_count: int = 2, prune: float = 0.01,
        balanced: bool = False) -> Head:  # fmt: skip
    """Fit a softmax regression with an L2 penalty (``l2`` / n per weight) by Adam.

    ``balanced``: each class weighs as much as the others in the loss (rare PLOVER types are
    not drowned by the frequent ones); a weight is n / (classes seen * the class's count).
    """
    counts = Counter(f for s in samples for f in set(s))
    names = sorted(f for f, c in counts.items() if c >= min_count)
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(samples), len(names)), dtype=np.float32)
    for i, s in enumerate(samples):
        for f in s:
            if f in index:
                x[i, index[f]] = 1.0
    cls_index = {c: i for i, c in enumerate(classes)}
    y = np.zeros((len(samples), len(classes)), dtype=np.float32)
    for i, label in enumerate(labels):
        y[i, cls_index[label]] = 1.0
    n = max(1, len(samples))
    if balanced:
        seen = y.sum(axis=0)
        per_class = np.where(seen > 0, n / (max(1, int((seen > 0).sum())) * np.maximum(seen, 1)), 0)
        y = y * per_class.astype(np.float32)  # weighted targets: err = weight * (p - onehot)
    w = np.zeros((len(names), len(classes)), dtype=np.float32)
    b = np.zeros(len(classes), dtype=np.float32)
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    rate, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        err = (p * y.sum(axis=1, keepdims=True) - y) / n
        gw = x.T @ err + (l2 / n) * w
        gb = err.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        corr = math.sqrt(1 - beta2**step) / (1 - beta1**step)
        w -= rate * corr * mw / (np.sqrt(vw) + eps)
        b -= rate * corr * mb / (np.sqrt(vb) + eps)
    keep = np.abs(w).max(axis=1) >= prune  # drop features that barely move any class
    kept = [n for n, k in zip(names, keep, strict=True) if k]
    return Head(tuple(classes), {n: i for i, n in enumerate(kept)},
                w[keep].astype(np.float64), b.astype(np.float64))  # fmt: skip


def silver(
    samples: Sequence[Sequence[str]], coded: Sequence[tuple[str, int] | None], quads: Sequence[int]
) -> tuple[list[Sequence[str]], list[str]]:
    """Type-labelled extra samples: a sentence whose lexicon event (type, quad) has the gold quad."""
    pairs = [(x, c[0]) for x, c, q in zip(samples, coded, quads, strict=True) if c and c[1] == q]
    return [x for x, _ in pairs], [t for _, t in pairs]


def model_to_json(model: TypeModel) -> dict[str, Any]:
    return {"type": model.type.to_json(), "quad": model.quad.to_json(),
            "thresholds": asdict(model.thresholds)}  # fmt: skip


def model_path() -> Path:
    """Where a trained model is looked for: $DATELINE_EVENT_MODEL, else the cache folder.

    No model ships with dateline: the corpora it can be trained on are for evaluation only
    (one, ConfliBERT's sentences, for research use only), so each user trains their own
    (``python -m dateline.events.train``) and accepts those corpora's terms."""
    env = os.environ.get("DATELINE_EVENT_MODEL")
    return Path(env) if env else default_cache_dir() / MODEL_FILE


@cache
def load_model() -> TypeModel | None:
    """The model at :func:`model_path`, or None (the lexicon alone codes events)."""
    path = model_path()
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return TypeModel(Head.from_json(data["type"]), Head.from_json(data["quad"]),
                     Thresholds(**data.get("thresholds", {})))  # fmt: skip
