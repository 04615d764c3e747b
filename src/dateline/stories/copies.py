"""Syndicated copies: exact reprints and near-duplicates of the same text.

A copy is found in two steps:

1. exact: a hash of the normalised words (case, width, punctuation, thousands
   separators and whitespace do not count) is looked up in a dict;
2. near: word 5-gram shingles are sketched with MinHash and looked up in a MinHash LSH
   index (datasketch) tuned for a *low* Jaccard similarity, because a reprint cut to 40 %
   of the original or wrapped in another site's boilerplate has a low Jaccard similarity
   with it. Each candidate is then verified exactly on the shingle sets by *containment*
   (|A ∩ B| / |smaller|), which is what stays high for a truncated or wrapped reprint.

Only the group's originals are indexed: a later article is compared with the original of
each candidate group, never with every reprint, so a story reprinted a thousand times
costs one comparison, not a thousand.

The original of a group, and when it changes
--------------------------------------------
Members are ranked by (a) being published by the agency that the group names as its
origin (``origin`` "Reuters" and ``publisher`` "Reuters": the agency's own copy is the
source of the others), then (b) the earliest ``published`` (missing dates rank last),
then (c) arrival order. The best-ranked member is the original. A new member replaces the
original only when it ranks strictly better: the agency's own copy arriving, or a copy
with an earlier publication date. Any other later arrival leaves every answer as it was.
``add`` returns the original as known at that moment; ``original_of`` gives the current
one. A replaced original stays indexed, so articles matching either are found.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH

SHINGLE = 5  # words per shingle: long enough that unrelated articles rarely share one
NUM_PERM = 64
# LSH with 32 bands of 2 rows: a pair with Jaccard 0.2 is a candidate with p = 0.73, 0.3
# with p = 0.95; unrelated news (Jaccard < 0.01) almost never is. Recall on truncated
# reprints is bought with more candidates, which the exact check below filters.
LSH_BANDS, LSH_ROWS = 32, 2
CONTAINMENT = 0.5  # share of the smaller text's shingles found in the other
MIN_SHARED = 8  # and at least this many shingles in common, so a shared quote is no copy
MAX_CHECKS = 8  # candidate groups verified exactly per article, most LSH hits first

_WORD = re.compile(r"\w+")
_THOUSANDS = re.compile(r"(?<=\d)[,.\u202f\u00a0'](?=\d{3}\b)")
_MASK64 = (1 << 64) - 1

Shingles = npt.NDArray[np.uint64]


def words(text: str) -> list[str]:
    """Normalised words: NFKC, casefolded, "1,000" and "1000" the same."""
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text).casefold())
    return _WORD.findall(text)


def exact_key(tokens: list[str]) -> str:
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).hexdigest()


class _Vocabulary:
    """A stable 64-bit hash per word, cached: hashing each distinct word once keeps
    shingling cheap, and a keyed digest (not ``hash``) keeps values equal across runs."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def hashes(self, tokens: list[str]) -> npt.NDArray[np.uint64]:
        ids = self._ids
        values = list(map(ids.get, tokens))
        if None not in values:  # the common case once the vocabulary has grown
            return np.array(values, dtype=np.uint64)
        for i, value in enumerate(values):
            if value is None:
                token = tokens[i]
                value = ids.get(token)
                if value is None:
                    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                    value = ids[token] = int.from_bytes(digest, "little")
                values[i] = value
        return np.array(values, dtype=np.uint64)


def shingle_hashes(word_hashes: npt.NDArray[np.uint64], k: int = SHINGLE) -> Shingles:
    """Sorted distinct 64-bit hashes of the k-word windows (vectorised polynomial mix)."""
    n = len(word_hashes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    acc = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):  # wrap-around is the intended modulo 2**64
        for j in range(k):
            acc = acc * mult + word_hashes[j : j + n]
        acc ^= acc >> np.uint64(29)
    return np.unique(acc)


def containment(a: Shingles, b: Shingles) -> tuple[float, int]:
    """(|A ∩ B| / min(|A|, |B|), |A ∩ B|) on sorted distinct arrays."""
    if not len(a) or not len(b):
        return 0.0, 0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / min(len(a), len(b)), shared


@dataclass
class _Member:
    article_id: str
    published: str | None
    publisher: str | None
    arrival: int


@dataclass
class _Group:
    original: _Member
    origin: str | None = None  # the agency any member names as its origin
    members: list[str] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)  # originals, past and present


def _norm_name(name: str | None) -> str:
    return " ".join(words(name)) if name else ""


