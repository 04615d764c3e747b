"""The numpy MinHash, band index and set helpers give exactly what they replace."""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
from datasketch import MinHash, MinHashLSH

from dateline.stories.copies import (
    CopyDetector,
    _BandIndex,
    _sorted_distinct,
    _Vocabulary,
    containment,
    words,
)


def random_shingles(rng: np.random.Generator, size: int) -> np.ndarray:
    return np.unique(rng.integers(0, 2**64 - 1, size, dtype=np.uint64, endpoint=True))


def datasketch_minhash(shingles: np.ndarray) -> MinHash:
    """What copies.py computed before: datasketch fed the low 32 bits of each shingle."""
    template = MinHash(num_perm=64, seed=1)
    sketch = MinHash(num_perm=64, hashfunc=int, permutations=template.permutations,
                     scheme="affine32")  # fmt: skip
    sketch.update_batch((shingles & np.uint64(0xFFFFFFFF)).tolist())
    return sketch


def test_numpy_minhash_equals_datasketch() -> None:
    rng = np.random.default_rng(3)
    detector = CopyDetector()
    for size in (1, 2, 9, 150, 2000):
        shingles = random_shingles(rng, size)
        expected = datasketch_minhash(shingles).hashvalues
        assert np.array_equal(detector._minhash(shingles), expected)


def test_band_index_finds_what_datasketch_lsh_finds() -> None:
    rng = np.random.default_rng(5)
    detector = CopyDetector()
    base = random_shingles(rng, 400)
    # overlapping sets of many sizes, so some share bands and some do not
    sets = [np.union1d(base[: rng.integers(0, 400)], random_shingles(rng, 50)) for _ in range(60)]
    ours, theirs = _BandIndex(32, 2), MinHashLSH(num_perm=64, params=(32, 2))
    for i, shingles in enumerate(sets[:40]):
        ours.insert(f"a{i}", detector._minhash(shingles))
        theirs.insert(f"a{i}", datasketch_minhash(shingles))
    for shingles in sets[40:]:
        found = ours.query(detector._minhash(shingles))
        assert found == set(theirs.query(datasketch_minhash(shingles)))
    assert any(ours.query(detector._minhash(s)) for s in sets[40:])


def test_sorted_distinct_and_containment_match_numpy_set_routines() -> None:
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 30, 500):
        values = rng.integers(0, 40, size).astype(np.uint64)  # many repeats
        assert np.array_equal(_sorted_distinct(values), np.unique(values))
    for _ in range(50):
        a = np.unique(rng.integers(0, 300, rng.integers(0, 120)).astype(np.uint64))
        b = np.unique(rng.integers(0, 300, rng.integers(0, 120)).astype(np.uint64))
        shared = len(np.intersect1d(a, b, assume_unique=True))
        expected = (shared / min(len(a), len(b)), shared) if len(a) and len(b) else (0.0, 0)
        assert containment(a, b) == expected


def test_ascii_words_equal_the_regex_words() -> None:
    rng = random.Random(11)
    alphabet = "abcXYZ019_ ,.'-!?\n\t\u2019\u00e9\u00a0"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        # the former implementation: a look-behind regex, then \w+ on every text
        folded = unicodedata.normalize("NFKC", text).casefold()
        folded = re.sub(r"(?<=\d)[,.\u202f\u00a0'](?=\d{3}\b)", "", folded)
        assert words(text) == re.findall(r"\w+", folded), text
    assert words("1,234,567 and 3.500 mixed-case X_Y") == ["1234567", "and", "3500", "mixed",
                                                             "case", "x_y"]  # fmt: skip


def test_vocabulary_hashes_are_stable_as_it_grows() -> None:
    vocab = _Vocabulary()
    first = vocab.hashes(["harbour", "crane", "harbour"])
    vocab.hashes([f"word{i}" for i in range(3000)])  # grows the table past its first size
    assert np.array_equal(vocab.hashes(["harbour", "crane", "harbour"]), first)
    assert first[0] == first[2] and first[0] != first[1]
    assert np.array_equal(_Vocabulary().hashes(["crane"]), first[1:2])
