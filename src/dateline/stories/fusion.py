"""One event reported by many articles becomes one fused event with its reports.

Within a story, events with the same PLOVER type and aux, compatible actors and recipients
(a shared canonical name, or one side unnamed), a compatible place (same country, or one
side without a place) and a compatible day (same day, or one side without a date from the
text) are the same event. A fused event counts its independent sources: copies of one
original count once, since a syndicated wire story is one report, not many.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    article_id: str
    index: int  # the event's position in the article's `events`
    publisher: str | None
    source_group: str  # the copy group's original: copies share it
    evidence: str


@dataclass
class FusedEvent:
    id: str
    story_id: str | None
    type: str
    mode: str | None
    aux: str
    actors: list[str]
    recipients: list[str]
    place: str | None
    country: str | None
    day: str | None
    reports: list[Report] = field(default_factory=list)

    @property
    def independent_sources(self) -> int:
        return len({r.source_group for r in self.reports})

    @property
    def outlets(self) -> int:
        return len({r.publisher for r in self.reports if r.publisher})

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "story_id": self.story_id,
            "type": self.type,
            "mode": self.mode,
            "aux": self.aux,
            "actors": self.actors,
            "recipients": self.recipients,
            "place": self.place,
            "country": self.country,
            "day": self.day,
            "reports": len(self.reports),
            "independent_sources": self.independent_sources,
            "outlets": self.outlets,
            "articles": [{"article_id": r.article_id, "event": r.index} for r in self.reports],
            "evidence": self.reports[0].evidence,
        }


def _names(participants: list[dict[str, Any]]) -> list[str]:
    return sorted({p["canonical"] for p in participants})


def _day(event: dict[str, Any]) -> str | None:
    when = event.get("when") or {}
    if when.get("source") != "text" or not when.get("value"):
        return None  # the publication date says when it was reported, not when it happened
    return str(when["value"])[:10]


def _agree(a: list[str] | str | None, b: list[str] | str | None) -> bool:
    if not a or not b:
        return True
    if isinstance(a, list) and isinstance(b, list):
        return bool(set(a) & set(b))
    return a == b


def _fits(fused: FusedEvent, event: dict[str, Any], story_id: str | None) -> bool:
    place = event.get("place") or {}
    return (
        fused.story_id == story_id
        and fused.type == event["type"]
        and fused.aux == event["aux"]
        and _agree(fused.actors, _names(event.get("actors") or []))
        and _agree(fused.recipients, _names(event.get("recipients") or []))
        and _agree(fused.country, place.get("country"))
        and _agree(fused.day, _day(event))
    )


def _new(article: dict[str, Any], index: int, event: dict[str, Any]) -> FusedEvent:
    place = event.get("place") or {}
    key = f"{article['id']}:{index}".encode()
    return FusedEvent(
        id="f:" + hashlib.sha256(key).hexdigest()[:16],
        story_id=article.get("story_id"),
        type=event["type"],
        mode=event.get("mode"),
        aux=event["aux"],
        actors=_names(event.get("actors") or []),
        recipients=_names(event.get("recipients") or []),
        place=place.get("name"),
        country=place.get("country"),
        day=_day(event),
    )


def _fill(fused: FusedEvent, event: dict[str, Any]) -> None:
    """A later report may name what the first one left out."""
    place = event.get("place") or {}
    fused.actors = sorted(set(fused.actors) | set(_names(event.get("actors") or [])))
    fused.recipients = sorted(set(fused.recipients) | set(_names(event.get("recipients") or [])))
    fused.place = fused.place or place.get("name")
    fused.country = fused.country or place.get("country")
    fused.day = fused.day or _day(event)
    fused.mode = fused.mode or event.get("mode")


def fuse(articles: Iterable[dict[str, Any]]) -> list[FusedEvent]:
    """Fused events over articles' JSON (as stored or exported), in order of first report.

    The id of a fused event is derived from its first report, so it is stable as long as
    the articles come in the same order (the store gives them by date, then id)."""
    fused: list[FusedEvent] = []
    # only events of one story, type and aux can be one event: look among those alone
    candidates: dict[tuple[str | None, str, str], list[FusedEvent]] = {}
    for article in articles:
        group = article.get("copy_of") or article["id"]
        story = article.get("story_id")
        for index, event in enumerate(article.get("events") or []):
            bucket = candidates.setdefault((story, event["type"], event["aux"]), [])
            target = next((f for f in bucket if _fits(f, event, story)), None)
            if target is None:
                target = _new(article, index, event)
                fused.append(target)
                bucket.append(target)
            else:
                _fill(target, event)
            evidence = (event.get("evidence") or {}).get("text", "")
            target.reports.append(
                Report(article["id"], index, article.get("publisher"), group, evidence)
            )
    return fused
