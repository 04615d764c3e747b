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
class Cue:
    """The words that mark an attribution: "said", "told RIA Novosti", "according to"."""

    text: str
    start: int
    end: int


@dataclass
class Speaker:
    """Who a quote is attributed to: a span in the text and, where possible, an entity.

    ``start``/``end`` point at the mention that names the speaker best (the resolved name
    for a pronoun, the description for an anonymous source).
    """

    text: str
    start: int
    end: int
    canonical: str
    entity_id: str | None = None  # None for anonymous sources
    anonymous: bool = False  # "a source familiar with the situation"


@dataclass
class Quote:
    """A quotation or reported statement; ``start``/``end`` delimit the quoted content."""

    start: int
    end: int
    text: str
    direct: bool
    speaker: Speaker | None = None
    cue: Cue | None = None
    channel: str | None = None  # Twitter, a statement, an interview, a press conference


@dataclass
class Participant:
    """An event's actor or recipient: a span and the canonical entity it names."""

    text: str
    start: int
    end: int
    canonical: str
    entity_id: str | None = None
    kind: str | None = None
    country: str | None = None  # ISO 3166 alpha-2
    sector: str | None = None  # GOV, MIL, POL, CVL, IGO, MED, ...


@dataclass
class EventPlace:
    """Where an event happened (not any place in the article)."""

    text: str
    start: int
    end: int
    name: str
    geonames_id: int | None
    lat: float
    lon: float
    country: str | None
    admin1: str | None = None


@dataclass
class EventTime:
    """When an event happened: a time mention, or the publication date when the text gives none."""

    value: str  # TimeML value
    end_value: str | None = None
    text: str | None = None
    start: int | None = None
    end: int | None = None
    source: str = "text"  # text | published


@dataclass
class Evidence:
    start: int
    end: int
    text: str


@dataclass
class Event:
    """One event in the PLOVER ontology, with its evidence and derived codes."""

    type: str  # AGREE ... ASSAULT (16 PLOVER types)
    aux: str  # asserted | negated | hypothetical | future | historical
    evidence: Evidence  # the sentence (or clause) that reports it
    trigger: Evidence  # the word(s) that name the action
    mode: str | None = None
    context: list[str] = field(default_factory=list)
    actors: list[Participant] = field(default_factory=list)
    recipients: list[Participant] = field(default_factory=list)
    place: EventPlace | None = None  # the first of ``places``: kept for readers of schema 1.0
    places: list[EventPlace] = field(default_factory=list)  # every place the clause names
    when: EventTime | None = None
    size: int | None = None
    dead: int | None = None
    injured: int | None = None
    source: str | None = None  # according to whom (canonical name), when attributed
    confidence: float = 0.5
    cameo_root: str | None = None  # two-digit CAMEO root code via the crosswalk
    cameo_quad: int | None = (
        None  # 0 statement/appeal, 1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict
    )
    acled_subtype: str | None = None  # CASE 2021 names: PEACE_PROTEST, ARREST, ...
    main: bool = False  # the article's main event: the lede's main-clause event (one per article)


@dataclass
class Attribution:
    """The article's chain of attribution: who reported, who republished, who said so."""

    origin: str | None = None  # the agency or outlet that first reported (the dateline's)
    publisher: str | None = None  # who published this copy
    headline_source: str | None = None  # canonical name the headline credits ("...: CSTO")
    body_source: str | None = None  # speaker of the lead's attributed claim
    body_source_anonymous: bool = False
    body_via: str | None = None  # the outlet the source spoke to ("told RIA Novosti")
    mismatch: bool = False  # the headline credits someone the body does not


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
    quotes: list[Quote] = field(default_factory=list)
    attribution: Attribution = field(default_factory=Attribution)
    events: list[Event] = field(default_factory=list)
    story_id: str | None = None  # the story (happening) this article reports, over a run or store
    copy_of: str | None = None  # the original of this article's copy group, if it is a copy
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
        data["attribution"] = Attribution(**(data.get("attribution") or {}))
        data["removed"] = [Removed(**r) for r in data.get("removed") or []]
        data["paragraphs"] = [(p["start"], p["end"]) for p in data.get("paragraphs") or []]
        data["issues"] = [Issue(**i) for i in data.get("issues") or []]
        data["entities"] = [EntityMention(**e) for e in data.get("entities") or []]
        data["places"] = [PlaceMention(**p) for p in data.get("places") or []]
        data["times"] = [TimeMention(**t) for t in data.get("times") or []]
        data["quotes"] = [_quote(q) for q in data.get("quotes") or []]
        data["events"] = [_event(e) for e in data.get("events") or []]
        if data.get("provenance"):
            data["provenance"] = Provenance(**data["provenance"])
        return cls(**data)


def _quote(data: dict[str, Any]) -> Quote:
    speaker, cue = data.get("speaker"), data.get("cue")
    return Quote(
        **{k: v for k, v in data.items() if k not in ("speaker", "cue")},
        speaker=Speaker(**speaker) if speaker else None,
        cue=Cue(**cue) if cue else None,
    )


def _event(data: dict[str, Any]) -> Event:
    place, when = data.get("place"), data.get("when")
    return Event(
        **{k: v for k, v in data.items() if k not in _EVENT_PARTS},
        evidence=Evidence(**data["evidence"]),
        trigger=Evidence(**data["trigger"]),
        actors=[Participant(**p) for p in data.get("actors") or []],
        recipients=[Participant(**p) for p in data.get("recipients") or []],
        place=EventPlace(**place) if place else None,
        # articles stored before ``places`` existed have their one place
        places=[EventPlace(**p) for p in data.get("places", [place] if place else [])],
        when=EventTime(**when) if when else None,
    )


_EVENT_PARTS = ("evidence", "trigger", "actors", "recipients", "place", "places", "when")


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
