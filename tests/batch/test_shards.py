"""Inputs into shards: the same files, order and line numbers as `dateline process` reads."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dateline.batch import worker
from dateline.batch.shards import plan_shards
from dateline.batch.worker import Options, read_shard
from dateline.errors import DatelineError, Reject
from dateline.sources.reader import read_inputs

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _jsonl(tmp_path: Path, lines: int) -> Path:
    """A JSONL dump with a broken line and a blank line among real records."""
    rows = [
        json.dumps({"id": n, "title": f"Record {n}", "text": f"Body of record {n}. " * (n % 7 + 1)})
        for n in range(lines)
    ]
    rows[5] = "{not json"
    rows[9] = ""
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_directory_shards_follow_the_readers_order() -> None:
    shards, rejects = plan_shards([str(SAMPLES)])
    read = [item.source for item in read_inputs([str(SAMPLES)])]
    assert not rejects
    assert [s.source for s in shards] == list(dict.fromkeys(read))
    assert len({s.id for s in shards}) == len(shards)


def test_missing_inputs_are_rejected_and_stdin_refused(tmp_path: Path) -> None:
    shards, rejects = plan_shards([str(tmp_path / "nope.txt"), str(tmp_path / "*.warc")])
    assert shards == []
    assert [(r.code, r.message) for r in rejects] == [
        ("E101", "no such file"),
        ("E101", "no file matches this pattern"),
    ]
    with pytest.raises(DatelineError) as error:
        plan_shards(["-"])
    assert error.value.code.value == "E705"


def test_split_jsonl_reads_exactly_as_the_whole_file(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, 60)
    shards, _ = plan_shards([str(path)], split_bytes=300)
    assert len(shards) > 5
    assert shards[0].start == 0 and shards[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(shards))
    ranged = [item for shard in shards for item in read_shard(shard, Options())]
    assert ranged == list(read_inputs([str(path)]))
    bad = [item for item in ranged if isinstance(item, Reject)]
    assert [(r.position, r.code) for r in bad] == [("line 6", "E201")]


def test_small_or_compressed_files_are_not_split(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, 20)
    (whole,) = plan_shards([str(path)], split_bytes=path.stat().st_size)[0]
    assert whole.end is None and whole.size == path.stat().st_size
    page = SAMPLES / "pages" / "borderlands-observer_almaty-night-of-fires.html"
    (html,) = plan_shards([str(page)], split_bytes=10)[0]
    assert html.end is None


def test_a_shard_is_written_a_row_group_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows and order do not depend on the group size; no temporary file is left."""
    path = _jsonl(tmp_path, 25)
    (shard,), _ = plan_shards([str(path)])
    options = Options(understand=False)
    monkeypatch.setattr(worker, "ROW_GROUP", 10)
    result = worker.process_shard(shard, str(tmp_path / "out"), options)
    articles = pq.ParquetFile(tmp_path / "out" / result.outputs["articles"])
    assert articles.num_row_groups == 3
    whole = worker.build_tables(
        list(worker.api.pipeline(understand=False).run_many(read_shard(shard, options)))
    )
    assert articles.read().to_pylist() == whole["articles"]
    assert result.counts == {name: len(rows) for name, rows in whole.items()}
    assert result.reject_codes == {"E201": 1}  # the broken line; the blank one is skipped
    assert not list((tmp_path / "out").rglob(".*"))
