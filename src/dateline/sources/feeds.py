"""RSS, RDF and Atom feeds -> RawItem; OPML subscription lists -> feed URLs.

Choices, and why:

* feedparser is handed a stream over the bytes, never a ``str`` and never the bare bytes:
  a ``str`` that looks like a URL is fetched, and any other ``str`` *or bytes* is first
  tried as a file name (``open(data)``). A stream is read and nothing else, so parsing
  never touches the network or the file system.
* ``sanitize_html=False``: dateline never renders item HTML, it parses it as data. The
  sanitiser rewrites the publisher's markup (drops elements and attributes it does not
  know), which loses structure the cleaner can use, and costs time. Footers and all are
  kept: removing them is the cleaner's job.
* ``published`` is the date string exactly as the feed wrote it (``published``, else
  ``updated`` - where feedparser puts ``dc:date`` - else ``created``): feedparser's
  ``*_parsed`` values are UTC and lose the original offset.
* Body: the longest of the entry's ``content`` values (``content:encoded`` in RSS) and
  its summary (RSS ``description``); on equal length content wins. HTML-typed bodies go
  to ``html``, ``text/plain`` ones to ``text``; other media types (base64
  ``application/octet-stream``, images) are no body.
* An entry with no body is a ``NO_TEXT`` reject, whether or not it has a title.
* Malformed XML: feedparser falls back to a forgiving parser, so a broken feed often
  still yields its entries. They are yielded and no reject is added for the breakage.
  One ``BAD_FEED`` reject, and nothing else, comes only when no item at all could be
  read and the document is either broken (a fatal ``bozo`` error) or not a feed; any
  empty entries the forgiving parser made of the wreck are dropped with it. A
  well-formed feed with no items yields nothing.
* Nothing raises: a failure of the parser becomes a ``BAD_FEED`` reject, a failure
  while converting one entry an ``INTERNAL`` reject for that entry alone.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import feedparser
from lxml import etree

from dateline.errors import Code, DatelineError, Reject
from dateline.model import RawItem

_SNIFF_BYTES = 4096

# feedparser's names for the content types that carry markup
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_PLAIN_TYPES = frozenset({"text/plain", "text"})

# Atom 1.0, 0.3 and drafts; RSS 1.0 and 0.90 (both RDF). Compared lower-cased.
_ATOM_NAMESPACES = (
    "http://www.w3.org/2005/atom",
    "http://purl.org/atom/ns#",
    # pre-Atom drafts (Echo, Pie, Necho) that feedparser still reads as Atom
    "http://example.com/newformat#",
    "http://example.com/necho",
    "http://purl.org/echo/",
    "http://purl.org/pie/",
)
_RDF_RSS_NAMESPACES = ("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
# BOM-less UTF-16/32 XML still starts with "<", padded with NULs.
_NUL_PATTERNS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
# What may come before the root element: XML declaration, PIs, comments, a DOCTYPE
# (possibly with an internal subset in brackets).
_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S | re.I)
_ROOT_TAG = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_TAG = re.compile(r"<[^>]*>")

# Warnings feedparser raises as "bozo" although the document was read fine.
_HARMLESS_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)

_NO_BODY_HINT = (
    "The feed item has no description, content or summary; fetch its page (the item URL) instead."
)
_BAD_FEED_HINT = (
    "No item could be read from this feed; check that it is RSS, RDF or Atom and not truncated."
)
_MAX_TITLE_IN_MESSAGE = 80


# --- sniffing ---------------------------------------------------------------------------


def _sniff_text(head: bytes) -> str:
    """Decode just enough of the head to read markup, whatever the encoding."""
    head = head[:_SNIFF_BYTES]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "ignore")
    for pattern, encoding in _NUL_PATTERNS:
        if head.startswith(pattern):
            return head.decode(encoding, "ignore")
    # Markup is ASCII in every other encoding a feed uses; latin-1 never fails.
    return head.decode("latin-1")


def _root_tag(text: str) -> str | None:
    """The root element's name (with prefix), or None if the head does not reach it."""
    pos = 0
    while match := _PROLOG_ITEM.match(text, pos):
        pos = match.end()
    root = _ROOT_TAG.match(text, pos)
    return root.group(1) if root else None


