"""Story ids and copy links for a stream of articles, over a batch or against a store.

A story index is corpus-wide state, so it is not a per-article stage: the runner hands the
stream through ``assign`` after the stages, with an index that is fresh for a batch
(``dateline process``) or loaded from the store (``dateline ingest``).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator

from dateline.errors import Reject
from dateline.model import Article
from dateline.stories.clusters import StoryClusterer

STATE_VERSION = "stories-3"  # bump when the pickled classes change shape


class StoryIndex:
    """Copy groups and story clusters over every article seen so far."""

    def __init__(self, clusterer: StoryClusterer | None = None) -> None:
        self.clusterer = clusterer or StoryClusterer()

    def assign(self, article: Article) -> Article:
        article.story_id = self.clusterer.add(article)
        original = self.clusterer.copies.original_of(article.id)
        article.copy_of = original if original and original != article.id else None
        return article

    def dumps(self) -> bytes:
        return pickle.dumps(self.clusterer, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, data: bytes | None) -> StoryIndex:
        """The index a store saved, or a new one. The state is dateline's own, written by
        the same store; it is not meant to be read from untrusted files."""
        if not data:
            return cls()
        clusterer = pickle.loads(data)
        if not isinstance(clusterer, StoryClusterer):
            return cls()
        return cls(clusterer)


def assign(results: Iterable[Article | Reject], index: StoryIndex) -> Iterator[Article | Reject]:
    for result in results:
        yield index.assign(result) if isinstance(result, Article) else result
