"""Latency of GET /events with typical filters on a store of 1,000,000 events.

Builds a store with the real schema (dateline's migrations) and synthesised rows: articles
(10 events each), events spread over 3 years with a realistic skew of PLOVER types, aux
values, countries (a few dominate), coordinates near each country's cities, and actors and
recipients drawn from a Zipf-like list of entities. Rows go in with executemany, no pipeline.

Each query runs through the real ASGI app (FastAPI's TestClient: routing, validation, JSON
encoding, headers, in process) and, as the reference in the same run, as the bare SQL
statement the app executes (same connection settings, rows fetched, no JSON). The ratio of
the two shows what the web layer costs over SQLite.

    .venv/bin/python benchmarks/bench_api.py [--events 1000000] [--runs 60] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import warnings
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, write_results

from dateline.store.sqlite import SQLiteStore
from dateline.web import queries as q
from dateline.web.app import create_app

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

EVENTS_PER_ARTICLE = 10
START = date(2021, 1, 1)
DAYS = 3 * 365
TYPES = {  # PLOVER types, weighted roughly as news reports them
    "ACCUSE": 14, "ASSAULT": 12, "PROTEST": 11, "CONSULT": 10, "REQUEST": 9, "COERCE": 8,
    "MOBILIZE": 6, "THREATEN": 5, "AGREE": 5, "SUPPORT": 4, "REJECT": 4, "SANCTION": 3,
    "CONCEDE": 3, "RETREAT": 2, "COOPERATE": 2, "AID": 1, "DEMAND": 1,
}  # fmt: skip
AUX = {"asserted": 80, "hypothetical": 8, "negated": 5, "historical": 4, "generic": 3}
COUNTRIES = {  # code: (weight, lat, lon) — a few countries take most of the news
    "US": (18, 39.0, -98.0), "UA": (12, 49.0, 32.0), "RU": (10, 56.0, 38.0), "CN": (7, 35.0, 105.0),
    "GB": (6, 52.0, -1.5), "FR": (5, 46.5, 2.5), "DE": (5, 51.0, 10.0), "IN": (5, 22.0, 79.0),
    "KZ": (3, 48.0, 68.0), "BR": (3, -10.0, -52.0), "NG": (3, 9.0, 8.0), "IL": (3, 31.5, 35.0),
    "TR": (3, 39.0, 35.0), "IR": (3, 32.0, 53.0), "PK": (2, 30.0, 70.0), "MX": (2, 23.0, -102.0),
    "ZA": (2, -29.0, 24.0), "EG": (2, 26.5, 30.0), "JP": (2, 36.0, 138.0), "AU": (2, -25.0, 134.0),
}  # fmt: skip
ENTITIES = 5000
PUBLISHERS = [f"Outlet {i}" for i in range(300)]


def weighted(table: dict[str, Any]) -> tuple[list[str], list[float]]:
    keys = list(table)
    weights = [float(v[0] if isinstance(v, tuple) else v) for v in table.values()]
    return keys, weights


def build(path: Path, events: int, seed: int) -> dict[str, float]:
    """The store at ``path``: the real schema, then synthesised rows in one transaction."""
    started = perf_counter()
    SQLiteStore(path).close()
    rng = random.Random(seed)
    types, type_w = weighted(TYPES)
    auxes, aux_w = weighted(AUX)
    countries, country_w = weighted(COUNTRIES)
    zipf = [1 / (rank + 1) for rank in range(ENTITIES)]
    entity_ids = [f"e:{i}" for i in range(ENTITIES)]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO entities (id, canonical, kind, country) VALUES (?, ?, 'person', ?)",
        [
            (e, f"Entity {i}", rng.choices(countries, country_w)[0])
            for i, e in enumerate(entity_ids)
        ],
    )
    articles = math.ceil(events / EVENTS_PER_ARTICLE)
    for first in range(0, articles, 10_000):
        article_rows, event_rows, participant_rows = [], [], []
        for a in range(first, min(first + 10_000, articles)):
            article_id = f"{a:020x}"
            day = START + timedelta(days=int(rng.triangular(0, DAYS, DAYS)))  # more news lately
            published = day.isoformat()
            publisher = rng.choice(PUBLISHERS)
            story = f"s:{a // 4:016x}"
            article_rows.append(
                (article_id, f"Article {a}", publisher, published, "text", "{}", published, story)
            )
            for idx in range(min(EVENTS_PER_ARTICLE, events - a * EVENTS_PER_ARTICLE)):
                event_rows.append(_event(rng, article_id, idx, day, publisher, story, types, type_w, auxes, aux_w, countries, country_w))  # fmt: skip
                for role in ("actor", "recipient"):
                    if rng.random() < (0.8 if role == "actor" else 0.5):
                        n = rng.choices(range(ENTITIES), zipf)[0]
                        participant_rows.append(
                            (article_id, idx, role, entity_ids[n], f"Entity {n}", None, None)
                        )
        db.executemany(
            "INSERT INTO articles (id, title, publisher, published, text, data, ingested_at, story_id)"
            " VALUES (?,?,?,?,?,?,?,?)",
            article_rows,
        )
        db.executemany(
            f"INSERT INTO events ({q_columns()}) VALUES ({','.join('?' * 21)})", event_rows
        )
        db.executemany(
            "INSERT INTO event_participants (article_id, idx, role, entity_id, canonical, country, sector)"
            " VALUES (?,?,?,?,?,?,?)",
            participant_rows,
        )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return {"build_seconds": round(perf_counter() - started, 1), "articles": articles}


def q_columns() -> str:
    from dateline.store.event_rows import EVENT_COLUMNS

    return EVENT_COLUMNS


def _event(rng: random.Random, article_id: str, idx: int, published: date, publisher: str, story: str, types: list[str], type_w: list[float], auxes: list[str], aux_w: list[float], countries: list[str], country_w: list[float]) -> tuple[Any, ...]:  # fmt: skip
    kind = rng.choices(types, type_w)[0]
    aux = rng.choices(auxes, aux_w)[0]
    roll = rng.random()
    if roll < 0.1:  # no date from the text
        when, day_from, day_to = None, None, None
    elif roll < 0.2:  # a month
        when = published.isoformat()[:7]
        day_from, day_to = when + "-01", when + "-28"
    else:
        day = published - timedelta(days=int(rng.expovariate(0.5)))
        when = day_from = day_to = day.isoformat()
    lat = lon = country = place = None
    if rng.random() < 0.7:
        country = rng.choices(countries, country_w)[0]
        _, clat, clon = COUNTRIES[country]
        lat, lon = clat + rng.gauss(0, 3), clon + rng.gauss(0, 4)
        place = f"Place {rng.randrange(200)}"
    evidence = f"Evidence sentence {idx} of article {article_id} reporting a {kind.lower()} event."
    data = {"type": kind, "aux": aux, "evidence": {"start": 0, "end": len(evidence), "text": evidence}, "actors": [], "recipients": []}  # fmt: skip
    return (
        article_id, idx, kind, None, aux, when, day_from, day_to, place, None, country, lat, lon,
        None, None, 0.7, None, story, publisher, published.isoformat(), json.dumps(data),
    )  # fmt: skip


QUERIES: dict[str, dict[str, Any]] = {  # name: query parameters — what an analyst or the dashboard asks
    "no filter (newest 50)": {},
    "type": {"type": "PROTEST"},
    "type + aux": {"type": "ASSAULT", "aux": "asserted"},
    "rare aux": {"aux": "negated"},
    "country + month": {"country": "UA", "from": "2023-03-01", "to": "2023-03-31"},
    "type + country + quarter": {"type": "PROTEST", "country": "FR", "from": "2022-01-01", "to": "2022-03-31"},
    "date range (a week)": {"from": "2022-06-01", "to": "2022-06-07"},
    "bbox (Europe)": {"bbox": "-10,35,30,60"},
    "bbox + type + year": {"bbox": "20,40,45,55", "type": "ASSAULT", "from": "2022-01-01", "to": "2022-12-31"},
    "dashboard map (500 with coordinates)": {"bbox": "-180,-90,180,90", "limit": 500},
    "frequent actor": {"actor": "e:0"},
    "mid actor": {"actor": "e:40"},
    "rare actor": {"actor": "e:3000"},
    "actor + type": {"actor": "e:1", "type": "ACCUSE"},
    "recipient + country": {"recipient": "e:2", "country": "US"},
    "story": {"story": "s:0000000000001234"},
}  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def bare_sql(db: sqlite3.Connection, params: dict[str, Any], span: int) -> int:
    """The statements the app runs for one page, executed alone (no HTTP, no JSON): the
    reference. A bbox or actor filter may run two plans (see queries.event_rows)."""
    filters = q.EventFilters(
        type=params.get("type"), aux=params.get("aux"), actor=params.get("actor"),
        recipient=params.get("recipient"), country=params.get("country"),
        bbox=q.check_bbox(params.get("bbox")), day_from=params.get("from"),
        day_to=params.get("to"), story=params.get("story"),
    )  # fmt: skip
    rows, _ = q.event_rows(db, filters, int(params.get("limit", 50)), None, span)
    return len(rows)


def measure(path: Path, runs: int) -> dict[str, Any]:
    app = create_app(path)
    client = TestClient(app)
    client.__enter__()  # one event loop and worker pool for the run, as in a real server
    reference = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    reference.row_factory = sqlite3.Row
    for pragma in ("query_only=ON", "mmap_size=268435456", "cache_size=-32768"):
        reference.execute(f"PRAGMA {pragma}")  # as the app's readers have
    span = q.longest_event_span(reference)
    results: dict[str, Any] = {}
    for name, params in QUERIES.items():
        client.get("/events", params=params)  # warm the page cache for this query
        bare_sql(reference, params, span)
        api, sql = [], []
        cpu_start = process_time()
        for _ in range(runs):
            start = perf_counter()
            response = client.get("/events", params=params)
            api.append(perf_counter() - start)
            assert response.status_code == 200, response.text
        api_cpu = process_time() - cpu_start
        items = len(response.json()["items"])
        for _ in range(runs):
            start = perf_counter()
            count = bare_sql(reference, params, span)
            sql.append(perf_counter() - start)
        assert count == items
        # the next page too: keyset pagination should cost what the first page costs
        cursor = response.json()["next_cursor"]
        page2 = []
        if cursor:
            for _ in range(max(runs // 3, 5)):
                start = perf_counter()
                client.get("/events", params={**params, "cursor": cursor})
                page2.append(perf_counter() - start)
        results[name] = {
            "params": params,
            "items": items,
            "api": summary(api),
            "api_cpu_ms_per_request": round(api_cpu * 1000 / runs, 2),
            "sql": summary(sql),
            "next_page_api": summary(page2) if page2 else None,
            "ratio_p50_api_over_sql": round(
                summary(api)["p50_ms"] / max(summary(sql)["p50_ms"], 1e-3), 2
            ),
        }
        print(f"{name:40s} items {items:4d}  api p50 {results[name]['api']['p50_ms']:7.2f}  p95 {results[name]['api']['p95_ms']:7.2f}  p99 {results[name]['api']['p99_ms']:7.2f} ms   sql p50 {results[name]['sql']['p50_ms']:7.2f} p95 {results[name]['sql']['p95_ms']:7.2f} ms")  # fmt: skip
    results["information (no target)"] = _information(client, max(runs // 6, 5))
    client.__exit__(None, None, None)
    reference.close()
    return results


INFORMATION = {  # other endpoints the dashboard calls, measured for the record
    "/timeline (whole store)": ("/timeline", {}),
    "/timeline?type&country": ("/timeline", {"type": "PROTEST", "country": "UA"}),
    "/ (dashboard page, 25 events)": ("/", {}),
}


def _information(client: TestClient, runs: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, (path, params) in INFORMATION.items():
        client.get(path, params=params)
        samples = []
        for _ in range(runs):
            start = perf_counter()
            response = client.get(path, params=params)
            samples.append(perf_counter() - start)
            assert response.status_code == 200
        found[name] = {"runs": runs, **summary(samples)}
        print(f"{name:40s} p50 {found[name]['p50_ms']:8.1f}  p95 {found[name]['p95_ms']:8.1f} ms")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--db", type=Path, help="reuse (or keep) the generated store here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench_api.db"
        built: dict[str, Any] = {"reused": True}
        if not path.exists():
            built = build(path, args.events, args.seed)
            print(f"built {args.events:,} events in {built['build_seconds']} s")
        results = measure(path, args.runs)
        all_api = [r["api"]["p95_ms"] for r in results.values() if "api" in r]
        output = {
            "machine": machine(),
            "events": args.events,
            "runs_per_query": args.runs,
            "store": built,
            "store_bytes": path.stat().st_size,
            "queries": results,
            "worst_p95_ms": max(all_api),
            "target_p95_ms": 100,
        }
        print(f"worst p95 {max(all_api):.1f} ms (target < 100 ms)")
        print(write_results("api.json", output))


if __name__ == "__main__":
    main()
