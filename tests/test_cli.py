"""Every input kind end to end through the CLI, and every command of the README."""

from __future__ import annotations

import http.server
import io
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dateline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"
SCHEMA = json.loads((ROOT / "docs" / "article.schema.json").read_text())

PAGE = """<!doctype html><html><head><title>Curfew lifted in port city | Test Gazette</title>
<meta property="og:title" content="Curfew lifted in port city">
<meta name="author" content="Ada Reporter">
<meta property="article:published_time" content="2022-01-10T08:00:00+06:00">
<meta property="og:site_name" content="Test Gazette"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Curfew lifted in port city</h1>
<p>Authorities in the port city lifted the overnight curfew on Monday after a week of calm.</p>
<p>Shops reopened in the morning and buses returned to their usual routes, residents said.</p>
<p>The regional governor said checkpoints on the main roads would stay in place until Friday.</p>
</article><footer>Copyright Test Gazette</footer></body></html>"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test Gazette</title><link>http://gazette.example/</link>
<item><title>Bridge reopens</title><link>http://gazette.example/bridge</link>
<pubDate>Tue, 11 Jan 2022 09:00:00 +0600</pubDate>
<description>&lt;p&gt;The river bridge reopened to traffic on Tuesday after repairs.&lt;/p&gt;
&lt;p&gt;The post Bridge reopens appeared first on Test Gazette.&lt;/p&gt;</description></item>
</channel></rss>"""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def articles_of(stdout: str) -> list[dict[str, object]]:
    found = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    for article in found:
        jsonschema.validate(article, SCHEMA)
    return found


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    routes: dict[str, tuple[str, bytes]] = {
        "/page.html": ("text/html; charset=utf-8", PAGE.encode()),
        "/feed.xml": ("application/rss+xml", FEED.encode()),
        "/image.png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/list.opml":
                body = (
                    f'<opml version="2.0"><body><outline xmlUrl="{base}/feed.xml"/></body></opml>'
                )
                routes[self.path] = ("text/x-opml", body.encode())
            if self.path not in routes:
                self.send_error(404)
                return
            content_type, body = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()


def test_process_seed_prints_one_valid_article() -> None:
    code, out, _ = run("process", str(SEED))
    assert code == 0
    (article,) = articles_of(out)
    assert article["title"] == "Kazakhstan did not ask for help: CSTO"
    assert article["dateline"]["place"] == "Moscow"


def test_process_formats(tmp_path: Path) -> None:
    _, out, _ = run("process", "--format", "json", str(SEED))
    assert [a["publisher"] for a in json.loads(out)] == ["The Frontier Post"]
    _, out, _ = run("process", "--format", "pretty", str(SEED))
    assert out.startswith("{\n  ")
    assert json.loads(out)["origin"] == "RIA Novosti"


def test_process_no_clean_and_published() -> None:
    _, out, _ = run("process", "--no-clean", "--published", "2022-01-05", str(SEED))
    (article,) = articles_of(out)
    assert article["text"] == SEED.read_text(encoding="utf-8")
    assert (article["published"], article["published_source"]) == ("2022-01-05", "given")


def test_stdin() -> None:
    _, out, _ = run(
        "process", "-", stdin="Dam holds\n\nThe dam held after the rains, engineers said."
    )
    (article,) = articles_of(out)
    assert article["title"] == "Dam holds"
    assert article["provenance"]["source"] == "<stdin>"


def test_html_file_uses_page_metadata(tmp_path: Path) -> None:
    (tmp_path / "page.bin").write_text(PAGE)  # the extension says nothing: content decides
    _, out, _ = run("process", str(tmp_path / "page.bin"))
    (article,) = articles_of(out)
    assert article["title"] == "Curfew lifted in port city"
    assert article["author"] == "Ada Reporter"
    assert article["publisher"] == "Test Gazette"
    assert article["published"] == "2022-01-10"
    assert "checkpoints on the main roads" in article["text"]
    assert "Home" not in article["text"]


def test_directory_and_glob(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Road closed\n\nThe mountain road closed after snowfall on Sunday."
    )
    (tmp_path / "b.xml").write_text(FEED)
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nThis file is hidden and must be skipped.")
    _, out, _ = run("process", str(tmp_path))
    assert sorted(a["title"] for a in articles_of(out)) == ["Bridge reopens", "Road closed"]
    _, out, _ = run("process", str(tmp_path / "*.txt"))
    assert [a["title"] for a in articles_of(out)] == ["Road closed"]


def test_feed_items_lose_their_footer(tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_text(FEED)
    _, out, _ = run("process", str(tmp_path / "feed.rss"))
    (article,) = articles_of(out)
    assert article["url"] == "http://gazette.example/bridge"
    assert article["published"] == "2022-01-11T09:00:00+06:00"
    assert article["published_source"] == "feed"
    assert article["text"] == "The river bridge reopened to traffic on Tuesday after repairs."
    assert article["removed"] == [
        {"text": "The post Bridge reopens appeared first on Test Gazette.", "rule": "feed_footer"}
    ]


def test_jsonl_echoes_source_id(tmp_path: Path) -> None:
    records = [
        {
            "id": "r-1",
            "url": "http://x.example/1",
            "title": "Talks begin",
            "text": "Talks began in Geneva on Monday.",
            "published": "2022-01-10",
            "publisher": "Wire",
        },
        {"id": "r-2", "title": "Page record", "html": "<p>The airport reopened on Thursday.</p>"},
    ]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    _, out, _ = run("process", str(tmp_path / "r.jsonl"))
    found = articles_of(out)
    assert [(a["source_id"], a["title"]) for a in found] == [
        ("r-1", "Talks begin"),
        ("r-2", "Page record"),
    ]
    assert found[1]["text"] == "The airport reopened on Thursday."


def test_warc_records_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            "http://gazette.example/curfew",
            "response",
            payload=io.BytesIO(PAGE.encode()),
            http_headers=headers,
        )
        writer.write_record(record)
    _, out, _ = run("process", str(path))
    (article,) = articles_of(out)
    assert article["url"] == "http://gazette.example/curfew"
    assert article["provenance"]["kind"] == "warc-record"
    assert article["published_source"] == "html-meta"


def test_urls_and_opml_through_the_fetcher(server: str) -> None:
    _, out, _ = run("process", f"{server}/page.html", f"{server}/list.opml")
    assert [a["title"] for a in articles_of(out)] == [
        "Curfew lifted in port city",
        "Bridge reopens",
    ]
    code, out, err = run("process", f"{server}/image.png", f"{server}/missing")
    assert code == 0 and out == ""
    assert "[E304]" in err and "[E302]" in err


def test_store_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.xml").write_text(FEED)
    (tmp_path / "in" / "empty.txt").write_text("")
    code, _, err = run("ingest", "--db", db, str(SEED), str(tmp_path / "in"))
    assert code == 0
    assert "read 3, stored 2, duplicate 0, rejected 1" in err
    _, _, err = run("ingest", "--db", db, str(SEED))
    assert "stored 0, duplicate 1" in err
    _, out, _ = run("search", "--db", db, "--format", "jsonl", "CSTO")
    (hit,) = [json.loads(line) for line in out.splitlines()]
    _, out, _ = run("show", "--db", db, hit["id"][:8])
    assert json.loads(out)["publisher"] == "The Frontier Post"
    _, out, _ = run("export", "--db", db, "--format", "jsonl")
    assert len(articles_of(out)) == 2
    _, out, _ = run("export", "--db", db, "--format", "csv")
    assert out.splitlines()[0].startswith("id,source_id,url,title")
    code, _, _ = run(
        "export", "--db", db, "--format", "parquet", "--output", str(tmp_path / "a.parquet")
    )
    assert code == 0 and (tmp_path / "a.parquet").stat().st_size > 0
    _, out, _ = run("rejects", "--db", db, "--format", "jsonl")
    assert [json.loads(line)["code"] for line in out.splitlines()] == ["E102"]
    _, out, _ = run("summary", "--db", db)
    assert "2 articles" in out and "The Frontier Post" in out
    events_line = out.split("asserted events: ")[1].split("\n")[0]
    assert "PROTEST 2" in events_line and "COERCE" in events_line
    assert "stories: 2; copies of another article: 0" in out


def test_errors_are_coded_with_a_hint_and_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATELINE_DEBUG", None)
    command = [
        sys.executable,
        "-m",
        "dateline.cli",
        "show",
        "--db",
        str(tmp_path / "s.db"),
        "nosuchid",
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("error [E403]: no article with id 'nosuchid'\n  hint: ")
    assert "Traceback" not in done.stderr
    (tmp_path / "not-a-db").write_text("this is not sqlite " * 100)
    command[5] = str(tmp_path / "not-a-db")
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert done.returncode == 1 and done.stderr.startswith("error [E402]")
    assert "Traceback" not in done.stderr


def test_readme_documents_every_command_and_option() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, command in cli.commands.items():
        assert f"dateline {name}" in readme, f"command {name} is not in the README"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    pattern = rf"dateline {name}\b[^\n]*{re.escape(opt)}"
                    assert re.search(pattern, readme), f"{name} {opt} is not in the README's CLI"


def test_entities_command(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    run("ingest", "--db", db, str(SEED))
    _, out, _ = run("entities", "--db", db, "--format", "jsonl", "--kind", "organisation", "CSTO")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["canonical"], row["sector"], row["mentions"]) == (
        "Collective Security Treaty Organization",
        "IGO",
        2,
    )
