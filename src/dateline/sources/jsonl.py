"""JSONL records ``{id, url, title, text|html, published, publisher, author}``, one per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from dateline.errors import Code, DatelineError, Reject
from dateline.model import RawItem

_STRING_FIELDS = ("url", "title", "published", "publisher", "author")


def read_jsonl(source: str, stream: IO[bytes], max_line_bytes: int) -> Iterator[RawItem | Reject]:
    """Each line is read with a bound, so one 10 MB line cannot exhaust memory."""
    number = 0
    while True:
        line = stream.readline(max_line_bytes + 1)
        if not line:
            return
        number += 1
        position = f"line {number}"
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            _skip_rest_of_line(stream)
            yield _reject(
                source, position, Code.TOO_LARGE, f"line longer than {max_line_bytes} bytes"
            )
            continue
        if not line.strip():
            continue
        yield _record(source, position, line)


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    while True:
        chunk = stream.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return


def _reject(source: str, position: str, code: Code, message: str) -> Reject:
    return Reject.of(source, position, DatelineError(code, message))


def _record(source: str, position: str, line: bytes) -> RawItem | Reject:
    try:
        data = json.loads(line.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        return _reject(
            source, position, Code.BAD_JSON, f"not valid JSON: {exc.msg} at column {exc.colno}"
        )
    if not isinstance(data, dict):
        return _reject(
            source, position, Code.BAD_JSON, f"a JSON {type(data).__name__}, not an object"
        )
    return record_to_item(source, position, data)


def record_to_item(source: str, position: str, data: dict[str, Any]) -> RawItem | Reject:
    text, html = data.get("text"), data.get("html")
    for name in ("text", "html", *_STRING_FIELDS):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            kind = type(value).__name__
            return _reject(
                source, position, Code.BAD_FIELD, f"field '{name}' is a {kind}, not a string"
            )
    if not (text and text.strip()) and not (html and html.strip()):
        return _reject(source, position, Code.NO_TEXT, "record has no 'text' or 'html'")
    record_id = data.get("id")
    return RawItem(
        source=source,
        position=position,
        kind="jsonl",
        text=text if text and text.strip() else None,
        html=None if text and text.strip() else html,
        url=data.get("url"),
        title=data.get("title"),
        published=data.get("published"),
        publisher=data.get("publisher"),
        author=data.get("author"),
        source_id=None if record_id is None else str(record_id),
    )
