"""A two-worker Dask cluster shared by the batch tests, and the data they shard."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from distributed import Client

from dateline.batch.run import local_cluster

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
EVAL = ROOT.parent / "shared" / "eval"
WIKINEWS = EVAL / "news" / "wikinews-cc-by" / "wikinews_articles.jsonl"
WARCS = EVAL / "warc" / "warcio"


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    """Two worker processes with one thread each, as `dateline batch --workers 2` starts."""
    with local_cluster(2) as started:
        yield started


@pytest.fixture(scope="session")
def wikinews() -> Path:
    if not WIKINEWS.exists():
        pytest.skip(f"evaluation data not found: {WIKINEWS} (../shared/eval is absent)")
    return WIKINEWS


@pytest.fixture(scope="session")
def warcs() -> list[str]:
    """Real WARC/ARC files: readable, truncated and malformed ones."""
    names = ["example.warc.gz", "example-trunc.warc", "bad.arc", "example-wrong-chunks.warc.gz"]
    paths = [WARCS / name for name in names]
    if not all(p.exists() for p in paths):
        pytest.skip(f"evaluation data not found: {WARCS} (../shared/eval is absent)")
    return [str(p) for p in paths]


def _digests(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session")
def digests() -> Callable[[Path], dict[str, str]]:
    """Every file under a directory: relative path -> sha256 of its bytes."""
    return _digests
