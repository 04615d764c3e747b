"""The document model: the frozen raw input and the Article that flows through the stages.

Every extracted thing is a span view into ``Article.text``: ``(start, end)`` character
offsets plus its resolved value, so any fact can be shown with its evidence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from typing import Any

SCHEMA_VERSION = "1.0"
TRANSIENT = {"transient": True}  # field metadata: kept off the JSON form


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
    # the place resolved by the geoparser (it is not in ``text``, so it is no PlaceMention)
    geonames_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None


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
class EntityMention:
    """A named entity in ``Article.text`` and the canonical entity it refers to."""

    start: int
    end: int
    text: str
    kind: str  # person | organisation | place | group | media | event | other
    canonical: str
    entity_id: str  # stable: the same canonical entity has the same id in every article
    country: str | None = None  # ISO 3166 alpha-2
    sector: str | None = None  # PLOVER-style: GOV, MIL, POL, CVL, IGO, MED, ...
    label: str | None = None  # the NER label that found it (GPE, ORG, PERSON, ...)


@dataclass
class PlaceMention:
    """A toponym in ``Article.text`` resolved to a gazetteer entry."""

    start: int
    end: int
    text: str
    name: str
    geonames_id: int | None
    lat: float
    lon: float
    feature: str  # country | region | city | ...
    admin1: str | None
    country: str | None  # ISO 3166 alpha-2
    confidence: float
    metonymy: bool = False  # "Moscow said": the place stands for its government


@dataclass
class TimeMention:
    """A time expression in ``Article.text`` with its TimeML value."""

    start: int
    end: int
    text: str
    value: str  # TimeML: 2022-01-05, 2022-01-05TNI, P3D, 2022-W01, PRESENT_REF, ...
    anchor: str | None  # the date the value was resolved against
    type: str = "DATE"  # DATE | TIME | DURATION | SET
    end_value: str | None = None  # for intervals ("until January 19"): the end point


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
    entities: list[EntityMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    times: list[TimeMention] = field(default_factory=list)
    # Transient, never serialised: the raw input, and the parsed text stages share.
    raw: RawItem | None = field(default=None, repr=False, compare=False, metadata=TRANSIENT)
    doc: Any = field(default=None, repr=False, compare=False, metadata=TRANSIENT)
    schema_version: str = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        data = {f.name: _plain(getattr(self, f.name)) for f in fields(self) if not f.metadata}
        data["paragraphs"] = [{"start": s, "end": e} for s, e in self.paragraphs]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        known = {f.name for f in fields(cls) if not f.metadata}
        # Fields this version does not know (from a newer dateline) are left out, not fatal.
        data = {k: v for k, v in data.items() if k in known}
        data["dateline"] = Dateline(**(data.get("dateline") or {}))
        data["removed"] = [Removed(**r) for r in data.get("removed") or []]
        data["paragraphs"] = [(p["start"], p["end"]) for p in data.get("paragraphs") or []]
        data["issues"] = [Issue(**i) for i in data.get("issues") or []]
        data["entities"] = [EntityMention(**e) for e in data.get("entities") or []]
        data["places"] = [PlaceMention(**p) for p in data.get("places") or []]
        data["times"] = [TimeMention(**t) for t in data.get("times") or []]
        if data.get("provenance"):
            data["provenance"] = Provenance(**data["provenance"])
        return cls(**data)


def _plain(value: Any) -> Any:
    """JSON-ready copy of a field value: dataclasses become dicts, lists are copied."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


_SPACE = re.compile(r"\s+")


def normalise_for_id(text: str) -> str:
    """Case, width and whitespace differences must not change an article's identity."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def raw_digest(raw: RawItem) -> str:
    """Identity of a raw input item, so a re-read item can be skipped before any work."""
    digest = hashlib.sha256()
    for part in (raw.kind, raw.text, raw.html, raw.url, raw.title, raw.published, raw.publisher,
                 raw.author, raw.source_id):  # fmt: skip
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:24]


def article_id(title: str | None, text: str) -> str:
    digest = hashlib.sha256()
    digest.update(normalise_for_id(title or "").encode())
    digest.update(b"\x00")
    digest.update(normalise_for_id(text).encode())
    return digest.hexdigest()[:20]
