"""The learned type layer: its weights file, and where the coder lets it decide."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from dateline.events import code_events
from dateline.events.learned import (
    MODEL_FILE,
    QUAD_LABELS,
    TYPE_LABELS,
    Thresholds,
    TypeModel,
    fit,
    load_model,
    model_path,
    model_to_json,
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


def test_no_model_ships_and_a_trained_one_is_read_from_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the corpora a model could learn from are for evaluation only: none is packaged
    packaged = [p.name for p in files("dateline.events").joinpath("data").iterdir()]
    assert MODEL_FILE not in packaged
    path = tmp_path / "model.json"
    monkeypatch.setenv("DATELINE_EVENT_MODEL", str(path))
    load_model.cache_clear()
    try:
        assert model_path() == path and load_model() is None
        path.write_text(json.dumps(model_to_json(_toy())), encoding="utf-8")
        load_model.cache_clear()
        model = load_model()
        assert model is not None
        probs = model.type.proba(["verb:walk"])
        assert abs(sum(probs.values()) - 1) < 1e-9 and set(probs) == set(TYPE_LABELS)
        assert max(probs, key=lambda k: probs[k]) == "PROTEST"
    finally:
        load_model.cache_clear()


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


def test_default_thresholds_keep_the_guard_for_new_events() -> None:
    # the bar for creating events from silence is set by hand, never tuned on event corpora
    assert Thresholds().new >= 0.6 and Thresholds().ambiguous >= 0.6


def test_balanced_weights_favour_a_rare_class() -> None:
    x = [["w:a"]] * 9 + [["w:a", "w:b"]]
    y = ["AGREE"] * 9 + ["ASSAULT"]
    plain = fit(x, y, TYPE_LABELS, min_count=1).proba(["w:a", "w:b"])["ASSAULT"]
    balanced = fit(x, y, TYPE_LABELS, min_count=1, balanced=True).proba(["w:a", "w:b"])
    assert balanced["ASSAULT"] > plain


def _quad_says(quad: str, bars: Thresholds) -> TypeModel:
    """A model that reads every sentence with the root "arrest" as quad class ``quad``."""
    x = [["root:arrest"]] * 4 + [["root:meet"]] * 4
    return TypeModel(fit(x, ["COERCE"] * 4 + ["CONSULT"] * 4, TYPE_LABELS, min_count=1),
                     fit(x, [quad] * 4 + ["1"] * 4, QUAD_LABELS, min_count=1), bars)  # fmt: skip


def test_quad_head_overrides_a_sure_lexicon_only_above_its_bar() -> None:
    doc = load_nlp()("Police arrested 12 protesters in Almaty.")
    (lexicon,) = code_events(doc, [], [], [], [], None, learned=False)
    assert lexicon.type == "COERCE" and lexicon.cameo_quad == 4
    never = _quad_says("1", Thresholds(sure=1.01, sure_quad=1.01))
    assert [e.type for e in code_events(doc, [], [], [], [], None, learned=never)] == ["COERCE"]
    (relabelled,) = code_events(doc, [], [], [], [], None,
                                learned=_quad_says("1", Thresholds(sure=1.01, sure_quad=0.5)))  # fmt: skip
    assert relabelled.type == "CONSULT" and relabelled.cameo_quad == 1
