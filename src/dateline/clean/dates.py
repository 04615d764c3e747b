"""Publication dates as sources write them -> ISO 8601, keeping the original UTC offset.

Feeds write RFC 822 (``Tue, 04 Jan 2022 10:00:00 +0600``), pages ISO or prose dates.
A bare date stays a date: inventing midnight UTC would move it across time zones.
"""

from __future__ import annotations

import email.utils
import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")


def normalise_date(raw: str | None) -> str | None:
    """ISO form of ``raw`` (date, or datetime with its offset when one was given), or None."""
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    if _DATE_ONLY.match(text):
        return _valid_date(text)
    for parse in (_iso, _rfc822, _free_form):
        value = parse(text)
        if value is not None:
            return value
    return None


def _valid_date(text: str) -> str | None:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _iso(text: str) -> str | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def _rfc822(text: str) -> str | None:
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _free_form(text: str) -> str | None:
    # dateutil fills a missing year (and month) from today: "05" would become this month's
    # 5th. A date that does not say its year is no publication date.
    if not re.search(r"(?<!\d)\d{4}(?!\d)", text):
        return None
    try:
        parsed = dateutil_parser.parse(text, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if not 1900 <= parsed.year <= 2200:
        return None
    value: str = parsed.isoformat() if _HAS_TIME.search(text) else parsed.date().isoformat()
    return value
