"""The embedded store: migrations, idempotent ingest, search, rejects, export, resume after kill."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dateline import Article, Reject, open_store, process
from dateline.errors import Code, DatelineError
from dateline.store import export
from dateline.store.sqlite import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]


def article(body: str, title: str = "A headline") -> Article:
    return process(text=body, title=title, published="2022-01-05")


def test_new_store_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_from_a_newer_dateline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(DatelineError) as caught:
        open_store(path)
    assert caught.value.code is Code.STORE


def test_the_same_article_twice_is_stored_once(tmp_path: Path) -> None:
    one = article("Protesters gathered in the square on Tuesday.")
    same = article("Protesters  gathered in the square on Tuesday. ")
    with open_store(tmp_path / "s.db") as store:
        first = store.ingest([one, same])
        second = store.ingest([one])
        assert (first.stored, first.duplicate) == (1, 1)
        assert (second.stored, second.duplicate) == (0, 1)
        assert store.count() == 1


def test_rejects_are_recorded_once(tmp_path: Path) -> None:
    bad = Reject("feed.xml", "item 3", "E202", "no body", "give it a body")
    with open_store(tmp_path / "s.db") as store:
        summary = store.ingest([bad, bad])
        store.ingest([bad])
        assert summary.rejected == 2
        assert summary.reject_codes == {"E202": 2}
        assert [(r["source"], r["position"], r["code"]) for r in store.rejects()] == [
            ("feed.xml", "item 3", "E202")
        ]


def test_search_ranks_and_tolerates_bad_syntax(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store.ingest(
            [
                article("Troops arrived in Almaty on Thursday.", "Troops arrive"),
                article("Fuel prices rose in Zhanaozen, then Almaty.", "Fuel prices"),
            ]
        )
        assert {h.title for h in store.search("almaty")} == {"Troops arrive", "Fuel prices"}
        assert [h.title for h in store.search("zhanaozen")] == ["Fuel prices"]
        assert [h.title for h in store.search('"fuel prices" AND (')] == ["Fuel prices"]
        assert store.search("nothing-like-this") == []


def test_get_by_id_and_prefix(tmp_path: Path) -> None:
    stored = article("The cabinet resigned on Wednesday morning.")
    with open_store(tmp_path / "s.db") as store:
        store.ingest([stored])
        assert store.get(stored.id).text == stored.text
        assert store.get(stored.id[:8]).id == stored.id
        with pytest.raises(DatelineError) as caught:
            store.get("ffffffffff")
        assert caught.value.code is Code.NOT_IN_STORE


def test_export_formats_carry_the_same_articles(tmp_path: Path) -> None:
    items = [
        process(text="Body one is here.", title="One", source_id="r1"),
        article("Body two.", "Two"),
    ]
    with open_store(tmp_path / "s.db") as store:
        store.ingest(items)
        out = io.StringIO()
        export.write_jsonl(store.articles(), out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert {(a["title"], a["source_id"]) for a in lines} == {("One", "r1"), ("Two", None)}
        out = io.StringIO()
        export.write_csv(store.articles(), out)
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert {r["title"] for r in rows} == {"One", "Two"}
        export.write_parquet(store.articles(), str(tmp_path / "a.parquet"))
        table = pq.read_table(tmp_path / "a.parquet")
        assert sorted(table.column("title").to_pylist()) == ["One", "Two"]
        assert json.loads(table.column("json")[0].as_py())["id"] in {a.id for a in items}


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_ingest_killed_half_way_resumes_without_loss_or_doubles(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    total = 1500
    for n in range(total):
        (corpus / f"{n:05}.txt").write_text(
            f"Report {n}\n\nThe district council number {n} met on Monday and approved item {n * 7}."
        )
    db = tmp_path / "s.db"
    command = [
        sys.executable,
        "-m",
        "dateline.cli",
        "ingest",
        "--quiet",
        "--db",
        str(db),
        str(corpus),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    running = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _count(db) < 300 and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert 0 < _count(db) < total, "the kill should land half way"
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "rejected 0" in finished.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone() == (
            total,
            total,
        )
        fts = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'council'")
        assert fts.fetchone()[0] == total


def test_entities_are_rows_with_aliases(tmp_path: Path) -> None:
    seed = ROOT / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"
    with open_store(tmp_path / "s.db") as store:
        store.ingest_inputs([str(seed)])
        store.ingest_inputs([str(seed)])  # a duplicate must not count mentions twice
        (tokayev,) = store.entities("Zhomart")
        assert tokayev["canonical"] == "Kassym-Jomart Tokayev"
        assert (tokayev["kind"], tokayev["country"], tokayev["sector"]) == ("person", "KZ", "GOV")
        assert set(tokayev["aliases"].split(" | ")) == {"Kassym-Zhomart Tokayev", "Tokayev"}
        assert (tokayev["articles"], tokayev["mentions"]) == (1, 3)
        assert [e["canonical"] for e in store.entities("Alma-Ata")] == ["Almaty"]
        media = {e["canonical"] for e in store.entities(kind="media")}
        assert {"RIA Novosti", "Twitter"} <= media


def test_a_rerun_skips_stored_items_before_processing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dateline.api as api

    corpus = tmp_path / "in"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"{n}.txt").write_text(f"Note {n}\n\nThe council met for session {n} on Monday.")
    processed: list[int] = []
    real = api.process_many

    def counting(items, **options):  # type: ignore[no-untyped-def]
        def counted():  # type: ignore[no-untyped-def]
            for item in items:
                processed.append(1)
                yield item

        return real(counted(), **options)

    monkeypatch.setattr(api, "process_many", counting)
    with open_store(tmp_path / "s.db") as store:
        first = store.ingest_inputs([str(corpus)], understand=False)
        (corpus / "3.txt").write_text("Note 3\n\nA new item arrived on Tuesday.")
        second = store.ingest_inputs([str(corpus)], understand=False)
    assert (first.stored, second.stored, second.duplicate, second.read) == (3, 1, 3, 4)
    assert len(processed) == 3 + 1  # the second run processed only the new item
