"""Screenshots of every page of the web app into docs/screenshots/ (PNG, commit-ready).

Builds a store from samples/ (or uses --db), serves it on 127.0.0.1 and drives Debian's
chromium with Playwright. Usage: .venv/bin/python scripts/screenshots.py [--db PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def build_store(path: Path) -> None:
    from dateline.api import open_store

    with open_store(path) as store:
        store.ingest_inputs([str(ROOT / "samples")])


def pages(db: Path) -> list[tuple[str, str, str]]:
    """(file name, path, a selector to wait for) for one page of each kind."""
    import sqlite3

    con = sqlite3.connect(db)
    seed = con.execute("SELECT id FROM articles WHERE source LIKE '%seed%'").fetchone()[0]
    event = con.execute(
        "SELECT idx FROM events WHERE article_id = ? ORDER BY idx LIMIT 1", (seed,)
    ).fetchone()[0]
    story = con.execute(
        "SELECT story_id FROM articles GROUP BY story_id ORDER BY count(*) DESC, story_id LIMIT 1"
    ).fetchone()[0]
    entity = con.execute(
        "SELECT entity_id FROM event_participants WHERE entity_id LIKE 'kb:%'"
        " GROUP BY entity_id ORDER BY count(*) DESC, entity_id LIMIT 1"
    ).fetchone()[0]
    con.close()
    return [
        ("dashboard.png", "/", "#map[data-ready='1']"),
        ("search.png", "/search?q=CSTO", ".result"),
        ("article.png", f"/article/{seed}?event={event}", ".seg.evidence-active"),
        ("entity.png", f"/entity/{entity}", "#mentions svg"),
        ("story.png", f"/story/{story}", "#timeline[data-ready='1']"),
        ("stories.png", "/browse/stories", "table.stories"),
        ("entities.png", "/browse/entities", "table.entities"),
        ("api-docs.png", "/docs", ".endpoint"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, help="a store to serve (default: built from samples/)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: run `make system` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    from dateline.web.app import create_app
    from dateline.web.background import running

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "samples.db"
        if args.db is None:
            build_store(db)
        OUT.mkdir(parents=True, exist_ok=True)
        with running(create_app(db)) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            for name, path, ready in pages(db):
                page.goto(url + path)
                page.wait_for_selector(ready, timeout=15000)
                page.screenshot(path=str(OUT / name), full_page=True)
                print(f"{OUT / name}")
            browser.close()


if __name__ == "__main__":
    main()
