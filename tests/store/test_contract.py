"""The store contract: every behaviour here holds on SQLite and on PostgreSQL alike.

Each test takes ``db`` (see conftest.py) and so runs once per backend; the last ones ingest
the same samples into both through the CLI and compare what every command prints.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from pgtest import Server, rows

import dateline.api as api
from dateline import Article, Reject, open_store, process
from dateline.cli import cli
from dateline.errors import Code, DatelineError
from dateline.store import export, postgres, sqlite

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "seed" / "000_6d99dd1d5e9afdd5.txt"
ATOM = SAMPLES / "feeds" / "caspian-wire.atom"
REPRINT = SAMPLES / "pages" / "meridian-ledger_allied-peacekeepers-land.html"


def article(body: str, title: str = "A headline") -> Article:
    return process(text=body, title=title, published="2022-01-05")


def schema_version_of(db: str) -> int:
    return postgres.SCHEMA_VERSION if postgres.is_postgres_url(db) else sqlite.SCHEMA_VERSION


def test_a_new_store_is_migrated_and_reopening_changes_nothing(db: str) -> None:
    with open_store(db) as store:
        assert store.schema_version == schema_version_of(db)
        store.ingest([article("The council met on Monday.")])
    with open_store(db) as store:
        assert store.schema_version == schema_version_of(db)
        assert store.count() == 1


def test_the_same_article_twice_is_stored_once(db: str) -> None:
    one = article("Protesters gathered in the square on Tuesday.")
    same = article("Protesters  gathered in the square on Tuesday. ")
    with open_store(db) as store:
        first = store.ingest([one, same])
        second = store.ingest([one])
        assert (first.stored, first.duplicate) == (1, 1)
        assert (second.stored, second.duplicate) == (0, 1)
        assert store.count() == 1


def test_rejects_are_recorded_once(db: str) -> None:
    bad = Reject("feed.xml", "item 3", "E202", "no body", "give it a body")
    with open_store(db) as store:
        summary = store.ingest([bad, bad])
        store.ingest([bad])
        assert summary.rejected == 2
        assert summary.reject_codes == {"E202": 2}
        assert [(r["source"], r["position"], r["code"]) for r in store.rejects()] == [
            ("feed.xml", "item 3", "E202")
        ]


def test_search_ranks_and_tolerates_bad_syntax(db: str) -> None:
    with open_store(db) as store:
        store.ingest(
            [
                article("Fuel prices rose in Zhanaozen, then Almaty.", "Fuel prices"),
                article("Troops arrived in Almaty. Almaty was calm by Thursday.", "Almaty troops"),
            ]
        )
        assert [h.title for h in store.search("almaty")] == ["Almaty troops", "Fuel prices"]
        assert [h.title for h in store.search("zhanaozen")] == ["Fuel prices"]
        assert [h.title for h in store.search('"fuel prices" AND (')] == ["Fuel prices"]
        assert [h.title for h in store.search("almaty NOT fuel")] == ["Almaty troops"]
        assert store.search("nothing-like-this") == []
        assert store.search("") == []
        (hit,) = store.search("zhanaozen")
        assert "[Zhanaozen]" in hit.snippet and hit.published == "2022-01-05"


def test_get_by_id_and_prefix(db: str) -> None:
    stored = article("The cabinet resigned on Wednesday morning.")
    with open_store(db) as store:
        store.ingest([stored])
        assert store.get(stored.id).text == stored.text
        assert store.get(stored.id[:8]).id == stored.id
        # LIKE wildcards in a prefix are characters, not patterns
        for missing in ("ffffffffff", stored.id[:5], "%%%%%%", "______"):
            with pytest.raises(DatelineError) as caught:
                store.get(missing)
            assert caught.value.code is Code.NOT_IN_STORE


def test_export_formats_carry_the_same_articles(db: str, tmp_path: Path) -> None:
    items = [
        process(text="Body one is here.", title="One", source_id="r1"),
        article("Body two.", "Two"),
    ]
    with open_store(db) as store:
        store.ingest(items)
        out = io.StringIO()
        export.write_jsonl(store.articles(), out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert lines == [
            a.to_json() for a in sorted(items, key=lambda a: (a.published or "", a.id))
        ]
        out = io.StringIO()
        export.write_csv(store.articles(), out)
        csv_rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert {r["title"] for r in csv_rows} == {"One", "Two"}
        export.write_parquet(store.articles(), str(tmp_path / "a.parquet"))
        table = pq.read_table(tmp_path / "a.parquet")
        assert sorted(table.column("title").to_pylist()) == ["One", "Two"]
        assert json.loads(table.column("json")[0].as_py())["id"] in {a.id for a in items}


def test_a_rerun_skips_stored_items_before_processing(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"{n}.txt").write_text(f"Note {n}\n\nThe council met for session {n} on Monday.")
    processed: list[int] = []
    real = api.process_many

    def counting(items: Iterator[Any], **options: Any) -> Iterator[Any]:
        def counted() -> Iterator[Any]:
            for item in items:
                processed.append(1)
                yield item

        return real(counted(), **options)

    monkeypatch.setattr(api, "process_many", counting)
    with open_store(db) as store:
        first = store.ingest_inputs([str(corpus)], understand=False)
        (corpus / "3.txt").write_text("Note 3\n\nA new item arrived on Tuesday.")
        second = store.ingest_inputs([str(corpus)], understand=False)
    assert (first.stored, second.stored, second.duplicate, second.read) == (3, 1, 3, 4)
    assert len(processed) == 3 + 1  # the second run processed only the new item


def test_entities_are_rows_with_aliases(db: str) -> None:
    with open_store(db) as store:
        store.ingest_inputs([str(SEED)])
        store.ingest_inputs([str(SEED)])  # a duplicate must not count mentions twice
        (tokayev,) = store.entities("Zhomart")
        assert tokayev["canonical"] == "Kassym-Jomart Tokayev"
        assert (tokayev["kind"], tokayev["country"], tokayev["sector"]) == ("person", "KZ", "GOV")
        assert set(tokayev["aliases"].split(" | ")) == {"Kassym-Zhomart Tokayev", "Tokayev"}
        assert (tokayev["articles"], tokayev["mentions"]) == (1, 3)
        assert [e["canonical"] for e in store.entities("Alma-Ata")] == ["Almaty"]
        media = {e["canonical"] for e in store.entities(kind="media")}
        assert {"RIA Novosti", "Twitter"} <= media


def test_stories_carry_over_between_ingests(db: str) -> None:
    with open_store(db) as store:
        store.ingest_inputs([str(ATOM)], understand=False)
    with open_store(db) as store:  # a new process would start here: the index is in the store
        store.ingest_inputs([str(REPRINT)], understand=False)
        stories = {row["story_id"]: row for row in store.stories()}
        exported = {a["publisher"]: a for a in store.articles()}
    reprint = exported["Meridian Ledger"]
    assert reprint["copy_of"] is not None
    assert reprint["story_id"] == f"s:{reprint['copy_of']}"
    story = stories[reprint["story_id"]]
    assert (story["articles"], story["outlets"], story["copies"]) == (2, 2, 1)


def test_each_event_of_a_stored_article_is_a_row_with_its_participants(
    db: str, seed: Article
) -> None:
    with open_store(db) as store:
        store.write([seed, seed])
        events = rows(store, "SELECT type, aux, country FROM events ORDER BY article_id, idx")
        assert [(t, a) for t, a, _ in events] == [(e.type, e.aux) for e in seed.events]
        assert ("REQUEST", "negated") in {(t, a) for t, a, _ in events}
        (actors,) = rows(store, "SELECT count(*) FROM event_participants WHERE role = 'actor'")
        assert actors[0] == sum(len(e.actors) for e in seed.events)
        (in_kz,) = rows(store, "SELECT count(*) FROM events WHERE country = 'KZ'")
        assert in_kz[0] == sum(1 for e in seed.events if e.place and e.place.country == "KZ") > 0


# --- the CLI on both backends, compared ---------------------------------------------------

# Commands whose output must be the same, byte for byte, whichever backend holds the store.
SAME_OUTPUT = [
    ["export"],
    ["export", "--format", "csv"],
    ["show", "9637d943"],
    ["entities", "--format", "jsonl"],
    ["entities", "tokayev", "--kind", "person", "--format", "jsonl"],
    ["stories", "--format", "jsonl"],
    ["events", "--format", "jsonl"],
    ["events", "--fused", "--type", "REQUEST", "--format", "jsonl"],
    ["rejects"],  # the table: jsonl carries the time each reject was first seen
]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def both(pg: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The samples (and an empty feed item, a reject) ingested by the CLI into both stores."""
    folder = tmp_path_factory.mktemp("both")
    broken = folder / "broken.jsonl"
    broken.write_text('{"id": "x", "title": "No body"}\n')
    stores = {"sqlite": str(folder / "s.db"), "postgres": pg.new_database("both")}
    for db in stores.values():
        run("ingest", "--quiet", "--db", db, str(SAMPLES), str(broken))
    return stores


