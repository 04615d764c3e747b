"""`dateline watch --once` and `dateline feeds` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from watch_support import Route, Server, rss, story

from dateline.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_watch_once_then_feeds(server: Server, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    good = server.set("/feed", Route(rss([story(1), story(2)]), etag='"abc"'))
    broken = server.set("/broken", Route(b"no", content_type="text/plain", status=500))
    listed = tmp_path / "feeds.txt"
    listed.write_text(f"# my feeds\n{good}\nnot a url\n")
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<opml version="2.0"><body><outline xmlUrl="{broken}"/></body></opml>')
    code, _, err = run("watch", "--db", db, "--once", "--no-understand", "--host-delay", "0",
                       "--timeout", "2", str(listed), str(opml))  # fmt: skip
    assert code == 0, err
    assert "rejected [E501]" in err and "line 3" in err
    assert "polled 2 (not modified 0, failed 1), new items 2" in err and "stored 2" in err
    # at once again: nothing is due, nothing is fetched
    code, _, err = run("watch", "--db", db, "--once", "--no-understand", str(listed), str(opml))
    assert "polled 0" in err and len(server.hits("/feed")) == 1

    code, out, _ = run("feeds", "--db", db, "--format", "jsonl")
    rows = {row["url"]: row for row in map(json.loads, out.splitlines())}
    assert rows[good]["etag"] == '"abc"' and rows[good]["items"] == 2
    assert rows[good]["items_per_day"] == 2 and rows[good]["last_success"]
    assert rows[broken]["last_error_code"] == "E302" and rows[broken]["last_success"] is None
    code, out, _ = run("feeds", "--db", db)
    assert code == 0 and "E302" in out and '"abc"' in out


def test_watch_refuses_bad_rules_and_empty_feed_lists(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: a\n    match: {type: RIOT}\n  - name: b\n    colour: red\n")
    result = CliRunner().invoke(cli, ["watch", "--db", str(tmp_path / "w.db"), "--rules",
                                      str(rules), "http://127.0.0.1:9/feed"])  # fmt: skip
    assert isinstance(result.exception, Exception)
    assert "[E504]" in result.stderr and "[E503]" in result.stderr
    assert result.exception.code.value == "E504"  # type: ignore[attr-defined]
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    result = CliRunner().invoke(cli, ["watch", "--once", str(empty)])
    assert getattr(result.exception, "code", None).value == "E501"  # type: ignore[union-attr]
