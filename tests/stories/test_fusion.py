"""Events fused across the articles of a story; copies count once as sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dateline.cli import cli
from dateline.stories.fusion import fuse

SEED = Path(__file__).resolve().parents[2] / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"


def event(
    type_: str, actor: str, country: str | None = "KZ", day: str | None = "2022-01-05"
) -> dict[str, Any]:
    return {
        "type": type_,
        "mode": None,
        "aux": "asserted",
        "actors": [{"canonical": actor}],
        "recipients": [],
        "place": {"name": "Almaty", "country": country} if country else None,
        "when": {"value": day, "source": "text"} if day else None,
        "evidence": {"text": f"{actor} did {type_}"},
    }


def article(
    id_: str, story: str, publisher: str, events: list[dict[str, Any]], copy_of: str | None = None
) -> dict[str, Any]:
    return {
        "id": id_,
        "story_id": story,
        "publisher": publisher,
        "copy_of": copy_of,
        "events": events,
    }


def test_reports_of_one_event_fuse_and_copies_count_once() -> None:
    fused = fuse([
        article("a", "s:a", "Wire", [event("COERCE", "Tokayev")]),
        article("b", "s:a", "Paper", [event("COERCE", "Tokayev")], copy_of="a"),
        article("c", "s:a", "Daily", [event("COERCE", "Tokayev", day=None)]),
    ])  # fmt: skip
    (one,) = fused
    assert (len(one.reports), one.independent_sources, one.outlets) == (3, 2, 3)
    assert one.day == "2022-01-05" and one.id.startswith("f:")


def test_different_stories_places_days_or_actors_stay_apart() -> None:
    fused = fuse([
        article("a", "s:a", "Wire", [event("PROTEST", "protesters")]),
        article("b", "s:b", "Wire", [event("PROTEST", "protesters")]),
        article("c", "s:a", "Wire", [event("PROTEST", "protesters", country="RU")]),
        article("d", "s:a", "Wire", [event("PROTEST", "protesters", day="2022-01-09")]),
        article("e", "s:a", "Wire", [event("PROTEST", "miners")]),
    ])  # fmt: skip
    assert len(fused) == 5


def test_events_command_and_export_carry_fused_ids(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    runner.invoke(cli, ["ingest", "--db", db, str(SEED)], catch_exceptions=False)
    result = runner.invoke(
        cli, ["events", "--db", db, "--fused", "--format", "jsonl", "--aux", "negated"]
    )
    (negated,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (negated["type"], negated["independent_sources"]) == ("REQUEST", 1)
    exported = runner.invoke(cli, ["export", "--db", db], catch_exceptions=False).stdout
    (data,) = [json.loads(line) for line in exported.splitlines()]
    assert negated["id"] in {e["fused_id"] for e in data["events"]}
    assert all(e["fused_id"] for e in data["events"])
