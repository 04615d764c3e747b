"""The whole pipeline behind the watcher: real articles from samples/, real events, alerts.

Three outlets' feeds each carry a one-line summary linking to an article page on the local
server: the seed (plain text) and the two sample HTML pages. The watcher fetches the
pages, the language model finds the events, and rules fire on them with their evidence.
"""

from __future__ import annotations

import json
from pathlib import Path

from watch_support import FeedItem, Route, Server, open_store, rss, watcher

from dateline.watch.alerts import parse_rules
from dateline.watch.schedule import ManualClock

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PAGES = [
    ("The Frontier Post", "seed/000_6d99dd1d5e9afdd5.txt", "text/plain; charset=utf-8"),
    ("Borderlands Observer", "pages/borderlands-observer_almaty-night-of-fires.html", "text/html"),
    ("Meridian Ledger", "pages/meridian-ledger_allied-peacekeepers-land.html", "text/html"),
]


def serve_outlets(server: Server) -> list[str]:
    feeds = []
    for number, (outlet, sample, content_type) in enumerate(PAGES):
        page = server.set(
            f"/{number}/article", Route((SAMPLES / sample).read_bytes(), content_type)
        )
        summary = FeedItem(
            guid=f"{number}", title="", body="<p>Unrest in Kazakhstan […]</p>", link=page
        )
        feeds.append(server.set(f"/{number}/feed", Route(rss([summary], title=outlet))))
    return feeds


def test_events_from_real_articles_fire_rules_with_evidence(server: Server, tmp_path: Path) -> None:
    alerts_file = tmp_path / "alerts.jsonl"
    rules, errors = parse_rules(
        f"""
rules:
  - name: kz-protests
    on: events
    match: {{type: PROTEST, aux: asserted, countries: KZ}}
    actions: [{{jsonl: {json.dumps(str(alerts_file))}}}]
  - name: kz-unrest-burst
    on: events
    match: {{type: [PROTEST, ASSAULT, COERCE], countries: KZ}}
    count: {{more_than: 3, within: 24h}}
    actions: [{{jsonl: {json.dumps(str(alerts_file))}}}]
  - name: spreading-story
    on: stories
    outlets_more_than: 2
    actions: [print, {{jsonl: {json.dumps(str(alerts_file))}}}]
"""
    )
    assert errors == []
    echoed: list[str] = []
    with open_store(tmp_path) as store:
        w = watcher(
            store,
            serve_outlets(server),
            ManualClock(),
            rules,
            echoed,
            understand=True,
            concurrency=1,
        )
        done = w.run_once()
        w.close()
        assert (done.pages, done.ingest.stored) == (3, 3)
        publishers = sorted(a["publisher"] for a in store.articles())
        fired = [json.loads(line) for line in alerts_file.read_text().splitlines()]
        recorded = store.db.execute("SELECT rule, key FROM alerts").fetchall()
    assert publishers == ["Borderlands Observer", "Meridian Ledger", "The Frontier Post"]
    by_rule: dict[str, list[dict[str, object]]] = {}
    for alert in fired:
        by_rule.setdefault(alert["rule"], []).append(alert)
    assert sorted(by_rule) == ["kz-protests", "kz-unrest-burst", "spreading-story"]
    assert len(recorded) == len(fired)

    (protests,) = by_rule["kz-protests"]  # only the seed reports protests in Kazakhstan
    assert "PROTEST" in protests["reason"]
    for item in protests["evidence"]:
        assert item["url"] == server.url("/0/article")
        event = item["event"]
        assert event["type"] == "PROTEST" and "KZ" in event["countries"]
        assert event["text"] and event["end"] > event["start"]

    (burst,) = by_rule["kz-unrest-burst"]
    assert "more than 3" in burst["reason"] and len(burst["evidence"]) > 3

    (story,) = by_rule["spreading-story"]
    assert "3 independent outlets" in story["reason"]
    assert {e["url"] for e in story["evidence"]} == {server.url(f"/{n}/article") for n in range(3)}
    assert any(line.startswith("ALERT [spreading-story]") for line in echoed)
