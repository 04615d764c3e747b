"""The HTTP API over a store built from samples/ and hostile articles (real pipeline)."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dateline.web.app import SECURITY_HEADERS, create_app

from .conftest import HOSTILE


def walk(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a listing, following next_cursor page by page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def all_events(web_store: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(web_store)
    db.row_factory = sqlite3.Row
    rows = [
        dict(r)
        for r in db.execute(
            "SELECT article_id, idx, type, aux, country, lat, lon, day_from, day_to FROM events"
        )
    ]
    db.close()
    return rows


def test_error_shape_is_pinned(client: TestClient) -> None:
    cases = [
        ("GET", "/events?limit=0", 400, "E601"),
        ("GET", "/events?from=2022-13-01", 400, "E601"),
        ("GET", "/events?bbox=1,2,3", 400, "E601"),
        ("GET", "/events?country=Kazakhstan", 400, "E601"),
        ("GET", "/events?format=xml", 400, "E601"),
        ("GET", "/events?cursor=not-a-cursor", 400, "E602"),
        ("GET", "/no/such/endpoint", 404, "E603"),
        ("GET", "/articles/0000000000000000", 404, "E603"),
        ("GET", "/entities/kb:no-such-entity", 404, "E603"),
        ("GET", "/stories/s:none", 404, "E603"),
        ("POST", "/ingest", 403, "E604"),
        ("POST", "/events", 405, "E607"),
        ("DELETE", "/articles", 405, "E607"),
    ]
    for method, path, status, code in cases:
        response = client.request(method, path)
        assert response.status_code == status, (path, response.text)
        body = response.json()
        assert list(body) == ["error"], path
        assert sorted(body["error"]) == ["code", "hint", "message"], path
        assert body["error"]["code"] == code, path
        assert body["error"]["message"] and body["error"]["hint"], path


def test_every_response_has_the_security_headers(client: TestClient, web_store: Path) -> None:
    for path in [
        "/",
        "/events",
        "/docs",
        "/openapi.json",
        "/static/dateline.js",
        "/nope",
        "/search?q=x",
    ]:
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    assert "default-src 'self'" in SECURITY_HEADERS["Content-Security-Policy"]
    assert "unsafe-inline" not in SECURITY_HEADERS["Content-Security-Policy"]


def test_events_pages_cover_every_event_once_in_order(client: TestClient, web_store: Path) -> None:
    items = walk(client, "/events", limit=7)
    expected = {f"{e['article_id']}:{e['idx']}" for e in all_events(web_store)}
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == len(expected) > 50
    assert set(ids) == expected
    days = [item["day_from"] for item in items]
    dated = [d for d in days if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert days[: len(dated)] == dated  # undated events come last


def test_event_filters_match_the_rows(client: TestClient, web_store: Path) -> None:
    rows = all_events(web_store)
    protests = walk(client, "/events", type="PROTEST", limit=500)
    assert {e["type"] for e in protests} == {"PROTEST"}
    assert len(protests) == sum(r["type"] == "PROTEST" for r in rows) > 0
    kz = walk(client, "/events", country="kz")
    assert len(kz) == sum(r["country"] == "KZ" for r in rows) > 0
    box = walk(client, "/events", bbox="75,42,78,44.5")  # around Almaty
    inside = [
        r for r in rows if r["lat"] is not None and 42 <= r["lat"] <= 44.5 and 75 <= r["lon"] <= 78
    ]
    assert len(box) == len(inside) > 0
    # a date filter matches events whose day range overlaps it (a week, a month, a year)
    window = walk(client, "/events", **{"from": "2022-01-05", "to": "2022-01-06"})
    overlapping = [
        r
        for r in rows
        if r["day_from"] and r["day_to"] >= "2022-01-05" and r["day_from"] <= "2022-01-06"
    ]
    assert len(window) == len(overlapping) > 0
    negated = walk(client, "/events", aux="negated")
    assert negated and {e["aux"] for e in negated} == {"negated"}


def test_actor_and_recipient_filters(client: TestClient) -> None:
    events = walk(client, "/events", limit=500)
    actor = next(name for e in events for name in e["actors"] if "Tokayev" in name)
    as_actor = walk(client, "/events", actor=actor)
    assert as_actor and all(actor in e["actors"] for e in as_actor)
    assert len(as_actor) == sum(actor in e["actors"] for e in events)
    lower = walk(client, "/events", actor=actor.lower())
    assert len(lower) == len(as_actor)  # names match case-insensitively
    recipient = next(name for e in events for name in e["recipients"])
    assert all(recipient in e["recipients"] for e in walk(client, "/events", recipient=recipient))


def test_a_cursor_only_works_with_its_own_filters(client: TestClient) -> None:
    first = client.get("/events", params={"limit": 2}).json()
    assert first["next_cursor"]
    response = client.get(
        "/events", params={"limit": 2, "type": "PROTEST", "cursor": first["next_cursor"]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "E602"


def test_downloads_hold_every_row(client: TestClient, web_store: Path) -> None:
    total = len(all_events(web_store))
    jsonl = client.get("/events", params={"format": "jsonl"})
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    assert len(lines) == total
    assert lines == walk(client, "/events", limit=500)
    table = client.get("/events", params={"format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    assert "attachment" in table.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == total
    assert {"id", "type", "aux", "day_from", "actors", "evidence"} <= set(rows[0])
    for name in ("/articles", "/entities", "/stories", "/timeline"):
        body = client.get(name, params={"format": "csv"}).text
        assert len(list(csv.DictReader(io.StringIO(body)))) == len(walk(client, name)) > 0


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(client: TestClient) -> None:
    body = client.get("/events", params={"format": "csv"}).text
    for row in csv.DictReader(io.StringIO(body)):
        for value in row.values():
            assert not value.startswith(("=", "+", "@")), value


def test_articles_search_and_filters(client: TestClient, web_store: Path) -> None:
    hits = client.get("/articles", params={"q": "CSTO"}).json()["items"]
    seed = next(h for h in hits if h["title"] == "Kazakhstan did not ask for help: CSTO")
    assert "[" in seed["snippet"]
    full = client.get(f"/articles/{seed['id']}").json()
    assert full["publisher"] == "The Frontier Post" and full["events"]
    everything = walk(client, "/articles", limit=4)
    assert len(everything) == len({a["id"] for a in everything}) == 13 + len(HOSTILE)
    published = [a["published"] for a in everything if a["published"]]
    assert published == sorted(published, reverse=True)
    by_publisher = walk(client, "/articles", publisher="The Frontier Post")
    assert [a["id"] for a in by_publisher] == [seed["id"]]
    by_entity = walk(client, "/articles", entity="Collective Security Treaty Organization")
    assert seed["id"] in {a["id"] for a in by_entity}
    by_alias = walk(client, "/articles", entity="CSTO")
    assert {a["id"] for a in by_alias} == {a["id"] for a in by_entity}
    in_zhanaozen = walk(client, "/articles", place="Zhanaozen")
    assert seed["id"] in {a["id"] for a in in_zhanaozen}
    assert len(walk(client, "/articles", country="KZ")) >= len(in_zhanaozen)
    dated = walk(client, "/articles", **{"from": "2022-01-07", "to": "2022-01-08"})
    assert dated and all("2022-01-07" <= a["published"][:10] <= "2022-01-08" for a in dated)
    story = walk(client, "/articles", story=full["story_id"])
    assert seed["id"] in {a["id"] for a in story}
    # text that is not FTS syntax is searched as words
    assert client.get("/articles", params={"q": 'CSTO "AND ('}).status_code == 200


def test_entities_and_stories(client: TestClient) -> None:
    entities = walk(client, "/entities", limit=10)
    counts = [e["articles"] for e in entities]
    assert counts == sorted(counts, reverse=True) and len(entities) > 20
    tokayev = next(e for e in entities if e["canonical"] == "Kassym-Jomart Tokayev")
    detail = client.get(f"/entities/{tokayev['id']}").json()
    assert detail["aliases"] and detail["mentions_by_day"]
    assert all("Kassym-Jomart Tokayev" in e["actors"] for e in detail["events_as_actor"])
    assert detail["events_as_actor"] and detail["quotes"]
    assert walk(client, "/entities", kind="person")
    stories = walk(client, "/stories", limit=2)
    sizes = [s["articles"] for s in stories]
    assert sizes == sorted(sizes, reverse=True)
    big = client.get(f"/stories/{stories[0]['id']}").json()
    assert len(big["articles"]) == stories[0]["articles"] and big["fused_events"]
    assert big["copies"] == stories[0]["copies"]
    assert sum(row["count"] for row in big["timeline"]) > 0


def test_timeline_counts_events_per_day_and_type(client: TestClient, web_store: Path) -> None:
    body = client.get("/timeline").json()
    rows = all_events(web_store)
    assert sum(r["count"] for r in body["items"]) == sum(r["day_from"] is not None for r in rows)
    protests = client.get("/timeline", params={"type": "PROTEST"}).json()
    assert {r["type"] for r in protests["items"]} == {"PROTEST"}
    assert body["days"] == sorted(body["days"])


def test_fused_events_are_paged_and_filtered(client: TestClient) -> None:
    fused = walk(client, "/events", fused="true", limit=3)
    assert len(fused) == len({f["id"] for f in fused}) > 0
    assert all(f["reports"] >= 1 and f["evidence"] for f in fused)
    assert sum(f["reports"] for f in fused) == len(walk(client, "/events", limit=500))
    kinds = walk(client, "/events", fused="true", type="REQUEST")
    assert kinds and {f["type"] for f in kinds} == {"REQUEST"}
    assert client.get("/events", params={"fused": "true", "bbox": "0,0,1,1"}).status_code == 400


def test_hostile_articles_come_back_as_data(client: TestClient) -> None:
    found = walk(client, "/articles", q="Almaty riot police")
    hostile = next(a for a in found if a["title"].startswith("<script>"))
    assert hostile["title"] == HOSTILE[0]["title"]  # the API returns data as it is
    page = client.get(f"/article/{hostile['id']}").text
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert 'onerror="window' not in page and 'href="javascript:' not in page.lower()
    second = next(
        a for a in walk(client, "/articles", q="curfew Aktau") if "javascript" in a["title"]
    )
    assert '<a href="javascript' not in client.get(f"/article/{second['id']}").text
    third = next(a for a in walk(client, "/articles", q="Liberation Front"))
    found = client.get(f"/articles/{third['id']}").json()
    speakers = [(q.get("speaker") or {}).get("canonical") or "" for q in found["quotes"]]
    assert any("<script>" in name for name in speakers)  # a hostile name, as the pipeline found it
    page = client.get(f"/article/{third['id']}").text
    assert "Liberation Front &lt;script&gt;" in page and "Front <script>" not in page
    assert not re.search(r'<a [^>]*href="data:', page) and "Source (not a web link" in page
    for path in (
        "/",
        "/search?q=Almaty",
        "/browse/stories",
        "/browse/entities",
        f"/story/{hostile['story_id']}",
    ):
        html = client.get(path).text
        assert (
            "<script>window" not in html and "<svg onload" not in html and "<img src=x" not in html
        ), path


def test_ingest_needs_the_token_and_stores_through_the_pipeline(store_copy: Path) -> None:
    app = create_app(store_copy, token="s3cret-token")
    record = {
        "id": "posted-1",
        "title": "Farmers block highway near Shymkent",
        "published": "2022-02-01",
        "publisher": "Posted Daily",
        "text": "Farmers blocked a highway near Shymkent on February 1, 2022, protesting fuel prices, police said.",
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        none = client.post("/ingest", json=record)
        assert none.status_code == 401 and none.json()["error"]["code"] == "E605"
        wrong = client.post(
            "/ingest", json=record, headers={"Authorization": "Bearer s3cret-tokex"}
        )
        assert wrong.status_code == 401
        bad = client.post(
            "/ingest", content=b"[1, 2]", headers={"Authorization": "Bearer s3cret-token"}
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "E606"
        good = client.post("/ingest", json=record, headers={"Authorization": "Bearer s3cret-token"})
        assert good.status_code == 200, good.text
        assert good.json()["stored"] == 1
        again = client.post(
            "/ingest", json=[record], headers={"Authorization": "Bearer s3cret-token"}
        )
        assert again.json()["duplicate"] == 1 and again.json()["stored"] == 0
        hits = client.get("/articles", params={"q": "Shymkent"}).json()["items"]
        assert [h["publisher"] for h in hits] == ["Posted Daily"]
        assert client.get("/health").json()["ingest"] is True


def test_readers_cannot_write(app: Any) -> None:
    db = app.state.reader.db()
    with pytest.raises(sqlite3.OperationalError):
        db.execute("DELETE FROM articles")


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/articles", "/events", "/timeline", "/entities", "/stories", "/ingest"} <= set(
        schema["paths"]
    )
    docs = client.get("/docs")
    assert (
        docs.status_code == 200
        and "/events" in docs.text
        and "<script" not in docs.text.split("<footer>")[0].split("</header>")[1]
    )


def test_pages_render_errors_as_pages(client: TestClient) -> None:
    seed = client.get("/articles", params={"q": "CSTO help"}).json()["items"][0]
    bad = client.get(f"/article/{seed['id']}", params={"event": 999})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert "E601" in bad.text
    missing = client.get("/article/0000000000000000")
    assert missing.status_code == 404 and "E603" in missing.text and "<html" in missing.text
    moved = client.get(f"/event/{seed['id']}/0", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/article/{seed['id']}?event=0#event-0"


def test_ingest_refuses_a_body_over_the_limit(store_copy: Path) -> None:
    app = create_app(store_copy, token="t0ken")
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(
            "/ingest", content=b" " * 5_000_001, headers={"Authorization": "Bearer t0ken"}
        )
    assert response.status_code == 413 and response.json()["error"]["code"] == "E105"


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "40,30,90,60"},
        {"bbox": "75,42,78,44.5", "type": "ASSAULT"},
        {"bbox": "170,-60,-170,60"},  # across the antimeridian
        {"actor": "Kassym-Jomart Tokayev"},
        {"recipient": "government (KZ)", "from": "2022-01-01"},
    ],
)
def test_both_plans_of_a_filter_give_the_same_pages(
    app: Any, params: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dateline.web import queries as q
    from dateline.web.app import event_filters

    db = app.state.reader.db()
    filters = event_filters(
        params.get("type"), None, None, params.get("actor"), params.get("recipient"),
        None, params.get("bbox"), params.get("from"), None, None,
    )  # fmt: skip
    span = q.longest_event_span(db)

    def pages() -> list[list[int]]:
        found, cursor = [], None
        while True:
            rows, cursor = q.event_rows(db, filters, 3, cursor, span)
            found.append([row["_rowid"] for row in rows])
            if cursor is None:
                return found

    monkeypatch.setattr(q, "FEW_MATCHES", 0)  # always walk the day index
    walked = pages()
    monkeypatch.setattr(q, "FEW_MATCHES", 10**9)  # always find by the filter's index, then sort
    sought = pages()
    assert walked == sought
    if "170" not in params.get("bbox", ""):
        assert sum(len(page) for page in walked) > 0


def test_serving_needs_an_existing_sqlite_store(tmp_path: Path) -> None:
    from dateline.errors import DatelineError

    for target in (tmp_path / "missing.db", "postgresql://dateline@localhost/news"):
        with pytest.raises(DatelineError) as caught:
            create_app(target)
        assert caught.value.code.value == "E402"
