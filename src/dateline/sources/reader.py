"""Expand inputs (files, directories, globs, stdin, URLs) and hand each to the right reader.

Every path through here yields ``RawItem`` or ``Reject``; nothing raises on bad input.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

from dateline.errors import Code, DatelineError, Reject
from dateline.model import RawItem
from dateline.sources import detect
from dateline.sources.feeds import read_feed, read_opml
from dateline.sources.fetch import FetchOptions, fetch
from dateline.sources.jsonl import read_jsonl
from dateline.sources.warc import read_warc

STDIN = "-"
Item = RawItem | Reject


@dataclass(frozen=True)
class ReadOptions:
    max_doc_bytes: int = 5_000_000  # one article, one JSONL line, one WARC record
    max_file_bytes: int = 200_000_000  # a feed or other file read whole
    fetch: FetchOptions = field(default_factory=FetchOptions)


def read_inputs(inputs: Iterable[str], options: ReadOptions | None = None) -> Iterator[Item]:
    options = options or ReadOptions()
    for spec in inputs:
        yield from read_input(spec, options)


def read_input(spec: str, options: ReadOptions) -> Iterator[Item]:
    if spec == STDIN:
        yield from _read_bytes("<stdin>", _read_bounded(sys.stdin.buffer, options), options)
    elif spec.startswith(("http://", "https://")):
        yield from _read_url(spec, options)
    elif os.path.isdir(spec):
        for found in _walk(Path(spec)):
            yield from _read_file(str(found), options)
    elif os.path.exists(spec):
        yield from _read_file(spec, options)
    elif glob.has_magic(spec):
        matches = sorted(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
        if not matches:
            yield _reject(spec, Code.NOT_FOUND, "no file matches this pattern")
        for path in matches:
            yield from _read_file(path, options)
    else:
        yield _reject(spec, Code.NOT_FOUND, "no such file, directory or URL")


def _walk(root: Path) -> Iterator[Path]:
    """Files under a directory in a stable order, hidden files and folders skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _reject(source: str, code: Code, message: str, position: str = "") -> Reject:
    return Reject.of(source, position, DatelineError(code, message))


def _read_bounded(stream: IO[bytes], options: ReadOptions) -> bytes:
    return stream.read(options.max_file_bytes + 1)


def _read_file(path: str, options: ReadOptions) -> Iterator[Item]:
    try:
        with open(path, "rb") as stream:
            yield from _read_stream(path, stream, options)
    except OSError as exc:
        yield _reject(path, Code.NOT_FOUND, f"cannot read: {exc.strerror or exc}")


def _read_stream(source: str, stream: IO[bytes], options: ReadOptions) -> Iterator[Item]:
    head = stream.read(detect.HEAD_BYTES)
    stream.seek(0)
    kind = detect.detect_kind(head)
    if kind == "gzip":
        inner = detect.detect_kind(detect.gunzip_head(head))
        if inner in ("warc", "arc"):
            yield from read_warc(
                source, cast(BinaryIO, stream), max_record_bytes=options.max_doc_bytes
            )
        else:
            yield from _read_gzip(source, stream, options)
    elif kind in ("warc", "arc"):
        yield from read_warc(source, cast(BinaryIO, stream), max_record_bytes=options.max_doc_bytes)
    elif kind == "jsonl":
        yield from read_jsonl(source, stream, options.max_doc_bytes)
    else:
        yield from _read_bytes(source, _read_bounded(stream, options), options)


def _read_gzip(source: str, stream: IO[bytes], options: ReadOptions) -> Iterator[Item]:
    """A gzipped text, HTML, feed or JSONL file: decompress with the same bounds."""
    try:
        with gzip.GzipFile(fileobj=stream) as unzipped:
            data = unzipped.read(options.max_file_bytes + 1)
    except (EOFError, OSError, zlib.error) as exc:
        yield _reject(source, Code.TRUNCATED, f"gzip stream is broken: {exc}")
        return
    if detect.detect_kind(data[: detect.HEAD_BYTES]) == "jsonl":
        yield from read_jsonl(source, io.BytesIO(data), options.max_doc_bytes)
    else:
        yield from _read_bytes(source, data, options)


def _read_bytes(
    source: str,
    data: bytes,
    options: ReadOptions,
    charset: str | None = None,
    url: str | None = None,
) -> Iterator[Item]:
    kind = detect.detect_kind(data[: detect.HEAD_BYTES])
    if kind in ("warc", "arc", "gzip", "jsonl"):
        yield from _read_stream(source, io.BytesIO(data), options)
    elif kind == "empty":
        yield _reject(source, Code.EMPTY, "input is empty")
    elif kind == "binary":
        yield _reject(source, Code.BINARY, "input is binary data, not text")
    elif kind == "feed":
        yield from read_feed(source, data)
    elif kind == "opml":
        yield from _read_opml(source, data, options)
    elif len(data) > options.max_doc_bytes:
        message = f"a single document of {len(data):,} bytes exceeds {options.max_doc_bytes:,}"
        yield _reject(source, Code.TOO_LARGE, message)
    else:
        text, _ = detect.decode(data, charset)
        if kind == "html":
            yield RawItem(source=source, position="", kind="html", html=text, url=url)
        else:
            yield RawItem(source=source, position="", kind="text", text=text, url=url)


def _read_opml(source: str, data: bytes, options: ReadOptions) -> Iterator[Item]:
    urls, rejects = read_opml(source, data)
    yield from rejects
    for url in urls:
        yield from read_input(url, options)


def _read_url(url: str, options: ReadOptions) -> Iterator[Item]:
    try:
        fetched = fetch(url, options.fetch)
    except DatelineError as exc:
        yield Reject.of(url, "", exc)
        return
    yield from _read_bytes(url, fetched.data, options, fetched.charset, fetched.final_url)
