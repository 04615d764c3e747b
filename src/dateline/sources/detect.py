"""Say what an input is from its first bytes, not from its name.

Extensions lie (feeds served as .php, WARC saved as .bin); content does not.
"""

from __future__ import annotations

import re
import zlib

import charset_normalizer

HEAD_BYTES = 65536

GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Detector guesses kept as they are: other scripts, and Central European Latin.
_TRUSTED_GUESSES = frozenset(
    [
        "cp1251",
        "koi8_r",
        "koi8_u",
        "cp866",
        "iso8859_5",
        "mac_cyrillic",
        "cp1253",
        "iso8859_7",
        "cp1255",
        "iso8859_8",
        "cp1256",
        "iso8859_6",
        "cp874",
        "tis_620",
        "shift_jis",
        "cp932",
        "euc_jp",
        "iso2022_jp",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "cp950",
        "euc_kr",
        "cp949",
        "cp1250",
        "iso8859_2",
        "utf_16",
        "utf_32",
        "utf_8",
    ]
)
_XML_DECL_ENCODING = re.compile(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9_.:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_MARKERS = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<article[\s>]|<div[\s>]|<p[\s>]",
    re.IGNORECASE,
)
_FEED_MARKERS = re.compile(
    rb"<rss[\s>]|<rdf:RDF|<feed[\s>][^>]*?Atom|<feed\s+xmlns|<channel[\s>]|purl\.org/rss/1\.0",
    re.IGNORECASE,
)
_OPML_MARKER = re.compile(rb"<opml[\s>]", re.IGNORECASE)


def gunzip_head(data: bytes, limit: int = HEAD_BYTES) -> bytes:
    """The first decompressed bytes of a gzip stream, tolerating a cut-off file."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit)
    except zlib.error:
        return b""


def is_binary(head: bytes) -> bool:
    """NUL bytes or many control characters: not text in any encoding we read."""
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False  # UTF-16 text has NULs by design
    if b"\x00" in head[:8192]:
        return True
    controls = sum(1 for b in head[:8192] if b < 9 or 13 < b < 32)
    return controls / min(len(head), 8192) > 0.05


def detect_kind(head: bytes) -> str:
    """One of: empty, binary, gzip, warc, arc, jsonl, opml, feed, html, text."""
    if not head.strip():
        return "empty"
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    stripped = head.lstrip()
    if stripped.startswith(b"WARC/"):
        return "warc"
    if stripped.startswith(b"filedesc://"):
        return "arc"
    if is_binary(head):
        return "binary"
    for bom, _ in _BOMS:
        if stripped.startswith(bom):
            stripped = stripped[len(bom) :].lstrip()
            break
    if stripped.startswith(b"{"):
        return "jsonl"
    if stripped.startswith(b"<"):
        return _markup_kind(stripped)
    return "text"


def _markup_kind(head: bytes) -> str:
    probe = head[:8192]
    if _OPML_MARKER.search(probe):
        return "opml"
    if _FEED_MARKERS.search(probe) and not re.search(rb"<html[\s>]", probe, re.IGNORECASE):
        return "feed"
    if _HTML_MARKERS.search(head):
        return "html"
    if probe.startswith(b"<?xml"):
        return "feed"  # an XML document that is neither OPML nor HTML: let the feed reader judge
    return "text"


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Bytes to text: BOM, then the declared charset, then UTF-8, then a detector.

    Returns the text and the encoding used. Never fails: the last resort replaces.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    for candidate in (declared, _declared_in(data), "utf-8"):
        if candidate:
            try:
                return data.decode(candidate), candidate.lower()
            except (UnicodeDecodeError, LookupError):
                continue
    best = charset_normalizer.from_bytes(data[:HEAD_BYTES]).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding.lower().replace("-", "_") not in _TRUSTED_GUESSES:
        # On short texts the detector mistakes Latin-1 for Baltic or DOS code pages
        # (cp775, cp1257); Windows-1252 is by far the commonest of those in news.
        encoding = "cp1252"
    return data.decode(encoding, errors="replace"), encoding


def _declared_in(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_DECL_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None
