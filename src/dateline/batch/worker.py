"""One shard through the same stages as ``dateline process``, into Parquet partitions.

The stages come from ``dateline.api.pipeline``, which is built once per process with the
language model and gazetteer in a module-level cache: a Dask worker process loads them
once (``warm`` at worker start-up) and every shard it runs reuses them. Story ids and copy
links are not set here: they need every shard, so the second pass sets them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dateline import api
from dateline.batch.shards import Shard
from dateline.errors import Reject
from dateline.model import Article, RawItem
from dateline.sources.jsonl import read_jsonl
from dateline.sources.reader import ReadOptions, read_inputs
from dateline.store.export import FLAT_COLUMNS, flatten

ROW_GROUP = 1000  # results per Parquet row group
TABLES = ("articles", "entities", "places", "quotes", "events", "rejects")
_LINE = re.compile(r"^line (\d+)$")

_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "list": pa.list_(pa.string()),
}


def _schema(spec: str) -> pa.Schema:
    """A schema from ``"name:type name:type ..."`` (type: str, int, float, bool, list)."""
    return pa.schema([(name, _TYPES[kind]) for name, kind in (f.split(":") for f in spec.split())])


SCHEMAS: dict[str, pa.Schema] = {
    "articles": _schema(" ".join(f"{name}:str" for name in FLAT_COLUMNS) + " json:str seq:int"),
    "entities": _schema(
        "article_id:str start:int end:int text:str kind:str canonical:str entity_id:str"
        " country:str sector:str label:str"
    ),
    "places": _schema(
        "article_id:str start:int end:int text:str name:str geonames_id:int lat:float"
        " lon:float feature:str admin1:str country:str confidence:float metonymy:bool"
    ),
    "quotes": _schema(
        "article_id:str index:int start:int end:int text:str direct:bool speaker:str"
        " speaker_entity_id:str speaker_anonymous:bool cue:str channel:str"
    ),
    "events": _schema(
        "article_id:str index:int type:str aux:str mode:str actors:list recipients:list"
        " place:str country:str when:str when_source:str evidence:str trigger:str source:str"
        " confidence:float cameo_root:str cameo_quad:int acled_subtype:str"
    ),
    "rejects": _schema("source:str position:str code:str message:str hint:str"),
}


@dataclass(frozen=True)
class Options:
    """What changes a shard's output; an output directory is made with one set of them."""

    understand: bool = True
    clean: bool = True
    published: str | None = None
    max_doc_bytes: int = ReadOptions().max_doc_bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "understand": self.understand,
            "clean": self.clean,
            "published": self.published,
            "max_doc_bytes": self.max_doc_bytes,
        }


@dataclass
class ShardResult:
    shard_id: str
    outputs: dict[str, str]  # table -> partition path, relative to the output directory
    counts: dict[str, int]  # rows per table
    reject_codes: dict[str, int] = field(default_factory=dict)


def warm(options: Options) -> None:
    """Load the language model and gazetteer now (once per worker), not in the first shard."""
    runner = api.pipeline(options.clean, options.published, options.understand)
    text = "PARIS (Reuters) - The minister met officials in Paris on Monday, the ministry said."
    item = RawItem(source="<warm-up>", position="", kind="text", text=text)
    list(runner.run_many([item], "catch"))


def process_shard(shard: Shard, out_dir: str, options: Options) -> ShardResult:
    """Read, process and write one shard; every partition is renamed into place whole.

    Results go to Parquet a row group of ``ROW_GROUP`` items at a time, so a worker holds
    one group, not a whole 1 GB WARC file's articles."""
    runner = api.pipeline(options.clean, options.published, options.understand)
    results = runner.run_many(read_shard(shard, options), "catch")
    paths = {name: Path(out_dir) / partition_path(name, shard.id) for name in TABLES}
    counts = dict.fromkeys(TABLES, 0)
    codes: dict[str, int] = {}
    with contextlib.ExitStack() as stack:
        writers = {
            name: stack.enter_context(_PartWriter(path, name)) for name, path in paths.items()
        }
        for first, group in _groups(results, ROW_GROUP):
            tables = build_tables(group, first)
            for name, rows in tables.items():
                writers[name].write(rows)
                counts[name] += len(rows)
            for row in tables["rejects"]:
                codes[row["code"]] = codes.get(row["code"], 0) + 1
    outputs = {name: partition_path(name, shard.id) for name in TABLES}
    return ShardResult(shard.id, outputs, counts, dict(sorted(codes.items())))


