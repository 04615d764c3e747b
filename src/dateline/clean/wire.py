"""Wire datelines: the ``PLACE, Date (Agency) -`` prefix that opens agency copy.

Styles handled (one regex each, tried in order, anchored at the start of the body):
``MOSCOW (RIA Novosti):``, ``WASHINGTON (Reuters) -``, ``LONDON, Jan 5 (Reuters) -``,
``KYIV —``, ``NEW YORK, NY –``, ``BEIRUT, Lebanon (AP) —``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)"
# An upper-case place: one to four words, letters, dots, apostrophes and hyphens.
_CAPS_PLACE = r"[A-Z][A-Z.'’\-]+(?:\s+[A-Z][A-Z.'’\-]+){0,3}"
# What may follow the place after a comma: a state ("NY", "Calif."), a country ("Lebanon").
_QUALIFIER = r"[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?"
_AGENCY = r"\((?P<agency>[A-Z][^()\n]{1,40})\)"
_DASH = r"(?:--?|–|—|:)"

_DATELINE = re.compile(
    rf"^(?P<place>{_CAPS_PLACE})"
    rf"(?:,\s*(?P<qualifier>(?!{_DATE}){_QUALIFIER}))?"
    rf"(?:,\s*(?P<date>{_DATE}))?"
    rf"\s*(?:{_AGENCY})?"
    rf"\s*{_DASH}\s+"
)


# Upper-case words that open a story the way a place does but are labels, not places.
_NOT_PLACES = frozenset(
    [
        "BREAKING",
        "UPDATE",
        "UPDATED",
        "EXCLUSIVE",
        "WATCH",
        "LIVE",
        "OPINION",
        "ANALYSIS",
        "EDITORIAL",
        "FACTBOX",
        "EXPLAINER",
        "CORRECTED",
        "CORRECTION",
        "REFILE",
        "PHOTOS",
        "VIDEO",
        "ADVERTISEMENT",
        "SPONSORED",
    ]
)


@dataclass(frozen=True)
class WireDateline:
    raw: str  # the prefix as written, separator included
    place: str
    agency: str | None
    date: str | None


def parse_dateline(line: str) -> WireDateline | None:
    """The wire dateline at the start of ``line``, or None."""
    match = _DATELINE.match(line)
    if match is None or not _plausible(match):
        return None
    place = _title_case(match["place"])
    if match["qualifier"]:
        place = f"{place}, {match['qualifier']}"
    return WireDateline(
        raw=match.group(0).rstrip(),
        place=place,
        agency=match["agency"],
        date=match["date"],
    )


def _plausible(match: re.Match[str]) -> bool:
    """A bare ``WORD -`` is also how shouted headlines and list items start: ask for more.

    Without an agency or a date, the place must be a word of three letters or more and the
    separator a dash (``KYIV —``), and the line must go on with a sentence.
    """
    if match["place"].strip(" .-") in _NOT_PLACES:
        return False
    if match["agency"] or match["date"] or match["qualifier"]:
        return True
    letters = re.sub(r"[^A-Z]", "", match["place"])
    return len(letters) >= 3 and not match.group(0).rstrip().endswith(":")


def _title_case(caps: str) -> str:
    """MOSCOW -> Moscow, NEW YORK -> New York, WINSTON-SALEM -> Winston-Salem."""
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), caps.lower())
