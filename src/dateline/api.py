"""The public Python API. The CLI is a thin layer over these functions."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import dateline.clean.stages as clean_stages
import dateline.understand.stages as understand_stages
from dateline.errors import Reject
from dateline.model import Article, RawItem
from dateline.pipeline import Context, ErrorPolicy, Pipeline
from dateline.sources.reader import ReadOptions, read_inputs
from dateline.store.postgres import PostgresStore, is_postgres_url
from dateline.store.sqlite import IngestSummary, SaveState, SearchHit, SQLiteStore
from dateline.stories.assign import STATE_VERSION, StoryIndex, assign
from dateline.stories.fusion import FusedEvent, fuse

Result = Article | Reject
Observer = Callable[[Iterator[Result]], Iterator[Result]]
STATE_EVERY_SECONDS = 30.0  # how often a long ingest saves the story index with its batch
_PIPELINES: dict[tuple[bool, str | None, bool], Pipeline] = {}
_RESOURCES: dict[str, object] = {}  # the language model and gazetteer: one per process


def pipeline(clean: bool = True, published: str | None = None, understand: bool = True) -> Pipeline:
    """The default stage list, built once per process and option set.

    ``understand=False`` stops after cleaning (no entities, places, times, quotes or
    events), at the speed of cleaning rather than of the language model.
    """
    key = (clean, published, understand)
    if key not in _PIPELINES:
        names = clean_stages.CLEAN_STAGES if clean else clean_stages.VERBATIM_STAGES
        if understand:
            names = [*names, *understand_stages.UNDERSTAND_STAGES]
        ctx = Context(clean=clean, published=published, resources=_RESOURCES)
        _PIPELINES[key] = Pipeline(names, ctx)
    return _PIPELINES[key]


def process(
    text: str | None = None,
    html: str | None = None,
    *,
    clean: bool = True,
    understand: bool = True,
    url: str | None = None,
    title: str | None = None,
    published: str | None = None,
    publisher: str | None = None,
    author: str | None = None,
    source_id: str | None = None,
) -> Article:
    """One article from a text or an HTML string. Raises DatelineError on bad input."""
    raw = RawItem(
        source="<api>",
        position="",
        kind="html" if html is not None else "text",
        text=text,
        html=html,
        url=url,
        title=title,
        published=published,
        publisher=publisher,
        author=author,
        source_id=source_id,
    )
    return pipeline(clean, understand=understand).run(raw)


def process_many(
    items: Iterable[RawItem | Reject],
    *,
    clean: bool = True,
    understand: bool = True,
    published: str | None = None,
    on_error: ErrorPolicy = "catch",
    stories: StoryIndex | None = None,
) -> Iterator[Result]:
    """Articles (and, with on_error="catch", rejects) for raw items, in input order.

    Each article gets ``story_id`` and ``copy_of`` over the items given (or against
    ``stories``, an index carried over from earlier input)."""
    results = pipeline(clean, published, understand).run_many(items, on_error)
    return assign(results, stories if stories is not None else StoryIndex())


def process_inputs(
    inputs: Sequence[str],
    *,
    clean: bool = True,
    understand: bool = True,
    published: str | None = None,
    read_options: ReadOptions | None = None,
) -> Iterator[Result]:
    """Read files, directories, globs, URLs or "-" (stdin) and process every item in them."""
    items = read_inputs(inputs, read_options)
    return process_many(items, clean=clean, understand=understand, published=published)


class StoreAPI:
    """What every store adds to its backend: ingest with the story index, fused events.

    Mixed in after a backend class (SQLiteStore, PostgresStore), which gives the methods
    declared below; only backend-neutral calls are made here."""

    if TYPE_CHECKING:  # supplied by the backend class

        def unseen(
            self, items: Iterable[RawItem | Reject], summary: IngestSummary
        ) -> Iterator[RawItem | Reject]: ...

        def write(
            self,
            results: Iterable[Article | Reject],
            summary: IngestSummary | None = None,
            save_state: SaveState | None = None,
        ) -> IngestSummary: ...

        def save_state(self, version: str, data: bytes) -> None: ...

        def load_state(self, version: str, name: str = "stories") -> bytes | None: ...

        def articles(self) -> Iterator[dict[str, Any]]: ...

        def get(self, article_id: str) -> Article: ...

        def count(self) -> int: ...

        def search(self, query: str, limit: int = 20) -> list[SearchHit]: ...

        def rejects(self) -> list[dict[str, str]]: ...

        def entities(
            self, query: str | None = None, kind: str | None = None, limit: int = 50
        ) -> list[dict[str, Any]]: ...

        def stories(self, limit: int = 50) -> list[dict[str, Any]]: ...

        def overview(self) -> dict[str, Any]: ...

        @property
        def schema_version(self) -> int: ...

        def close(self) -> None: ...

        def __enter__(self) -> Self: ...

        def __exit__(self, *exc: object) -> None: ...

    def ingest_inputs(
        self,
        inputs: Sequence[str],
        *,
        published: str | None = None,
        read_options: ReadOptions | None = None,
        understand: bool = True,
        summary: IngestSummary | None = None,
        observe: Observer | None = None,
    ) -> IngestSummary:
        """Read, process and store; raw items stored before are skipped without processing,
        so a rerun after a kill resumes at the cost of reading, not of processing.

        ``observe`` wraps the stream of results on its way to the store (the CLI reports
        rejects and progress with it)."""
        summary = summary or IngestSummary()
        fresh = self.unseen(read_inputs(inputs, read_options), summary)
        index = self.story_index()
        results = process_many(fresh, published=published, understand=understand, stories=index)
        return self.ingest(observe(results) if observe else results, summary, index)

    def fused_events(self) -> list[FusedEvent]:
        """Events fused across the articles of each story (copies count once as sources)."""
        return fuse(self.articles())

    def articles_with_fused_ids(self) -> Iterator[dict[str, Any]]:
        """The stored articles' JSON, each event carrying the id of its fused event."""
        fused_id = {
            (report.article_id, report.index): event.id
            for event in self.fused_events()
            for report in event.reports
        }
        for article in self.articles():
            for index, event in enumerate(article.get("events") or []):
                event["fused_id"] = fused_id.get((article["id"], index))
            yield article

    def story_index(self) -> StoryIndex:
        """The copy and story index over everything stored, as the last ingest left it."""
        return StoryIndex.loads(self.load_state(STATE_VERSION))

    def ingest(
        self,
        results: Iterable[Article | Reject],
        summary: IngestSummary | None = None,
        stories: StoryIndex | None = None,
    ) -> IngestSummary:
        """Store results and, with ``stories``, the index that assigned their story ids.

        The index is saved inside a batch's transaction at most every STATE_EVERY_SECONDS
        (pickling all of it per batch would make long ingests quadratic) and at the end. A
        killed run thus loses at most that much index: its articles stay stored, and only
        later articles cannot join the stories they started."""
        if stories is None:
            return self.write(results, summary)
        last = time.monotonic()

        def save() -> tuple[str, bytes] | None:
            nonlocal last
            if time.monotonic() - last < STATE_EVERY_SECONDS:
                return None
            last = time.monotonic()
            return STATE_VERSION, stories.dumps()

        done = self.write(results, summary, save)
        self.save_state(STATE_VERSION, stories.dumps())
        return done


class Store(SQLiteStore, StoreAPI):
    """An article store in one SQLite file; ``ingest_inputs`` reads, processes and stores."""


class PgStore(PostgresStore, StoreAPI):
    """An article store in a PostgreSQL database (``postgresql://`` URL), same API."""


AnyStore = Store | PgStore  # what open_store gives: code that works on both takes this


def open_store(db: str | Path = "dateline.db") -> AnyStore:
    """Open (creating and migrating as needed) the store at ``db``: a SQLite file path, or
    a ``postgresql://`` (or ``postgres://``) URL of an existing PostgreSQL database."""
    if is_postgres_url(db):
        return PgStore(str(db))
    return Store(db)
