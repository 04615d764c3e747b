"""Bad input never crashes a run and is never silently dropped: each becomes a coded reject."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from dateline import Article, Reject, process_inputs
from dateline.sources.reader import ReadOptions

GOOD = "Storm closes port\n\nA storm closed the port of Aktau on Tuesday, officials said."


def run(*paths: Path, **options: int) -> tuple[list[Article], list[Reject]]:
    read = ReadOptions(**options) if options else None
    results = list(process_inputs([str(p) for p in paths], read_options=read))
    articles = [r for r in results if isinstance(r, Article)]
    rejects = [r for r in results if isinstance(r, Reject)]
    assert len(articles) + len(rejects) == len(results)
    return articles, rejects


def codes(rejects: list[Reject]) -> list[str]:
    return [r.code for r in rejects]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_empty_and_blank_files(tmp_path: Path) -> None:
    articles, rejects = run(write(tmp_path / "a.txt", b""), write(tmp_path / "b.txt", b" \n\n\t"))
    assert articles == []
    assert codes(rejects) == ["E102", "E102"]
    assert rejects[0].source.endswith("a.txt")


def test_binary_garbage_is_rejected_and_the_run_goes_on(tmp_path: Path) -> None:
    garbage = write(tmp_path / "x.txt", bytes(range(256)) * 40)
    good = write(tmp_path / "y.txt", GOOD.encode())
    articles, rejects = run(garbage, good)
    assert codes(rejects) == ["E103"]
    assert [a.title for a in articles] == ["Storm closes port"]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_non_utf8_text_is_decoded_not_rejected(tmp_path: Path, encoding: str) -> None:
    text = "Café owners in Zürich protest\n\nThe café owners of Zürich said the tax was unfair and too high."
    articles, rejects = run(write(tmp_path / "l.txt", text.encode(encoding)))
    assert rejects == []
    assert articles[0].title == "Café owners in Zürich protest"
    assert "Zürich said" in articles[0].text


def test_truncated_gzip_is_rejected(tmp_path: Path) -> None:
    data = gzip.compress(("\n".join([GOOD] * 400)).encode())
    articles, rejects = run(write(tmp_path / "t.txt.gz", data[: len(data) // 2]))
    assert articles == []
    assert codes(rejects) == ["E205"]


def test_gzipped_text_is_read(tmp_path: Path) -> None:
    articles, rejects = run(write(tmp_path / "t.txt.gz", gzip.compress(GOOD.encode())))
    assert rejects == []
    assert articles[0].title == "Storm closes port"


def test_malformed_feed_is_rejected(tmp_path: Path) -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>x</ti'
    articles, rejects = run(write(tmp_path / "f.xml", feed))
    assert articles == []
    assert codes(rejects) == ["E203"]


def test_broken_jsonl_lines_and_records_without_text(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"id": "a1", "title": "Ok", "text": "The ministry resigned on Wednesday morning."}
        ),
        '{"id": "a2", "title": "broken',
        "[1, 2, 3]",
        json.dumps({"id": "a4", "title": "No body"}),
        json.dumps({"id": "a5", "text": 42}),
        json.dumps(
            {"id": 6, "title": "Numeric id", "text": "Troops left the airport on Thursday."}
        ),
    ]
    articles, rejects = run(write(tmp_path / "r.jsonl", "\n".join(lines).encode()))
    assert [a.source_id for a in articles] == ["a1", "6"]
    assert [(r.position, r.code) for r in rejects] == [
        ("line 2", "E201"),
        ("line 3", "E201"),
        ("line 4", "E202"),
        ("line 5", "E208"),
    ]


def test_a_single_ten_megabyte_line(tmp_path: Path) -> None:
    huge = write(tmp_path / "huge.txt", b"word " * (2 * 1024 * 1024))
    jsonl = write(
        tmp_path / "huge.jsonl",
        b'{"text": "'
        + b"x" * (10 * 1024 * 1024)
        + b'"}\n'
        + json.dumps({"text": "Short and fine text here."}).encode(),
    )
    articles, rejects = run(huge, jsonl)
    assert codes(rejects) == ["E105", "E105"]
    assert rejects[1].position == "line 1"
    assert [a.text for a in articles] == ["Short and fine text here."]


def test_a_missing_path_and_an_empty_glob(tmp_path: Path) -> None:
    _articles, rejects = run(tmp_path / "nope.txt", tmp_path / "*.none")
    assert codes(rejects) == ["E101", "E101"]


def test_text_that_cleans_to_nothing_is_rejected(tmp_path: Path) -> None:
    _articles, rejects = run(write(tmp_path / "ad.txt", b"320x50\n\nAdvertisement\n"))
    assert codes(rejects) == ["E202"]


def test_every_reject_carries_a_hint(tmp_path: Path) -> None:
    _, rejects = run(write(tmp_path / "a.txt", b""), tmp_path / "missing")
    assert all(r.hint and r.message for r in rejects)
