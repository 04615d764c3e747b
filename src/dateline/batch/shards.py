"""Inputs become shards: one unit of work for one Dask task.

Each file (WARC, JSONL, feed, page, text) and each URL is a shard. Directories and globs
expand to their files in the order ``dateline process`` reads them, so an article's
provenance is the same in both engines. An uncompressed JSONL file larger than the split
size is cut into line ranges at newlines, each its own shard, so one huge dump spreads over
every worker; its records keep their file-wide line numbers.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dateline.errors import Code, DatelineError, Reject
from dateline.sources import detect

DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024
_SCAN_BYTES = 1 << 20  # how much of an overlong last line is read at a time


@dataclass(frozen=True)
class Shard:
    """A file, a URL, or a line range of a JSONL file, with what identifies its content."""

    source: str  # as read: the path under the input given (the articles' provenance) or a URL
    size: int | None = None  # of the whole file when planned; None for a URL
    mtime_ns: int | None = None
    start: int = 0  # byte offset of a line range's first line
    end: int | None = None  # byte offset after its last line; None: the whole file
    first_line: int = 1  # the file-wide number of the range's first line

    @property
    def is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))

    @property
    def path(self) -> str:
        return self.source if self.is_url else os.path.abspath(self.source)

    @property
    def id(self) -> str:
        """Stable across runs: derived from where the shard's bytes are, not from them."""
        key = f"{self.path}\0{self.source}\0{self.start}\0{self.end}"
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    @property
    def work(self) -> int:
        """Bytes to process, to send the biggest shards first."""
        if self.end is not None:
            return self.end - self.start
        return self.size or 0

    def identity(self) -> dict[str, Any]:
        """What the manifest compares to decide that a shard's output is still current."""
        return {
            "source": self.source,
            "path": self.path,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "start": self.start,
            "end": self.end,
            "first_line": self.first_line,
        }

    @classmethod
    def from_identity(cls, data: dict[str, Any]) -> Shard:
        return cls(
            source=data["source"],
            size=data["size"],
            mtime_ns=data["mtime_ns"],
            start=data["start"],
            end=data["end"],
            first_line=data["first_line"],
        )


def plan_shards(
    inputs: list[str] | tuple[str, ...], split_bytes: int = DEFAULT_SPLIT_BYTES
) -> tuple[list[Shard], list[Reject]]:
    """Shards for the inputs in reading order, and a reject for each input not found."""
    shards: list[Shard] = []
    rejects: list[Reject] = []
    for spec in inputs:
        if spec == "-":
            raise DatelineError(Code.BATCH_INPUT, "standard input cannot be split into shards")
        if spec.startswith(("http://", "https://")):
            shards.append(Shard(spec))
            continue
        paths = list(_expand(spec))
        if not paths:
            why = "no file matches this pattern" if glob.has_magic(spec) else "no such file"
            rejects.append(Reject.of(spec, "", DatelineError(Code.NOT_FOUND, why)))
        for path in paths:
            shards.extend(_file_shards(path, split_bytes))
    return shards, rejects


def _expand(spec: str) -> Iterator[str]:
    """The files of one input, as ``sources.reader`` names and orders them."""
    if os.path.isdir(spec):
        for dirpath, dirnames, filenames in os.walk(Path(spec)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    yield str(Path(dirpath) / name)
    elif os.path.exists(spec):
        yield spec
    elif glob.has_magic(spec):
        yield from sorted(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))


def _file_shards(path: str, split_bytes: int) -> list[Shard]:
    try:
        status = os.stat(path)
        with open(path, "rb") as stream:
            head = stream.read(detect.HEAD_BYTES)
    except OSError:
        return [Shard(path)]  # the worker's reader reports why it cannot be read
    whole = Shard(path, status.st_size, status.st_mtime_ns)
    if status.st_size <= split_bytes or detect.detect_kind(head) != "jsonl":
        return [whole]
    ranges = _line_ranges(path, status.st_size, split_bytes)
    return [
        Shard(path, status.st_size, status.st_mtime_ns, start, end, first)
        for start, end, first in ranges
    ]


def _line_ranges(path: str, size: int, split_bytes: int) -> list[tuple[int, int, int]]:
    """(first byte, byte after the last, number of the first line) of each range.

    Each range holds about ``split_bytes`` and ends after a newline (or at the end of the
    file), so no JSONL record is cut in two."""
    ranges = []
    start, first_line = 0, 1
    with open(path, "rb") as stream:
        while start < size:
            block = stream.read(split_bytes)
            if not block:
                break
            length, newlines = len(block), block.count(b"\n")
            if not block.endswith(b"\n"):
                while rest := stream.readline(_SCAN_BYTES):  # finish the line the block cut
                    length += len(rest)
                    if rest.endswith(b"\n"):
                        newlines += 1
                        break
            ranges.append((start, start + length, first_line))
            start += length
            first_line += newlines
    return ranges
