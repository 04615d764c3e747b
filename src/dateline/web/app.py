"""The HTTP API and web app over one dateline store: read-only unless a token is configured.

Readers open their own read-only SQLite connection, one per worker thread, so serving never
blocks the one writer (an ingest running beside the server, or POST /ingest) in WAL mode.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dateline.errors import Code, DatelineError
from dateline.web import queries as q
from dateline.web.ingest import ingest_body

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor" / "node_modules"
MAX_INGEST_BYTES = 5_000_000

# Every response carries these: nothing loads from elsewhere, no inline script or style runs.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
        " form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

STATUS = {
    Code.BAD_PARAMETER: 400,
    Code.BAD_CURSOR: 400,
    Code.NOT_FOUND_HTTP: 404,
    Code.NOT_IN_STORE: 404,
    Code.INGEST_DISABLED: 403,
    Code.UNAUTHORIZED: 401,
    Code.BAD_INGEST_BODY: 400,
    Code.METHOD_NOT_ALLOWED: 405,
    Code.STORE_UNAVAILABLE: 503,
    Code.TOO_LARGE: 413,
}
PAGE_PREFIXES = ("/article/", "/entity/", "/story/", "/search", "/browse/")


class Reader:
    """Read-only connections to the store at ``path``: one per live thread, reused.

    A thread keeps its connection; a new thread takes over the connection of one that has
    ended (so its page cache stays warm) or opens one."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()  # longest_span() opens a connection under it
        self._owned: dict[threading.Thread, sqlite3.Connection] = {}
        self._longest_span: int | None = None
        self._cache: dict[str, tuple[float, Any]] = {}

    def db(self) -> sqlite3.Connection:
        me = threading.current_thread()
        with self._lock:
            db = self._owned.get(me)
            if db is None:
                ended = next((t for t in self._owned if not t.is_alive()), None)
                db = self._owned.pop(ended) if ended is not None else self._open()
                self._owned[me] = db
            return db

    def _open(self) -> sqlite3.Connection:
        uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)
        except sqlite3.Error as exc:
            raise DatelineError(Code.STORE_UNAVAILABLE, f"cannot read the store: {exc}") from exc
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA query_only=ON")
        # reads hop around a large file: map it, and keep more pages than the default 2 MB
        db.execute("PRAGMA mmap_size=268435456")
        db.execute("PRAGMA cache_size=-32768")
        return db

    def longest_span(self) -> int:
        with self._lock:
            if self._longest_span is None:
                self._longest_span = q.longest_event_span(self.db())
            return self._longest_span

    def forget_span(self) -> None:
        with self._lock:
            self._longest_span = None
            self._cache.clear()

    def cached(self, key: str, compute: Callable[[], Any], seconds: float = 60.0) -> Any:
        """A value computed at most once a minute (whole-table counts for the dashboard)."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < seconds:
            return hit[1]
        value = compute()
        with self._lock:
            self._cache[key] = (now, value)
        return value


def error_body(error: DatelineError) -> dict[str, Any]:
    return {"error": {"code": error.code.value, "message": error.message, "hint": error.hint}}


def error_response(error: DatelineError) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=STATUS.get(error.code, 500))


def _is_page(request: Request) -> bool:
    path = request.url.path
    return path == "/" or path.startswith(PAGE_PREFIXES)


def create_app(db_path: str | Path, token: str | None = None) -> FastAPI:
    """The app serving the store at ``db_path``; POST /ingest is enabled by ``token``."""
    path = str(db_path)
    if path.startswith(("postgresql://", "postgres://")):
        raise DatelineError(
            Code.STORE,
            "the web app serves SQLite stores only",
            "Serve a SQLite store: `dateline export` from PostgreSQL and `dateline ingest` it.",
        )
    if not Path(path).is_file():
        raise DatelineError(Code.STORE, f"no store at {path}", "Create one with `dateline ingest`.")
    _migrate(path)
    app = FastAPI(
        title="dateline",
        version="1",
        description="Articles, events, entities and stories of one dateline store.",
        docs_url=None,  # /docs is dateline's own page: the stock one loads scripts from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.reader = Reader(path)
    app.state.db_path = path
    app.state.token = token or None
    app.state.write_lock = threading.Lock()
    _install_errors(app)
    _install_headers(app)
    app.include_router(api_router())
    from dateline.web.pages import page_router

    app.include_router(page_router())
    app.mount("/static/vendor", StaticFiles(directory=VENDOR, check_dir=False), name="vendor")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _migrate(path: str) -> None:
    """Bring an older store to this schema once, before read-only connections open it."""
    from dateline.store.sqlite import SCHEMA_VERSION, SQLiteStore

    db = sqlite3.connect(path)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()
    if version < SCHEMA_VERSION:
        SQLiteStore(path).close()


def _install_errors(app: FastAPI) -> None:
    def render(request: Request, error: DatelineError) -> Response:
        if _is_page(request) and request.method == "GET":
            from dateline.web.pages import error_page

            return error_page(request, error, STATUS.get(error.code, 500))
        return error_response(error)

    @app.exception_handler(DatelineError)
    async def dateline_error(request: Request, exc: DatelineError) -> Response:
        return render(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for problem in exc.errors():
            where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "request"
            problems.append(f"{where}: {problem.get('msg')}")
        return render(request, DatelineError(Code.BAD_PARAMETER, "; ".join(problems)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            error = DatelineError(Code.METHOD_NOT_ALLOWED, f"{request.method} is not allowed here")
        elif exc.status_code == 404:
            error = DatelineError(Code.NOT_FOUND_HTTP, f"nothing at {request.url.path}")
        else:
            error = DatelineError(Code.BAD_PARAMETER, str(exc.detail))
        return render(request, error)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, sqlite3.OperationalError):
            return render(request, DatelineError(Code.STORE_UNAVAILABLE, str(exc)))
        return render(request, DatelineError(Code.INTERNAL, f"{type(exc).__name__}: {exc}"))


def _install_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[..., Any]) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


# --- listings as JSON, CSV or JSONL -------------------------------------------------------

Format = Annotated[
    str, Query(pattern="^(json|csv|jsonl)$", description="json (a page), csv or jsonl (all rows)")
]
Limit = Annotated[int | None, Query(ge=1, le=q.MAX_LIMIT, description="rows per page (50)")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
From = Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")]
To = Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")]


def _cell(value: Any) -> Any:
    """A CSV cell: lists joined; text that a spreadsheet would run as a formula defused."""
    if isinstance(value, list):
        value = " | ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def listing_response(
    fmt: str, first: q.Page, fetch: Callable[[str | None], q.Page], name: str
) -> Response:
    """A page as JSON, or every row of the listing (all its pages) as CSV or JSONL."""
    if fmt == "json":
        return JSONResponse({"items": first.items, "next_cursor": first.next_cursor})

    def rows() -> Iterator[dict[str, Any]]:
        page = first
        while True:
            yield from page.items
            if page.next_cursor is None:
                return
            page = fetch(page.next_cursor)

    body: Iterator[str]
    if fmt == "jsonl":
        body = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows())
        media = "application/x-ndjson"
    else:
        body = _csv_lines(rows())
        media = "text/csv; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return StreamingResponse(body, media_type=media, headers=headers)


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: _cell(v) for k, v in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _reader(request: Request) -> Reader:
    reader: Reader = request.app.state.reader
    return reader


def event_filters(
    type: str | None,
    mode: str | None,
    aux: str | None,
    actor: str | None,
    recipient: str | None,
    country: str | None,
    bbox: str | None,
    day_from: str | None,
    day_to: str | None,
    story: str | None,
    article: str | None = None,
) -> q.EventFilters:
    return q.EventFilters(
        type=type.upper() if type else None,
        mode=mode or None,
        aux=aux or None,
        actor=actor or None,
        recipient=recipient or None,
        country=q.check_country(country),
        bbox=q.check_bbox(bbox),
        day_from=q.check_day("from", day_from),
        day_to=q.check_day("to", day_to),
        story=story or None,
        article=article or None,
    )


def api_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/articles", list_articles, methods=["GET"], tags=["articles"])
    router.add_api_route("/articles/{article_id}", get_article, methods=["GET"], tags=["articles"])
    router.add_api_route("/events", list_events, methods=["GET"], tags=["events"])
    router.add_api_route("/timeline", get_timeline, methods=["GET"], tags=["events"])
    router.add_api_route("/entities", list_entities, methods=["GET"], tags=["entities"])
    router.add_api_route("/entities/{entity_id}", get_entity, methods=["GET"], tags=["entities"])
    router.add_api_route("/stories", list_stories, methods=["GET"], tags=["stories"])
    router.add_api_route("/stories/{story_id}", get_story, methods=["GET"], tags=["stories"])
    router.add_api_route("/ingest", post_ingest, methods=["POST"], tags=["ingest"])
    router.add_api_route("/health", health, methods=["GET"], tags=["service"])
    router.add_api_route("/docs", docs_page, methods=["GET"], tags=["service"])
    return router


def list_articles(
    request: Request,
    q_: Annotated[str | None, Query(alias="q", description="full-text query (FTS5)")] = None,
    publisher: Annotated[str | None, Query(description="exact publisher name")] = None,
    day_from: From = None,
    day_to: To = None,
    entity: Annotated[str | None, Query(description="entity id, name or alias")] = None,
    place: Annotated[str | None, Query(description="place entity id or name")] = None,
    country: Annotated[str | None, Query(description="ISO country code of a place")] = None,
    story: Annotated[str | None, Query(description="story id")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
    format: Format = "json",
) -> Response:
    """Articles, newest first (with `q`: best match first, with a snippet)."""
    filters = q.ArticleFilters(
        q=q_ or None,
        publisher=publisher or None,
        day_from=q.check_day("from", day_from),
        day_to=q.check_day("to", day_to),
        entity=entity or None,
        place=place or None,
        country=q.check_country(country),
        story=story or None,
    )
    reader = _reader(request)
    size = q.check_limit(limit) if format == "json" else q.EXPORT_PAGE

    def fetch(after: str | None) -> q.Page:
        page = q.articles_page(reader.db(), filters, size, after)
        for item in page.items:
            if "snippet" in item:
                item["snippet"] = q.snippet_text(item["snippet"])
        return page

    return listing_response(format, fetch(cursor), fetch, "articles")


def get_article(request: Request, article_id: str) -> Response:
    """One article's full JSON (docs/article.schema.json)."""
    found = q.article_json(_reader(request).db(), article_id)
    if found is None:
        raise DatelineError(Code.NOT_FOUND_HTTP, f"no article with id {article_id!r}")
    return JSONResponse(found)


