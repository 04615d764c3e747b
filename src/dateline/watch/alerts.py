"""Alert rules: a YAML file parsed into rules, matched against newly stored articles.

A rule looks at one of three things (``on``): each new article's **events**, each new
**article**, or the **story** a new article joined. ``match`` narrows what counts; ``count``
fires when more than N matches fall within a window; ``outlets_more_than`` fires when a
story has more than N independent outlets. Each alert carries its reason and its evidence
(the articles and event sentences, with their URLs). docs/alerts.md is the reference.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from dateline.errors import Code, DatelineError
from dateline.events.ontology import AUX_MODES, TYPES

TARGETS = ("events", "articles", "stories")
RULE_KEYS = ("name", "on", "match", "count", "outlets_more_than", "cooldown", "actions")
EVENT_KEYS = ("type", "mode", "aux", "actors", "recipients")
MATCH_KEYS = (*EVENT_KEYS, "countries", "places", "bbox", "keywords", "publishers")
COUNT_KEYS = ("more_than", "within")
ACTION_KINDS = ("print", "jsonl", "webhook")
WEBHOOK_KEYS = ("url", "retries", "timeout", "backoff", "headers")
# Every key the parser accepts, by where it may appear (docs/alerts.md must name each).
ACCEPTED_KEYS: dict[str, tuple[str, ...]] = {
    "file": ("rules",),
    "rule": RULE_KEYS,
    "match": MATCH_KEYS,
    "count": COUNT_KEYS,
    "action": ACTION_KINDS,
    "webhook": WEBHOOK_KEYS,
}
MAX_EVIDENCE = 20  # a count alert lists at most this many matches
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_BOOL_TAG = "tag:yaml.org,2002:bool"


class _RulesLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """YAML 1.2 booleans: only true and false. YAML 1.1 also reads on/off/yes/no as
    booleans, which would turn the key `on:` into True."""


_RulesLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RulesLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


# --- the parsed form ---------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    type: frozenset[str] = frozenset()
    mode: frozenset[str] = frozenset()
    aux: frozenset[str] = frozenset()
    actors: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    places: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    keywords: tuple[str, ...] = ()
    publishers: tuple[str, ...] = ()

    def has_event_keys(self) -> bool:
        return bool(self.type or self.mode or self.aux or self.actors or self.recipients)

    def describe(self) -> str:
        parts = []
        for name in MATCH_KEYS:
            value = getattr(self, name)
            if value:
                shown = sorted(value) if isinstance(value, frozenset) else list(value)
                parts.append(f"{name} {', '.join(str(v) for v in shown)}")
        return "; ".join(parts) or "anything"


@dataclass(frozen=True)
class Count:
    more_than: int
    within: float  # seconds


@dataclass(frozen=True)
class ActionSpec:
    kind: str  # print | jsonl | webhook
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    name: str
    on: str
    match: Match = field(default_factory=Match)
    count: Count | None = None
    outlets_more_than: int | None = None
    cooldown: float | None = None  # seconds before the same alert may fire again
    actions: tuple[ActionSpec, ...] = (ActionSpec("print"),)


# --- parsing ---------------------------------------------------------------------------


def load_rules(path: str | Path) -> tuple[list[Rule], list[DatelineError]]:
    """The rules in a YAML file, and an error for each rule that could not be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatelineError(Code.RULES_FILE, f"{path}: cannot read the rules file ({exc})") from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str = "<rules>") -> tuple[list[Rule], list[DatelineError]]:
    try:
        document = yaml.load(text, Loader=_RulesLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise DatelineError(Code.RULES_FILE, f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise DatelineError(Code.RULES_FILE, f"{source}: expected a mapping with a `rules:` list")
    if unknown := sorted(set(document) - {"rules"}):
        raise DatelineError(Code.RULE_KEY, f"{source}: unknown top-level key {unknown[0]!r}")
    rules: list[Rule] = []
    errors: list[DatelineError] = []
    names: set[str] = set()
    for number, raw in enumerate(document["rules"], start=1):
        try:
            rule = parse_rule(raw, f"{source} rule {number}")
            if rule.name in names:
                raise _value(f"{source} rule {number}", "name", f"{rule.name!r} is used twice")
            names.add(rule.name)
            rules.append(rule)
        except DatelineError as exc:
            errors.append(exc)
    return rules, errors


def parse_rule(raw: object, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise DatelineError(Code.RULE_VALUE, f"{where}: a rule must be a mapping")
    _known(raw, RULE_KEYS, where)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _value(where, "name", "every rule needs a non-empty name")
    where = f"{where} ({name})"
    on = raw.get("on", "events")
    if on not in TARGETS:
        raise _value(where, "on", f"must be one of {', '.join(TARGETS)}, not {on!r}")
    rule = Rule(
        name=name.strip(),
        on=on,
        match=_match(raw.get("match"), where),
        count=_count(raw.get("count"), where),
        outlets_more_than=_optional_int(raw.get("outlets_more_than"), where, "outlets_more_than"),
        cooldown=_optional_duration(raw.get("cooldown"), where, "cooldown"),
        actions=_actions(raw.get("actions"), where),
    )
    _check_combination(rule, where)
    return rule


def _check_combination(rule: Rule, where: str) -> None:
    if rule.on == "stories" and rule.outlets_more_than is None:
        raise _value(where, "outlets_more_than", "a rule on stories needs outlets_more_than")
    if rule.on != "stories" and rule.outlets_more_than is not None:
        raise _value(where, "outlets_more_than", "only a rule on stories counts outlets")
    if rule.on == "stories" and rule.count is not None:
        raise _value(where, "count", "a rule on stories counts outlets, not matches")


def _known(raw: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise DatelineError(
                Code.RULE_KEY, f"{where}: unknown key {key!r} (known: {', '.join(allowed)})"
            )


def _value(where: str, key: str, problem: str) -> DatelineError:
    return DatelineError(Code.RULE_VALUE, f"{where}: {key}: {problem}")


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple of non-empty strings."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, (str, int, float)) and str(v).strip() for v in items):
        raise _value(where, key, "must be a string or a list of strings")
    return tuple(str(v).strip() for v in items)


def _match(raw: object, where: str) -> Match:
    if raw is None:
        return Match()
    if not isinstance(raw, dict):
        raise _value(where, "match", "must be a mapping of conditions")
    _known(raw, MATCH_KEYS, f"{where} match")
    types = frozenset(t.upper() for t in _strings(raw.get("type"), where, "type"))
    if bad := sorted(types - set(TYPES)):
        raise _value(where, "type", f"{bad[0]!r} is not a PLOVER type ({', '.join(TYPES)})")
    aux = frozenset(a.lower() for a in _strings(raw.get("aux"), where, "aux"))
    if bad := sorted(aux - set(AUX_MODES)):
        raise _value(where, "aux", f"{bad[0]!r} is not one of {', '.join(AUX_MODES)}")
    countries = frozenset(c.upper() for c in _strings(raw.get("countries"), where, "countries"))
    if bad := sorted(c for c in countries if not re.fullmatch(r"[A-Z]{2}", c)):
        raise _value(where, "countries", f"{bad[0]!r} is not an ISO 3166 alpha-2 code")
    return Match(
        type=types,
        mode=frozenset(m.lower() for m in _strings(raw.get("mode"), where, "mode")),
        aux=aux,
        actors=_strings(raw.get("actors"), where, "actors"),
        recipients=_strings(raw.get("recipients"), where, "recipients"),
        countries=countries,
        places=_strings(raw.get("places"), where, "places"),
        bbox=_bbox(raw.get("bbox"), where),
        keywords=_strings(raw.get("keywords"), where, "keywords"),
        publishers=_strings(raw.get("publishers"), where, "publishers"),
    )


def _bbox(raw: object, where: str) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    numbers = raw if isinstance(raw, list) else []
    if len(numbers) != 4 or not all(
        isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers
    ):
        raise _value(where, "bbox", "must be [west, south, east, north] in degrees")
    west, south, east, north = (float(n) for n in numbers)
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise _value(where, "bbox", "longitudes must be within ±180, latitudes ±90, south ≤ north")
    return west, south, east, north


def _count(raw: object, where: str) -> Count | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _value(where, "count", "must be a mapping {more_than: N, within: DURATION}")
    _known(raw, COUNT_KEYS, f"{where} count")
    more_than = _optional_int(raw.get("more_than"), where, "more_than")
    within = _optional_duration(raw.get("within"), where, "within")
    if more_than is None or within is None:
        raise _value(where, "count", "needs both more_than and within")
    return Count(more_than, within)


def _optional_int(raw: object, where: str, key: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise _value(where, key, "must be a whole number ≥ 0")
    return raw


def parse_duration(raw: object) -> float | None:
    """Seconds from 90, "90s", "30m", "24h", "2d" or "1w"; None when not a duration."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if raw > 0 else None
    if isinstance(raw, str) and (found := _DURATION.match(raw.lower())):
        seconds = float(found.group(1)) * _UNIT_SECONDS[found.group(2)]
        return seconds if seconds > 0 else None
    return None


def _optional_duration(raw: object, where: str, key: str) -> float | None:
    if raw is None:
        return None
    seconds = parse_duration(raw)
    if seconds is None:
        raise _value(where, key, f"{raw!r} is not a duration such as 90s, 30m, 24h or 2d")
    return seconds


def _actions(raw: object, where: str) -> tuple[ActionSpec, ...]:
    if raw is None:
        return (ActionSpec("print"),)
    if not isinstance(raw, list) or not raw:
        raise _value(where, "actions", "must be a non-empty list")
    return tuple(_action(item, where) for item in raw)


def _action(raw: object, where: str) -> ActionSpec:
    if isinstance(raw, str):
        raw = {raw: None}
    if not isinstance(raw, dict) or len(raw) != 1:
        raise _value(where, "actions", "each action is one of print, jsonl: PATH, webhook: {...}")
    ((kind, value),) = raw.items()
    if kind not in ACTION_KINDS:
        raise DatelineError(
            Code.RULE_KEY, f"{where}: unknown action {kind!r} (known: {', '.join(ACTION_KINDS)})"
        )
    if kind == "print":
        return ActionSpec("print")
    if kind == "jsonl":
        if not isinstance(value, str) or not value.strip():
            raise _value(where, "jsonl", "needs a file path")
        return ActionSpec("jsonl", {"path": value})
    return ActionSpec("webhook", _webhook(value, where))


def _webhook(raw: object, where: str) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        raise _value(where, "webhook", "needs a URL or a mapping with url")
    _known(raw, WEBHOOK_KEYS, f"{where} webhook")
    url = raw.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise _value(where, "webhook url", f"{url!r} is not an http(s) URL")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise _value(where, "webhook headers", "must map header names to strings")
    retries = _optional_int(raw.get("retries"), where, "webhook retries")
    timeout = _optional_duration(raw.get("timeout"), where, "webhook timeout")
    backoff = raw.get("backoff", 1.0)
    if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or backoff < 0:
        raise _value(where, "webhook backoff", "must be a number of seconds ≥ 0")
    return {
        "url": url,
        "retries": 3 if retries is None else retries,
        "timeout": 10.0 if timeout is None else timeout,
        "backoff": float(backoff),
        "headers": dict(headers),
    }


# --- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """What one rule match is about: an article, and one of its events for event rules."""

    article: dict[str, Any]
    event: dict[str, Any] | None = None
    index: int | None = None


def _contains_any(haystacks: Iterable[str], needles: Sequence[str]) -> bool:
    folded = [h.casefold() for h in haystacks if h]
    return any(n.casefold() in h for n in needles for h in folded)


def _equals_any(values: Iterable[str | None], wanted: Sequence[str]) -> bool:
    folded = {w.casefold() for w in wanted}
    return any(v is not None and v.casefold() in folded for v in values)


def _word_in(text: str, keywords: Sequence[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text, re.IGNORECASE) for k in keywords)


def _in_bbox(lat: object, lon: object, bbox: tuple[float, float, float, float]) -> bool:
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return False
    west, south, east, north = bbox
    inside_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)
    return south <= lat <= north and inside_lon


def _participant_names(people: Iterable[dict[str, Any]]) -> list[str]:
    return [f"{p.get('canonical') or ''} | {p.get('text') or ''}" for p in people]


def event_countries(event: dict[str, Any]) -> set[str]:
    """Where an event happened: its place's country, else its participants' countries."""
    place = event.get("place") or {}
    if place.get("country"):
        return {place["country"]}
    people = [*(event.get("actors") or []), *(event.get("recipients") or [])]
    return {p["country"] for p in people if p.get("country")}


def event_matches(event: dict[str, Any], article: dict[str, Any], match: Match) -> bool:
    """Whether one event meets every condition of ``match``."""
    place = event.get("place") or {}
    checks = (
        not match.type or event.get("type") in match.type,
        not match.mode or (event.get("mode") or "") in match.mode,
        not match.aux or event.get("aux") in match.aux,
        not match.actors
        or _contains_any(_participant_names(event.get("actors") or []), match.actors),
        not match.recipients
        or _contains_any(_participant_names(event.get("recipients") or []), match.recipients),
        not match.countries or bool(event_countries(event) & match.countries),
        not match.places or _equals_any([place.get("name"), place.get("text")], match.places),
        match.bbox is None or _in_bbox(place.get("lat"), place.get("lon"), match.bbox),
        not match.keywords
        or _word_in((event.get("evidence") or {}).get("text") or "", match.keywords),
        not match.publishers or _equals_any([article.get("publisher")], match.publishers),
    )
    return all(checks)


def article_matches(article: dict[str, Any], match: Match) -> bool:
    """Whether an article meets ``match``; event conditions need one event meeting them all."""
    places = article.get("places") or []
    dateline = article.get("dateline") or {}
    countries = {p.get("country") for p in places} | {dateline.get("country")}
    names = [p.get("name") for p in places] + [p.get("text") for p in places]
    coordinates = [(p.get("lat"), p.get("lon")) for p in places]
    coordinates.append((dateline.get("lat"), dateline.get("lon")))
    checks = (
        not match.has_event_keys() or any(_event_part(e, match) for e in _events(article)),
        not match.countries or bool(countries & match.countries),
        not match.places or _equals_any([*names, dateline.get("place")], match.places),
        match.bbox is None or any(_in_bbox(lat, lon, match.bbox) for lat, lon in coordinates),
        not match.keywords
        or _word_in(f"{article.get('title') or ''}\n{article.get('text') or ''}", match.keywords),
        not match.publishers or _equals_any([article.get("publisher")], match.publishers),
    )
    return all(checks)


def _event_part(event: dict[str, Any], match: Match) -> bool:
    only_event_keys = Match(
        type=match.type,
        mode=match.mode,
        aux=match.aux,
        actors=match.actors,
        recipients=match.recipients,
    )
    return event_matches(event, {}, only_event_keys)


def _events(article: dict[str, Any]) -> list[dict[str, Any]]:
    return list(article.get("events") or [])


def units(rule: Rule, article: dict[str, Any]) -> list[Unit]:
    """The matches a rule finds in one article."""
    if rule.on == "events":
        return [
            Unit(article, event, index)
            for index, event in enumerate(_events(article))
            if event_matches(event, article, rule.match)
        ]
    return [Unit(article)] if article_matches(article, rule.match) else []


# --- time -------------------------------------------------------------------------------


def article_time(article: dict[str, Any], ingested_at: str | None = None) -> datetime | None:
    """When an article appeared: its publication date, else when it was stored."""
    for value in (article.get("published"), ingested_at):
        if parsed := _parse_time(value):
            return parsed
    return None


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- evidence and alerts ----------------------------------------------------------------


def evidence(unit: Unit) -> dict[str, Any]:
    article = unit.article
    item: dict[str, Any] = {
        "article_id": article.get("id"),
        "title": article.get("title"),
        "publisher": article.get("publisher"),
        "published": article.get("published"),
        "url": article.get("url"),
        "show": f"dateline show {article.get('id')}",
    }
    if unit.event is not None:
        item["event"] = _event_summary(unit.event, unit.index)
    return item


def _event_summary(event: dict[str, Any], index: int | None) -> dict[str, Any]:
    place = event.get("place") or {}
    quote = event.get("evidence") or {}
    return {
        "index": index,
        "type": event.get("type"),
        "mode": event.get("mode"),
        "aux": event.get("aux"),
        "actors": [p.get("canonical") for p in event.get("actors") or []],
        "recipients": [p.get("canonical") for p in event.get("recipients") or []],
        "place": place.get("name"),
        "countries": sorted(event_countries(event)),
        "text": quote.get("text"),
        "start": quote.get("start"),
        "end": quote.get("end"),
    }


@dataclass
class Alert:
    rule: str
    key: str  # what the alert is about: an article, a story, a window
    reason: str
    evidence: list[dict[str, Any]]
    fired_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "key": self.key,
            "fired_at": self.fired_at,
            "reason": self.reason,
            "evidence": self.evidence,
        }


def _describe_event(event: dict[str, Any]) -> str:
    kind = "/".join(x for x in (event.get("type"), event.get("mode")) if x)
    where = (event.get("place") or {}).get("name") or ", ".join(sorted(event_countries(event)))
    return f"{kind} ({event.get('aux')})" + (f" in {where}" if where else "")


class Evaluator:
    """Finds the alerts that newly stored articles set off; reads the store for windows."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def alerts(self, rule: Rule, articles: Sequence[dict[str, Any]]) -> list[Alert]:
        if rule.on == "stories":
            return list(self._story_alerts(rule, articles))
        if rule.count is not None:
            return list(self._count_alerts(rule, rule.count, articles))
        return list(self._each_alerts(rule, articles))

    def _each_alerts(self, rule: Rule, articles: Sequence[dict[str, Any]]) -> Iterator[Alert]:
        for article in articles:
            found = units(rule, article)
            if not found:
                continue
            title = article.get("title") or article.get("id")
            if rule.on == "events":
                what = "; ".join(_describe_event(u.event) for u in found if u.event is not None)
                reason = f"{len(found)} event(s) in {title!r} match {rule.match.describe()}: {what}"
            else:
                reason = f"article {title!r} matches {rule.match.describe()}"
            yield Alert(rule.name, str(article.get("id")), reason, [evidence(u) for u in found])

    def _count_alerts(
        self, rule: Rule, count: Count, articles: Sequence[dict[str, Any]]
    ) -> Iterator[Alert]:
        anchors = sorted(
            {t for a in articles if units(rule, a) and (t := article_time(a)) is not None},
            reverse=True,
        )
        for anchor in anchors:  # the newest window first; one alert per evaluation
            found = self._window(rule, anchor - timedelta(seconds=count.within), anchor)
            if len(found) > count.more_than:
                what = "events" if rule.on == "events" else "articles"
                reason = (
                    f"{len(found)} {what} matching {rule.match.describe()} within"
                    f" {_duration_text(count.within)} up to {anchor.isoformat()},"
                    f" more than {count.more_than}"
                )
                shown = [evidence(u) for u in found[-MAX_EVIDENCE:]]
                yield Alert(rule.name, "count", reason, shown)
                return

    def _window(self, rule: Rule, start: datetime, end: datetime) -> list[Unit]:
        """Matches in stored articles dated within [start, end]; copies count once."""
        # The string bounds are a day wider than the window: published values carry
        # offsets, so the exact test is done on parsed times below.
        low = (start - timedelta(days=1)).date().isoformat()
        high = (end + timedelta(days=2)).date().isoformat()
        rows = self.db.execute(
            "SELECT data, ingested_at FROM articles WHERE copy_of IS NULL AND"
            " ((published >= ? AND published < ?) OR"
            " (published IS NULL AND ingested_at >= ? AND ingested_at < ?))",
            (low, high, low, high),
        )
        found: list[tuple[datetime, str, Unit]] = []
        for row in rows:
            article = json.loads(row["data"])
            when = article_time(article, row["ingested_at"])
            if when is None or not start <= when <= end:
                continue
            found.extend((when, str(article.get("id")), u) for u in units(rule, article))
        found.sort(key=lambda entry: (entry[0], entry[1], entry[2].index or 0))
        return [unit for _, _, unit in found]

    def _story_alerts(self, rule: Rule, articles: Sequence[dict[str, Any]]) -> Iterator[Alert]:
        threshold = rule.outlets_more_than or 0
        stories = {a["story_id"] for a in articles if a.get("story_id") and units(rule, a)}
        for story_id in sorted(stories):
            outlets = self._outlets(story_id)
            if len(outlets) > threshold:
                reason = (
                    f"story {story_id} has {len(outlets)} independent outlets"
                    f" ({', '.join(sorted(outlets))}), more than {threshold}"
                )
                shown = [evidence(Unit(a)) for a in outlets.values()][:MAX_EVIDENCE]
                yield Alert(rule.name, story_id, reason, shown)

    def _outlets(self, story_id: str) -> dict[str, dict[str, Any]]:
        """Each outlet in a story with its first article; copies are not independent."""
        rows = self.db.execute(
            "SELECT data FROM articles WHERE story_id = ? AND copy_of IS NULL"
            " ORDER BY published IS NULL, published, id",
            (story_id,),
        )
        outlets: dict[str, dict[str, Any]] = {}
        for row in rows:
            article = json.loads(row["data"])
            outlets.setdefault(_outlet(article), article)
        return outlets


def _outlet(article: dict[str, Any]) -> str:
    """An article's outlet: its publisher, else its web host, else the article itself."""
    if article.get("publisher"):
        return str(article["publisher"])
    host = urlsplit(article.get("url") or "").hostname
    return host or f"unknown ({article.get('id')})"


def _duration_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"
