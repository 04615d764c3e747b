"""The clean stages: RawItem body -> clean text with title, publisher, origin and dates."""

from __future__ import annotations

import re
from typing import Any

import ftfy

from dateline.clean.dates import normalise_date
from dateline.clean.html import Extracted, extract_page, fragment_to_text
from dateline.clean.rules import clean_lines
from dateline.errors import Code, DatelineError
from dateline.model import Article, Issue, RawItem, article_id
from dateline.pipeline import Context, stage

_WHOLE_PAGE = re.compile(r"<(?:html|body|head)[\s>]", re.IGNORECASE)
# Where a date came from, by the kind of raw item that carried it.
_DATE_SOURCE = {"feed-item": "feed", "warc-record": "warc", "jsonl": "jsonl"}


@stage(
    "extract", requires={"raw"}, sets={"text", "title", "author", "publisher", "published", "url"}
)
def extract(article: Article, ctx: Context) -> Article:
    """Body text and source metadata; for HTML pages, trafilatura's text and page metadata."""
    raw = article.raw
    if raw is None:
        raise DatelineError(Code.INTERNAL, "the extract stage needs the raw item")
    page = _extract_html(raw) if raw.html is not None else None
    text = page.text if page else (raw.text or "")
    article.text = text if not ctx.clean else text.replace("\r\n", "\n").replace("\r", "\n")
    article.url = raw.url or (page.url if page else None)
    _set(article, "title", raw.title, page.title if page else None)
    article.title_source = "metadata" if article.title else None
    _set(article, "author", raw.author, page.author if page else None)
    _set(article, "publisher", raw.publisher, page.publisher if page else None)
    _set_published(article, raw, page, ctx)
    return article


def _extract_html(raw: RawItem) -> Extracted | None:
    html = raw.html or ""
    if raw.kind == "feed-item" or not _WHOLE_PAGE.search(html[:4096]):
        return Extracted(text=fragment_to_text(html))
    page = extract_page(html, raw.url)
    if page is None:
        raise DatelineError(Code.EXTRACTION_FAILED, "no main text found in the HTML page")
    return page


def _set(article: Article, name: str, *candidates: str | None) -> None:
    value = next((c.strip() for c in candidates if c and c.strip()), None)
    setattr(article, name, value)


def _set_published(article: Article, raw: RawItem, page: Extracted | None, ctx: Context) -> None:
    """Source date first (the page's own date beats a WARC crawl date), then --published."""
    candidates: list[tuple[str | None, str]] = [
        (raw.published, _DATE_SOURCE.get(raw.kind, "source")),
        (page.published if page else None, "html-meta"),
        (ctx.published, "given"),
    ]
    if raw.kind == "warc-record":
        candidates[0], candidates[1] = candidates[1], candidates[0]
    for value, where in candidates:
        if not value:
            continue
        normalised = normalise_date(value)
        if normalised:
            article.published, article.published_source = normalised, where
            return
        article.issues.append(Issue(Code.BAD_FIELD.value, f"unreadable date {value!r} ({where})"))


# Repair only: curly quotes, dashes and ligatures are the author's and quote finders need them.
_FTFY: dict[str, Any] = {
    "uncurl_quotes": False,
    "fix_latin_ligatures": False,
    "normalization": "NFC",
}


@stage("unicode", requires={"text"}, sets={"text", "title"})
def repair_unicode(article: Article, ctx: Context) -> Article:
    """Mojibake and HTML entities left in text (ftfy), before any rule reads it."""
    article.text = ftfy.fix_text(article.text, **_FTFY)
    if article.title:
        article.title = ftfy.fix_text(article.title, **_FTFY)
    return article


@stage(
    "boilerplate",
    requires={"text", "title", "publisher"},
    sets={"text", "removed", "title", "publisher", "origin", "dateline", "author"},
)
def boilerplate(article: Article, ctx: Context) -> Article:
    """The ordered rules of ``dateline.clean.rules``; paragraphs rejoined by blank lines."""
    paragraphs, removed = clean_lines(article, article.text)
    article.text = "\n\n".join(paragraphs)
    article.removed.extend(removed)
    return article


@stage("paragraphs", requires={"text"}, sets={"paragraphs"})
def paragraphs(article: Article, ctx: Context) -> Article:
    """Each non-blank line is a paragraph; spans exclude surrounding spaces."""
    article.paragraphs = [m.span() for m in re.finditer(r"[^\s\n](?:[^\n]*[^\s\n])?", article.text)]
    return article


@stage("language", requires={"text"}, sets={"language"})
def language(article: Article, ctx: Context) -> Article:
    """ISO 639-1 code from py3langid; None for texts too short to tell."""
    sample = article.text[:4000]
    if len(sample.split()) < 4:
        article.language = None
        return article
    identifier = ctx.resource("langid", _load_langid)
    article.language = identifier.classify(sample)[0]
    return article


def _load_langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)


@stage("identity", requires={"text", "title"}, sets={"id"})
def identity(article: Article, ctx: Context) -> Article:
    """A stable id from the normalised title and body; an empty body is a reject."""
    if not article.text.strip():
        raise DatelineError(Code.NO_TEXT, "nothing is left of the text after cleaning")
    article.id = article_id(article.title, article.text)
    return article


CLEAN_STAGES = ["extract", "unicode", "boilerplate", "paragraphs", "language", "identity"]
VERBATIM_STAGES = ["extract", "paragraphs", "language", "identity"]
