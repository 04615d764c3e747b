"""The stage registry: order checked at start-up, error policies, shared resources."""

from __future__ import annotations

import pytest

from dateline.clean.stages import CLEAN_STAGES, VERBATIM_STAGES
from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article, RawItem
from dateline.pipeline import REGISTRY, Context, Pipeline, check_order, stage

GOOD = RawItem(
    source="t",
    position="1",
    kind="text",
    text="Rain fell\n\nRain fell all day in the valley on Monday.",
)
EMPTY = RawItem(source="t", position="2", kind="text", text="320x50")


def test_default_stage_lists_are_in_a_valid_order() -> None:
    assert [s.name for s in check_order(CLEAN_STAGES)] == CLEAN_STAGES
    assert [s.name for s in check_order(VERBATIM_STAGES)] == VERBATIM_STAGES


def test_a_stage_before_what_it_needs_is_refused_at_start_up() -> None:
    with pytest.raises(DatelineError) as caught:
        Pipeline(["boilerplate", "extract"])
    assert caught.value.code is Code.PIPELINE_ORDER
    assert "stage 'boilerplate' needs" in caught.value.message


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(DatelineError) as caught:
        Pipeline(["extract", "no-such-stage"])
    assert "unknown stage 'no-such-stage'" in caught.value.message


def test_catch_turns_bad_items_into_rejects_and_goes_on() -> None:
    results = list(Pipeline(CLEAN_STAGES).run_many([EMPTY, GOOD]))
    assert isinstance(results[0], Reject) and results[0].code == "E202"
    assert results[0].position == "2"
    assert isinstance(results[1], Article) and results[1].title == "Rain fell"


def test_raise_stops_at_the_first_bad_item() -> None:
    with pytest.raises(DatelineError):
        list(Pipeline(CLEAN_STAGES).run_many([EMPTY, GOOD], on_error="raise"))


def test_a_bug_in_a_stage_costs_one_item_not_the_run() -> None:
    @stage("test-explodes-on-rain", requires={"text"})
    def explode(article: Article, ctx: Context) -> Article:
        if "Rain" in article.text:
            raise RuntimeError("boom")
        return article

    try:
        other = RawItem(
            source="t", position="3", kind="text", text="Sun\n\nThe sun shone on Tuesday."
        )
        results = list(Pipeline([*CLEAN_STAGES, "test-explodes-on-rain"]).run_many([GOOD, other]))
        assert isinstance(results[0], Reject)
        assert (results[0].code, results[0].message) == ("E999", "RuntimeError: boom")
        assert isinstance(results[1], Article)
    finally:
        del REGISTRY["test-explodes-on-rain"]


def test_resources_load_once_per_context() -> None:
    ctx = Context()
    loads: list[int] = []
    for _ in range(3):
        ctx.resource("thing", lambda: loads.append(1) or "loaded")
    assert loads == [1]


def test_batch_stages_see_the_whole_chunk_and_a_failure_falls_back_per_article() -> None:
    from dateline.pipeline import batch_stage

    seen: list[int] = []

    @batch_stage("test-batch", requires={"text"}, sets={"language"})
    def count(articles: list[Article], ctx: Context) -> list[Article]:
        seen.append(len(articles))
        if any("Sun" in a.text for a in articles):
            raise ValueError("no sun allowed")
        return articles

    try:
        sun = RawItem(
            source="t", position="3", kind="text", text="Sun\n\nThe sun shone on Tuesday."
        )
        pipeline = Pipeline([*CLEAN_STAGES, "test-batch"])
        results = list(pipeline.run_many([GOOD, GOOD, sun, EMPTY], batch_size=4))
        assert seen == [3, 1, 1, 1]  # the batch of three failed, then each article alone
        assert [type(r).__name__ for r in results] == ["Article", "Article", "Reject", "Reject"]
        assert isinstance(results[2], Reject) and results[2].code == "E999"
    finally:
        del REGISTRY["test-batch"]


def test_transient_fields_stay_off_the_json() -> None:
    article = Pipeline(CLEAN_STAGES).run(GOOD)
    assert article.raw is GOOD
    data = article.to_json()
    assert "raw" not in data and "doc" not in data
    assert Article.from_json(data).to_json() == data
