"""Export stored articles as JSONL (the full public JSON), CSV or Parquet (flat columns)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, BinaryIO, TextIO

FORMATS = ("jsonl", "csv", "parquet")

# The flat view used by CSV and Parquet; JSONL carries every field.
FLAT_COLUMNS = (
    "id",
    "source_id",
    "url",
    "title",
    "author",
    "publisher",
    "origin",
    "dateline_place",
    "dateline_agency",
    "dateline_date",
    "published",
    "published_source",
    "language",
    "story_id",
    "copy_of",
    "text",
)


def flatten(article: dict[str, Any]) -> dict[str, Any]:
    dateline = article.get("dateline") or {}
    row = {name: article.get(name) for name in FLAT_COLUMNS}
    row["dateline_place"] = dateline.get("place")
    row["dateline_agency"] = dateline.get("agency")
    row["dateline_date"] = dateline.get("date")
    return row


def write_jsonl(articles: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for article in articles:
        out.write(json.dumps(article, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(articles: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS)
    writer.writeheader()
    count = 0
    for article in articles:
        writer.writerow(flatten(article))
        count += 1
    return count


def write_parquet(articles: Iterable[dict[str, Any]], out: BinaryIO | str) -> int:
    import pyarrow as pa  # imported here: only this format needs it, and it is slow to load
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {name: [] for name in (*FLAT_COLUMNS, "json")}
    for article in articles:
        for name, value in flatten(article).items():
            columns[name].append(value)
        columns["json"].append(json.dumps(article, ensure_ascii=False))
    schema = pa.schema([(name, pa.string()) for name in columns])
    pq.write_table(pa.table(columns, schema=schema), out)
    return len(columns["id"])
