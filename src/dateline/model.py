"""The document model: the frozen raw input and the Article that flows through the stages.

Every extracted thing is a span view into ``Article.text``: ``(start, end)`` character
offsets plus its resolved value, so any fact can be shown with its evidence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class RawItem:
    """One unit of raw input, exactly as a source handed it over, and where it came from.

    ``text`` or ``html`` holds the body; the rest is metadata the source itself knew
    (a feed's item title, a WARC record's URL and date, a JSONL record's fields).
    """

    source: str  # a path, a URL or "<stdin>"
    position: str  # where inside the source: "line 3", "item 2", "record 5 @ 1234", "" if whole
    kind: str  # text | html | feed-item | warc-record | jsonl
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None  # as the source wrote it; normalised by the clean stage
    publisher: str | None = None
    author: str | None = None
    source_id: str | None = None


@dataclass
class Removed:
    """A piece of input the cleaner removed, with the rule that removed it."""

    text: str
    rule: str


@dataclass
class Dateline:
    """A wire dateline such as ``LONDON, Jan 5 (Reuters) -``."""

    place: str | None = None
    agency: str | None = None
    date: str | None = None  # as written ("Jan 5"); anchoring it is the times stage's job
    raw: str | None = None


@dataclass
class Provenance:
    source: str
    position: str
    kind: str


@dataclass
class Issue:
    """A problem found while building one article that did not stop it (caught, kept)."""

    code: str
    message: str


@dataclass
class Article:
    id: str = ""
    source_id: str | None = None
    url: str | None = None
    title: str | None = None
    title_source: str | None = None  # metadata | feed | headline-line | footer
    author: str | None = None
    publisher: str | None = None
    origin: str | None = None  # the wire agency or original outlet
    dateline: Dateline = field(default_factory=Dateline)
    published: str | None = None  # ISO 8601 date or datetime
    published_source: str | None = None  # given | feed | html-meta | warc | jsonl | dateline
    language: str | None = None
    text: str = ""
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    provenance: Provenance | None = None
    issues: list[Issue] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["paragraphs"] = [{"start": s, "end": e} for s, e in self.paragraphs]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        known = set(cls.__dataclass_fields__)
        extra = {k: v for k, v in data.items() if k not in known}
        data = {k: v for k, v in data.items() if k in known}
        data["dateline"] = Dateline(**(data.get("dateline") or {}))
        data["removed"] = [Removed(**r) for r in data.get("removed") or []]
        data["paragraphs"] = [(p["start"], p["end"]) for p in data.get("paragraphs") or []]
        data["issues"] = [Issue(**i) for i in data.get("issues") or []]
        if data.get("provenance"):
            data["provenance"] = Provenance(**data["provenance"])
        article = cls(**data)
        article._extra = extra  # type: ignore[attr-defined]  # fields from later stages
        return article


_SPACE = re.compile(r"\s+")


def normalise_for_id(text: str) -> str:
    """Case, width and whitespace differences must not change an article's identity."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def article_id(title: str | None, text: str) -> str:
    digest = hashlib.sha256()
    digest.update(normalise_for_id(title or "").encode())
    digest.update(b"\x00")
    digest.update(normalise_for_id(text).encode())
    return digest.hexdigest()[:20]
