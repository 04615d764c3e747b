"""POST /ingest: JSON records through the whole pipeline into the store (token-protected)."""

from __future__ import annotations

import json
from typing import Any

from dateline.errors import Code, DatelineError, Reject
from dateline.model import RawItem
from dateline.sources.jsonl import record_to_item

SOURCE = "POST /ingest"


def parse_records(body: bytes) -> list[dict[str, Any]]:
    """One JSON object, a JSON list of objects, or JSONL (one object a line)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatelineError(Code.BAD_INGEST_BODY, "the body is not UTF-8") from exc
    if not text.strip():
        raise DatelineError(Code.BAD_INGEST_BODY, "the body is empty")
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
        try:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise DatelineError(Code.BAD_INGEST_BODY, f"not JSON nor JSONL: {exc}") from exc
    if whole is not None:
        records = whole if isinstance(whole, list) else [whole]
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            kind = type(record).__name__
            raise DatelineError(Code.BAD_INGEST_BODY, f"record {number} is a {kind}, not an object")
    return records


def ingest_body(db_path: str, body: bytes) -> dict[str, Any]:
    """Process and store the records of one request body; the summary of what happened."""
    from dateline.api import open_store, process_many
    from dateline.store.sqlite import IngestSummary

    records = parse_records(body)
    items: list[RawItem | Reject] = [
        record_to_item(SOURCE, f"record {number}", record)
        for number, record in enumerate(records, start=1)
    ]
    with open_store(db_path) as store:
        index = store.story_index()
        summary = IngestSummary()
        fresh = store.unseen(items, summary)  # records stored before are not processed again
        store.ingest(process_many(fresh, stories=index), summary, index)
    return summary.to_json()