class CopyDetector:
    """Incremental copy groups over a stream of articles (see the module docstring)."""

    def __init__(
        self,
        containment_threshold: float = CONTAINMENT,
        min_shared: int = MIN_SHARED,
        bands: int = LSH_BANDS,
        rows: int = LSH_ROWS,
    ) -> None:
        self.containment_threshold = containment_threshold
        self.min_shared = min_shared
        self._num_perm = bands * rows
        self._lsh = MinHashLSH(num_perm=self._num_perm, params=(bands, rows))
        self._template = MinHash(num_perm=self._num_perm, seed=1)
        self._vocab = _Vocabulary()
        self._exact: dict[str, str] = {}  # normalised-text hash -> a member id
        self._group: dict[str, int] = {}  # article id -> group number
        self._groups: list[_Group] = []
        self._shingles: dict[str, Shingles] = {}  # originals only
        self._arrivals = 0

    def add(
        self,
        article_id: str,
        text: str,
        published: str | None = None,
        publisher: str | None = None,
        origin: str | None = None,
    ) -> str | None:
        """The id of the original this article copies, or None when it starts a group
        (or, as an earlier or agency copy, becomes its group's original).

        Adding an id twice returns the first answer's current form and changes nothing."""
        if article_id in self._group:
            return self.original_of(article_id)
        member = _Member(article_id, published, publisher, self._arrivals)
        self._arrivals += 1
        tokens = words(text)
        key = exact_key(tokens)
        number = self._group.get(self._exact.get(key, ""))
        shingles = shingle_hashes(self._vocab.hashes(tokens))
        sketch = None  # the MinHash, made once for the query and the index
        if number is None and len(shingles) >= self.min_shared:
            sketch = self._minhash(shingles)
            number = self._find_near(shingles, sketch)
        self._exact.setdefault(key, article_id)
        if number is None:
            self._new_group(member, origin, shingles, sketch)
            return None
        return self._join(number, member, origin, shingles, sketch)

    def group_of(self, article_id: str) -> list[str]:
        """Every member of the article's group, in arrival order ([] if unknown)."""
        number = self._group.get(article_id)
        return [] if number is None else list(self._groups[number].members)

    def original_of(self, article_id: str) -> str | None:
        """The current original of the article's group (itself when it is the original)."""
        number = self._group.get(article_id)
        return None if number is None else self._groups[number].original.article_id

    def _find_near(self, shingles: Shingles, sketch: MinHash) -> int | None:
        """Texts shorter than ``min_shared`` shingles are never looked up here: too short
        for a near-copy judgement, they match exactly or not at all."""
        hits: dict[int, int] = {}
        for key in self._lsh.query(sketch):
            number = self._group[key]
            hits[number] = hits.get(number, 0) + 1
        best, best_score = None, 0.0
        for number in sorted(hits, key=lambda n: (-hits[n], n))[:MAX_CHECKS]:
            score, shared = self._best_containment(number, shingles)
            good = shared >= self.min_shared and score >= self.containment_threshold
            if good and score > best_score:
                best, best_score = number, score
        return best

    def _best_containment(self, number: int, shingles: Shingles) -> tuple[float, int]:
        best = (0.0, 0)
        for member in self._groups[number].indexed:
            best = max(best, containment(self._shingles[member], shingles))
        return best

    def _minhash(self, shingles: Shingles) -> MinHash:
        sketch = MinHash(
            num_perm=self._num_perm,
            hashfunc=int,  # the shingles are hashes already; datasketch pre-mixes them
            permutations=self._template.permutations,
            scheme="affine32",
        )
        sketch.update_batch((shingles & np.uint64(0xFFFFFFFF)).tolist())
        return sketch

    def _index(
        self, number: int, article_id: str, shingles: Shingles, sketch: MinHash | None
    ) -> None:
        if len(shingles) >= self.min_shared:
            self._shingles[article_id] = shingles
            self._groups[number].indexed.append(article_id)
            self._lsh.insert(article_id, sketch if sketch is not None else self._minhash(shingles))

    def _new_group(
        self, member: _Member, origin: str | None, shingles: Shingles, sketch: MinHash | None
    ) -> None:
        self._group[member.article_id] = len(self._groups)
        self._groups.append(_Group(member, origin, [member.article_id]))
        self._index(len(self._groups) - 1, member.article_id, shingles, sketch)

    def _join(
        self,
        number: int,
        member: _Member,
        origin: str | None,
        shingles: Shingles,
        sketch: MinHash | None,
    ) -> str | None:
        group = self._groups[number]
        self._group[member.article_id] = number
        group.members.append(member.article_id)
        if group.origin is None and origin:
            group.origin = origin
        if _rank(member, group.origin) < _rank(group.original, group.origin):
            group.original = member
            self._index(number, member.article_id, shingles, sketch)
            return None
        return group.original.article_id


def _rank(member: _Member, origin: str | None) -> tuple[int, int, str, int]:
    """Smaller is more original: the origin agency's own copy, then earliest, then first."""
    # "Caspian Wire Service – Central Asia" is the agency "Caspian Wire" publishing itself
    own = bool(origin) and _norm_name(member.publisher).startswith(_norm_name(origin))
    # Days, not instants: a page dated "2022-01-06" is not earlier than a feed item stamped
    # 14:05 that day, and offsets make instant strings incomparable anyway.
    published = (member.published or "")[:10]
    return (0 if own else 1, 0 if published else 1, published, member.arrival)
