"""Syndicated copies: exact reprints and near-duplicates of the same text.

A copy is found in two steps:

1. exact: a hash of the normalised words (case, width, punctuation, thousands
   separators and whitespace do not count) is looked up in a dict;
2. near: word 5-gram shingles are sketched with MinHash (datasketch's permutations,
   computed with numpy) and looked up in a MinHash LSH band index tuned for a *low*
   Jaccard similarity, because a reprint cut to 40 % of the original or wrapped in
   another site's boilerplate has a low Jaccard similarity with it. Each candidate is then verified exactly on the shingle sets by *containment*
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
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from datasketch import MinHash

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
# a digit, then the separator to drop (a consuming digit, not a lookbehind: it is faster)
_THOUSANDS = re.compile(r"(\d)[,.\u202f\u00a0'](?=\d{3}\b)")
# ASCII text: \w is [A-Za-z0-9_], so translating every other character to a space and
# splitting gives the same words as ``_WORD.findall``, faster
_ASCII_NON_WORD = "".join(chr(i) if chr(i).isalnum() or chr(i) == "_" else " " for i in range(128))
_MASK64 = (1 << 64) - 1

Shingles = npt.NDArray[np.uint64]
Sketch = npt.NDArray[np.uint32]


def words(text: str) -> list[str]:
    """Normalised words: NFKC, casefolded, "1,000" and "1000" the same."""
    text = _THOUSANDS.sub(_digit, unicodedata.normalize("NFKC", text).casefold())
    return text.translate(_ASCII_NON_WORD).split() if text.isascii() else _WORD.findall(text)


def _digit(match: re.Match[str]) -> str:
    return match.group(1)


def exact_key(tokens: list[str]) -> str:
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).hexdigest()


class _Vocabulary:
    """A stable 64-bit hash per word, cached: hashing each distinct word once keeps
    shingling cheap, and a keyed digest (not ``hash``) keeps values equal across runs.

    Words map to small dense ids and the hashes live in one numpy table, so a text's
    hashes are one fancy-index, not a list of Python ints above 2**63 (slow to convert)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._table = np.empty(1024, dtype=np.uint64)

    def hashes(self, tokens: list[str]) -> npt.NDArray[np.uint64]:
        ids = self._ids
        values = list(map(ids.get, tokens))
        if None in values:  # rare once the vocabulary has grown
            for i, value in enumerate(values):
                if value is None:
                    values[i] = self._learn(tokens[i])
        return self._table[np.array(values, dtype=np.intp)]

    def _learn(self, token: str) -> int:
        known = self._ids.get(token)
        if known is not None:
            return known
        number = self._ids[token] = len(self._ids)
        if number == len(self._table):
            self._table = np.concatenate([self._table, np.empty_like(self._table)])
        digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
        self._table[number] = int.from_bytes(digest, "little")
        return number


class _BandIndex:
    """MinHash LSH: a sketch's bands of ``rows`` values each key one table per band; two
    sketches are candidates when any band agrees. The candidates equal those of
    datasketch's MinHashLSH with ``params=(bands, rows)``; this keeps the per-query cost
    to byte slices and dict look-ups."""

    def __init__(self, bands: int, rows: int) -> None:
        self.bands, self.rows = bands, rows
        self._tables: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]

    def _keys(self, sketch: Sketch) -> list[bytes]:
        raw = sketch.tobytes()
        step = self.rows * sketch.itemsize
        return [raw[i * step : (i + 1) * step] for i in range(self.bands)]

    def insert(self, key: str, sketch: Sketch) -> None:
        for table, band in zip(self._tables, self._keys(sketch), strict=True):
            table.setdefault(band, []).append(key)

    def query(self, sketch: Sketch) -> set[str]:
        found: set[str] = set()
        for table, band in zip(self._tables, self._keys(sketch), strict=True):
            keys = table.get(band)
            if keys:
                found.update(keys)
        return found


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer: spreads the low shingle bits before permuting."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


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
    return _sorted_distinct(acc)


def _sorted_distinct(values: Shingles) -> Shingles:
    """``np.unique`` for short arrays, about 4x faster: a sort and a neighbour mask."""
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def containment(a: Shingles, b: Shingles) -> tuple[float, int]:
    """(|A ∩ B| / min(|A|, |B|), |A ∩ B|) on sorted distinct arrays."""
    if not len(a) or not len(b):
        return 0.0, 0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    # binary search of the smaller set in the larger: no concatenation and re-sort
    at = np.searchsorted(large, small)
    np.minimum(at, len(large) - 1, out=at)  # past the end: the last is smaller, no match
    shared = int(np.count_nonzero(large[at] == small))
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
        self._lsh = _BandIndex(bands, rows)
        # datasketch's affine permutations for seed 1, drawn once: the sketch itself is
        # computed here with numpy (see ``_minhash``)
        mults, adds = MinHash(num_perm=self._num_perm, seed=1).permutations
        self._mults = np.asarray(mults, dtype=np.uint32)
        self._adds = np.asarray(adds, dtype=np.uint32)
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
        sketch = None  # the MinHash values, made once for the query and the index
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

    def _find_near(self, shingles: Shingles, sketch: Sketch) -> int | None:
        """Texts shorter than ``min_shared`` shingles are never looked up here: too short
        for a near-copy judgement, they match exactly or not at all."""
        hits = Counter(map(self._group.__getitem__, self._lsh.query(sketch)))
        best, best_score = None, 0.0
        # most hits first, ties by group number: a stable sort by hits of the sorted numbers
        order = sorted(hits)
        order.sort(key=hits.__getitem__, reverse=True)  # reverse keeps ties in order
        for number in order[:MAX_CHECKS]:
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

    def _minhash(self, shingles: Shingles) -> Sketch:
        """The same values as datasketch's ``MinHash(scheme="affine32")`` fed the low 32
        bits of each shingle hash (``hashfunc=int``): fmix32, then the minimum over the
        shingles of ``a * h + b`` modulo 2**32 per permutation."""
        mixed = _fmix32((shingles & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        permuted: Sketch = mixed[:, None] * self._mults + self._adds  # wraps modulo 2**32
        sketch: Sketch = permuted.min(axis=0)
        return sketch

    def _index(
        self, number: int, article_id: str, shingles: Shingles, sketch: Sketch | None
    ) -> None:
        if len(shingles) >= self.min_shared:
            self._shingles[article_id] = shingles
            self._groups[number].indexed.append(article_id)
            self._lsh.insert(article_id, sketch if sketch is not None else self._minhash(shingles))

    def _new_group(
        self, member: _Member, origin: str | None, shingles: Shingles, sketch: Sketch | None
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
        sketch: Sketch | None,
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
