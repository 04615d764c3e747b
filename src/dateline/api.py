"""The public Python API. The CLI is a thin layer over these functions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import dateline.clean.stages as clean_stages
import dateline.understand.stages as understand_stages
from dateline.errors import Reject
from dateline.model import Article, RawItem
from dateline.pipeline import Context, ErrorPolicy, Pipeline
from dateline.sources.reader import ReadOptions, read_inputs
from dateline.store.sqlite import IngestSummary, SQLiteStore
from dateline.stories.assign import STATE_VERSION, StoryIndex, assign

Result = Article | Reject
_PIPELINES: dict[tuple[bool, str | None, bool], Pipeline] = {}
_RESOURCES: dict[str, object] = {}  # the language model and gazetteer: one per process


def pipeline(clean: bool = True, published: str | None = None, understand: bool = True) -> Pipeline:
    """The default stage list, built once per process and option set.

    ``understand=False`` stops after cleaning: no entities, places or times, at the speed
    of cleaning rather than of the language model.
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


class Store(SQLiteStore):
    """An article store; ``ingest_inputs`` reads, processes and stores in one call."""

    def ingest_inputs(
        self,
        inputs: Sequence[str],
        *,
        published: str | None = None,
        read_options: ReadOptions | None = None,
        understand: bool = True,
    ) -> IngestSummary:
        """Read, process and store; raw items stored before are skipped without processing,
        so a rerun after a kill resumes at the cost of reading, not of processing."""
        summary = IngestSummary()
        fresh = self.unseen(read_inputs(inputs, read_options), summary)
        index = self.story_index()
        results = process_many(fresh, published=published, understand=understand, stories=index)
        return self.ingest(results, summary, index)

    def story_index(self) -> StoryIndex:
        """The copy and story index over everything stored, as the last ingest left it."""
        return StoryIndex.loads(self.load_state(STATE_VERSION))

    def ingest(
        self,
        results: Iterable[Article | Reject],
        summary: IngestSummary | None = None,
        stories: StoryIndex | None = None,
    ) -> IngestSummary:
        """Store results; the story index is saved with each batch, so a kill keeps them in step."""
        save = (lambda: (STATE_VERSION, stories.dumps())) if stories is not None else None
        return self.write(results, summary, save)


def open_store(path: str | Path = "dateline.db") -> Store:
    """Open (creating and migrating as needed) the SQLite store at ``path``."""
    return Store(path)
