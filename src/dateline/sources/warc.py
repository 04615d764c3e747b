"""WARC and ARC files -> RawItem: one item per archived HTML page (an HTTP 200 response).

warcio frames the records (WARC or ARC, gzipped or not) and parses their headers. The
HTTP body is decoded here rather than with warcio's ``content_stream()``: that reader
quietly falls back to "not chunked" when chunk sizes are wrong, prints gzip errors to
stderr and returns what it has, and stops without a word when the data runs out, so a
damaged page would come out looking like a whole one. Here every such problem becomes
a coded Reject.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader

from dateline.errors import Code, DatelineError, Reject
from dateline.model import RawItem
from dateline.sources.detect import decode

# warcio ships no type hints; these name what its untyped objects are.
Record = Any  # warcio.recordloader.ArcWarcRecord
Records = Any  # warcio.archiveiterator.ArchiveIterator
Headers = Any  # warcio.statusandheaders.StatusAndHeaders

_BLOCK = 64 * 1024  # bytes read (or inflated) at a time
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# zlib window settings to try, in order. Servers label raw deflate as "deflate" too.
_WBITS: dict[str, tuple[int, ...]] = {
    "gzip": (16 + zlib.MAX_WBITS,),
    "x-gzip": (16 + zlib.MAX_WBITS,),
    "deflate": (zlib.MAX_WBITS, -zlib.MAX_WBITS),
}
_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s]+)""", re.IGNORECASE)
_PLAIN_HTML = re.compile(rb"(?:\xef\xbb\xbf)?\s*<")  # what an HTML body starts with
_HTML_START = re.compile(rb"<(?:html|!doctype\s+html)[\s>]", re.IGNORECASE)
_NO_TEXT_HINT = "The archived page has an empty body; there is nothing to read in it."
_CRAWL_HINT = "The crawler hit a size or time limit (WARC-Truncated); fetch the page again."
_CODING_HINT = "Decode the body with a tool that supports this encoding, or re-crawl without it."
_RECOMPRESS_HINT = (
    "The records are probably fine: rewrite the file with one gzip member per record "
    "(`warcio recompress IN OUT`) and read it again."
)


def read_warc(
    source: str, stream: BinaryIO, *, max_record_bytes: int = 5_000_000
) -> Iterator[RawItem | Reject]:
    """Yield a RawItem per archived HTML page and a Reject per record that went wrong.

    An article is an HTTP 200 ``response`` record (or ARC record) whose Content-Type is
    HTML, or that has no Content-Type and whose body looks like HTML. Other records are
    not articles and are skipped without a trace. An HTML page that is too large or empty
    (or whose HTTP body is broken inside a well-framed record) is rejected and reading goes
    on. A file that cannot be parsed further yields one
    Reject for where it broke, and reading stops; what came before is kept. Never raises.
    """
    position, number, records = "record 1 @ 0", 1, None
    try:
        records = ArchiveIterator(stream, arc2warc=True)
        for number in itertools.count(1):
            # warcio knows where a record starts only until it has read it.
            position = _position(number, records.offset)
            start = records.offset
            record = next(records, None)
            if record is None:
                _check_clean_end(records, start)
                return
            outcome = _read_record(source, position, record, records, max_record_bytes)
            if outcome is not None:
                yield outcome
    except DatelineError as error:
        yield Reject.of(source, position, error)
    except Exception as exc:  # the boundary: a reader turns bad input into a Reject
        # A header that breaks where the data ends was cut, not mangled; but a first
        # line that is no header at all is not an archive, cut or not.
        first_line_bad = number == 1 and isinstance(exc, ArchiveLoadFailed)
        cut = records is not None and not first_line_bad and not _data_left(records)
        yield Reject.of(source, position, _as_error(exc, cut))


