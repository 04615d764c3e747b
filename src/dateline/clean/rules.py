"""Plain-text cleaning: an explicit, ordered list of named rules.

Each rule looks at the lines of one article and removes what is not the story, recording
every removed piece with the rule's name, so nothing disappears without a trace. Rules
only remove whole short lines that match a narrow pattern (or, for the wire dateline, a
prefix): broad line filters also delete real subheads and quotes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from dateline.clean.dates import normalise_date
from dateline.clean.wire import parse_dateline
from dateline.model import Article, Dateline, Removed

SHORT_LINE = 160  # boilerplate lines are short; a long line is prose whatever it starts with


@dataclass
class Lines:
    """The article's lines while rules run; removed lines become None, then are dropped."""

    article: Article
    items: list[str | None]
    removed: list[Removed] = field(default_factory=list)

    def remove(self, index: int, rule: str) -> None:
        text = self.items[index]
        if text is not None:
            self.removed.append(Removed(text=text.strip(), rule=rule))
            self.items[index] = None

    def live(self) -> list[int]:
        """Indexes of the lines still present and not blank."""
        return [i for i, line in enumerate(self.items) if line is not None and line.strip()]


Rule = Callable[[Lines], None]
RULES: list[tuple[str, Rule]] = []


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES.append((name, func))
        return func

    return register


def _matches_line(pattern: re.Pattern[str], lines: Lines, name: str) -> None:
    for i in lines.live():
        line = lines.items[i] or ""
        if len(line) <= SHORT_LINE and pattern.search(line.strip()):
            lines.remove(i, name)