def _groups(
    results: Iterator[Article | Reject], size: int
) -> Iterator[tuple[int, list[Article | Reject]]]:
    """(position of the first, results) in groups of ``size``."""
    group: list[Article | Reject] = []
    first = 0
    for result in results:
        group.append(result)
        if len(group) == size:
            yield first, group
            first, group = first + size, []
    if group:
        yield first, group


class _PartWriter:
    """One partition written under a temporary name and renamed into place when whole;
    removed instead if the shard fails half way."""

    def __init__(self, path: Path, table: str) -> None:
        self.path, self.schema = path, SCHEMAS[table]
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        self.writer = pq.ParquetWriter(self.tmp, self.schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def __enter__(self) -> _PartWriter:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        self.writer.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def partition_path(table: str, shard_id: str) -> str:
    return f"{table}/part-{shard_id}.parquet"


def write_atomically(table: pa.Table, path: Path) -> None:
    """Written under a temporary name, then renamed: a partition is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def read_shard(shard: Shard, options: Options) -> Iterator[RawItem | Reject]:
    read_options = ReadOptions(max_doc_bytes=options.max_doc_bytes)
    if shard.end is None:
        yield from read_inputs([shard.source], read_options)
        return
    with open(shard.source, "rb") as stream:
        stream.seek(shard.start)
        data = stream.read(shard.end - shard.start)
    for item in read_jsonl(shard.source, io.BytesIO(data), options.max_doc_bytes):
        yield _renumber(item, shard.first_line - 1)


def _renumber(item: RawItem | Reject, lines_before: int) -> RawItem | Reject:
    """Line numbers of a range become the file's own, as if the whole file were read."""
    match = _LINE.match(item.position)
    if match is None or lines_before == 0:
        return item
    return replace(item, position=f"line {int(match.group(1)) + lines_before}")


def build_tables(
    results: list[Article | Reject], first: int = 0
) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for seq, result in enumerate(results, start=first):
        if isinstance(result, Reject):
            tables["rejects"].append(result.to_json())
            continue
        _add_article(tables, result, seq)
    return tables


def _add_article(tables: dict[str, list[dict[str, Any]]], article: Article, seq: int) -> None:
    data = article.to_json()
    row = flatten(data)
    row["json"] = json.dumps(data, ensure_ascii=False)
    row["seq"] = seq
    tables["articles"].append(row)
    aid = article.id
    for entity in data["entities"]:
        tables["entities"].append({"article_id": aid, **entity})
    for place in data["places"]:
        tables["places"].append({"article_id": aid, **place})
    for index, quote in enumerate(data["quotes"]):
        tables["quotes"].append(_quote_row(aid, index, quote))
    for index, event in enumerate(data["events"]):
        tables["events"].append(_event_row(aid, index, event))


def _quote_row(article_id: str, index: int, quote: dict[str, Any]) -> dict[str, Any]:
    speaker = quote.get("speaker") or {}
    cue = quote.get("cue") or {}
    return {
        "article_id": article_id,
        "index": index,
        "start": quote["start"],
        "end": quote["end"],
        "text": quote["text"],
        "direct": quote["direct"],
        "speaker": speaker.get("canonical"),
        "speaker_entity_id": speaker.get("entity_id"),
        "speaker_anonymous": speaker.get("anonymous"),
        "cue": cue.get("text"),
        "channel": quote.get("channel"),
    }


def _event_row(article_id: str, index: int, event: dict[str, Any]) -> dict[str, Any]:
    place = event.get("place") or {}
    when = event.get("when") or {}
    return {
        "article_id": article_id,
        "index": index,
        "type": event["type"],
        "aux": event["aux"],
        "mode": event.get("mode"),
        "actors": [p["canonical"] for p in event.get("actors") or []],
        "recipients": [p["canonical"] for p in event.get("recipients") or []],
        "place": place.get("name"),
        "country": place.get("country"),
        "when": when.get("value"),
        "when_source": when.get("source"),
        "evidence": event["evidence"]["text"],
        "trigger": event["trigger"]["text"],
        "source": event.get("source"),
        "confidence": event.get("confidence"),
        "cameo_root": event.get("cameo_root"),
        "cameo_quad": event.get("cameo_quad"),
        "acled_subtype": event.get("acled_subtype"),
    }
