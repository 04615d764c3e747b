"""Say what an input is from its first bytes, not from its name.

Extensions lie (feeds served as .php, WARC saved as .bin); content does not.
"""

from __future__ import annotations

import re
import zlib

import charset_normalizer

from dateline.sources.feeds import looks_like_feed, looks_like_opml

HEAD_BYTES = 65536

GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Labels that pages use for a narrower charset than the one browsers decode them with
# (WHATWG Encoding Standard): the narrow Python codec would fail on real pages.
_BROWSER_CODECS = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "tis-620": "cp874",
    "iso-8859-9": "cp1254",
    "big5": "big5hkscs",
}
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
    # The feed reader's own sniffers look at the root element, namespaces included.
    if looks_like_opml(probe):
        return "opml"
    if looks_like_feed(probe):
        return "feed"
    if _HTML_MARKERS.search(head):
        return "html"
    if probe.startswith(b"<?xml"):
        return "feed"  # an XML document that is neither OPML nor HTML: let the feed reader judge
    return "text"


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Bytes to text: BOM, the declared charset (HTTP), UTF-8, the document's own
    declaration (XML or <meta>), then a detector. Each label is tried strictly, so a wrong
    one falls through to the next; UTF-8 goes before the in-document label because pages
    that are valid UTF-8 often still say ISO-8859-1.

    Returns the text and the encoding used. Never fails: the last resort replaces.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    for label in (declared, "utf-8", _declared_in(data)):
        if label:
            codec = _BROWSER_CODECS.get(label.lower(), label)
            try:
                return data.decode(codec), codec.lower()
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