def list_events(
    request: Request,
    type: Annotated[str | None, Query(description="PLOVER type, e.g. PROTEST")] = None,
    mode: Annotated[str | None, Query(description="PLOVER mode, e.g. riot")] = None,
    aux: Annotated[
        str | None, Query(description="asserted, negated, hypothetical, historical…")
    ] = None,
    actor: Annotated[str | None, Query(description="actor entity id or canonical name")] = None,
    recipient: Annotated[str | None, Query(description="recipient id or canonical name")] = None,
    country: Annotated[str | None, Query(description="ISO code of the event's place")] = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north (degrees)")] = None,
    day_from: From = None,
    day_to: To = None,
    story: Annotated[str | None, Query(description="story id")] = None,
    article: Annotated[str | None, Query(description="article id")] = None,
    fused: Annotated[bool, Query(description="one row per fused happening")] = False,
    limit: Limit = None,
    cursor: Cursor = None,
    format: Format = "json",
) -> Response:
    """Events newest day first (undated last); `fused=true` lists fused events instead."""
    filters = event_filters(
        type, mode, aux, actor, recipient, country, bbox, day_from, day_to, story, article
    )
    reader = _reader(request)
    size = q.check_limit(limit) if format == "json" else q.EXPORT_PAGE
    if fused:
        if filters.bbox or filters.article:
            raise q.bad("fused", "fused events cannot be filtered by bbox or article")
        from dateline.stories.fusion import fuse

        everything = [e.to_json() for e in fuse(q.all_article_json(reader.db()))]

        def fetch_fused(after: str | None) -> q.Page:
            return q.fused_page(everything, filters, size, after)

        return listing_response(format, fetch_fused(cursor), fetch_fused, "fused-events")
    span = reader.longest_span()

    def fetch(after: str | None) -> q.Page:
        return q.events_page(reader.db(), filters, size, after, span)

    return listing_response(format, fetch(cursor), fetch, "events")


