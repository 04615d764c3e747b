"""Story clustering: wire copies join, similar but different happenings split, stable ids."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from dateline.model import Article, EntityMention, PlaceMention, TimeMention
from dateline.stories.clusters import StoryClusterer, features, reference_day

REHAB = (
    "{name} checked into the {clinic} rehabilitation centre on {day}, a spokesperson said. "
    "The actress entered the treatment facility after a court ordered her into rehab. "
    "Her representative asked the public to respect her privacy during treatment. "
    "{name} has struggled with addiction for years, friends of the star told reporters. "
    "The stay at {clinic} is expected to last ninety days, according to her lawyer."
)


def entity(name: str, kind: str = "person") -> EntityMention:
    return EntityMention(0, len(name), name, kind, name, "e:" + name.lower())


def place(name: str, gid: int, country: str) -> PlaceMention:
    return PlaceMention(0, 1, name, name, gid, 0.0, 0.0, "city", None, country, 0.9)


def when(value: str) -> TimeMention:
    return TimeMention(0, 1, value, value, None)


LOHAN = (
    "Lindsay Lohan arrived at the Betty Ford clinic late on Thursday after leaving a Newport "
    "Beach facility, her attorney confirmed. A judge had sentenced the actress to ninety days "
    "of residential rehab in a plea deal over a car crash last year. Lohan must stay in "
    "treatment or face jail, prosecutors warned in court."
)


def rehab(aid: str, name: str, clinic: str, day: str, city: tuple[str, int], title: str) -> Article:
    return Article(
        id=aid,
        title=title,
        text=REHAB.format(name=name, clinic=clinic, day=day),
        published=day,
        entities=[entity(name), entity(clinic, "organisation")],
        places=[place(city[0], city[1], "US")],
        times=[when(day)],
    )


def test_wire_copies_with_different_headlines_join() -> None:
    clusterer = StoryClusterer()
    first = rehab("a1", "Tara Reid", "Promises", "2008-04-08", ("Malibu", 1), "Tara Reid in rehab")
    copy = Article(id="a2", title="Actress checks in to clinic: spokesperson",
                   text="From the wire.\n" + first.text, published="2008-04-09")  # fmt: skip
    assert clusterer.add(first) == "s:a1"
    assert clusterer.add(copy) == "s:a1"


def test_similar_happenings_with_other_people_places_and_dates_split() -> None:
    clusterer = StoryClusterer()
    reid = rehab("r1", "Tara Reid", "Promises", "2008-04-08", ("Malibu", 1), "Tara Reid in rehab")
    lohan = rehab("l1", "Lindsay Lohan", "Betty Ford", "2013-05-03", ("Rancho Mirage", 2),
                  "Lindsay Lohan in rehab")  # fmt: skip
    lohan.text = LOHAN
    assert clusterer.add(reid) == "s:r1"
    assert clusterer.add(lohan) == "s:l1"


def test_same_happening_reported_differently_joins() -> None:
    clusterer = StoryClusterer()
    one = rehab("r1", "Tara Reid", "Promises", "2008-04-08", ("Malibu", 1), "Tara Reid in rehab")
    text = ("Tara Reid entered Promises in Malibu on Tuesday, her rep told People magazine. "
            "The actress checked into rehab for treatment, her friends said.")  # fmt: skip
    two = Article(id="r2", title="Reid enters Promises", text=text, published="2008-04-09",
                  entities=[entity("Tara Reid"), entity("Promises", "organisation")],
                  places=[place("Malibu", 1, "US")], times=[when("2008-04-08")])  # fmt: skip
    clusterer.add(one)
    assert clusterer.add(two) == "s:r1"


def test_ids_are_stable_and_incremental() -> None:
    clusterer = StoryClusterer()
    reid = rehab("r1", "Tara Reid", "Promises", "2008-04-08", ("Malibu", 1), "Tara Reid in rehab")
    lohan = rehab("l1", "Lindsay Lohan", "Betty Ford", "2013-05-03", ("Rancho Mirage", 2), "Lohan")
    lohan.text = LOHAN
    assert clusterer.add(reid) == "s:r1"
    assert clusterer.add(lohan) == "s:l1"
    assert clusterer.add(reid) == "s:r1"  # adding again is a lookup
    assert clusterer.story_of("l1") == "s:l1"
    assert clusterer.stories() == {"s:r1": ["r1"], "s:l1": ["l1"]}


def test_time_decay_splits_far_apart_reports() -> None:
    clusterer = StoryClusterer()
    one = rehab("r1", "Tara Reid", "Promises", "2008-04-08", ("Malibu", 1), "Tara Reid in rehab")
    later = rehab("r2", "Tara Reid", "Promises", "2008-09-08", ("Malibu", 1), "Reid back in rehab")
    # not a copy: the same people and words, months later
    later.text = ("Tara Reid is back at Promises, the rehabilitation centre, her spokesperson "
                  "said, months after her last stay in treatment for addiction.")  # fmt: skip
    clusterer.add(one)
    assert clusterer.add(later) == "s:r2"


def test_stories_out_of_the_window_expire_but_keep_their_ids_and_copies() -> None:
    clusterer = StoryClusterer(window_days=30)
    one = rehab("r1", "Tara Reid", "Promises", "2008-04-08", ("Malibu", 1), "Tara Reid in rehab")
    other = rehab("l1", "Lindsay Lohan", "Betty Ford", "2008-06-20", ("Rancho Mirage", 2), "Lohan")
    other.text = LOHAN
    assert clusterer.add(one) == "s:r1"
    assert clusterer._postings and any("s:r1" in p for p in clusterer._postings.values())
    assert clusterer.add(other) == "s:l1"  # 73 days later: s:r1 leaves the index
    assert not any("s:r1" in p for p in clusterer._postings.values())
    copy = Article(id="r1c", title="Actress in clinic", text="From the wire.\n" + one.text,
                   published="2008-06-21")  # fmt: skip
    assert clusterer.add(copy) == "s:r1"  # a copy still joins its story
    assert clusterer.stories() == {"s:r1": ["r1", "r1c"], "s:l1": ["l1"]}


EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"


def test_copy_eval_smoke() -> None:
    news = EVAL / "news" / "wikinews-cc-by" / "wikinews_articles.jsonl"
    if not news.exists():
        pytest.skip(f"evaluation data not found: {news}")
    from dateline.evaluate.stories import evaluate_copies

    report = evaluate_copies(news, limit=20)
    assert "pairs" in report and "P 1.000" in report


def test_ecb_eval_smoke_text_only() -> None:
    data = EVAL / "stories" / "ecbplus"
    if not data.exists():
        pytest.skip(f"evaluation data not found: {data}")
    from dateline.evaluate.stories import load_docs, score

    docs = load_docs(data, limit=40, understand=False)
    b3, _, _ = score(docs, 0.25)
    assert 0.0 < b3.precision <= 1.0 and 0.0 < b3.recall <= 1.0


def test_eval_exits_2_without_data(tmp_path: Path) -> None:
    from dateline.evaluate.stories import main

    assert main(["--data", os.fspath(tmp_path / "absent")]) == 2


def test_numbers_count_alike_however_written() -> None:
    article = Article(id="q1", title="Quake", text="The quake killed 1,500 people; 1500 were "
                      "hurt. It measured 6.1, the agency said.")  # fmt: skip
    numbers = features(article)["numbers"]
    assert numbers == {"1500": 2, "6.1": 1}


def test_same_words_different_numbers_score_lower() -> None:
    clusterer = StoryClusterer()
    text = "A magnitude {m} earthquake struck the coast, killing {k} people, officials said."
    first = Article(id="e1", title="Earthquake", text=text.format(m="6.1", k="12"))
    clusterer.add(first)
    story = clusterer._stories["s:e1"]
    same = Article(id="e2", title="Quake", text="Quake of magnitude 6.1 kills 12 on the coast.")
    other = Article(id="e3", title="Quake", text="Quake of magnitude 7.4 kills 230 on the coast.")
    vectors = {a.id: clusterer._vectorise(features(a)) for a in (same, other)}
    assert clusterer.similarity(vectors["e2"], story, None) > clusterer.similarity(
        vectors["e3"], story, None
    )


def test_reference_day_ignores_a_text_date_without_its_year() -> None:
    guessed = Article(id="d1", title="T", text="Posted 05 / 02: the fire spread.",
                      published="2026-11-05", published_source="text")  # fmt: skip
    written = Article(id="d2", title="T", text="On 5 November 2009 the fire spread.",
                      published="2009-11-05", published_source="text")  # fmt: skip
    fed = Article(id="d3", title="T", text="The fire spread.", published="2009-11-05",
                  published_source="feed")  # fmt: skip
    assert reference_day(guessed) is None
    assert reference_day(written) == reference_day(fed) == date(2009, 11, 5)