def looks_like_feed(head: bytes) -> bool:
    """Whether the first few KB are an RSS, RDF (RSS 0.9/1.0) or Atom feed; OPML is not."""
    text = _sniff_text(head)
    root = _root_tag(text)
    if root is None:
        return False
    name = root.rpartition(":")[2].lower()
    lowered = text.lower()
    if name in ("rss", "channel"):  # RSS 0.9x/2.0; <channel> roots occur in old feeds
        return True
    if name == "rdf":  # RDF is used for more than feeds: require an RSS namespace
        return any(ns in lowered for ns in _RDF_RSS_NAMESPACES)
    if name == "feed":
        return any(ns in lowered for ns in _ATOM_NAMESPACES)
    return False


def looks_like_opml(head: bytes) -> bool:
    """Whether the first few KB are an OPML document."""
    root = _root_tag(_sniff_text(head))
    return root is not None and root.rpartition(":")[2].lower() == "opml"


# --- feeds ------------------------------------------------------------------------------


class _TextCollector(HTMLParser):
    """Markup to plain text for titles; forgiving, as titles are often broken HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _plain_text(markup: str) -> str:
    collector = _TextCollector()
    try:
        collector.feed(markup)
        collector.close()
    except AssertionError:  # html.parser still asserts on some "<![...]>" sections
        return html.unescape(_TAG.sub("", markup))
    return "".join(collector.parts)


def _clean(value: object) -> str | None:
    """A stripped string, or None for anything empty or not a string."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _is_html(content_type: object) -> bool:
    # No type at all: RSS bodies are HTML by convention.
    return not content_type or str(content_type).lower() in _HTML_TYPES


def _is_plain(content_type: object) -> bool:
    return str(content_type or "").lower() in _PLAIN_TYPES


def _title(detail: Mapping[str, Any] | None, fallback: object) -> str | None:
    """A title as plain text: markup stripped, entities decoded, whitespace collapsed."""
    value = detail.get("value") if detail else fallback
    if not isinstance(value, str):
        return None
    if detail is not None and _is_html(detail.get("type")):
        value = _plain_text(value)
    return " ".join(value.split()) or None


@dataclass(frozen=True)
class _Body:
    value: str
    html: bool


def _bodies(entry: Mapping[str, Any]) -> Iterator[_Body]:
    """Every candidate body: the content values first, then the summary."""
    details = list(entry.get("content") or [])
    # Not the bare "summary": without a summary_detail it is feedparser's copy of the
    # content, and it has lost its type.
    if summary := entry.get("summary_detail"):
        details.append(summary)
    for detail in details:
        value = _clean(detail.get("value"))
        kind = detail.get("type")
        if value is None or not (_is_html(kind) or _is_plain(kind)):
            continue
        yield _Body(value, _is_html(kind))


def _best_body(entry: Mapping[str, Any]) -> _Body | None:
    # The longest wins (a full content:encoded over a teaser description); max() keeps
    # the first of equals, and content comes before the summary.
    return max(_bodies(entry), key=lambda b: len(b.value), default=None)


def _raw_date(entry: Mapping[str, Any]) -> str | None:
    for key in ("published", "updated", "created"):
        if value := _clean(entry.get(key)):
            return value
    return None


def _no_body(source: str, position: str, title: str | None) -> Reject:
    if title is None:
        message = "feed item has no title and no body"
    else:
        shown = title[:_MAX_TITLE_IN_MESSAGE] + ("…" if len(title) > _MAX_TITLE_IN_MESSAGE else "")
        message = f"feed item has a title but no body: {shown!r}"
    return Reject.of(source, position, DatelineError(Code.NO_TEXT, message, _NO_BODY_HINT))


def _entry_item(
    source: str, position: str, entry: Mapping[str, Any], publisher: str | None
) -> RawItem | Reject:
    title = _title(entry.get("title_detail"), entry.get("title"))
    body = _best_body(entry)
    if body is None:
        return _no_body(source, position, title)
    return RawItem(
        source=source,
        position=position,
        kind="feed-item",
        text=None if body.html else body.value,
        html=body.value if body.html else None,
        url=_clean(entry.get("link")),
        title=title,
        published=_raw_date(entry),
        publisher=publisher,
        author=_clean(entry.get("author")),
        source_id=_clean(entry.get("id")),
    )


def _parse(data: bytes) -> Any:
    # A stream, not bytes: feedparser tries bytes as a file name before parsing them.
    return feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=True)


