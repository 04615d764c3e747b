"""`dateline batch` on a two-worker Dask cluster against the in-process engine, and `load`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from distributed import Client

from dateline import api
from dateline.batch.load import load
from dateline.batch.manifest import Manifest
from dateline.batch.run import run_batch
from dateline.batch.second import FUSED, STORIES, publication_order
from dateline.batch.worker import Options
from dateline.errors import Reject
from dateline.model import Article
from dateline.stories.assign import StoryIndex
from dateline.stories.fusion import fuse

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
Digests = Callable[[Path], dict[str, str]]


def _batch_articles(out: Path) -> list[dict[str, Any]]:
    """The articles of a batch output in plan order, as the in-process engine yields them."""
    found = []
    for entry in Manifest.read(out).done():
        table = pq.read_table(out / entry["outputs"]["articles"]).to_pylist()
        found += [json.loads(row["json"]) for row in sorted(table, key=lambda r: r["seq"])]
    return found


def _batch_rejects(out: Path) -> list[tuple[str, str, str]]:
    manifest = Manifest.read(out)
    rows = [
        (row["source"], row["position"], row["code"])
        for entry in manifest.done()
        for row in pq.read_table(out / entry["outputs"]["rejects"]).to_pylist()
    ]
    return rows + [(r.source, r.position, r.code) for r in manifest.rejects()]


def _without_stories(article: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in article.items() if k not in ("story_id", "copy_of")}


def _in_process(inputs: list[str], understand: bool) -> tuple[list[dict[str, Any]], list[Reject]]:
    results = list(api.process_inputs(inputs, understand=understand))
    articles = [r.to_json() for r in results if isinstance(r, Article)]
    return articles, [r for r in results if isinstance(r, Reject)]


def test_full_model_equals_the_in_process_engine(client: Client, tmp_path: Path) -> None:
    """Same articles with the same entities, places, quotes and events; stories and fused
    events as the in-process clusterer gives them over the same publication order."""
    out = tmp_path / "out"
    summary = run_batch([str(SAMPLES)], out, client=client)
    expected, rejects = _in_process([str(SAMPLES)], understand=True)
    got = _batch_articles(out)
    assert [_without_stories(a) for a in got] == [_without_stories(a) for a in expected]
    assert sum(len(a["events"]) for a in got) == summary.rows["events"] > 0
    assert summary.processed == summary.shards and not rejects

    ordered = sorted(expected, key=publication_order)
    index = StoryIndex()
    for data in ordered:
        article = index.assign(Article.from_json(data))
        data["story_id"], data["copy_of"] = article.story_id, article.copy_of
    stories = pq.read_table(out / STORIES).to_pylist()
    assert [(r["id"], r["story_id"], r["copy_of"]) for r in stories] == [
        (a["id"], a["story_id"], a["copy_of"]) for a in ordered
    ]
    fused = pq.read_table(out / FUSED).to_pylist()
    assert [(f["id"], f["type"], f["reports"]) for f in fused] == [
        (f.id, f.type, len(f.reports)) for f in fuse(ordered)
    ]


def test_clean_only_shards_equal_the_in_process_engine(
    client: Client, tmp_path: Path, wikinews: Path, warcs: list[str]
) -> None:
    """A JSONL dump split into line ranges and real WARCs (truncated, malformed) give the
    articles and the coded rejects `dateline process` gives; the run goes on past them."""
    cut = tmp_path / "cut.warc.gz"  # a download that stopped half way
    whole = Path(warcs[0]).read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    inputs = [str(wikinews), *warcs, str(cut), str(tmp_path / "missing.warc")]
    out = tmp_path / "out"
    summary = run_batch(inputs, out, Options(understand=False), client=client, split_bytes=100_000)
    expected, rejects = _in_process(inputs, understand=False)
    assert summary.shards == 5 + len(warcs) + 1 and summary.failed == 0
    assert [_without_stories(a) for a in _batch_articles(out)] == [
        _without_stories(a) for a in expected
    ]
    assert _batch_rejects(out) == [(r.source, r.position, r.code) for r in rejects]
    assert {"E101", "E204", "E205"} <= {code for _, _, code in _batch_rejects(out)}


def test_rerun_changes_nothing_and_load_twice_neither(
    client: Client, tmp_path: Path, wikinews: Path, digests: Digests
) -> None:
    out = tmp_path / "out"
    options = Options(understand=False)
    first = run_batch([str(wikinews)], out, options, client=client, split_bytes=150_000)
    before = digests(out)
    again = run_batch([str(wikinews)], out, options, client=client, split_bytes=150_000)
    assert digests(out) == before
    assert (again.already_done, again.processed) == (first.shards, 0)

    db = tmp_path / "store.db"
    with api.open_store(db) as store:
        loaded = load(out, store)
    assert loaded.stored == first.rows["articles"] == 163
    dump = list(sqlite3.connect(db).iterdump())
    with api.open_store(db) as store:
        twice = load(out, store)
        links = {a["id"]: (a["story_id"], a["copy_of"]) for a in store.articles()}
        fused_ids = [event.id for event in store.fused_events()]
    assert (twice.stored, twice.duplicate) == (0, 163)
    assert list(sqlite3.connect(db).iterdump()) == dump
    stories = pq.read_table(out / STORIES).to_pylist()
    assert links == {r["id"]: (r["story_id"], r["copy_of"]) for r in stories}
    assert fused_ids == [row["id"] for row in pq.read_table(out / FUSED).to_pylist()]


def test_failed_shards_are_recorded_and_retried(
    client: Client, tmp_path: Path, wikinews: Path
) -> None:
    """Shards whose output cannot be written fail with E701; the run still finishes, the
    rejects reach the store, and the next run redoes only those shards."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "events").write_text("a file where the events folder should be")
    options = Options(understand=False)
    failed = run_batch([str(wikinews)], out, options, client=client, split_bytes=200_000)
    assert failed.failed == failed.shards == 3 and failed.processed == 0
    codes = {r.code for r in Manifest.read(out).rejects()}
    assert codes == {"E701"}
    with api.open_store(tmp_path / "store.db") as store:
        assert load(out, store).rejected == 3
        assert {r["code"] for r in store.rejects()} == {"E701"}

    (out / "events").unlink()
    retried = run_batch([str(wikinews)], out, options, client=client, split_bytes=200_000)
    assert (retried.processed, retried.failed) == (3, 0)
    assert retried.rows["articles"] == 163 and retried.second_pass["articles"] == 163
