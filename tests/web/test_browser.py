"""The pages in a real browser: Playwright driving Debian's chromium (no browser download)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from dateline.web.app import VENDOR
from dateline.web.background import running

from .conftest import HOSTILE

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium is missing: `make system` installs Debian's chromium",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (make setup)"
)

needs_vendor = pytest.mark.skipif(
    not (VENDOR / "leaflet" / "dist" / "leaflet.js").exists(),
    reason="Leaflet is not installed: `make setup` installs the map libraries with npm",
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Any script that runs from article content would have to set this or open a dialog.
GUARD = "Object.defineProperty(window, '__pwned', {set() { window.__fired = true; }, get() { return undefined; }});"


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page that records every request, dialog and console error."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context()
        self.context.add_init_script(GUARD)
        self.page = self.context.new_page()
        self.base = base_url
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss())
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # a Content-Security-Policy violation (a blocked script, style or request) logs an error
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return self.page

    def assert_clean(self) -> None:
        outside = [
            u
            for u in self.requests
            if not u.startswith(self.base + "/") and not u.startswith("data:")
        ]
        assert outside == [], outside
        assert self.dialogs == []
        assert self.page.evaluate("window.__fired === true") is False
        assert self.errors == []


@pytest.fixture()
def watched(browser: Any, base_url: str) -> Iterator[Watched]:
    page = Watched(browser, base_url)
    yield page
    page.context.close()


def seed_id(web_store: Path) -> str:
    db = sqlite3.connect(web_store)
    (found,) = db.execute(
        "SELECT id FROM articles WHERE source LIKE '%000_6d99dd1d5e9afdd5%'"
    ).fetchone()
    db.close()
    return str(found)


@needs_vendor
def test_dashboard_renders_events_timeline_and_map(watched: Watched) -> None:
    page = watched.open("/")
    assert page.locator("table.events tbody tr.event-row").count() == 25
    page.wait_for_selector("#timeline svg rect.bar")
    assert page.locator("#timeline rect.bar").count() > 5
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("#map path.event-marker").count() >= 3
    assert (
        page.locator("#map .leaflet-overlay-pane path, #map .leaflet-outlines-pane path").count()
        > 100
    )
    watched.assert_clean()


@needs_vendor
def test_a_click_on_a_map_marker_opens_its_events(watched: Watched, client: Any) -> None:
    page = watched.open("/")
    page.wait_for_selector("#map[data-ready='1']")
    marker = page.locator("#map path.event-marker").first
    key = marker.get_attribute("data-key")
    count = int(marker.get_attribute("data-count"))
    marker.click(force=True)
    page.wait_for_selector("#event-detail .event-card")
    shown = page.locator("#event-detail .event-card").evaluate_all(
        "cards => cards.map(c => c.dataset.eventId)"
    )
    events = client.get("/events", params={"bbox": "-180,-90,180,90", "limit": 500}).json()["items"]
    here = {e["id"] for e in events if f"{e['lat']:.4f},{e['lon']:.4f}" == key}
    assert len(shown) == count and set(shown) == here
    first = next(e for e in events if e["id"] == shown[0])
    assert page.locator("#event-detail .evidence-text").first.text_content() == first["evidence"]
    page.locator("#event-detail a.open-event").first.click()
    page.wait_for_selector(".seg.evidence-active")
    assert f"/article/{first['article_id']}?event={first['idx']}" in page.url
    watched.assert_clean()


def test_the_article_page_highlights_an_events_evidence(
    watched: Watched, web_store: Path, client: Any
) -> None:
    article_id = seed_id(web_store)
    article = client.get(f"/articles/{article_id}").json()
    for index in (0, len(article["events"]) - 1):
        page = watched.open(f"/article/{article_id}?event={index}")
        highlighted = "".join(page.locator(".seg.evidence-active").all_text_contents())
        evidence = article["events"][index]["evidence"]
        assert highlighted == evidence["text"]
        assert article["text"][evidence["start"] : evidence["end"]] == highlighted
    # picking another event in the list moves the highlight without a reload
    page.locator("a.event-link[data-event='1']").click()
    assert (
        "".join(page.locator(".seg.evidence-active").all_text_contents())
        == article["events"][1]["evidence"]["text"]
    )
    assert page.locator("#event-1.active").count() == 1
    watched.assert_clean()


def test_search_finds_the_seed(watched: Watched, web_store: Path) -> None:
    page = watched.open("/")
    page.fill("header input[name=q]", "CSTO help")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector(".result")
    link = page.locator("a.result-title", has_text="Kazakhstan did not ask for help: CSTO")
    assert link.count() == 1
    assert link.get_attribute("href") == f"/article/{seed_id(web_store)}"
    assert page.locator(".snippet mark").count() > 0
    watched.assert_clean()


@needs_vendor
def test_hostile_content_does_not_execute(watched: Watched, client: Any) -> None:
    hostile = [
        a
        for a in client.get("/articles", params={"limit": 500}).json()["items"]
        if "pwned" in (a["title"] or "") + (a["publisher"] or "")
    ]
    assert len(hostile) == len(HOSTILE)
    paths = ["/", "/search?q=Almaty", "/search?q=curfew", "/browse/entities", "/browse/stories"]
    for article in hostile:
        paths += [f"/article/{article['id']}", f"/story/{article['story_id']}"]
        full = client.get(f"/articles/{article['id']}").json()
        paths += [f"/article/{article['id']}?event={i}" for i in range(len(full["events"]))]
        paths += [f"/entity/{m['entity_id']}" for m in full["entities"] if m.get("entity_id")][:3]
    for path in paths:
        page = watched.open(path)
        for anchor in page.locator("a[href]").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        ):
            assert not anchor.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (
                path,
                anchor,
            )
        assert page.locator("script:not([src])").count() == 0, path
    for article in hostile:  # the markup is shown as text, not run
        page = watched.open(f"/article/{article['id']}")
        assert page.locator("h1").text_content() in {record["title"] for record in HOSTILE}
    # the map's detail panel writes article text too: click every marker
    page = watched.open("/")
    page.wait_for_selector("#map[data-ready='1']")
    for marker in page.locator("#map path.event-marker").all():
        marker.click(force=True)
    watched.assert_clean()


def test_entity_and_story_pages(watched: Watched, client: Any) -> None:
    story = client.get("/stories", params={"limit": 1}).json()["items"][0]
    page = watched.open(f"/story/{story['id']}")
    assert page.locator("table.articles tbody tr").count() == story["articles"]
    page.wait_for_selector("#timeline svg rect.bar")
    entity = next(
        e
        for e in client.get("/entities", params={"limit": 500}).json()["items"]
        if e["canonical"] == "Kassym-Jomart Tokayev"
    )
    page = watched.open(f"/entity/{entity['id']}")
    assert page.locator("h1").text_content() == "Kassym-Jomart Tokayev"
    assert page.locator("#mentions svg rect.bar").count() > 0
    assert page.locator("table.events").first.locator("tr.event-row").count() > 0
    assert json.loads(page.locator("#mentions").get_attribute("data-mentions"))
    watched.assert_clean()