def _unreadable(parsed: Mapping[str, Any], data: bytes) -> str | None:
    """Why a feed that gave no item counts as unreadable, or None if it is just empty."""
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(error, _HARMLESS_BOZO):
        return f"malformed feed, no item could be read: {error}"
    # feedparser names no version for CDF channels, and reads some metadata out of any
    # XML (an XHTML page gets a "summary"): the root element decides what is a feed.
    if not parsed.get("version") and not looks_like_feed(data):
        return "not an RSS, RDF or Atom feed: no item could be read"
    return None


def _bad_feed(source: str, message: str) -> Reject:
    return Reject.of(source, "", DatelineError(Code.BAD_FEED, message, _BAD_FEED_HINT))


def read_feed(source: str, data: bytes) -> Iterator[RawItem | Reject]:
    """Yield one RawItem per feed entry, or a Reject saying why it could not be one."""
    if not data.strip():
        yield Reject.of(source, "", DatelineError(Code.EMPTY, "the feed is empty"))
        return
    try:
        parsed = _parse(data)
    except Exception as error:  # the boundary: a parser crash is a bad feed, not ours
        yield _bad_feed(source, f"feed could not be parsed: {type(error).__name__}: {error}")
        return
    results = list(_entry_results(source, parsed))
    if not any(isinstance(r, RawItem) for r in results) and (reason := _unreadable(parsed, data)):
        # The forgiving parser makes empty entries out of broken markup: their NO_TEXT
        # rejects would hide the real fault, so the one BAD_FEED reject replaces them.
        yield _bad_feed(source, reason)
        return
    yield from results


def _entry_results(source: str, parsed: Any) -> Iterator[RawItem | Reject]:
    publisher = _title(parsed.feed.get("title_detail"), parsed.feed.get("title"))
    for number, entry in enumerate(parsed.get("entries") or [], start=1):
        position = f"item {number}"
        try:
            yield _entry_item(source, position, entry, publisher)
        except Exception as error:  # one odd entry must not cost the others
            message = f"feed item could not be converted: {type(error).__name__}: {error}"
            yield Reject.of(source, position, DatelineError(Code.INTERNAL, message))


# --- OPML -------------------------------------------------------------------------------


def _opml_parser() -> etree.XMLParser:
    # No entities, no DTDs, no network: an OPML file is untrusted input.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False
    )


def _outlines(root: Any) -> Iterator[Any]:
    for element in root.iter():
        # Comments and PIs have a non-string tag; names compare without namespace or case.
        if isinstance(element.tag, str) and etree.QName(element).localname.lower() == "outline":
            yield element


def _xml_url(outline: Any) -> str | None:
    for name, value in outline.attrib.items():
        if etree.QName(name).localname.lower() == "xmlurl":
            return _clean(value)
    return None


def _bad_opml(source: str, position: str, message: str) -> Reject:
    return Reject.of(source, position, DatelineError(Code.BAD_OPML, message))


def read_opml(source: str, data: bytes) -> tuple[list[str], list[Reject]]:
    """The feed URLs of an OPML file (every xmlUrl, nested too, first occurrence kept).

    URLs that are not http(s) are rejected rather than returned: whatever fetches them
    next must not be pointed at ``file:`` or other local schemes by a subscription list.
    """
    try:
        root = etree.fromstring(data, _opml_parser())
    except Exception as error:  # recover=True still raises on empty or hopeless input
        return [], [_bad_opml(source, "", f"malformed OPML: {error}")]
    outlines = list(_outlines(root)) if root is not None else []
    if not outlines:
        return [], [_bad_opml(source, "", "no <outline> elements found")]
    urls: dict[str, None] = {}  # a dict keeps insertion order and deduplicates
    seen: set[str] = set()
    rejects: list[Reject] = []
    for number, outline in enumerate(outlines, start=1):
        url = _xml_url(outline)
        if url is None or url in seen:
            continue
        seen.add(url)
        if urlsplit(url).scheme.lower() in ("http", "https"):
            urls[url] = None
        else:
            rejects.append(_bad_opml(source, f"outline {number}", f"not an http(s) URL: {url!r}"))
    if not urls and not rejects:
        rejects.append(_bad_opml(source, "", "no <outline> has an xmlUrl"))
    return list(urls), rejects