def same_text(a: str, b: str) -> bool:
    """Headline equality that ignores case, width, quote style and spacing."""
    return _fold(a) == _fold(b)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[‘’´`]", "'", text)
    text = re.sub(r"[“”„«»]", '"', text)
    return " ".join(text.split()).strip(" .")


# --- the rules, in the order they run -------------------------------------------------

_AD_SLOT = re.compile(
    r"^(?:\d{2,4}\s*[x×]\s*\d{2,4}|advertisement|advertising|sponsored(?: content)?|"
    r"ad|ads by \w+|scroll to continue(?: with content)?|story continues below(?: advertisement)?)$",
    re.IGNORECASE,
)


@rule("ad_slot")
def ad_slot(lines: Lines) -> None:
    """Ad-slot size labels (``320x50``) and "Advertisement" placeholders."""
    _matches_line(_AD_SLOT, lines, "ad_slot")


# The Yoast SEO / WordPress RSS footer, in the localisations seen on news sites.
_FEED_FOOTERS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^The post (?P<title>.+) (?:appeared first|first appeared) on (?P<site>.+?)\.?$",
        r"^Der Beitrag (?P<title>.+) erschien zuerst auf (?P<site>.+?)\.?$",
        r"^L[’']article (?P<title>.+) est apparu en premier sur (?P<site>.+?)\.?$",
        r"^La entrada (?P<title>.+) se publicó primero en (?P<site>.+?)\.?$",
        r"^O post (?P<title>.+) apareceu primeiro em (?P<site>.+?)\.?$",
        r"^Articolul (?P<title>.+) apare prima dată în (?P<site>.+?)\.?$",
        r"^L[’']articolo (?P<title>.+) sembra essere il primo su (?P<site>.+?)\.?$",
        r"^Het bericht (?P<title>.+) verscheen eerst op (?P<site>.+?)\.?$",
    )
]


@rule("feed_footer")
def feed_footer(lines: Lines) -> None:
    """``The post <title> appeared first on <site>.``: names the headline and the publisher."""
    for i in lines.live():
        line = (lines.items[i] or "").strip()
        for pattern in _FEED_FOOTERS:
            match = pattern.match(line)
            if match and len(line) <= 2 * SHORT_LINE:
                article = lines.article
                article.publisher = article.publisher or match["site"].strip()
                if not article.title:
                    article.title, article.title_source = match["title"].strip(), "feed-footer"
                lines.remove(i, "feed_footer")
                break


_READ_MORE = re.compile(
    r"^(?:read more|read also|also read|see also|related|related articles?|related stories|"
    r"more on this|continue reading|click here to read more|keep reading|recommended)\b.{0,120}$",
    re.IGNORECASE,
)


@rule("read_more")
def read_more(lines: Lines) -> None:
    """Links out of the story: "Read more: …", "Related:", "Continue reading"."""
    _matches_line(_READ_MORE, lines, "read_more")


_SHARE_WORD = (
    r"(?:share(?: this(?: article| story)?)?(?: on)?|tweet|email|e-mail|print|facebook|"
    r"twitter|x|whatsapp|telegram|linkedin|reddit|pinterest|copy link|messenger)"
)
_SHARE = re.compile(rf"^(?:{_SHARE_WORD}[\s:|,/•·]*)+$", re.IGNORECASE)


@rule("share")
def share(lines: Lines) -> None:
    """Share-button labels: lines made only of "Share", "Tweet", network names."""
    _matches_line(_SHARE, lines, "share")


_SUBSCRIBE = re.compile(
    r"^(?:subscribe(?: now)?(?: to| for)?|sign up(?: for| to)?|join our|follow us on|"
    r"get our newsletter|get the latest|download our app)\b.{0,120}$",
    re.IGNORECASE,
)


@rule("subscribe")
def subscribe(lines: Lines) -> None:
    """Newsletter, sign-up and follow-us calls."""
    _matches_line(_SUBSCRIBE, lines, "subscribe")


_COOKIE = re.compile(
    r"(?:we use cookies|this (?:web)?site uses cookies|accept (?:all )?cookies|cookie (?:policy|settings)"
    r"|by continuing to (?:use|browse) this (?:web)?site)",
    re.IGNORECASE,
)


@rule("cookie")
def cookie(lines: Lines) -> None:
    """Cookie banners that leaked into the text."""
    _matches_line(_COOKIE, lines, "cookie")


_CREDIT_AGENCY = (
    r"(?:Getty Images|AFP|AP Photo|AP|Reuters|EPA|Shutterstock|Anadolu(?: Agency)?|Xinhua|TASS)"
)
_PHOTO_CREDIT = re.compile(
    r"^(?:"
    # "Photo: Reuters", "(Image credit: Jane Doe)", "Photo by Jane Doe"
    r"\(?\s*(?:file )?(?:photo|photograph|image|picture|pic|credit|photo credit|image credit)s?"
    r"\s*(?:by\b|:|/|\||–|-)\s*[^\n]{1,100}?\)?"
    # a caption ending in an agency credit: "Protesters in Almaty. / AFP via Getty Images"
    rf"|[^\n]{{0,120}}(?:/|\|)\s*(?:[A-Z][\w.'’-]+\s+){{0,3}}{_CREDIT_AGENCY}(?:\s+via\s+Getty Images)?\)?"
    r"|©\s*[^\n]{1,80}"
    r")$",
    re.IGNORECASE,
)


@rule("photo_credit")
def photo_credit(lines: Lines) -> None:
    """Photo credits: "Photo: Reuters", "(Image credit: …)", "… / AFP via Getty Images"."""
    _matches_line(_PHOTO_CREDIT, lines, "photo_credit")


_BREADCRUMB_SEPARATOR = re.compile(r"\s+[|›»>/]\s+")
_DATED = re.compile(
    r"\b\d{4}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b", re.I
)


@rule("section_line")
def section_line(lines: Lines) -> None:
    """Section breadcrumbs near the top (``World | Asia | 5 January 2022, 18:45``).

    A date among the segments becomes the publication date when nothing else gave one.
    """
    for i in lines.live()[:4]:
        line = (lines.items[i] or "").strip()
        segments = _BREADCRUMB_SEPARATOR.split(line)
        if len(segments) < 3 or len(line) > SHORT_LINE or re.search(r"[.!?]$", line):
            continue
        article = lines.article
        if not article.published:
            # "05 / 02 / 2013" is one date, not three crumbs; a crumb names a date only when
            # it says its year or month ("5 January 2022"), never a bare "05"
            whole = _BREADCRUMB_SEPARATOR.sub("/", line)
            candidates = [whole, *(seg for seg in segments if _DATED.search(seg))]
            dated = next((d for d in map(normalise_date, candidates) if d), None)
            if dated:
                article.published, article.published_source = dated, "text"
        lines.remove(i, "section_line")


@rule("byline")
def byline(lines: Lines) -> None:
    """``By Jane Doe`` (and ``By Jane Doe and John Roe, Reuters``) near the top."""
    pattern = re.compile(
        r"^By\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
        r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})*$"
    )
    for i in lines.live()[:3]:
        line = (lines.items[i] or "").strip()
        if pattern.match(line):
            lines.article.author = lines.article.author or line[3:].strip()
            lines.remove(i, "byline")
            return


@rule("headline")
def headline(lines: Lines) -> None:
    """The headline at the top of the body, and every later copy of it.

    With a title from metadata, lines equal to it go. Without one, the first line is the
    headline when it is short and reads like one (no closing full stop), or is repeated.
    """
    live = lines.live()
    if not live:
        return
    article = lines.article
    first = (lines.items[live[0]] or "").strip()
    if not article.title and len(live) > 1 and _reads_like_headline(first, lines, live):
        article.title, article.title_source = first, "headline-line"
    if not article.title:
        return
    seen = False
    for i in live:
        if same_text(lines.items[i] or "", article.title):
            lines.remove(i, "duplicate_headline" if seen else "headline")
            seen = True


def _reads_like_headline(first: str, lines: Lines, live: list[int]) -> bool:
    if len(first) > SHORT_LINE or len(first.split()) < 2:
        return False
    repeated = any(same_text(lines.items[i] or "", first) for i in live[1:3])
    return repeated or not re.search(r"[.!?…:;,\"”’]$", first)


@rule("wire_dateline")
def wire_dateline(lines: Lines) -> None:
    """``MOSCOW (RIA Novosti):`` opening the body: place, agency and date, then removed."""
    live = lines.live()
    if not live:
        return
    i = live[0]
    line = lines.items[i] or ""
    found = parse_dateline(line.lstrip())
    if found is None:
        return
    lines.article.dateline = Dateline(
        place=found.place, agency=found.agency, date=found.date, raw=found.raw
    )
    if found.agency and not lines.article.origin:
        lines.article.origin = found.agency
    lines.removed.append(Removed(text=found.raw, rule="wire_dateline"))
    lines.items[i] = line.lstrip()[len(found.raw) :].lstrip()


_TAGS = re.compile(
    r"^(?:tags?|tagged(?: with)?|topics?|filed under|categories|keywords)\s*:\s*.+$", re.IGNORECASE
)


@rule("tag_list")
def tag_list(lines: Lines) -> None:
    """Trailing "Tags: a, b, c" and "Filed under: …" lines (only at the end of the text)."""
    for i in reversed(lines.live()):
        line = (lines.items[i] or "").strip()
        if len(line) > 2 * SHORT_LINE or not _TAGS.match(line):
            return
        lines.remove(i, "tag_list")


RULE_NAMES = [name for name, _ in RULES]


def clean_lines(article: Article, text: str) -> tuple[list[str], list[Removed]]:
    """Run every rule in order; return the surviving paragraphs and what was removed."""
    lines = Lines(article=article, items=list(text.split("\n")))
    for _, func in RULES:
        func(lines)
    kept = [" ".join(line.split()) for line in lines.items if line is not None and line.strip()]
    return kept, lines.removed
