"""fetch() against a local HTTP server: limits, redirects, statuses, encodings, timeouts.

Nothing here touches the internet. The server speaks HTTP/1.1 with keep-alive, so the
module-level connection pool in fetch.py is reused across tests, which also checks that a
connection abandoned mid-body is never handed to the next request.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dateline.errors import Code, DatelineError
from dateline.sources.fetch import ACCEPTED_TYPES, Fetched, FetchOptions, fetch

HTML = "<html><head><title>Café</title></head><body><p>Grüße</p></body></html>".encode("iso-8859-1")
TEXT = b"The quick brown fox jumps over the lazy dog.\n" * 200
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"
# 20 MB of zeros gzip down to about 20 kB: the decoded size is what the cap must see.
BOMB_SIZE = 20_000_000
BOMB = gzip.compress(b"\0" * BOMB_SIZE, compresslevel=9)

# Set when the module's tests end, so handlers that stall on purpose let go promptly.
STOP = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean

    def do_GET(self) -> None:
        path, _, arg = self.path.lstrip("/").partition("/")
        route: Callable[[str], None] | None = getattr(self, f"route_{path.replace('-', '_')}", None)
        if route is None:
            self.send_body(404, b"not found", "text/plain")
        else:
            route(arg)

    def send_body(self, status: int, body: bytes, content_type: str | None, **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_body(302, b"moved", "text/plain", Location=location)

    # --- routes -------------------------------------------------------------------------

    def route_html(self, arg: str) -> None:
        self.send_body(200, HTML, 'Text/HTML; Charset="ISO-8859-1"')

    def route_notype(self, arg: str) -> None:
        self.send_body(200, TEXT, None)

    def route_echo(self, arg: str) -> None:
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_body(200, body, "application/json")

    def route_redirect(self, arg: str) -> None:
        hops = int(arg)
        # Relative Location headers, so each hop must be resolved against the current URL.
        self.redirect(f"/redirect/{hops - 1}" if hops > 0 else "/html")

    def route_loop_a(self, arg: str) -> None:
        self.redirect("/loop-b")

    def route_loop_b(self, arg: str) -> None:
        self.redirect("/loop-a")

    def route_to_ftp(self, arg: str) -> None:
        self.redirect("ftp://127.0.0.1/file.txt")

    def route_no_location(self, arg: str) -> None:
        self.send_body(302, b"", "text/plain")

    def route_status(self, arg: str) -> None:
        self.send_body(int(arg), b"error page", "text/html")

    def route_png(self, arg: str) -> None:
        # Headers only, then stall: a client that reads the body would hang until its timeout.
        self.stall_after_headers("image/png", 10_000_000)

    def route_declared_big(self, arg: str) -> None:
        self.stall_after_headers("text/html", 10_000_000)

    def stall_after_headers(self, content_type: str, length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        STOP.wait(5)
        self.close_connection = True

    def route_endless(self, arg: str) -> None:
        # No Content-Length: the body ends when the connection closes, which it never
        # would here (up to 200 MB) unless the client stops reading.
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"x" * 65536
        for _ in range(3200):
            if STOP.is_set():
                return
            self.wfile.write(chunk)

    def route_gzip(self, arg: str) -> None:
        self.send_body(200, gzip.compress(TEXT), "text/plain", Content_Encoding="gzip")

    def route_deflate(self, arg: str) -> None:
        self.send_body(200, zlib.compress(TEXT), "text/plain", Content_Encoding="deflate")

    def route_brotli(self, arg: str) -> None:
        self.send_body(200, b"\x0b\x02\x80hello\x03", "text/plain", Content_Encoding="br")

    def route_bomb(self, arg: str) -> None:
        self.send_body(200, BOMB, "text/html", Content_Encoding="gzip")

    def route_drip(self, arg: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100")
        self.end_headers()
        for _ in range(100):
            self.wfile.write(b"x")
            if STOP.wait(0.2):
                return

    def route_hang(self, arg: str) -> None:
        STOP.wait(5)  # read the request, never answer
        self.close_connection = True

    def route_etag(self, arg: str) -> None:
        fresh = (
            self.headers.get("If-None-Match") == ETAG
            or self.headers.get("If-Modified-Since") == LAST_MODIFIED
        )
        headers = {"ETag": ETAG, "Last_Modified": LAST_MODIFIED}
        if fresh:
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
        else:
            self.send_body(200, HTML, "text/html; charset=iso-8859-1", **headers)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up mid-body on purpose; the tracebacks would only be noise


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    STOP.clear()
    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        STOP.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def fails(code: Code, url: str, **options: Any) -> DatelineError:
    with pytest.raises(DatelineError) as caught:
        fetch(url, FetchOptions(**options))
    assert caught.value.code is code, caught.value
    return caught.value


# --- success ----------------------------------------------------------------------------


def test_html_with_charset(base: str) -> None:
    got = fetch(f"{base}/html")
    assert got == Fetched(
        url=f"{base}/html",
        final_url=f"{base}/html",
        status=200,
        content_type="text/html",
        charset="iso-8859-1",
        data=HTML,
        etag=None,
        last_modified=None,
    )


def test_missing_content_type_is_accepted(base: str) -> None:
    got = fetch(f"{base}/notype")
    assert (got.content_type, got.charset, got.data) == ("", None, TEXT)


def test_sends_user_agent_and_accept_encoding(base: str) -> None:
    sent = json.loads(fetch(f"{base}/echo", FetchOptions(user_agent="probe/1")).data)
    assert sent["User-Agent"] == "probe/1"
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in sent


def test_accepted_types() -> None:
    assert {"text/html", "application/rss+xml", "application/warc"} <= ACCEPTED_TYPES
    assert not {"image/png", "video/mp4", "application/pdf"} & ACCEPTED_TYPES


# --- redirects --------------------------------------------------------------------------


def test_redirect_chain_within_limit(base: str) -> None:
    got = fetch(f"{base}/redirect/4")  # five redirects, the default limit
    assert got.url == f"{base}/redirect/4"
    assert got.final_url == f"{base}/html"
    assert got.data == HTML


def test_redirect_chain_over_limit(base: str) -> None:
    fails(Code.TOO_MANY_REDIRECTS, f"{base}/redirect/2", max_redirects=2)


def test_redirect_loop(base: str) -> None:
    error = fails(Code.TOO_MANY_REDIRECTS, f"{base}/loop-a")
    assert "loop" in error.message


def test_redirect_to_other_scheme(base: str) -> None:
    fails(Code.FETCH_FAILED, f"{base}/to-ftp")


def test_redirect_without_location(base: str) -> None:
    fails(Code.HTTP_STATUS, f"{base}/no-location")


# --- statuses and types -----------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500])
def test_error_status(base: str, status: int) -> None:
    error = fails(Code.HTTP_STATUS, f"{base}/status/{status}")
    assert f"answered {status}" in error.message


def test_unwanted_content_type_is_refused_before_the_body(base: str) -> None:
    start = time.monotonic()
    error = fails(Code.BAD_CONTENT_TYPE, f"{base}/png", timeout=2)
    assert "image/png" in error.message
    assert time.monotonic() - start < 1  # the stalled body was never waited for


# --- size caps and encodings ------------------------------------------------------------


def test_too_large_by_content_length(base: str) -> None:
    start = time.monotonic()
    fails(Code.TOO_LARGE, f"{base}/declared-big", max_bytes=1000, timeout=2)
    assert time.monotonic() - start < 1  # refused on the header, not after reading


def test_too_large_without_content_length(base: str) -> None:
    start = time.monotonic()
    fails(Code.TOO_LARGE, f"{base}/endless", max_bytes=100_000)
    assert time.monotonic() - start < 2


def test_body_exactly_at_cap_is_accepted(base: str) -> None:
    assert fetch(f"{base}/notype", FetchOptions(max_bytes=len(TEXT))).data == TEXT


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_body_is_decoded(base: str, encoding: str) -> None:
    assert fetch(f"{base}/{encoding}").data == TEXT


def test_decoded_size_is_capped(base: str) -> None:
    # The compressed body is well under the cap, so only the decoded size can trip it.
    fails(Code.TOO_LARGE, f"{base}/gzip", max_bytes=len(TEXT) - 1)


def test_gzip_bomb(base: str) -> None:
    assert len(BOMB) < 100_000
    tracemalloc.start()
    try:
        fails(Code.TOO_LARGE, f"{base}/bomb", max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # never inflated anywhere near the 20 MB


def test_unsupported_content_encoding(base: str) -> None:
    fails(Code.FETCH_FAILED, f"{base}/brotli")


# --- timeouts and connection failures ---------------------------------------------------


def test_slow_drip_hits_total_timeout(base: str) -> None:
    start = time.monotonic()
    error = fails(Code.TIMEOUT, f"{base}/drip", timeout=5, total_timeout=1)
    assert "total_timeout" in error.message
    assert time.monotonic() - start < 1.5


def test_server_that_never_answers(base: str) -> None:
    start = time.monotonic()
    fails(Code.TIMEOUT, f"{base}/hang", timeout=0.5)
    assert time.monotonic() - start < 1.5


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fails(Code.FETCH_FAILED, f"http://127.0.0.1:{port}/", timeout=2)
    assert "refused" in error.message


@pytest.mark.parametrize(
    "url", ["ftp://example.com/news.txt", "file:///etc/passwd", "news.html", "http:///x"]
)
def test_only_http_and_https(url: str) -> None:
    fails(Code.FETCH_FAILED, url)


# --- conditional requests ---------------------------------------------------------------


def test_etag_round_trip(base: str) -> None:
    first = fetch(f"{base}/etag")
    assert (first.status, first.etag, first.data) == (200, ETAG, HTML)
    again = fetch(f"{base}/etag", FetchOptions(etag=first.etag))
    assert (again.status, again.data, again.etag) == (304, b"", ETAG)


def test_last_modified_round_trip(base: str) -> None:
    first = fetch(f"{base}/etag")
    assert first.last_modified == LAST_MODIFIED
    again = fetch(f"{base}/etag", FetchOptions(last_modified=first.last_modified))
    assert (again.status, again.data) == (304, b"")


def test_connection_is_reusable_after_304_and_errors(base: str) -> None:
    # Each of these leaves a kept-alive connection behind; the next fetch must still work.
    fetch(f"{base}/etag", FetchOptions(etag=ETAG))
    fails(Code.HTTP_STATUS, f"{base}/status/404")
    fails(Code.TOO_LARGE, f"{base}/gzip", max_bytes=10)
    assert fetch(f"{base}/html").data == HTML
