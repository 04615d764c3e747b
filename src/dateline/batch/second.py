"""The cross-shard second pass: copies, stories and fused events over every shard's articles.

Story clustering and copy detection are online and depend on order, so the pass takes the
articles of all done shards in one order that does not depend on how the inputs were
sharded: publication date, then id (undated first), the order the store gives them in. An
article id met again (the same article in two inputs) keeps its first story. Fused events
come from ``stories.fusion.fuse`` over the same order, so they match what
``dateline events --fused`` computes from a store the output is loaded into.

This pass runs in the driver process and holds every article in memory; it is the part
of a batch that does not scale out.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dateline.batch.manifest import Manifest
from dateline.batch.worker import write_atomically
from dateline.model import Article
from dateline.stories.assign import STATE_VERSION, StoryIndex
from dateline.stories.fusion import fuse

STORIES = "stories/part-all.parquet"
FUSED = "fused_events/part-all.parquet"
INDEX = "stories/index.pickle"

STORY_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("story_id", pa.string()),
        ("copy_of", pa.string()),
        ("order", pa.int64()),
    ]
)
FUSED_SCHEMA = pa.schema(
    [("id", pa.string()), ("story_id", pa.string()), ("type", pa.string()),
     ("mode", pa.string()), ("aux", pa.string()), ("actors", pa.list_(pa.string())),
     ("recipients", pa.list_(pa.string())), ("place", pa.string()), ("country", pa.string()),
     ("day", pa.string()), ("reports", pa.int64()), ("independent_sources", pa.int64()),
     ("outlets", pa.int64()), ("articles", pa.string()), ("evidence", pa.string())]
)  # fmt: skip


def inputs_digest(manifest: Manifest) -> str:
    """What the second pass read: the done shards' identities and counts."""
    done = [(e["id"], e["input"], e["counts"]) for e in manifest.done()]
    return hashlib.sha256(json.dumps(done, sort_keys=True).encode()).hexdigest()[:24]


def is_current(manifest: Manifest) -> bool:
    record = manifest.second_pass
    return (
        record is not None
        and record.get("digest") == inputs_digest(manifest)
        and all((manifest.out_dir / p).exists() for p in record["outputs"].values())
    )


def run_second_pass(manifest: Manifest) -> dict[str, Any]:
    """Stories and fused events for the done shards, unless they are current already."""
    if is_current(manifest):
        assert manifest.second_pass is not None
        return manifest.second_pass
    articles = ordered_articles(manifest)
    index = StoryIndex()
    rows: list[dict[str, Any]] = []
    for data in articles:
        article = index.assign(Article.from_json(data))
        data["story_id"], data["copy_of"] = article.story_id, article.copy_of
        rows.append({"id": article.id, "story_id": article.story_id,
                     "copy_of": article.copy_of, "order": len(rows)})  # fmt: skip
    fused = [_fused_row(event.to_json()) for event in fuse(articles)]
    out = manifest.out_dir
    write_atomically(pa.Table.from_pylist(rows, schema=STORY_SCHEMA), out / STORIES)
    write_atomically(pa.Table.from_pylist(fused, schema=FUSED_SCHEMA), out / FUSED)
    _write_bytes(out / INDEX, index.dumps())
    record = {
        "digest": inputs_digest(manifest),
        "outputs": {"stories": STORIES, "fused_events": FUSED, "index": INDEX},
        "index_version": STATE_VERSION,
        "counts": {
            "articles": len(rows),
            "stories": len({row["story_id"] for row in rows}),
            "copies": sum(row["copy_of"] is not None for row in rows),
            "fused_events": len(fused),
        },
    }
    manifest.record_second_pass(record)
    return record


def ordered_articles(manifest: Manifest) -> list[dict[str, Any]]:
    """Every done shard's article JSON, once per id, by publication date then id."""
    found: dict[str, dict[str, Any]] = {}
    for entry in manifest.done():
        table = pq.read_table(manifest.out_dir / entry["outputs"]["articles"], columns=["json"])
        for text in table.column("json").to_pylist():
            data = json.loads(text)
            found.setdefault(data["id"], data)  # the first of the same article, in plan order
    return sorted(found.values(), key=publication_order)


def publication_order(data: dict[str, Any]) -> tuple[bool, str, str]:
    """SQLite's ``ORDER BY published, id``: undated first."""
    published = data.get("published")
    return (published is not None, published or "", data["id"])


def story_links(out_dir: Path, manifest: Manifest) -> dict[str, tuple[str | None, str | None]]:
    """Article id -> (story_id, copy_of) from the second pass."""
    record = manifest.second_pass
    if record is None:
        return {}
    table = pq.read_table(out_dir / record["outputs"]["stories"]).to_pylist()
    return {row["id"]: (row["story_id"], row["copy_of"]) for row in table}


def _fused_row(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "articles": json.dumps(event["articles"])}


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)
