"""Named stages, what each needs and sets, and the runner that checks their order.

A stage is a plain function ``(article, ctx) -> article`` registered by name with the
Article fields it reads (``requires``) and writes (``sets``). ``Pipeline`` checks once,
at start-up, that every field a stage needs is set by the raw input or an earlier stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from dateline.errors import Code, DatelineError, Reject
from dateline.model import Article, Provenance, RawItem

ErrorPolicy = Literal["raise", "catch"]
StageFunc = Callable[[Article, "Context"], Article]

# Fields an Article has before any stage runs: copied from the RawItem.
RAW_FIELDS = frozenset({"raw", "provenance", "source_id", "url"})


@dataclass(frozen=True)
class Stage:
    name: str
    func: StageFunc
    requires: frozenset[str]
    sets: frozenset[str]


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
    """Register a stage under ``name``."""

    def register(func: StageFunc) -> StageFunc:
        REGISTRY[name] = Stage(name, func, frozenset(requires), frozenset(sets))
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
    article = Article(
        source_id=raw.source_id,
        url=raw.url,
        provenance=Provenance(source=raw.source, position=raw.position, kind=raw.kind),
    )
    article.raw = raw  # type: ignore[attr-defined]  # transient: never serialised
    return article


class Pipeline:
    def __init__(self, names: Sequence[str], ctx: Context | None = None) -> None:
        self.stages = check_order(names)
        self.ctx = ctx or Context()

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def run(self, raw: RawItem) -> Article:
        """Run every stage on one raw item; a DatelineError means the item is rejected."""
        article = new_article(raw)
        for current in self.stages:
            article = current.func(article, self.ctx)
        return article

    def run_many(
        self, items: Iterable[RawItem | Reject], on_error: ErrorPolicy = "catch"
    ) -> Iterator[Article | Reject]:
        """Articles and rejects in input order. With ``catch``, a bad item becomes a Reject."""
        for item in items:
            if isinstance(item, Reject):
                yield item
                continue
            try:
                yield self.run(item)
            except DatelineError as exc:
                if on_error == "raise":
                    raise
                yield Reject.of(item.source, item.position, exc)
            except Exception as exc:  # a bug must cost one item, not the whole run
                if on_error == "raise":
                    raise
                message = f"{type(exc).__name__}: {exc}"
                yield Reject.of(item.source, item.position, DatelineError(Code.INTERNAL, message))
