"""Alert rules: parsing with coded errors, matching, windows, stories, actions, webhooks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from watch_support import Route, Server, open_store

from dateline.errors import DatelineError
from dateline.model import Article, Event, EventPlace, Evidence, Participant
from dateline.watch.actions import Alerter, WebhookAction
from dateline.watch.alerts import ACCEPTED_KEYS, Alert, parse_rules, units
from dateline.watch.schedule import ManualClock

DOCS = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"


def one_rule(text: str) -> object:
    rules, errors = parse_rules(text)
    assert errors == []
    (rule,) = rules
    return rule


def errors_of(text: str) -> list[str]:
    return [f"{e.code.value} {e.message}" for e in parse_rules(text)[1]]


def test_every_key_the_parser_accepts_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for where, keys in ACCEPTED_KEYS.items():
        for key in keys:
            assert f"`{key}`" in docs, f"{where} key {key!r} is not in docs/alerts.md"


def test_documented_example_parses() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    assert blocks, "docs/alerts.md has no yaml example"
    for block in blocks:
        rules, errors = parse_rules(block)
        assert errors == [] and rules


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("rules:\n  - name: a\n    colour: red\n", "E503", "unknown key 'colour'"),
        ("rules:\n  - name: a\n    match: {typ: PROTEST}\n", "E503", "unknown key 'typ'"),
        ("rules:\n  - name: a\n    actions: [email]\n", "E503", "unknown action 'email'"),
        ("rules:\n  - name: a\n    match: {type: RIOT}\n", "E504", "not a PLOVER type"),
        ("rules:\n  - name: a\n    match: {aux: maybe}\n", "E504", "'maybe' is not one of"),
        ("rules:\n  - name: a\n    match: {countries: Kazakhstan}\n", "E504", "alpha-2"),
        ("rules:\n  - name: a\n    match: {bbox: [1, 2, 3]}\n", "E504", "bbox"),
        ("rules:\n  - name: a\n    count: {more_than: 5}\n", "E504", "needs both"),
        (
            "rules:\n  - name: a\n    count: {more_than: 5, within: soon}\n",
            "E504",
            "not a duration",
        ),
        ("rules:\n  - name: a\n    on: stories\n", "E504", "needs outlets_more_than"),
        ("rules:\n  - name: a\n    outlets_more_than: 2\n", "E504", "only a rule on stories"),
        ("rules:\n  - name: a\n    on: tweets\n", "E504", "must be one of"),
        ("rules:\n  - match: {}\n", "E504", "non-empty name"),
        ("rules:\n  - name: a\n  - name: a\n", "E504", "used twice"),
        ("rules:\n  - name: a\n    actions: [{webhook: {url: ftp://x}}]\n", "E504", "http(s)"),
        (
            "rules:\n  - name: a\n    actions: [{webhook: {url: 'http://x', tries: 2}}]\n",
            "E503",
            "tries",
        ),
    ],
)
def test_bad_rules_get_coded_errors(text: str, code: str, words: str) -> None:
    (error,) = errors_of(text)
    assert error.startswith(code) and words in error, error


def test_good_rules_are_kept_beside_bad_ones() -> None:
    rules, errors = parse_rules("rules:\n  - name: good\n  - name: bad\n    colour: red\n")
    assert [r.name for r in rules] == ["good"] and len(errors) == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [("rules: [", "E502"), ("- a\n- b\n", "E502"), ("rules: []\nextra: 1\n", "E503")],
)
def test_bad_rules_files(text: str, code: str) -> None:
    with pytest.raises(DatelineError) as caught:
        parse_rules(text)
    assert caught.value.code.value == code


def protest(country: str | None, lat: float = 43.3, lon: float = 52.9) -> Event:
    place = EventPlace("Zhanaozen", 0, 9, "Zhanaozen", 1, lat, lon, country) if country else None
    return Event(
        type="PROTEST",
        aux="asserted",
        mode="demo",
        evidence=Evidence(0, 40, "Residents protested against fuel prices."),
        trigger=Evidence(10, 19, "protested"),
        actors=[Participant("Residents", 0, 9, "residents", country="KZ")],
        place=place,
    )


def article(n: int, published: str, events: list[Event], **more: object) -> Article:
    return Article(
        id=f"a{n:04d}",
        title=f"Report {n}",
        text=f"Report {n}: residents protested against fuel prices in Zhanaozen.",
        url=f"http://wire.example/{n}",
        publisher=str(more.pop("publisher", "Wire")),
        published=published,
        events=events,
        **more,  # type: ignore[arg-type]
    )


def test_event_conditions() -> None:
    (rule,) = parse_rules(
        "rules:\n  - name: kz\n    match: {type: protest, countries: kz, actors: resident,"
        " bbox: [46, 40, 88, 56], keywords: fuel, mode: demo, aux: asserted}\n"
    )[0]
    inside = article(1, "2022-01-05", [protest("KZ")]).to_json()
    assert len(units(rule, inside)) == 1
    elsewhere = article(2, "2022-01-05", [protest("KG", lat=42.9, lon=74.6)]).to_json()
    assert units(rule, elsewhere) == []
    # no place: the participants' country stands in, but a bbox needs coordinates
    (no_bbox,) = parse_rules("rules:\n  - name: kz\n    match: {countries: KZ}\n")[0]
    assert len(units(no_bbox, article(3, "2022-01-05", [protest(None)]).to_json())) == 1


def test_article_rule_with_event_and_article_conditions() -> None:
    (rule,) = parse_rules(
        "rules:\n  - name: a\n    on: articles\n    match: {type: PROTEST, publishers: [wire],"
        " keywords: [fuel prices]}\n"
    )[0]
    assert units(rule, article(1, "2022-01-05", [protest("KZ")]).to_json())
    assert not units(rule, article(2, "2022-01-05", []).to_json())
    assert not units(rule, article(3, "2022-01-05", [protest("KZ")], publisher="Other").to_json())


def stored(tmp_path: Path, articles: list[Article]) -> object:
    store = open_store(tmp_path)
    store.write(articles)
    return store


def test_count_over_a_window_fires_once_with_its_evidence(tmp_path: Path) -> None:
    rules, _ = parse_rules(
        "rules:\n  - name: surge\n    match: {type: PROTEST, countries: KZ}\n"
        "    count: {more_than: 2, within: 24h}\n    actions: [{jsonl: "
        + json.dumps(str(tmp_path / "alerts.jsonl"))
        + "}]\n"
    )
    early = [article(1, "2022-01-03T08:00:00+06:00", [protest("KZ")])]
    day = [article(n, f"2022-01-05T{n:02d}:00:00+06:00", [protest("KZ")]) for n in range(2, 5)]
    other = [article(9, "2022-01-05T09:00:00+06:00", [protest("KG")])]
    with stored(tmp_path, early + day + other) as store:  # type: ignore[attr-defined]
        clock = ManualClock()
        alerter = Alerter(store.db, rules, clock, echo=print, warn=print)
        assert alerter.check(["a0001"]) == []  # alone in its window
        (alert,) = alerter.check(["a0004"])
        assert "3 events" in alert.reason and "more than 2" in alert.reason
        assert [e["article_id"] for e in alert.evidence] == ["a0002", "a0003", "a0004"]
        assert alert.evidence[0]["url"] == "http://wire.example/2"
        assert alert.evidence[0]["event"]["text"] == "Residents protested against fuel prices."
        assert alerter.check(["a0004"]) == []  # within its cooldown (the window)
        clock.advance(86400)
        assert len(alerter.check(["a0004"])) == 1
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["rule"] for line in lines] == ["surge", "surge"]


def test_story_past_n_independent_outlets(tmp_path: Path) -> None:
    rules, _ = parse_rules("rules:\n  - name: big\n    on: stories\n    outlets_more_than: 2\n")
    articles = [
        article(1, "2022-01-05", [], publisher="A", story_id="s:1"),
        article(2, "2022-01-05", [], publisher="B", story_id="s:1"),
        article(3, "2022-01-05", [], publisher="C", story_id="s:1", copy_of="a0001"),
        article(4, "2022-01-05", [], publisher="B", story_id="s:1"),
    ]
    echoed: list[str] = []
    with stored(tmp_path, articles) as store:  # type: ignore[attr-defined]
        alerter = Alerter(store.db, rules, ManualClock(), echo=echoed.append, warn=print)
        # A, B and a copy of A's article: two independent outlets
        assert alerter.check(["a0001", "a0002", "a0003", "a0004"]) == []
        store.write([article(5, "2022-01-06", [], publisher="D", story_id="s:1")])
        (alert,) = alerter.check(["a0005"])
        assert alert.key == "s:1" and "3 independent outlets (A, B, D)" in alert.reason
        assert alerter.check(["a0005"]) == []  # a story alerts once
    assert echoed[0].startswith("ALERT [big] story s:1")
    assert "http://wire.example/5" in echoed[0]


def webhook_alert() -> Alert:
    return Alert("r", "k", "because", [{"article_id": "x", "show": "dateline show x"}])


def test_webhook_retries_until_accepted(server: Server) -> None:
    answers = iter([500, 503, 200])

    def flaky(request: object) -> None:
        status = next(answers)
        request.send_response(status)  # type: ignore[attr-defined]
        request.send_header("Content-Length", "0")  # type: ignore[attr-defined]
        request.end_headers()  # type: ignore[attr-defined]

    url = server.set("/hook", Route(handler=flaky))
    waits: list[float] = []
    WebhookAction(url, retries=3, backoff=0.5, sleep=waits.append)(webhook_alert())
    posts = server.hits("/hook")
    assert [p.method for p in posts] == ["POST"] * 3
    assert json.loads(posts[-1].body)["reason"] == "because"
    assert posts[-1].headers["Content-Type"] == "application/json"
    assert waits == [0.5, 1.0]


def test_webhook_gives_up_with_a_code(server: Server) -> None:
    url = server.set("/down", Route(b"", status=500))
    with pytest.raises(DatelineError) as caught:
        WebhookAction(url, retries=2, sleep=lambda s: None)(webhook_alert())
    assert caught.value.code.value == "E505" and "after 3 attempt(s)" in caught.value.message
    bad = server.set("/bad", Route(b"", status=400))
    with pytest.raises(DatelineError):
        WebhookAction(bad, retries=5, sleep=lambda s: None)(webhook_alert())
    assert len(server.hits("/bad")) == 1  # a client error is not retried
