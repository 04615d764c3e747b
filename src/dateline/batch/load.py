"""Load a batch output into a store: articles with their story ids and copy links, rejects.

Articles go in shard by shard through the store's own ``ingest``, which keys them by id, so
loading the same output twice stores nothing the second time. The second pass's story index
becomes the store's only when the store has none, so later ``dateline ingest`` runs join
the batch's stories without overwriting a store's own index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pyarrow.parquet as pq

from dateline.batch import second
from dateline.batch.manifest import Manifest
from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article
from dateline.store.sqlite import IngestSummary
from dateline.stories.assign import STATE_VERSION

Links = dict[str, tuple[str | None, str | None]]


class Store(Protocol):
    """What loading needs of a store from ``dateline.api.open_store`` (any backend)."""

    def ingest(
        self, results: Iterable[Article | Reject], summary: IngestSummary | None = None
    ) -> IngestSummary: ...

    def load_state(self, version: str) -> bytes | None: ...

    def save_state(self, version: str, data: bytes) -> None: ...


def load(out_dir: str | Path, store: Store, summary: IngestSummary | None = None) -> IngestSummary:
    manifest = Manifest.read(out_dir)
    if not second.is_current(manifest):
        raise DatelineError(
            Code.BATCH_OUTPUT,
            f"{out_dir}: the second pass is missing or older than the shards",
            "Rerun the same `dateline batch` command to finish it, then load.",
        )
    summary = summary or IngestSummary()
    links = second.story_links(manifest.out_dir, manifest)
    for entry in manifest.done():
        store.ingest(_shard_results(manifest.out_dir, entry, links), summary)
    store.ingest(manifest.rejects(), summary)
    record = manifest.second_pass
    if record and summary.stored and store.load_state(STATE_VERSION) is None:
        index = (manifest.out_dir / record["outputs"]["index"]).read_bytes()
        store.save_state(STATE_VERSION, index)
    return summary


def _shard_results(
    out_dir: Path, entry: dict[str, Any], links: Links
) -> Iterator[Article | Reject]:
    outputs = entry["outputs"]
    for text in pq.read_table(out_dir / outputs["articles"], columns=["json"])["json"].to_pylist():
        article = Article.from_json(json.loads(text))
        article.story_id, article.copy_of = links.get(article.id, (None, None))
        yield article
    for row in pq.read_table(out_dir / outputs["rejects"]).to_pylist():
        yield Reject(**row)
