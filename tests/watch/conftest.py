"""Fixtures for the watch tests; the server and helpers are in watch_support.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The test modules import watch_support by name (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from watch_support import STOP, Server


@pytest.fixture
def server() -> Iterator[Server]:
    STOP.clear()
    running = Server()
    yield running
    STOP.set()
    running.close()


@pytest.fixture
def other_server() -> Iterator[Server]:
    running = Server()
    yield running
    STOP.set()
    running.close()
