"""One store per test session: samples/ (the seed and the written samples) plus hostile
articles, all through the real pipeline; the app over it; and, for browser tests, a server."""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

# Starlette suggests another client package; httpx (pinned) is what its TestClient runs on here
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

from dateline.api import open_store  # noqa: E402
from dateline.web.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
MARK = "window.__pwned=1"

# Articles written to attack the pages: markup, handlers and script URLs in every field that
# reaches a page. Their text still reports real happenings, so they get events and places.
HOSTILE = [
    {
        "id": "hostile-1",
        "url": "javascript:window.__pwned=1",
        "title": f"<script>{MARK}</script>Protesters clash with police in Almaty",
        "publisher": f'<img src=x onerror="{MARK}">Evil Gazette',
        "published": "2022-01-07",
        "text": (
            f"ALMATY — Protesters <script>{MARK}</script> clashed with riot police in Almaty on "
            "January 6, 2022, witnesses said. Police detained dozens of people near the main "
            f'square. <img src=x onerror="{MARK}"> The government of Kazakhstan accused '
            "foreign-trained groups of organising the unrest.\n\n"
            f'"We will restore order," said President Kassym-Jomart Tokayev <svg onload="{MARK}">.'
        ),
    },
    {
        "id": "hostile-2",
        "url": 'https://example.org/a"><script>window.__pwned=1</script>',
        "title": '<a href="javascript:window.__pwned=1">Kazakhstan imposes curfew</a>',
        "publisher": '"><svg onload=window.__pwned=1> Times',
        "published": "2022-01-08",
        "text": (
            "NUR-SULTAN — Kazakhstan imposed a curfew in Aktau on January 7, 2022, after protests. "
            'Officials of <b onmouseover="window.__pwned=1">Dr. Evil\'s Party</b> '
            "were arrested by security forces in Aktau, the interior ministry said.\n\n"
            '=HYPERLINK("http://attacker.example") was written on a banner, police said.'
        ),
    },
    {
        # the quote finder takes the markup into the speaker's name
        "id": "hostile-3",
        "url": "data:text/html,<script>window.__pwned=1</script>",
        "title": "Front attacks police station <img src=x onerror=window.__pwned=1>",
        "publisher": "javascript:window.__pwned=1",
        "published": "2022-01-08",
        "text": (
            f"The Onerror={MARK} Liberation Front attacked a police station in Aktau on "
            f"January 7, 2022. The Liberation Front <script>{MARK}</script> said it would continue."
        ),
    },
]


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/ and the hostile articles, ingested once per session (a few seconds)."""
    folder = tmp_path_factory.mktemp("web")
    hostile = folder / "hostile.jsonl"
    hostile.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
    db = folder / "web.db"
    with open_store(db) as store:
        summary = store.ingest_inputs([str(SAMPLES), str(hostile)])
    assert summary.stored >= 10 and summary.rejected == 0
    return db


@pytest.fixture(scope="session")
def app(web_store: Path) -> FastAPI:
    return create_app(web_store)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture()
def store_copy(web_store: Path, tmp_path: Path) -> Path:
    """A copy of the session store that a test may write to."""
    copy = tmp_path / "copy.db"
    with open_store(web_store) as store:  # checkpoint the WAL so one file holds everything
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(web_store, copy)
    return copy