def _read_record(
    source: str, position: str, record: Record, records: Records, limit: int
) -> RawItem | Reject | None:
    """One record's outcome; raises DatelineError only when the file cannot be read past it."""
    _check_length(record, records)
    if not _may_be_article(record):
        _finish(record, records)
        return None
    url = _text(record.rec_headers.get_header("WARC-Target-URI"))
    cut_by_crawler = _text(record.rec_headers.get_header("WARC-Truncated"))
    if cut_by_crawler:  # a whole record holding part of a page: skip it, read on
        _finish(record, records)
        message = f"the crawler kept only part of the page {url} ({cut_by_crawler})"
        return Reject.of(source, position, DatelineError(Code.TRUNCATED, message, _CRAWL_HINT))
    coding = _content_coding(record.http_headers)
    if coding is not None and coding not in _WBITS:
        _finish(record, records)
        message = f"the HTML page {url} is compressed with {coding!r}, which dateline cannot decode"
        return Reject.of(source, position, DatelineError(Code.BAD_WARC, message, _CODING_HINT))
    try:
        payload = _take(_body(record, coding), limit + 1)
    except DatelineError as broken_body:
        # If the file itself is cut, _finish raises and reading stops. Otherwise the record
        # is well framed and only its page is broken: reject that page and read on, so one
        # bad page does not cost the rest of a crawl.
        _finish(record, records)
        return Reject.of(source, position, broken_body)
    _finish(record, records)  # before judging the page: a cut-off page is no article
    return _to_item(source, position, record, payload, limit)


def _to_item(
    source: str, position: str, record: Record, payload: bytes, limit: int
) -> RawItem | Reject | None:
    headers = record.http_headers
    url = _text(record.rec_headers.get_header("WARC-Target-URI"))
    if _mime(headers) is None and not _HTML_START.search(payload[:4096]):
        return None  # untyped and not HTML: an image, a script, ...
    if len(payload) > limit:
        message = f"the HTML page {url} is larger than {limit} bytes"
        return Reject.of(source, position, DatelineError(Code.TOO_LARGE, message))
    if not payload.strip():
        message = f"the HTML page {url} has an empty body"
        return Reject.of(source, position, DatelineError(Code.NO_TEXT, message, _NO_TEXT_HINT))
    return RawItem(
        source=source,
        position=position,
        kind="warc-record",
        html=decode(payload, _charset(headers))[0],
        url=url,
        published=_text(record.rec_headers.get_header("WARC-Date")),
    )


# --- which records are articles ---------------------------------------------------


def _may_be_article(record: Record) -> bool:
    """A 200 response whose type is HTML or unknown (then the body is sniffed)."""
    headers = record.http_headers
    if record.rec_type != "response" or not headers:
        return False  # request, metadata, revisit, ..., or a non-HTTP capture (dns:)
    if str(headers.get_statuscode()).strip() != "200":
        return False
    mime = _mime(headers)
    return mime is None or mime in _HTML_TYPES


def _mime(headers: Headers) -> str | None:
    value = _text(headers.get_header("Content-Type"))
    mime = (value or "").split(";")[0].strip().lower()
    return mime or None


def _charset(headers: Headers) -> str | None:
    match = _CHARSET.search(_text(headers.get_header("Content-Type")) or "")
    return match.group(1) if match else None


