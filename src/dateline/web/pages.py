"""Server-rendered pages (Jinja2, autoescaped): dashboard, search, article, entity, story.

Nothing from an article reaches a page unescaped: templates autoescape every value, links
to elsewhere are kept only when they are http(s), and the page scripts read data from
data- attributes or the JSON API and write it with textContent.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dateline.errors import Code, DatelineError
from dateline.web import queries as q
from dateline.web.app import HERE, Reader, event_filters, story_json

ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def safe_url(value: str | None) -> str | None:
    """The URL when it is http or https (else None: no javascript:, data: or relative tricks)."""
    if not value or re.search(r"[\x00-\x20]", value.strip()):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def query_string(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "", False)})


ENV.filters["safe_url"] = safe_url
ENV.globals["query_string"] = query_string


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(ENV.get_template(name).render(**context), status_code=status)


def error_page(request: Request, error: DatelineError, status: int) -> Response:
    return render("error.html", status, error=error, title=f"Error {error.code.value}")


def render_docs(request: Request) -> Response:
    schema = request.app.openapi()
    return render("docs.html", schema=schema, title="API reference")


def _reader(request: Request) -> Reader:
    reader: Reader = request.app.state.reader
    return reader


# --- the article text with its spans -------------------------------------------------------


@dataclass
class Segment:
    text: str
    classes: list[str] = field(default_factory=list)
    entity: str | None = None
    events: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _spans(article: dict[str, Any]) -> list[tuple[int, int, str, Any]]:
    spans: list[tuple[int, int, str, Any]] = []
    for mention in article.get("entities") or []:
        spans.append((mention["start"], mention["end"], "entity", mention))
    for place in article.get("places") or []:
        spans.append((place["start"], place["end"], "place", place))
    for time in article.get("times") or []:
        spans.append((time["start"], time["end"], "time", time))
    for quote in article.get("quotes") or []:
        spans.append((quote["start"], quote["end"], "quote", quote))
    for index, event in enumerate(article.get("events") or []):
        evidence = event.get("evidence") or {}
        if evidence.get("end") is not None:
            spans.append((evidence["start"], evidence["end"], "evidence", index))
        trigger = event.get("trigger") or {}
        if trigger.get("end") is not None:
            spans.append((trigger["start"], trigger["end"], "trigger", index))
    return [s for s in spans if 0 <= s[0] < s[1]]


def segments(article: dict[str, Any], active: int | None) -> list[Segment]:
    """The text cut at every span boundary; each piece knows the spans that cover it."""
    text: str = article.get("text") or ""
    spans = _spans(article)
    cuts = sorted(
        {
            0,
            len(text),
            *(min(s[0], len(text)) for s in spans),
            *(min(s[1], len(text)) for s in spans),
        }
    )
    pieces: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        segment = Segment(text[start:end])
        for s_start, s_end, kind, value in spans:
            if s_start <= start and end <= s_end:
                _mark(segment, kind, value, active)
        segment.classes = sorted(set(segment.classes))
        pieces.append(segment)
    return pieces


def _mark(segment: Segment, kind: str, value: Any, active: int | None) -> None:
    if kind == "entity":
        segment.classes.append(f"ent ent-{value.get('kind') or 'other'}")
        if value.get("entity_id"):
            segment.entity = value["entity_id"]
        segment.notes.append(f"{value.get('kind')}: {value.get('canonical')}")
    elif kind == "place":
        segment.classes.append("place")
        segment.notes.append(f"place: {value.get('name')} ({value.get('country') or '?'})")
    elif kind == "time":
        segment.classes.append("time")
        segment.notes.append(f"time: {value.get('value')}")
    elif kind == "quote":
        segment.classes.append("quote")
        speaker = (value.get("speaker") or {}).get("canonical")
        segment.notes.append(f"quote: {speaker or 'unattributed'}")
    elif kind == "evidence":
        segment.classes.append("evidence")
        segment.events.append(value)
        if value == active:
            segment.classes.append("evidence-active")
    elif kind == "trigger" and value == active:
        segment.classes.append("trigger-active")


# --- routes -----------------------------------------------------------------------------


def page_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/", dashboard, methods=["GET"])
    router.add_api_route("/search", search, methods=["GET"])
    router.add_api_route("/article/{article_id}", article_page, methods=["GET"])
    router.add_api_route("/event/{article_id}/{idx}", event_page, methods=["GET"])
    router.add_api_route("/entity/{entity_id:path}", entity_page, methods=["GET"])
    router.add_api_route("/story/{story_id}", story_page, methods=["GET"])
    router.add_api_route("/browse/stories", stories_list_page, methods=["GET"])
    router.add_api_route("/browse/entities", entities_list_page, methods=["GET"])
    return router


def _choices(db: Any, column: str) -> list[str]:
    rows = db.execute(f"SELECT DISTINCT {column} FROM events WHERE {column} IS NOT NULL ORDER BY 1")
    return [row[0] for row in rows]


def dashboard(
    request: Request,
    type: str | None = None,
    aux: str | None = None,
    country: str | None = None,
    actor: str | None = None,
    day_from: str | None = Query(None, alias="from"),
    day_to: str | None = Query(None, alias="to"),
    cursor: str | None = None,
) -> Response:
    reader = _reader(request)
    db = reader.db()
    filters = event_filters(type, None, aux, actor, None, country, None, day_from, day_to, None)
    page = q.events_page(db, filters, 25, cursor, reader.longest_span())
    params = {
        "type": filters.type,
        "aux": filters.aux,
        "country": filters.country,
        "actor": filters.actor,
        "from": filters.day_from,
        "to": filters.day_to,
    }
    return render(
        "dashboard.html",
        title="Dashboard",
        params=params,
        page=page,
        filter_query=query_string(**params),
        **reader.cached("dashboard", lambda: _store_facts(db)),
    )


def _store_facts(db: Any) -> dict[str, Any]:
    """The filter choices and counts: whole-table scans, so the reader caches them."""

    def count(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    return {
        "types": _choices(db, "type"),
        "auxes": _choices(db, "aux"),
        "countries": _choices(db, "country"),
        "counts": {
            "articles": count("SELECT count(*) FROM articles"),
            "events": count("SELECT count(*) FROM events"),
            "stories": count(
                "SELECT count(DISTINCT story_id) FROM articles WHERE story_id IS NOT NULL"
            ),
            "entities": count("SELECT count(*) FROM entities"),
        },
    }


def search(
    request: Request,
    q_: str | None = Query(None, alias="q"),
    publisher: str | None = None,
    day_from: str | None = Query(None, alias="from"),
    day_to: str | None = Query(None, alias="to"),
    entity: str | None = None,
    country: str | None = None,
    story: str | None = None,
    cursor: str | None = None,
) -> Response:
    filters = q.ArticleFilters(
        q=q_ or None,
        publisher=publisher or None,
        day_from=q.check_day("from", day_from),
        day_to=q.check_day("to", day_to),
        entity=entity or None,
        country=q.check_country(country),
        story=story or None,
    )
    page = q.articles_page(_reader(request).db(), filters, 25, cursor)
    for item in page.items:
        item["snippet_parts"] = q.snippet_parts(item.pop("snippet", None))
    params = {
        "q": filters.q,
        "publisher": filters.publisher,
        "from": filters.day_from,
        "to": filters.day_to,
        "entity": filters.entity,
        "country": filters.country,
        "story": filters.story,
    }
    return render("search.html", title="Search", params=params, page=page)


def article_page(request: Request, article_id: str, event: int | None = None) -> Response:
    article = q.article_json(_reader(request).db(), article_id)
    if article is None:
        raise DatelineError(Code.NOT_FOUND_HTTP, f"no article with id {article_id!r}")
    events = article.get("events") or []
    if event is not None and not 0 <= event < len(events):
        raise q.bad("event", f"this article has {len(events)} events; {event} is not one")
    return render(
        "article.html",
        title=article.get("title") or article_id,
        article=article,
        segments=segments(article, event),
        active=event,
        url=safe_url(article.get("url")),
    )


def event_page(request: Request, article_id: str, idx: int) -> Response:
    return RedirectResponse(f"/article/{article_id}?event={idx}#event-{idx}", status_code=303)


def entity_page(request: Request, entity_id: str) -> Response:
    db = _reader(request).db()
    found = q.entity(db, entity_id)
    if found is None:
        raise DatelineError(Code.NOT_FOUND_HTTP, f"no entity with id {entity_id!r}")
    return render(
        "entity.html",
        title=found["canonical"],
        entity=found,
        as_actor=q.entity_events(db, entity_id, "actor"),
        as_recipient=q.entity_events(db, entity_id, "recipient"),
        quotes=q.entity_quotes(db, entity_id),
        mentions_json=json.dumps(found["mentions_by_day"]),
    )


def story_page(request: Request, story_id: str) -> Response:
    story = story_json(_reader(request), story_id)
    return render("story.html", title=story["title"] or story_id, story=story)


def stories_list_page(request: Request, cursor: str | None = None) -> Response:
    page = q.stories_page(_reader(request).db(), None, 50, cursor)
    return render("stories.html", title="Stories", page=page)


def entities_list_page(
    request: Request,
    q_: str | None = Query(None, alias="q"),
    kind: str | None = None,
    cursor: str | None = None,
) -> Response:
    filters = q.EntityFilters(q_ or None, kind or None, None)
    page = q.entities_page(_reader(request).db(), filters, 50, cursor)
    return render(
        "entities.html", title="Entities", page=page, params={"q": filters.q, "kind": filters.kind}
    )