def get_timeline(
    request: Request,
    type: Annotated[str | None, Query(description="PLOVER type")] = None,
    mode: Annotated[str | None, Query(description="PLOVER mode")] = None,
    aux: Annotated[str | None, Query(description="aux (asserted…)")] = None,
    actor: Annotated[str | None, Query(description="actor id or name")] = None,
    recipient: Annotated[str | None, Query(description="recipient id or name")] = None,
    country: Annotated[str | None, Query(description="ISO code of the place")] = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north")] = None,
    day_from: From = None,
    day_to: To = None,
    story: Annotated[str | None, Query(description="story id")] = None,
    format: Format = "json",
) -> Response:
    """Events per day by type (the day an event starts), with the events filters."""
    filters = event_filters(
        type, mode, aux, actor, recipient, country, bbox, day_from, day_to, story
    )
    reader = _reader(request)
    counts = q.timeline(reader.db(), filters, reader.longest_span())
    page = q.Page(counts, None)
    if format == "json":
        types = sorted({row["type"] for row in counts})
        days = sorted({row["day"] for row in counts})
        return JSONResponse({"items": counts, "types": types, "days": days, "next_cursor": None})
    return listing_response(format, page, lambda _: page, "timeline")


def list_entities(
    request: Request,
    q_: Annotated[str | None, Query(alias="q", description="name or alias contains")] = None,
    kind: Annotated[str | None, Query(description="person, organisation, place, group…")] = None,
    country: Annotated[str | None, Query(description="ISO country code")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
    format: Format = "json",
) -> Response:
    """Canonical entities by the number of articles that mention them."""
    filters = q.EntityFilters(q_ or None, kind or None, q.check_country(country))
    reader = _reader(request)
    size = q.check_limit(limit) if format == "json" else q.EXPORT_PAGE

    def fetch(after: str | None) -> q.Page:
        return q.entities_page(reader.db(), filters, size, after)

    return listing_response(format, fetch(cursor), fetch, "entities")


def get_entity(request: Request, entity_id: str) -> Response:
    """One entity: aliases, mentions per day, events as actor and recipient, its quotes."""
    db = _reader(request).db()
    found = q.entity(db, entity_id)
    if found is None:
        raise DatelineError(Code.NOT_FOUND_HTTP, f"no entity with id {entity_id!r}")
    found["events_as_actor"] = q.entity_events(db, entity_id, "actor")
    found["events_as_recipient"] = q.entity_events(db, entity_id, "recipient")
    found["quotes"] = q.entity_quotes(db, entity_id)
    return JSONResponse(found)


def list_stories(
    request: Request,
    q_: Annotated[str | None, Query(alias="q", description="a title in the story contains")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
    format: Format = "json",
) -> Response:
    """Stories by number of articles."""
    reader = _reader(request)
    size = q.check_limit(limit) if format == "json" else q.EXPORT_PAGE

    def fetch(after: str | None) -> q.Page:
        return q.stories_page(reader.db(), q_ or None, size, after)

    return listing_response(format, fetch(cursor), fetch, "stories")


def get_story(request: Request, story_id: str) -> Response:
    """One story: its articles (copies marked), outlets, fused events and timeline."""
    return JSONResponse(story_json(_reader(request), story_id))


def story_json(reader: Reader, story_id: str) -> dict[str, Any]:
    from dateline.stories.fusion import fuse

    db = reader.db()
    articles = q.story_articles(db, story_id)
    if not articles:
        raise DatelineError(Code.NOT_FOUND_HTTP, f"no story with id {story_id!r}")
    fused = [e.to_json() for e in fuse(q.story_article_json(db, story_id))]
    fused.sort(key=lambda e: (e.get("day") is None, e.get("day") or "", e["id"]))
    timeline = q.timeline(db, q.EventFilters(story=story_id), reader.longest_span())
    return {
        "id": story_id,
        "title": articles[0]["title"],
        "articles": articles,
        "outlets": sorted({a["publisher"] for a in articles if a["publisher"]}),
        "copies": sum(1 for a in articles if a["copy_of"]),
        "fused_events": fused,
        "timeline": timeline,
    }


def health(request: Request) -> dict[str, Any]:
    """Liveness, the store's article count and whether POST /ingest is enabled."""
    db = _reader(request).db()
    return {
        "ok": True,
        "articles": db.execute("SELECT count(*) FROM articles").fetchone()[0],
        "ingest": request.app.state.token is not None,
    }


def docs_page(request: Request) -> Response:
    """This API's reference, rendered from /openapi.json (no script, no CDN)."""
    from dateline.web.pages import render_docs

    return render_docs(request)


async def post_ingest(request: Request) -> Response:
    """Ingest JSON records (one object, a list, or JSONL) through the full pipeline.

    Needs the server's token as `Authorization: Bearer TOKEN`; disabled when none is set."""
    token: str | None = request.app.state.token
    if token is None:
        raise DatelineError(Code.INGEST_DISABLED, "this server is read-only")
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        value.strip().encode(), token.encode()
    ):
        raise DatelineError(Code.UNAUTHORIZED, "missing or wrong token")
    body = await request.body()
    if len(body) > MAX_INGEST_BYTES:
        raise DatelineError(
            Code.TOO_LARGE, f"the body has {len(body)} bytes, over {MAX_INGEST_BYTES}"
        )
    from starlette.concurrency import run_in_threadpool

    def work() -> dict[str, Any]:
        with request.app.state.write_lock:
            return ingest_body(request.app.state.db_path, body)

    summary = await run_in_threadpool(work)
    _reader(request).forget_span()
    return JSONResponse(summary)