def _content_coding(headers: Headers) -> str | None:
    """The Content-Encoding to undo, or None; "identity" means none."""
    value = _text(headers.get_header("Content-Encoding")) or ""
    codings = [c.strip().lower() for c in value.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    return ", ".join(codings) or None


def _is_chunked(headers: Headers) -> bool:
    value = _text(headers.get_header("Transfer-Encoding")) or ""
    return "chunked" in (c.strip().lower() for c in value.split(","))


# --- record framing ---------------------------------------------------------------


def _check_length(record: Record, records: Records) -> None:
    """Without a byte count, where the record ends (and the next begins) is unknown."""
    value = _text(record.rec_headers.get_header("Content-Length"))
    if value is not None and re.fullmatch(r"\s*\d+\s*", value, re.ASCII):
        return
    if not _data_left(records):
        raise DatelineError(Code.TRUNCATED, "the file ends inside the headers of a record")
    # warcio reads such a record as empty and would parse its body as the next header.
    message = f"the record's Content-Length is {value!r}, not a byte count"
    raise DatelineError(Code.BAD_WARC, message)


def _finish(record: Record, records: Records) -> None:
    """Skip to the record's end as warcio does, then check it ended where it said."""
    errors_before = records.err_count
    records.read_to_end()  # reads the rest in small blocks; next() will not read it again
    raw = record.raw_stream
    if isinstance(raw, LimitReader) and raw.limit > 0:
        raise _cut_short(records, missing=raw.limit, declared=record.length)
    if records.err_count > errors_before:
        message = (
            "the record is not followed by the blank lines that end a record; "
            "its Content-Length is probably wrong"
        )
        raise DatelineError(Code.BAD_WARC, message)
    decompressor = getattr(records.reader, "decompressor", None)
    if decompressor is not None and not decompressor.eof and records.next_line is None:
        message = "the file ends inside a gzip member, before its end marker"
        raise DatelineError(Code.TRUNCATED, message)


def _check_clean_end(records: Records, start: Any) -> None:
    """warcio ends quietly when the file stops inside a record's headers; notice it."""
    consumed = records.fh.tell() - start if isinstance(start, int) else 0
    if consumed > 0:
        message = f"the file ends inside the headers of a record ({consumed} bytes of it)"
        raise DatelineError(Code.TRUNCATED, message)


def _cut_short(records: Records, missing: int, declared: int) -> DatelineError:
    """The data ran out inside a record: the file is cut, or a gzip member is."""
    decompressor = getattr(records.reader, "decompressor", None)
    if decompressor is not None and decompressor.unused_data:
        message = (
            f"the record's gzip member ends {missing} bytes before the record does "
            f"({declared} bytes declared) and the rest is in the next member; "
            "one record must be one gzip member"
        )
        return DatelineError(Code.BAD_WARC, message, _RECOMPRESS_HINT)
    message = f"the file ends {missing} bytes before the end of this {declared}-byte record"
    return DatelineError(Code.TRUNCATED, message)


def _position(number: int, offset: Any) -> str:
    if isinstance(offset, int) and offset >= 0:
        return f"record {number} @ {offset}"
    return f"record {number}"  # inside a one-stream gzip, warcio's offset goes negative


def _data_left(records: Records) -> bool:
    """Whether data follows the point where reading stopped; if not, the file ends there."""
    try:
        reader = records.reader
        if reader is not None and reader.rem_length() > 0:
            return True  # decoded data not yet read, or another gzip member
        return bool(records.fh.read(1))
    except Exception:  # a stream that cannot say: claim nothing
        return True


def _as_error(exc: Exception, cut: bool) -> DatelineError:
    """Plain words for what warcio (or the file system) raised."""
    text = " ".join(str(exc).split()) or type(exc).__name__  # warcio's messages span lines
    text = text if len(text) <= 200 else text[:200] + "..."  # it quotes whole bad lines
    if isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in text:
        message = (
            "the file is gzipped as one stream instead of one gzip member per record, "
            "which warcio cannot read past the first record"
        )
        return DatelineError(Code.BAD_WARC, message, _RECOMPRESS_HINT)
    if cut or isinstance(exc, EOFError):
        message = f"the file ends inside the headers of a record (warcio: {text})"
        return DatelineError(Code.TRUNCATED, message)
    if isinstance(exc, ArchiveLoadFailed) and "\\x1f\\x8b" in text:
        # warcio reads a gzip member it cannot inflate as plain text: its magic shows
        message = f"a gzip member is corrupt, so the record in it cannot be read ({text})"
        return DatelineError(Code.BAD_WARC, message)
    if isinstance(exc, ArchiveLoadFailed):
        return DatelineError(Code.BAD_WARC, f"a record header could not be parsed: {text}")
    if isinstance(exc, AttributeError) and "startswith" in text:
        # warcio 1.8 fails this way on an HTTP record with no WARC-Target-URI
        message = f"a record that should hold HTTP has no WARC-Target-URI (warcio: {text})"
        return DatelineError(Code.BAD_WARC, message)
    message = f"warcio failed on a malformed record header: {type(exc).__name__}: {text}"
    return DatelineError(Code.BAD_WARC, message)


# --- the HTTP body ----------------------------------------------------------------


def _body(record: Record, coding: str | None) -> Iterator[bytes]:
    """The HTTP body in blocks, de-chunked and decompressed."""
    raw = record.raw_stream
    blocks = _dechunk(raw) if _is_chunked(record.http_headers) else _blocks(raw)
    return _inflate(blocks, coding) if coding else blocks


def _take(blocks: Iterator[bytes], size: int) -> bytes:
    """At most ``size`` bytes; the rest of the body is never read into memory."""
    parts: list[bytes] = []
    taken = 0
    for block in blocks:
        parts.append(block[: size - taken])
        taken += len(parts[-1])
        if taken >= size:
            break
    return b"".join(parts)


def _blocks(raw: Any) -> Iterator[bytes]:
    while block := raw.read(_BLOCK):
        yield bytes(block)


def _dechunk(raw: Any) -> Iterator[bytes]:
    """Undo chunked transfer-encoding; a wrong chunk size is an error, not a guess."""
    first = True
    while True:
        line = bytes(raw.readline(64))
        size = _chunk_size(line)
        if size is None and first:
            # Some crawlers store the body already de-chunked but keep the header.
            yield line
            yield from _blocks(raw)
            return
        if size is None:
            raise _chunk_error(line)
        first = False
        if size == 0:
            return  # trailers, if any, are not part of the page
        yield from _chunk(raw, size)


def _chunk_size(line: bytes) -> int | None:
    digits = line.split(b";")[0].strip()
    if not line.endswith(b"\n") or not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", digits):
        return None
    return int(digits, 16)


def _chunk_error(line: bytes) -> DatelineError:
    if not line.endswith(b"\n") and len(line) < 64:  # the data ran out inside the line
        message = "the chunked HTTP body ends before its last (zero-size) chunk"
        return DatelineError(Code.TRUNCATED, message)
    message = f"the chunked HTTP body has {line[:40]!r} where a chunk size should be"
    return DatelineError(Code.BAD_WARC, message)


def _chunk(raw: Any, size: int) -> Iterator[bytes]:
    remaining = size
    while remaining:
        data = bytes(raw.read(min(remaining, _BLOCK)))
        if not data:
            message = f"the HTTP body ends inside a chunk, {remaining} of its {size} bytes missing"
            raise DatelineError(Code.TRUNCATED, message)
        remaining -= len(data)
        yield data
    end = bytes(raw.read(2))
    if end != b"\r\n":
        if len(end) < 2:
            raise DatelineError(Code.TRUNCATED, "the chunked HTTP body ends after a chunk")
        message = f"a {size}-byte chunk is followed by {end!r}, not CRLF: its size is wrong"
        raise DatelineError(Code.BAD_WARC, message)


def _inflate(blocks: Iterator[bytes], coding: str) -> Iterator[bytes]:
    """Decompress gzip or deflate, at most _BLOCK bytes of output per step: a small
    compressed body can expand a thousandfold, so output is what must be bounded."""
    first = next((block for block in blocks if block), b"")
    if not first:
        return
    if _PLAIN_HTML.match(first):  # no gzip or zlib stream starts like this
        # Not compressed after all: some crawlers (ClueWeb) store the decoded body
        # but keep the Content-Encoding header.
        yield first
        yield from blocks
        return
    decompressor = _decompressor_for(first, coding)
    if decompressor is None:
        message = f"the HTTP body is labelled {coding} but is neither {coding} data nor HTML"
        raise DatelineError(Code.BAD_WARC, message)
    try:
        for block in itertools.chain([first], blocks):
            yield decompressor.decompress(block, _BLOCK)
            while decompressor.unconsumed_tail:  # zlib hands back what it did not take
                yield decompressor.decompress(decompressor.unconsumed_tail, _BLOCK)
        yield decompressor.flush()
    except zlib.error as exc:
        message = f"the {coding}-compressed HTTP body is corrupt: {exc}"
        raise DatelineError(Code.BAD_WARC, message) from exc
    if not decompressor.eof:
        message = f"the {coding}-compressed HTTP body ends before its end marker"
        raise DatelineError(Code.TRUNCATED, message)


def _decompressor_for(block: bytes, coding: str) -> Any:
    """A fresh decompressor whose format the first block fits, or None if none does."""
    for wbits in _WBITS[coding]:
        try:
            zlib.decompressobj(wbits).decompress(block, 1)  # a trial run on a throwaway
        except zlib.error:
            continue
        return zlib.decompressobj(wbits)
    return None


# --- bytes -> text ----------------------------------------------------------------


def _text(value: Any) -> str | None:
    """warcio headers are str or None; keep mypy honest about it."""
    return None if value is None else str(value)
