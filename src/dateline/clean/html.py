"""HTML to main text and page metadata.

Pages go through trafilatura once, metadata included (doing it twice halves the speed);
feed-item fragments are too short for its boilerplate model and are flattened directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "tr",
    "table",
    "figure",
    "figcaption",
    "pre",
    "header",
    "footer",
    "hr",
}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "form")


@dataclass
class Extracted:
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    publisher: str | None = None
    url: str | None = None


def extract_page(html: str, url: str | None = None) -> Extracted | None:
    """Main text and metadata of a whole page, or None when trafilatura finds no text."""
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except (ValueError, etree.LxmlError):
        return None
    if doc is None:
        return None
    fields = doc if isinstance(doc, dict) else doc.as_dict()
    if not fields.get("text"):
        return None
    return Extracted(
        text=fields["text"],
        title=fields.get("title"),
        author=fields.get("author"),
        published=fields.get("date"),
        publisher=fields.get("sitename"),
        url=fields.get("url"),
    )


def fragment_to_text(html: str) -> str:
    """Flatten an HTML fragment to text, one line per block element, scripts dropped."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html
    for bad in root.iter(*_DROP_TAGS):
        bad.drop_tree()
    parts: list[str] = []
    _flatten(root, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _flatten(element: lxml.html.HtmlElement, parts: list[str]) -> None:
    block = isinstance(element.tag, str) and element.tag in _BLOCK_TAGS
    if block:
        parts.append("\n")
    if element.text and isinstance(element.tag, str):
        parts.append(element.text)
    for child in element:
        _flatten(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")
