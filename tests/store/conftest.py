"""Store fixtures: one PostgreSQL server per test session, and a ``db`` run on both backends.

A test that takes ``db`` runs twice: with a SQLite path and with the URL of a fresh
PostgreSQL database. When no PostgreSQL server can be started, the PostgreSQL runs skip
with the reason and the SQLite runs go on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # pgtest, for the tests of this folder

import pgtest

BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def pg() -> Iterator[pgtest.Server]:
    """The session's PostgreSQL server (skips the test when none can be started)."""
    try:
        server = pgtest.start()
    except pgtest.NoServer as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg: pgtest.Server) -> str:
    """The URL of a new, empty store (a schema of its own) on the session's server."""
    return pg.new_schema()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store location: a SQLite path, or a postgresql:// URL of an empty database."""
    if request.param == "sqlite":
        return str(tmp_path / "s.db")
    return str(request.getfixturevalue("pg_url"))
