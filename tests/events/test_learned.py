"""The learned type layer: its weights file, and where the coder lets it decide."""

from __future__ import annotations

import json
import re
from importlib.resources import files

from dateline.events import code_events
from dateline.events.learned import (
    MODEL_FILE,
    QUAD_LABELS,
    TYPE_LABELS,
    TypeModel,
    fit,
    load_model,
)
from dateline.model import Quote
from dateline.understand.entities import link_entities, load_kb
from dateline.understand.nlp import load_nlp
from dateline.understand.times import find_anchor, find_times


def _code(text: str, learned: bool = True) -> list[str]:
    doc = load_nlp()(text)
    times = find_times(text, find_anchor(text, "2022-01-05"))
    events = code_events(doc, link_entities(doc, load_kb()), [], times, [], "2022-01-05",
                         learned=learned)  # fmt: skip
    return [e.type for e in events]


def test_weights_file_is_small_and_holds_no_text() -> None:
    path = files("dateline.events").joinpath("data", MODEL_FILE)
    raw = path.read_text(encoding="utf-8")
    assert len(raw.encode()) < 1_000_000
    data = json.loads(raw)
    assert data["type"]["labels"] == list(TYPE_LABELS)
    assert data["quad"]["labels"] == list(QUAD_LABELS)
    for head in ("type", "quad"):
        for name in data[head]["weights"]:  # one word, label or dependency path; no spaces
            assert re.fullmatch(r"[a-z0-9]+(>[A-Z]+)?(:\S+)?", name), name


def test_model_loads() -> None:
    model = load_model()
    assert model is not None
    probs = model.type.proba(["nolex", "verb:bomb"])
    assert abs(sum(probs.values()) - 1) < 1e-9 and set(probs) == set(TYPE_LABELS)


def test_fit_separates_a_toy_problem() -> None:
    head = fit([["w:a"], ["w:a"], ["w:b"], ["w:b"]], ["AGREE", "AGREE", "ASSAULT", "ASSAULT"],
               TYPE_LABELS)  # fmt: skip
    assert max(head.proba(["w:a"]).items(), key=lambda kv: kv[1])[0] == "AGREE"
    assert max(head.proba(["w:b"]).items(), key=lambda kv: kv[1])[0] == "ASSAULT"


def test_lexicon_only_is_unchanged_by_the_switch() -> None:
    text = "Police arrested 12 protesters in Almaty."
    assert _code(text, learned=False) == _code(text)  # the lexicon is sure: no model


def _toy() -> TypeModel:
    """A model that knows one word: walking out is a PROTEST (quad 4)."""
    x = [["verb:walk"]] * 4 + [["verb:sit"]] * 4
    return TypeModel(fit(x, ["PROTEST"] * 4 + ["CONSULT"] * 4, TYPE_LABELS, min_count=1),
                     fit(x, ["4"] * 4 + ["1"] * 4, QUAD_LABELS, min_count=1))  # fmt: skip


WALKOUT = "Workers walked out of the factories over unpaid wages."


def test_fallback_when_the_lexicon_is_silent() -> None:
    doc = load_nlp()(WALKOUT)
    assert code_events(doc, [], [], [], [], None, learned=False) == []
    (event,) = code_events(doc, [], [], [], [], None, learned=_toy())
    assert event.type == "PROTEST" and event.cameo_quad == 4 and event.aux == "asserted"
    assert event.trigger.text == "walked" and event.confidence < 1.0


def test_no_fallback_in_a_quoted_sentence() -> None:
    doc = load_nlp()(WALKOUT)
    quote = Quote(0, len(WALKOUT), WALKOUT, direct=True)
    assert code_events(doc, [], [], [], [quote], None, learned=_toy()) == []
