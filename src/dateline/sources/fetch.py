"""Fetch one URL over HTTP(S) with hard limits on time, size, redirects and content type.

Every failure is a DatelineError with a code from the catalogue; urllib3 exceptions never
escape. Nothing is retried: a failed fetch is reported once and the caller decides.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    DecodeError,
    LocationValueError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    SSLError,
)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from dateline.errors import Code, DatelineError

ACCEPTED_TYPES: frozenset[str] = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "text/x-opml",
        "application/json",
        "application/x-ndjson",
        "application/jsonl",
        "application/warc",
        "application/gzip",
        "application/x-gzip",
        # Servers label many files this way; the readers sniff the real format by content.
        "application/octet-stream",
    }
)

_SCHEMES = frozenset({"http", "https"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
# Only what urllib3 decodes without optional packages; brotli/zstd would need extras.
_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate", "identity"})
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
)

# One pool for the process: keeps connections alive across fetches to the same host.
# retries=False: no retry on errors, and urllib3 raises the underlying error itself
# (not MaxRetryError), which is what _network_error maps to codes.
_POOL = urllib3.PoolManager(num_pools=16, retries=False)


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 20.0  # seconds, for connect and for each read
    total_timeout: float = 60.0  # wall clock for the whole fetch (defeats slow-drip servers)
    max_bytes: int = 20_000_000  # body size cap, after Content-Encoding is decoded
    max_redirects: int = 5
    user_agent: str = "dateline/0.1 (+https://github.com/dateline-news/dateline)"
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    status: int  # 200, or 304 when not modified
    content_type: str  # media type only, lowercased, e.g. "text/html"; "" when not sent
    charset: str | None
    data: bytes
    etag: str | None
    last_modified: str | None


def fetch(url: str, options: FetchOptions = FetchOptions()) -> Fetched:
    """GET url, following redirects; raise DatelineError on any failure or broken limit."""
    if not _fetchable(url):
        raise DatelineError(Code.FETCH_FAILED, f"{url}: not an http or https URL")
    # Per-read timeouts alone let a server drip one byte at a time forever.
    deadline = time.monotonic() + options.total_timeout
    try:
        response, final_url = _follow(url, options, deadline)
        with _released(response):
            return _result(url, final_url, response, options, deadline)
    except (Urllib3Error, OSError) as exc:
        raise _network_error(url, exc, deadline, options) from exc


def _fetchable(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in _SCHEMES and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


def _follow(
    url: str, options: FetchOptions, deadline: float
) -> tuple[urllib3.BaseHTTPResponse, str]:
    """Request url and the redirects it leads to; return the first non-redirect response."""
    # Redirects are followed here rather than by urllib3 so that each hop gets its
    # scheme checked, loops are named as such and the deadline spans all hops.
    seen = {url}
    current = url
    for _ in range(options.max_redirects + 1):
        response = _request(current, options, deadline)
        if response.status not in _REDIRECTS:
            return response, current
        _discard(response)
        target = _redirect_target(url, current, response)
        if target in seen:
            raise DatelineError(Code.TOO_MANY_REDIRECTS, f"{url}: redirect loop at {target}")
        seen.add(target)
        current = target
    raise DatelineError(
        Code.TOO_MANY_REDIRECTS, f"{url}: more than {options.max_redirects} redirects"
    )


def _request(url: str, options: FetchOptions, deadline: float) -> urllib3.BaseHTTPResponse:
    wait = _time_left(url, options, deadline)
    return _POOL.request(
        "GET",
        url,
        headers=_headers(options),
        timeout=urllib3.Timeout(connect=wait, read=wait),
        preload_content=False,  # stream, so limits apply before the body is in memory
        decode_content=True,
        redirect=False,
        retries=False,
    )


def _headers(options: FetchOptions) -> dict[str, str]:
    headers = {
        "User-Agent": options.user_agent,
        "Accept": _ACCEPT,
        # urllib3 sends no Accept-Encoding by default; offer only what it can decode.
        "Accept-Encoding": "gzip, deflate",
    }
    if options.etag:
        headers["If-None-Match"] = options.etag
    if options.last_modified:
        headers["If-Modified-Since"] = options.last_modified
    return headers


def _discard(response: urllib3.BaseHTTPResponse) -> None:
    # The body is left unread, and unread bytes on a kept-alive connection would be taken
    # for the next response: close the connection rather than return it to the pool as is.
    response.close()
    response.release_conn()


@contextmanager
def _released(response: urllib3.BaseHTTPResponse) -> Iterator[None]:
    """Return the connection to the pool once the body is read; close it if reading failed."""
    try:
        yield
    except BaseException:
        response.close()
        raise
    finally:
        response.release_conn()


def _redirect_target(url: str, current: str, response: urllib3.BaseHTTPResponse) -> str:
    location = response.headers.get("Location")
    if not location:
        raise DatelineError(
            Code.HTTP_STATUS, f"{url}: {current} answered {response.status} without a Location"
        )
    target = urljoin(current, location.strip())
    if not _fetchable(target):
        raise DatelineError(
            Code.FETCH_FAILED, f"{url}: redirected to {target}, which is not an http(s) URL"
        )
    return target


def _result(
    url: str,
    final_url: str,
    response: urllib3.BaseHTTPResponse,
    options: FetchOptions,
    deadline: float,
) -> Fetched:
    _check_status(url, final_url, response, options)
    media_type, charset = _content_type(response.headers.get("Content-Type"))
    # A 304 has no body but may repeat the original's headers, so they are not checked;
    # its empty body is still read, to leave the connection reusable.
    if response.status != 304:
        _check_before_body(url, response, media_type, options)
    data = _read_body(url, response, options, deadline)
    etag, last_modified = _validators(response, options)
    return Fetched(
        url=url,
        final_url=final_url,
        status=response.status,
        content_type=media_type,
        charset=charset,
        data=data,
        etag=etag,
        last_modified=last_modified,
    )


def _validators(
    response: urllib3.BaseHTTPResponse, options: FetchOptions
) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified to send next time."""
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    # A 304 need not repeat them, and then the ones sent still hold. After a 200 they
    # must not be carried over: they described the old content.
    if response.status == 304:
        etag = etag or options.etag
        last_modified = last_modified or options.last_modified
    return etag, last_modified


