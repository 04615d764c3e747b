"""Story ids and copy links in `process` output and across ingests into a store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dateline import Article, open_store, process_inputs
from dateline.cli import cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ATOM = SAMPLES / "feeds" / "caspian-wire.atom"
REPRINT = SAMPLES / "pages" / "meridian-ledger_allied-peacekeepers-land.html"


def by_publisher(results: list[Article]) -> dict[str, Article]:
    return {f"{a.publisher}|{a.title}": a for a in results}


def test_a_syndicated_reprint_is_a_copy_in_its_originals_story() -> None:
    articles = [
        a
        for a in process_inputs([str(ATOM), str(REPRINT)], understand=False)
        if isinstance(a, Article)
    ]
    original = next(
        a for a in articles if a.title == "Russian-led CSTO troops begin arriving in Kazakhstan"
    )
    reprint = next(a for a in articles if a.publisher == "Meridian Ledger")
    assert reprint.copy_of == original.id and original.copy_of is None
    assert reprint.story_id == original.story_id == f"s:{original.id}"


def test_stories_carry_over_between_ingests(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with open_store(db) as store:
        store.ingest_inputs([str(ATOM)], understand=False)
    with open_store(db) as store:  # a new process would start here: the index is in the store
        store.ingest_inputs([str(REPRINT)], understand=False)
        rows = {row["story_id"]: row for row in store.stories()}
        exported = {a["publisher"]: a for a in store.articles()}
    reprint = exported["Meridian Ledger"]
    assert reprint["copy_of"] is not None
    assert reprint["story_id"] == f"s:{reprint['copy_of']}"
    story = rows[reprint["story_id"]]
    assert (story["articles"], story["outlets"], story["copies"]) == (2, 2, 1)


def test_stories_command(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    runner.invoke(
        cli,
        ["ingest", "--no-understand", "--db", db, str(ATOM), str(REPRINT)],
        catch_exceptions=False,
    )
    result = runner.invoke(
        cli, ["stories", "--db", db, "--format", "jsonl"], catch_exceptions=False
    )
    stories = [json.loads(line) for line in result.stdout.splitlines()]
    assert stories[0]["articles"] == 2 and stories[0]["copies"] == 1
