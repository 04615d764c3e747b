"""Named stages, what each needs and sets, and the runner that checks their order.

A stage is a plain function ``(article, ctx) -> article`` registered by name with the
Article fields it reads (``requires``) and writes (``sets``). ``Pipeline`` checks once,
at start-up, that every field a stage needs is set by the raw input or an earlier stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article, Provenance, RawItem

ErrorPolicy = Literal["raise", "catch"]
StageFunc = Callable[[Article, "Context"], Article]
BatchFunc = Callable[[list[Article], "Context"], list[Article]]

# Fields an Article has before any stage runs: copied from the RawItem.
RAW_FIELDS = frozenset({"raw", "provenance", "source_id", "url"})


@dataclass(frozen=True)
class Stage:
    name: str
    func: StageFunc
    requires: frozenset[str]
    sets: frozenset[str]
    batch: bool = False  # func takes and returns a list of articles

    @property
    def batch_func(self) -> BatchFunc:
        return cast(BatchFunc, self.func)


@dataclass
class Context:
    """What stages share: options, and heavy resources loaded once per process."""

    clean: bool = True
    published: str | None = None  # used when the input itself gives no date
    resources: dict[str, Any] = field(default_factory=dict)

    def resource(self, name: str, load: Callable[[], Any]) -> Any:
        if name not in self.resources:
            self.resources[name] = load()
        return self.resources[name]


REGISTRY: dict[str, Stage] = {}


def stage(
    name: str, *, requires: Iterable[str] = (), sets: Iterable[str] = ()
) -> Callable[[StageFunc], StageFunc]:
    """Register a per-article stage under ``name``."""

    def register(func: StageFunc) -> StageFunc:
        REGISTRY[name] = Stage(name, func, frozenset(requires), frozenset(sets))
        return func

    return register


def batch_stage(
    name: str, *, requires: Iterable[str] = (), sets: Iterable[str] = ()
) -> Callable[[BatchFunc], BatchFunc]:
    """Register a stage that takes a list of articles at once (a language model batches)."""

    def register(func: BatchFunc) -> BatchFunc:
        as_stage = cast(StageFunc, func)  # Stage.batch tells the runner how to call it
        REGISTRY[name] = Stage(name, as_stage, frozenset(requires), frozenset(sets), batch=True)
        return func

    return register


def check_order(names: Sequence[str]) -> list[Stage]:
    """The stages for ``names``, or a PIPELINE_ORDER error naming the first unmet need."""
    available = set(RAW_FIELDS)
    stages = []
    for name in names:
        if name not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise DatelineError(Code.PIPELINE_ORDER, f"unknown stage '{name}' (known: {known})")
        current = REGISTRY[name]
        missing = sorted(current.requires - available)
        if missing:
            raise DatelineError(
                Code.PIPELINE_ORDER,
                f"stage '{name}' needs {', '.join(missing)}, which no earlier stage sets",
            )
        available |= current.sets
        stages.append(current)
    return stages


def new_article(raw: RawItem) -> Article:
    return Article(
        source_id=raw.source_id,
        url=raw.url,
        provenance=Provenance(source=raw.source, position=raw.position, kind=raw.kind),
        raw=raw,
    )


class Pipeline:
    def __init__(self, names: Sequence[str], ctx: Context | None = None) -> None:
        self.stages = check_order(names)
        self.ctx = ctx or Context()

    def run(self, raw: RawItem) -> Article:
        """Run every stage on one raw item; a DatelineError means the item is rejected."""
        (result,) = self._run_chunk([raw], "raise")
        assert isinstance(result, Article)
        return result

    def run_many(
        self,
        items: Iterable[RawItem | Reject],
        on_error: ErrorPolicy = "catch",
        batch_size: int = 32,
    ) -> Iterator[Article | Reject]:
        """Articles and rejects in input order. With ``catch``, a bad item becomes a Reject.

        Items go through in chunks so that batch stages (the language model) see many
        articles at once; per-article stages still run one article at a time.
        """
        chunk: list[RawItem | Reject] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch_size:
                yield from self._run_chunk(chunk, on_error)
                chunk = []
        if chunk:
            yield from self._run_chunk(chunk, on_error)

    def _run_chunk(
        self, chunk: list[RawItem | Reject], on_error: ErrorPolicy
    ) -> list[Article | Reject]:
        results: list[Article | Reject] = [
            item if isinstance(item, Reject) else new_article(item) for item in chunk
        ]
        for current in self.stages:
            live = [(i, r) for i, r in enumerate(results) if isinstance(r, Article)]
            if current.batch and len(live) > 1:
                self._apply_batch(current, results, live, on_error)
            else:
                for i, article in live:
                    results[i] = self._apply(current, article, on_error)
        return results

    def _apply_batch(
        self,
        current: Stage,
        results: list[Article | Reject],
        live: list[tuple[int, Article]],
        on_error: ErrorPolicy,
    ) -> None:
        try:
            done = current.batch_func([article for _, article in live], self.ctx)
        except Exception:
            if on_error == "raise":
                raise
            # one bad article must not sink the batch: redo it article by article
            for i, article in live:
                results[i] = self._apply(current, article, on_error)
            return
        for (i, _), article in zip(live, done, strict=True):
            results[i] = article

    def _apply(self, current: Stage, article: Article, on_error: ErrorPolicy) -> Article | Reject:
        try:
            if current.batch:
                (done,) = current.batch_func([article], self.ctx)
                return done
            return current.func(article, self.ctx)
        except DatelineError as exc:
            if on_error == "raise":
                raise
            return self._reject(article, exc)
        except Exception as exc:  # a bug must cost one item, not the whole run
            if on_error == "raise":
                raise
            return self._reject(
                article, DatelineError(Code.INTERNAL, f"{type(exc).__name__}: {exc}")
            )

    @staticmethod
    def _reject(article: Article, error: DatelineError) -> Reject:
        where = article.provenance
        return Reject.of(where.source if where else "", where.position if where else "", error)