@pytest.mark.parametrize("command", SAME_OUTPUT, ids=" ".join)
def test_a_command_prints_the_same_on_both_backends(
    both: dict[str, str], command: list[str]
) -> None:
    printed = {name: run(*command, "--db", db) for name, db in both.items()}
    assert printed["sqlite"] == printed["postgres"]
    assert printed["sqlite"].strip()  # and it printed something


def test_summary_and_search_agree_on_both_backends(both: dict[str, str]) -> None:
    summaries = {name: run("summary", "--db", db).splitlines() for name, db in both.items()}
    assert summaries["sqlite"][1:] == summaries["postgres"][1:]  # the first line names the db
    assert summaries["postgres"][0].startswith("13 articles in postgresql://")
    hits = {
        name: [
            json.loads(line)
            for line in run("search", "Zhanaozen", "--format", "jsonl", "--db", db).splitlines()
        ]
        for name, db in both.items()
    }
    # the rankers differ (BM25, ts_rank_cd): the same articles are found, in either order
    assert {h["id"] for h in hits["sqlite"]} == {h["id"] for h in hits["postgres"]} != set()
    assert all("[Zhanaozen]" in h["snippet"] for h in hits["postgres"])


def test_parquet_export_from_postgres(both: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    run("export", "--format", "parquet", "--output", str(out), "--db", both["postgres"])
    table = pq.read_table(out)
    exported = [json.loads(line) for line in run("export", "--db", both["sqlite"]).splitlines()]
    assert table.column("id").to_pylist() == [a["id"] for a in exported]
    assert [json.loads(j) for j in table.column("json").to_pylist()] == exported


def test_reingesting_through_the_cli_changes_nothing(both: dict[str, str]) -> None:
    before = run("export", "--db", both["postgres"])
    result = CliRunner().invoke(cli, ["ingest", "--quiet", "--db", both["postgres"], str(SAMPLES)])
    assert "stored 0, duplicate 13, rejected 0" in result.stderr
    assert run("export", "--db", both["postgres"]) == before
