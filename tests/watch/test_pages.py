"""Article pages for summary-only items, and robots.txt, against the local server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from watch_support import FeedItem, Route, Server, open_store, options, rss, watcher

from dateline.watch.schedule import ManualClock

PAGE = """<!doctype html><html><head><title>{title}</title>
<meta property="og:title" content="{title}"></head><body><nav>Home | World</nav>
<article><h1>{title}</h1>
<p>{lead} The port authority said ships would wait outside the harbour until the storm passed.</p>
<p>Fishermen tied their boats to the quay and the ferry to the islands was cancelled for the day.</p>
<p>Forecasters expect the wind to drop by Thursday, when the harbour is due to reopen to traffic.</p>
</article><footer>Copyright</footer></body></html>"""


def summary_item(server: Server, slug: str, lead: str) -> FeedItem:
    link = server.url(f"/{slug}")
    server.set(f"/{slug}", Route(PAGE.format(title=lead, lead=lead).encode(), "text/html"))
    return FeedItem(guid=slug, title=lead, body=f"<p>{lead} [&#8230;]</p>", link=link)


def texts(tmp_path: Path) -> dict[str, str]:
    with open_store(tmp_path) as store:
        return {a["title"]: a["text"] for a in store.articles()}


def test_summary_items_get_their_page_and_robots_is_respected(
    server: Server, tmp_path: Path
) -> None:
    server.set("/robots.txt", Route(b"User-agent: *\nDisallow: /private/\n", "text/plain"))
    items = [
        summary_item(server, "public/storm", "Storm closes the harbour"),
        summary_item(server, "public/ferry", "Ferry to the islands cancelled"),
        summary_item(server, "private/quay", "Boats tied to the quay"),
    ]
    url = server.set("/feed", Route(rss(items)))
    with open_store(tmp_path) as store:
        w = watcher(store, [url], ManualClock())
        done = w.run_once()
        w.close()
    assert (done.pages, done.ingest.stored) == (2, 3)
    found = texts(tmp_path)
    assert "Fishermen tied their boats" in found["Storm closes the harbour"]
    assert "Fishermen tied their boats" in found["Ferry to the islands cancelled"]
    # disallowed: the page is never requested and the summary is stored instead
    assert found["Boats tied to the quay"].startswith("Boats tied to the quay")
    assert "Fishermen" not in found["Boats tied to the quay"]
    assert server.hits("/private/quay") == []
    assert len(server.hits("/robots.txt")) == 1  # cached for the host
    assert server.hits("/public/storm")[0].headers["User-Agent"].startswith("dateline")


def test_no_fetch_pages_and_threshold(server: Server, tmp_path: Path) -> None:
    items = [summary_item(server, "storm", "Storm closes the harbour")]
    url = server.set("/feed", Route(rss(items)))
    no_pages = replace(options().poll, fetch_pages=False)
    with open_store(tmp_path) as store:
        watcher(store, [url], ManualClock(), poll=no_pages).run_once()
    assert server.hits("/storm") == []
    # a threshold below the item's length: the item is not a summary
    short = replace(options().poll, page_threshold=5)
    with open_store(tmp_path, "other.db") as store:
        watcher(store, [url], ManualClock(), poll=short).run_once()
    assert server.hits("/storm") == []


def test_robots_outage_means_no_pages_and_404_means_all(server: Server, tmp_path: Path) -> None:
    server.set("/robots.txt", Route(b"busy", "text/plain", status=503))
    url = server.set("/feed", Route(rss([summary_item(server, "a", "Storm closes the harbour")])))
    with open_store(tmp_path) as store:
        done = watcher(store, [url], ManualClock()).run_once()
    assert (done.pages, done.ingest.stored) == (0, 1)
    assert server.hits("/a") == []
    del server.routes["/robots.txt"]  # now a 404: no rules
    with open_store(tmp_path, "other.db") as store:
        done = watcher(store, [url], ManualClock()).run_once()
    assert done.pages == 1 and len(server.hits("/a")) == 1


def test_failed_page_keeps_the_summary(server: Server, tmp_path: Path) -> None:
    item = summary_item(server, "gone", "Storm closes the harbour")
    server.set("/gone", Route(b"", "text/html", status=404))
    url = server.set("/feed", Route(rss([item])))
    echoed: list[str] = []
    with open_store(tmp_path) as store:
        done = watcher(store, [url], ManualClock(), echoed=echoed).run_once()
    assert (done.pages, done.ingest.stored) == (0, 1)
    assert any("E302" in line and "summary kept" in line for line in echoed)