def _check_status(
    url: str, final_url: str, response: urllib3.BaseHTTPResponse, options: FetchOptions
) -> None:
    status = response.status
    if 200 <= status < 300:
        return
    # A 304 only makes sense as the answer to a conditional request: otherwise there is
    # no cached copy for the caller to fall back on.
    if status == 304 and (options.etag or options.last_modified):
        return
    where = url if final_url == url else f"{url}: {final_url}"
    raise DatelineError(Code.HTTP_STATUS, f"{where} answered {status}")


def _content_type(header: str | None) -> tuple[str, str | None]:
    """Split 'text/html; charset="UTF-8"' into ("text/html", "utf-8")."""
    if not header:
        return "", None
    media_type, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media_type.strip().lower(), charset


def _check_before_body(
    url: str, response: urllib3.BaseHTTPResponse, media_type: str, options: FetchOptions
) -> None:
    """Refuse what the headers already show to be unwanted, before reading any of the body."""
    # No type at all is accepted: the readers sniff the format from the bytes.
    if media_type and media_type not in ACCEPTED_TYPES:
        raise DatelineError(Code.BAD_CONTENT_TYPE, f"{url} sent {media_type}")
    encodings = _encodings(response.headers.get("Content-Encoding"))
    unknown = [e for e in encodings if e not in _ENCODINGS]
    if unknown:
        raise DatelineError(
            Code.FETCH_FAILED, f"{url} sent an unsupported Content-Encoding: {', '.join(unknown)}"
        )
    declared = _content_length(response.headers.get("Content-Length"))
    # With an encoding the declared length is the compressed size; the streamed cap
    # on the decoded size handles that case.
    if declared is not None and declared > options.max_bytes and not encodings:
        raise DatelineError(
            Code.TOO_LARGE,
            f"{url} declares {declared} bytes, over the limit of {options.max_bytes}",
        )


def _encodings(header: str | None) -> list[str]:
    return [e.strip().lower() for e in (header or "").split(",") if e.strip()]


def _content_length(header: str | None) -> int | None:
    try:
        return int(header) if header else None
    except ValueError:  # a bogus length is ignored: the streamed cap still holds
        return None


def _read_body(
    url: str, response: urllib3.BaseHTTPResponse, options: FetchOptions, deadline: float
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        _bound_next_read(url, response, options, deadline)
        # read1 returns what one socket read gives (a drip cannot stall us inside a big
        # read) and decodes at most this much, so a gzip bomb never inflates in memory.
        chunk = response.read1(min(_CHUNK, options.max_bytes - size + 1))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > options.max_bytes:
            raise DatelineError(
                Code.TOO_LARGE, f"{url}: body over the limit of {options.max_bytes} bytes"
            )
        chunks.append(chunk)


def _bound_next_read(
    url: str, response: urllib3.BaseHTTPResponse, options: FetchOptions, deadline: float
) -> None:
    """Shrink the socket timeout so the next read cannot outlast the deadline."""
    left = _time_left(url, options, deadline)
    sock = getattr(response.connection, "sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(left)


def _time_left(url: str, options: FetchOptions, deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _total_timeout(url, options)
    return min(options.timeout, left)


def _total_timeout(url: str, options: FetchOptions) -> DatelineError:
    return DatelineError(
        Code.TIMEOUT, f"{url}: not done after {options.total_timeout:g} s (total_timeout)"
    )


def _network_error(
    url: str, exc: BaseException, deadline: float, options: FetchOptions
) -> DatelineError:
    """Turn a urllib3 or socket exception into a coded error with a plain message."""
    # NewConnectionError subclasses ConnectTimeoutError in urllib3, so it is tested first.
    if isinstance(exc, NameResolutionError):
        return DatelineError(Code.FETCH_FAILED, f"{url}: host name not found")
    if isinstance(exc, NewConnectionError):
        return DatelineError(Code.FETCH_FAILED, f"{url}: could not connect ({_reason(exc)})")
    if isinstance(exc, (Urllib3Timeout, TimeoutError)):
        if time.monotonic() >= deadline:
            return _total_timeout(url, options)
        return DatelineError(Code.TIMEOUT, f"{url}: no answer within {options.timeout:g} s")
    if isinstance(exc, LocationValueError):
        return DatelineError(Code.FETCH_FAILED, f"{url}: not a valid URL ({exc})")
    if isinstance(exc, SSLError):
        return DatelineError(Code.FETCH_FAILED, f"{url}: TLS failed ({_reason(exc)})")
    if isinstance(exc, DecodeError):
        return DatelineError(Code.FETCH_FAILED, f"{url}: the compressed body is corrupt")
    if isinstance(exc, ProtocolError):
        return DatelineError(Code.FETCH_FAILED, f"{url}: the connection broke off ({_reason(exc)})")
    return DatelineError(Code.FETCH_FAILED, f"{url}: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    """The innermost OS-level reason, e.g. 'connection refused', else the message."""
    cause: BaseException | None = exc
    for _ in range(8):  # bounded: exception chains are short, and could in theory loop
        if cause is None:
            break
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__
