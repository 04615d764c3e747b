"""Temporal normaliser: time expressions in news text to TimeML values (issue 3, "Times").

Pure functions, regex + ``datetime`` only: it runs on every article, so no NLP models.

``find_anchor`` picks the date relative expressions are resolved against: the publication
date, else the latest full date the text gives, else the latest year it mentions (a
year-only anchor, "2022"). ``find_times`` finds every time expression and resolves it.

How ``find_times`` works:

1. *Candidates*. Each core rule (``_RULES``) is a compiled regex, the words it cannot match
   without (its triggers) and a resolver. One pass of a trie-shaped regex finds the trigger
   words; each rule then runs only in small windows around its own triggers, so a
   10,000-word text costs a few whole-text scans, not one per rule.
2. *Selection*: overlapping candidates are settled longest first.
3. *Resolution* in text order, because some expressions lean on what came before: "a year
   earlier" after "the third quarter" is the year-earlier quarter, "the next day" follows
   the last day named. Weekdays, month names, quarters and holidays without a year look at
   the tense around them (see ``_State.tense``).
4. *Composition*: a resolved core grows over what qualifies it: a part of day ("the night
   of January 5" → 2022-01-05TNI, "Friday morning"), a fuzzy or approximating prefix ("the
   early days of 2022", "nearly two years"), a clock time next to its day ("10 p.m.
   Wednesday"), interval words ("until January 19", "from 1990 to 1995").

Decisions worth knowing (TimeML leaves them open, or ``TimeMention`` cannot say more):

- An interval is one mention: ``value`` is the start, ``end_value`` the end. With an open
  start ("until January 19") both hold the end point; "since 1990" has ``end_value``
  ``PRESENT_REF``.
- A clock time with no day of its own takes the anchor's date when the anchor is a full
  date ("10 p.m." in a dated article), else an unknown day: ``XXXX-XX-XXT07:00``. The dotted
  24-hour form ("from 7.00 to 23.00") is read only as a from/between range, as prices are
  written the same way.
- Fuzzy qualifiers ("the early days of", "late", "mid-") keep the value of what they qualify
  ("2022"); TimeML would add ``mod=START``, which ``TimeMention`` has no field for.
- Parts of day follow TimeML: MO, AF, EV, NI ("Friday night" → ...TNI).
- Decades are ``199``, centuries ``19`` (TimeML 1.2); "a decade" as a duration is P10Y.
- Weekdays: the anchor's own weekday is the anchor day; otherwise past unless the sentence
  points ahead ("will", "is scheduled to", "until").
- With no anchor at all, what needs one gets X placeholders ("XXXX-01-04").
"""

from __future__ import annotations

import calendar
import itertools
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dateline.model import TimeMention

# --- vocabulary --------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ONES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
}  # fmt: skip
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
_PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
_DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5,
    "sixties": 6, "seventies": 7, "eighties": 8, "nineties": 9,
}  # fmt: skip
_ORDINAL_CENTURIES = {
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "twenty-first": 21, "twenty first": 21,
}  # fmt: skip


def _words(items: list[str] | tuple[str, ...]) -> str:
    """An alternation, longest first so that "June" is not cut to "Jun"."""
    return "|".join(sorted((re.escape(w) for w in items), key=len, reverse=True))


def _cased(items: tuple[str, ...]) -> str:
    # Names match case-sensitively (Title or UPPER) inside case-insensitive patterns:
    # lower-case "may", "march" and "sun" are not dates.
    return "(?-i:" + _words(list(items) + [w.upper() for w in items]) + ")"


_MONTH = _cased(_MONTH_NAMES)
_MONTH_ANY = "(?:" + _MONTH + "|" + _cased(_MONTH_ABBR) + r"\.?)"
_WEEKDAY = _cased(_WEEKDAY_NAMES)
_YEAR = r"(?<![\d$£€#.,])(?:1[5-9]\d\d|20\d\d)(?!\d|[.,]\d)"
_DIGIT_WORD = "one|two|three|four|five|six|seven|eight|nine"
_NUM_WORD = "(?:" + _words(list(_TENS)) + f")(?:[-\\s](?:{_DIGIT_WORD}))?|" + _words(list(_ONES))
_NUM = (
    r"(?:(?:\d+(?:\.\d+)?(?:\s+1/2)?|(?:" + _NUM_WORD + r")(?:\s+hundred)?)(?:\s+and\s+a\s+half)?"
    r"|a\s+hundred|(?:a\s+)?couple\s+of|a\s+few|a\s+dozen|several|few|many|some|dozens\s+of|an?)"
)
_UNIT = (
    r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|quarters?|years?"
    r"|decades?|centur(?:y|ies)|millenni(?:um|a))"
)
_UNIT_QUALIFIERS = (
    r"(?:(?:more|additional|further|full|long|straight|consecutive|successive|whole|entire"
    r"|business|trading|working|calendar|fiscal|school)\s+)*"
)
_SPELLED_YEAR = (
    r"(?:nineteen|twenty)\s+(?:hundred(?:\s+and)?\s+)?(?:(?:" + _words(list(_TENS)) + r")"
    rf"(?:[-\s](?:{_DIGIT_WORD}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    rf"|seventeen|eighteen|nineteen|oh[-\s](?:{_DIGIT_WORD}))"
)

_SPACES_OR_HYPHENS = re.compile(r"[-\s]+")
_DECIMAL = re.compile(r"(\d+(?:\.\d+)?)( 1/2)?")
_FIXED_NUMBERS = {"a": 1.0, "an": 1.0, "a couple of": 2.0, "couple of": 2.0, "a dozen": 12.0}
_FIXED_NUMBERS["a hundred"] = 100.0


def _number(text: str) -> float | None:
    """A cardinal as written ("2 1/2", "twenty-four", "a couple of"); None for "several"."""
    s = _SPACES_OR_HYPHENS.sub(" ", text.lower()).strip()
    half = 0.5 if s.endswith(" and a half") else 0.0
    s = s.removesuffix(" and a half")
    if m := _DECIMAL.fullmatch(s):
        return float(m.group(1)) + (0.5 if m.group(2) else 0.0) + half
    if s in _FIXED_NUMBERS:
        return _FIXED_NUMBERS[s] + half
    total = 0
    for word in s.split():
        if word in _ONES:
            total += _ONES[word]
        elif word in _TENS:
            total += _TENS[word]
        elif word == "hundred":
            total = max(total, 1) * 100
        else:
            return None  # few, several, many, some, dozens of: an unknown count
    return float(total) + half


# --- values ------------------------------------------------------------------------------


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _add_months(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _fmt(gran: str, day: date) -> str:
    """``day`` written at granularity Y, H, Q, M, W or D."""
    if gran == "Y":
        return f"{day.year:04d}"
    if gran == "H":
        return f"{day.year:04d}-H{1 if day.month <= 6 else 2}"
    if gran == "Q":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if gran == "M":
        return f"{day.year:04d}-{day.month:02d}"
    if gran == "W":
        return _iso_week(day)
    return day.isoformat()


def _spelled_year_number(text: str) -> int:
    """ "nineteen ninety-six" → 1996, "nineteen oh five" → 1905."""
    words = _SPACES_OR_HYPHENS.sub(" ", text.lower()).replace(" and", "").split()
    century = _ONES.get(words[0]) or _TENS[words[0]]
    rest = [w for w in words[1:] if w not in ("hundred", "oh")]
    return century * 100 + int(_number(" ".join(rest)) or 0)


def _year_month(year: int | None, month: int) -> str:
    return f"{year:04d}-{month:02d}" if year else f"XXXX-{month:02d}"


def _year_month_day(year: int | None, month: int, day: int) -> str:
    return f"{_year_month(year, month)}-{day:02d}"


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


_VALUE_FORMS = (
    (re.compile(r"(\d{4})-(\d\d)-(\d\d)"), "D"),
    (re.compile(r"(\d{4})-(\d\d)"), "M"),
    (re.compile(r"(\d{4})-Q([1-4])"), "Q"),
    (re.compile(r"(\d{4})-H([12])"), "H"),
    (re.compile(r"(\d{4})-W(\d\d)"), "W"),
    (re.compile(r"(\d{4})"), "Y"),
)


def _parse_value(value: str) -> tuple[str, date] | None:
    """A calendar value back to (granularity, its first day), for shifting it."""
    for pattern, gran in _VALUE_FORMS:
        if m := pattern.fullmatch(value):
            year = int(m.group(1))
            n = int(m.group(2)) if gran != "Y" else 1
            try:
                if gran == "D":
                    return gran, date(year, n, int(m.group(3)))
                if gran == "W":
                    return gran, date.fromisocalendar(year, n, 1)
                months_per = {"M": 1, "Q": 3, "H": 6, "Y": 12}[gran]
                return gran, date(year, (n - 1) * months_per + 1, 1)
            except ValueError:
                return None
    return None


def value_days(value: str) -> tuple[date, date] | None:
    """The first and last day a calendar value covers ("2022-01" → January 1 to 31; a day
    with a time or part of day, "2022-01-05TNI", covers that day); None for durations,
    references and values without a calendar span."""
    parsed = _parse_value(value[:10] if _DAY_PREFIX.match(value) else value)
    if parsed is None:
        return None
    gran, first = parsed
    if gran == "D":
        return first, first
    if gran == "W":
        return first, first + timedelta(days=6)
    last_month = first.month + {"M": 1, "Q": 3, "H": 6, "Y": 12}[gran] - 1
    return first, date(first.year, last_month, calendar.monthrange(first.year, last_month)[1])


_DAY_PREFIX = re.compile(r"\d{4}-\d\d-\d\dT")
_FINENESS = {"Y": 0, "H": 1, "Q": 2, "M": 3, "W": 4, "D": 5}
_MONTHS_PER = {"Y": 12, "Q": 3, "M": 1}


def _shift(value: str, unit: str, n: int) -> str | None:
    """Move a calendar value by n units, keeping its granularity ("1989-Q3" -1 Y → "1988-Q3")."""
    parsed = _parse_value(value)
    if parsed is None:
        return None
    gran, day = parsed
    if _FINENESS[gran] < _FINENESS[unit]:
        return None  # "1989" cannot move by days
    if unit in _MONTHS_PER:
        if gran == "W" and unit != "Y":
            return None
        return _fmt(gran, _add_months(day, n * _MONTHS_PER[unit]))
    return _fmt(gran, day + timedelta(days=n * (7 if unit == "W" else 1)))


# unit → (TimeML letter, multiple); "TM" is minutes, to tell them from months.
_UNIT_CODE = {
    "second": ("S", 1), "minute": ("TM", 1), "hour": ("H", 1), "day": ("D", 1),
    "night": ("D", 1), "week": ("W", 1), "fortnight": ("W", 2), "month": ("M", 1),
    "quarter": ("Q", 1), "year": ("Y", 1), "decade": ("Y", 10), "century": ("Y", 100),
    "millennium": ("Y", 1000),
}  # fmt: skip
_UNKNOWN_MANY = {"decade": "E", "century": "C", "millennium": "L"}  # PXE: "decades"
_FINER = {
    "Y": ("M", 12), "Q": ("M", 3), "M": ("D", 30), "W": ("D", 7), "D": ("H", 24),
    "H": ("TM", 60), "TM": ("S", 60),
}  # fmt: skip
_TIME_CODES = ("H", "TM", "S")


def _unit_name(word: str) -> str:
    w = word.lower()
    if w.startswith("centur"):
        return "century"
    if w.startswith("millenni"):
        return "millennium"
    return w.removesuffix("s")


def _duration(n: float | None, unit: str) -> str:
    """P3D, P2Y6M ("2 1/2 years"), PT5H30M, PXY ("years")."""
    code, mult = _UNIT_CODE[unit]
    timed = code in _TIME_CODES
    if n is None:
        letter = "M" if code == "TM" else code
        return "P" + ("T" if timed else "") + "X" + _UNKNOWN_MANY.get(unit, letter)
    n *= mult
    whole = int(n)
    parts = [(whole, code)] if whole or n == whole else []
    if n != whole and code in _FINER:
        sub, factor = _FINER[code]
        parts.append((round((n - whole) * factor), sub))
    date_part = "".join(f"{k}{c}" for k, c in parts if c not in _TIME_CODES)
    time_part = "".join(f"{k}{'M' if c == 'TM' else c}" for k, c in parts if c in _TIME_CODES)
    return "P" + date_part + ("T" + time_part if time_part else "")


def _easter(year: int) -> date:
    """Anonymous Gregorian algorithm."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


_HOLIDAYS: dict[str, Callable[[int], date]] = {
    "christmas eve": lambda y: date(y, 12, 24),
    "christmas": lambda y: date(y, 12, 25),
    "boxing day": lambda y: date(y, 12, 26),
    "new year's eve": lambda y: date(y, 12, 31),
    "new year's day": lambda y: date(y, 1, 1),
    "valentine's day": lambda y: date(y, 2, 14),
    "halloween": lambda y: date(y, 10, 31),
    "independence day": lambda y: date(y, 7, 4),
    "fourth of july": lambda y: date(y, 7, 4),
    "july fourth": lambda y: date(y, 7, 4),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 3, 4),
    "memorial day": lambda y: _nth_weekday(y, 5, 0, -1),
    "labor day": lambda y: _nth_weekday(y, 9, 0, 1),
    "election day": lambda y: _nth_weekday(y, 11, 0, 1) + timedelta(days=1),
    "easter": _easter,
    "good friday": lambda y: _easter(y) - timedelta(days=2),
    "easter monday": lambda y: _easter(y) + timedelta(days=1),
}
_HOLIDAY_ALIASES = {
    "christmas day": "christmas", "thanksgiving day": "thanksgiving", "easter sunday": "easter",
    "new year's": "new year's day",
}  # fmt: skip


# --- anchor ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Anchor:
    text: str | None
    year: int | None
    day: date | None


_ANCHOR_DATE = re.compile(r"\s*(\d{4})-(\d\d)-(\d\d)")
_ANCHOR_YEAR = re.compile(r"\s*(\d{4})")


def _make_anchor(anchor: str | None) -> _Anchor:
    if anchor and (m := _ANCHOR_DATE.match(anchor)):
        day = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day:
            return _Anchor(day.isoformat(), day.year, day)
    if anchor and (m := _ANCHOR_YEAR.match(anchor)):
        return _Anchor(m.group(1), int(m.group(1)), None)
    return _Anchor(None, None, None)


_FULL_DATES = (
    re.compile(
        rf"\b(?P<mon>{_MONTH_ANY})\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>{_YEAR})", re.I
    ),
    re.compile(
        rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_ANY}),?\s+(?P<y>{_YEAR})",
        re.I,
    ),
)
_ISO_DATE = re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d-])")
_BARE_YEAR = re.compile(r"\b" + _YEAR + r"\b")
# A deadline or target ("by 2030", "until 2025") says nothing about when the text was written.
_TARGET_BEFORE = re.compile(
    r"\b(?:by|until|till|before|through|to)\s+(?:the\s+end\s+of\s+)?$", re.I
)


def _month_number(word: str) -> int:
    return _MONTHS[word.lower().rstrip(".")[:3]]


def _not_a_target(text: str, start: int) -> bool:
    return _TARGET_BEFORE.search(text, max(0, start - 30), start) is None


def _full_dates(text: str) -> list[date]:
    days = []
    for pattern in _FULL_DATES:
        for m in pattern.finditer(text):
            day = _safe_date(int(m.group("y")), _month_number(m.group("mon")), int(m.group("d")))
            if day and _not_a_target(text, m.start()):
                days.append(day)
    for m in _ISO_DATE.finditer(text):
        day = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if day and _not_a_target(text, m.start()):
            days.append(day)
    return days


def find_anchor(text: str, published: str | None) -> str | None:
    """The date relative expressions are resolved against.

    ``published`` (ISO date or datetime) → its date "YYYY-MM-DD" (a bare year stays a year).
    Otherwise the latest full date the text gives, else the latest year it mentions, as a
    year-only anchor ("2022"). Dates and years read as deadlines ("by 2030") are skipped.
    None when there is nothing.
    """
    if published and (anchor := _make_anchor(published).text):
        return anchor
    if days := _full_dates(text):
        return max(days).isoformat()
    years = [int(m.group()) for m in _BARE_YEAR.finditer(text) if _not_a_target(text, m.start())]
    return str(max(years)) if years else None


# --- tense -------------------------------------------------------------------------------

# Not after "a.m.", "p.m." or a title: "at 9 a.m. Thursday", "Mr. Smith".
# (The look-behinds follow the punctuation so that the scan can jump from one to the next.)
_SENTENCE_END = re.compile(
    r"[.!?](?<![ap]\.m\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bGen\.)"
    r"(?<!\bSen\.)(?<!\bGov\.)(?<!\bRep\.)(?<!\bvs\.)(?<!\bv\.)(?<!\bJr\.)(?<!\bLt\.)"
    r"(?<!\bCol\.)(?<!\bCapt\.)(?<!\bSgt\.)(?<!\bRev\.)(?<!\bNo\.)"
    r"[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z])|\n\s*\n"
)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# Cues are read word by word: a regex per cue would scan each sentence many times.
_FUTURE_WORDS = frozenset(
    {"will", "shall", "would", "won't", "won’t", "scheduled", "slated", "upcoming"}
)
# "plans to announce", "is to visit", "was due to": a word before "to" that points ahead.
_TO_FUTURE = frozenset({
    "going", "plan", "plans", "planned", "planning", "intend", "intends", "intended", "hope",
    "hopes", "hoped", "want", "wants", "wanted", "expect", "expects", "expected", "set", "due",
    "scheduled", "slated", "is", "are", "was", "were",
})  # fmt: skip
_PAST_WORDS = frozenset({
    "said", "told", "was", "were", "had", "did", "came", "went", "began", "took", "gave", "made",
    "met", "held", "won", "lost", "rose", "fell", "saw", "left", "sent", "spoke", "fought",
    "found", "brought", "bought", "caught", "thought", "got", "ran", "struck", "shot", "became",
    "broke", "chose", "drove", "flew", "grew", "knew", "led", "paid", "sold", "stood", "threw",
    "wrote", "ago", "yesterday", "earlier",
})  # fmt: skip
_NOT_PAST_ED = frozenset({
    "need", "feed", "seed", "speed", "bed", "red", "shed", "hundred", "indeed", "united",
    "scheduled", "expected", "planned", "proposed", "based",
})  # fmt: skip
# A participle after "be" ("will be held") or a determiner ("a still unspecified date") is
# not a past tense.
_NOT_PAST_AFTER = frozenset({
    "be", "been", "being", "to", "a", "an", "the", "this", "its", "his", "her", "their",
    "our", "still", "newly", "recently", "previously", "so", "very", "well", "highly", "widely",
    "fully", "partly", "now", "long",
})  # fmt: skip
# Right before the expression: "since March" is past; "until Tuesday", "by May", "effective
# Feb. 1" are deadlines ahead, unless a past perfect says the deadline has gone.
_PAST_PREP = re.compile(
    r"\b(?:since|ago|last|since\s+(?:(?:shortly|just|soon|right)\s+)?(?:after|before)(?:\s+the)?)\s+"
    r"(?:(?:early|late|mid)[\s-]+)?$",
    re.I,
)
_PAST_PREP_LAST = frozenset(
    {"since", "ago", "last", "early", "late", "mid", "after", "before", "the"}
)
_FUTURE_PREP = re.compile(
    r"\b(?:until|till|through|by|next|coming|effective|as\s+soon\s+as)\s+(?:(?:early|late|mid)[\s-]+)?"
    r"(?:(?:\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?|noon|midnight)\s*(?:[A-Z]{3}\s*)?,?\s*)?$",
    re.I,
)
_FUTURE_PREP_LAST = frozenset({
    "until", "till", "through", "by", "next", "coming", "effective", "as", "early", "late", "mid",
    "noon", "midnight",
})  # fmt: skip
_PAST_PERFECT = re.compile(r"\bhad\b", re.I)
# Between an expression and a cue, these start another clause: "said on Tuesday that it
# would", "will leave Thursday,'' he said".
_CLAUSE_BREAK = re.compile(r"[\"“”;]|''|``|\bthat\b", re.I)


# A present perfect ("have come down", "has been searching") looks back.
_PERFECT_AUX = frozenset({"has", "have", "hasn't", "haven't", "’ve", "'ve"})
_IRREGULAR_PARTICIPLES = frozenset({
    "been", "come", "done", "gone", "seen", "had", "made", "taken", "given", "become", "fallen",
    "risen", "grown", "shown", "known", "won", "lost", "left", "sent", "spent", "held", "kept",
    "met", "paid", "sold", "told", "said", "brought", "bought", "caught", "fought", "found",
    "thought", "begun", "run", "struck", "chosen", "driven", "flown", "written", "stood", "got",
    "gotten", "broken", "spoken", "led", "put", "cut", "set", "hit", "let", "shut", "dropped",
})  # fmt: skip
# A cheap filter before _cue_sign: most words are none of these.
_CUE_WORDS = _FUTURE_WORDS | _PAST_WORDS | _PERFECT_AUX | {"to"}
_CUE_ENDINGS = ("ed", "'ll", "’ll")


def _cue_sign(words: list[tuple[int, int, str]], i: int) -> int:
    """+1 if word i points to the future, -1 to the past, 0 neither."""
    word = words[i][2]
    prev = words[i - 1][2] if i else ""
    to_future = word == "to" and prev in _TO_FUTURE
    if word in _FUTURE_WORDS or word.endswith(("'ll", "’ll")) or to_future:
        if (
            to_future
            and i + 2 < len(words)
            and words[i + 1][2] == "be"
            and words[i + 2][2].endswith("ed")
        ):
            return 0  # "expected to be completed": a passive, no tense
        # "had been scheduled to", "had been due to": a plan in the past.
        return -1 if any(w[2] == "had" for w in words[max(0, i - 3) : i]) else 1
    if word in _PERFECT_AUX:
        nxt = words[i + 1][2] if i + 1 < len(words) else ""
        return -1 if nxt in _IRREGULAR_PARTICIPLES or nxt.endswith("ed") else 0
    if word in _PAST_WORDS or (len(word) > 4 and word.endswith("ed") and word not in _NOT_PAST_ED):
        return 0 if prev in _NOT_PAST_AFTER else -1
    return 0


def _word_before(text: str, pos: int, floor: int = 0) -> str:
    """The word right before ``pos``, lower-cased, skipping spaces and punctuation ("a.m." → "m")."""
    i = pos
    while i > floor and text[i - 1] in " \t\n-,.(":
        i -= 1
    j = i
    while j > floor and text[j - 1].isalpha():
        j -= 1
    return text[j:i].lower()


_OPENING_QUOTES = "\"“‘`'"
_SENTENCE_OPENERS = ".!?:;,(\n"


def _is_title(text: str, start: int, end: int) -> bool:
    """Whether [start, end) is Title Cased inside a sentence: the name of a show or an event
    ("ABC's \"This Week\"", "VOA Today"), not a date."""
    words = _WORD.findall(text, start, end)
    if not words or not all(w[0].isupper() and not w.isupper() for w in words):
        return False
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i > 0 and text[i - 1] in _OPENING_QUOTES:  # a quotation may open a sentence
        i -= 1
        while i > 0 and text[i - 1] in " \t`'\"“‘":
            i -= 1
    return i > 0 and text[i - 1] not in _SENTENCE_OPENERS


# --- resolution state --------------------------------------------------------------------


@dataclass
class _Val:
    """A resolved expression, before it becomes a TimeMention."""

    value: str
    type: str = "DATE"
    gran: str = ""  # Y H Q M W D, T (time), S (season), E C, R (PRESENT_REF...), P, X (set)
    deictic: bool = False  # "today", "a year ago": reporting time, not a narrative reference
    end_value: str | None = None
    anchor: str | None = None  # None: the document's anchor
    clock: bool = False  # a time of day with no day of its own ("10 p.m.", "mid-afternoon")
    # "the nine months", "the first six months": a reporting span that is not a quarter, so
    # what follows ("a year earlier") no longer leans on the quarter named before.
    span: bool = False


def _point(value: str, gran: str, deictic: bool = False, anchor: str | None = None) -> _Val:
    return _Val(value, "TIME" if gran == "T" else "DATE", gran, deictic, anchor=anchor)


def _dur(n: float | None, unit: str) -> _Val:
    return _Val(_duration(n, unit), "DURATION", "P")


def _every(value: str) -> _Val:
    return _Val(value, "SET", "X")


class _State:
    """What resolution needs: the text, its anchor, and what was said before."""

    def __init__(self, text: str, anchor: _Anchor) -> None:
        self.text = text
        self.anchor = anchor
        self.ref_day: date | None = None  # last day named: "the next day" counts from it
        self.ref_period: str | None = None  # last calendar value named, any granularity
        self.ref_quarter: str | None = None  # last quarter or half named
        self.fiscal_quarter: str | None = None  # last quarter named as a fiscal one
        self.fiscal_at = 0  # where it was named
        self._sentences: list[int] | None = None
        self._cues: dict[int, list[tuple[int, int, int]]] = {}

    @property
    def year(self) -> int | None:
        if self.anchor.year:
            return self.anchor.year
        return self.ref_day.year if self.ref_day else None

    def day(self) -> tuple[date | None, str | None]:
        """The day deictic expressions count from: the anchor, else the last day named."""
        if self.anchor.day:
            return self.anchor.day, self.anchor.text
        if self.ref_day:
            return self.ref_day, self.ref_day.isoformat()
        return None, self.anchor.text

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence holding [start, end); the text is split once, when first needed."""
        if self._sentences is None:
            self._sentences = [0] + [m.end() for m in _SENTENCE_END.finditer(self.text)]
        bounds = self._sentences
        i = bisect_right(bounds, start) - 1
        j = bisect_right(bounds, max(start, end - 1))
        return bounds[i], bounds[j] if j < len(bounds) else len(self.text)

    def cues(self, s0: int, s1: int) -> list[tuple[int, int, int]]:
        """The sentence's tense cues as (start, end, sign), found once per sentence."""
        if s0 not in self._cues:
            words = [
                (m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(self.text, s0, s1)
            ]
            self._cues[s0] = [
                (w[0], w[1], sign)
                for i, w in enumerate(words)
                if (w[2] in _CUE_WORDS or w[2].endswith(_CUE_ENDINGS))
                and (sign := _cue_sign(words, i))
            ]
        return self._cues[s0]

    def tense(self, start: int, end: int) -> int:
        """-1 past, +1 future, 0 unknown, for the expression at [start, end).

        A preposition right before it decides ("since", "until"); otherwise the nearest cue
        in the sentence, future cues counting double (their distance is halved): "will"
        governs a whole clause, while the nearest past verb is often in another one.
        """
        s0, s1 = self.sentence(start, end)
        word = _word_before(self.text, start, s0)
        if word in _PAST_PREP_LAST and _PAST_PREP.search(self.text, max(s0, start - 40), start):
            return -1
        if (
            # after a clock time the word before is "m" (a.m.) or a zone ("est")
            (word in _FUTURE_PREP_LAST or len(word) <= 3)
            and _FUTURE_PREP.search(self.text, max(s0, start - 32), start)
            and not _PAST_PERFECT.search(self.text, max(s0, start - 60), min(s1, end + 30))
        ):
            return 1
        best: tuple[float, int] = (1e9, 0)
        for c0, c1, sign in self.cues(s0, s1):
            if start <= c0 < end or _CLAUSE_BREAK.search(self.text, min(c1, end), max(c0, start)):
                continue
            dist = start - c1 if c1 <= start else c0 - end
            weight = dist / 2 if sign > 0 else dist
            if weight < best[0]:
                best = (weight, sign)
        return best[1]


_TENSE_REACH = 240  # days: how far the tense may move a date away from the anchor's year
_NEAR_REACH = 120  # days: with no tense cue, a date this close in the next or last year wins


def _pick_year(st: _State, start: int, end: int, month: int, day: int = 1) -> int | None:
    """The year of a month (and day) named without one.

    The anchor's year, unless the tense points the other way and the same date a year
    earlier or later lies within about half a year ("payable Jan. 2" in November is next
    year's; "since the Oct. 23 shooting" in May is last year's). With no tense cue, a date
    a few months away across the year boundary wins ("January" in a late-October article).
    A year-only anchor gives its year.
    """
    base, _ = st.day()
    if base is None:
        return st.year
    this_year = _safe_date(base.year, month, min(day, 28) if month == 2 else day)
    if this_year is None or abs((this_year - base).days) <= 1:
        return base.year
    tense = st.tense(start, end)
    if tense == 0:
        gap = abs((this_year - base).days)
        for year in (base.year - 1, base.year + 1):
            other = _safe_date(year, month, day)
            if other and abs((other - base).days) <= _NEAR_REACH < gap:
                return year
        return base.year
    other = _safe_date(base.year + tense, month, day)
    pointing_away = (this_year > base) if tense < 0 else (this_year < base)
    if pointing_away and other and abs((other - base).days) <= _TENSE_REACH:
        return base.year + tense
    return base.year


# --- rule registry -----------------------------------------------------------------------

_Resolver = Callable[[re.Match[str], _State], "_Val | None"]


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    resolve: _Resolver
    triggers: frozenset[str]
    reach: tuple[int, int]


_RULES: list[_Rule] = []


def _rule(
    name: str,
    triggers: set[str] | frozenset[str],
    pattern: str,
    reach: tuple[int, int],
    flags: int = re.I,
) -> Callable[[_Resolver], _Resolver]:
    """Register a core rule; its regex is compiled once, here, at import.

    ``triggers``: lower-case words (or number classes "#year", "#clock", ...) one of which
    every match contains. The rule only runs in windows around them, reaching ``reach``
    characters before and after; a match must fit in its window.
    """

    def register(fn: _Resolver) -> _Resolver:
        _RULES.append(_Rule(name, re.compile(pattern, flags), fn, frozenset(triggers), reach))
        return fn

    return register


_T_MONTHS = {m.lower() for m in _MONTH_NAMES + _MONTH_ABBR}
_T_WEEKDAYS = {d.lower() for d in _WEEKDAY_NAMES}
_T_UNITS = {
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "night", "nights",
    "week", "weeks", "fortnight", "fortnights", "month", "months", "quarter", "quarters", "year",
    "years", "decade", "decades", "century", "centuries", "millennium", "millennia",
}  # fmt: skip
_T_PARTS_OF_DAY = {"morning", "afternoon", "evening", "night"}
_T_CALENDAR_UNITS = {"week", "month", "year", "quarter", "half", "decade", "century"}

# --- calendar dates ----------------------------------------------------------------------

_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*[-–]\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?)?"


def _calendar_day(m: re.Match[str], st: _State) -> _Val | None:
    """A month and day, with or without a year; a second day ("January 4-5") ends a range."""
    month, day = _month_number(m.group("mon")), int(m.group("d"))
    if not 1 <= day <= 31:
        return None
    year = int(m.group("y")) if m.group("y") else _pick_year(st, m.start(), m.end(), month, day)
    if year and _safe_date(year, month, day) is None:
        return None
    val = _point(_year_month_day(year, month, day), "D")
    day2 = int(m.group("d2") or 0)
    if day2 > day and _safe_date(year or 2000, month, day2):
        val.end_value = _year_month_day(year, month, day2)
    return val


_rule(
    "month-day",
    _T_MONTHS,
    rf"\b(?:(?P<wd>{_WEEKDAY}),?\s+(?:the\s+)?)?(?P<mon>{_MONTH_ANY})\s+{_DAY}"
    rf"(?!\d|[:.]\d|\s*(?:%|percent|[ap]\.?m\b))(?:,?\s+(?P<y>{_YEAR}))?\b",
    (32, 32),
)(_calendar_day)
_rule(
    "day-month",
    _T_MONTHS,
    rf"\b(?:(?P<wd>{_WEEKDAY}),?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<mon>{_MONTH_ANY})"
    rf"(?:,?\s+(?P<y>{_YEAR}))?\b",
    (40, 24),
)(_calendar_day)


@_rule(
    "iso-date",
    {"#iso"},
    r"(?<![\d-])(?P<y>\d{4})-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?:T(?P<t>[0-2]\d:[0-5]\d))?(?![\d-])",
    (4, 24),
)
def _iso_date(m: re.Match[str], st: _State) -> _Val | None:
    if _safe_date(int(m.group("y")), int(m.group("mo")), int(m.group("d"))) is None:
        return None
    return _point(m.group()[:16], "T") if m.group("t") else _point(m.group(), "D")


@_rule(
    "slash-date",
    {"#slash"},
    r"(?<![\d/])(?P<a>[01]?\d)/(?P<b>[0-3]?\d)/(?P<y>(?:19|20)\d\d|\d\d)(?![\d/])",
    (4, 16),
)
def _slash_date(m: re.Match[str], st: _State) -> _Val | None:
    a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("y"))
    if y < 100:
        y += 1900 if y > 50 else 2000
    day = _safe_date(y, a, b) or _safe_date(y, b, a)  # month first (US style) unless impossible
    return _point(day.isoformat(), "D") if day else None


_REL_YEAR = {"this": 0, "last": -1, "next": 1}


@_rule(
    "month-year",
    _T_MONTHS,
    rf"\b(?P<mon>{_MONTH_ANY}),?\s+(?:of\s+)?(?:(?P<y>{_YEAR})|(?P<sy>{_SPELLED_YEAR})"
    r"|(?P<rel>this|last|next)\s+year)\b",
    (4, 48),
)
def _month_year(m: re.Match[str], st: _State) -> _Val | None:
    """ "May 2021", "March of last year", "January nineteen ninety-seven"."""
    if m.group("sy"):
        year: int | None = _spelled_year_number(m.group("sy"))
    else:
        year = int(m.group("y")) if m.group("y") else st.year
    if year and m.group("rel"):
        year += _REL_YEAR[m.group("rel").lower()]
    return _point(_year_month(year, _month_number(m.group("mon"))), "M")


# A bare "May" is a modal verb unless a preposition or modifier says it is a month.
_MONTH_CONTEXT = re.compile(
    r"\b(?:in|since|until|till|by|of|during|through|from|to|before|after|early|late|mid|end"
    r"|last|next|this|that|between|and|or|for|on|around|about)[\s-]+$",
    re.I,
)


def _could_be_verb(m: re.Match[str], st: _State) -> bool:
    """ "May" (modal) anywhere, "March" (verb) opening a sentence, with no date context."""
    name = m.group("mon").lower()
    if m.group("rel") or name not in ("may", "march"):
        return False
    if _MONTH_CONTEXT.search(st.text, max(0, m.start() - 12), m.start()):
        return False
    return name == "may" or m.start() < 2 or st.text[m.start() - 2] in ".\n"


# "the March for Life", "a March on Washington": a march, not the month.
_MARCH_EVENT = re.compile(r"\s+(?:for|of|on|against|to)\s+(?:the\s+)?(?-i:[A-Z])(?!\w*\s+\d)", re.I)


@_rule(
    "month",
    _T_MONTHS,
    r"\b(?:(?P<rel>last|next|this\s+past|this\s+coming|this|coming)\s+)?"
    r"(?P<mon>" + _MONTH + r"|(?-i:Sept|Jan|Feb|Aug|Oct|Nov|Dec)\.)(?!\s*\d|-)",
    (24, 8),
)
def _month(m: re.Match[str], st: _State) -> _Val | None:
    if _could_be_verb(m, st):
        return None
    if m.group("mon") == "March" and _MARCH_EVENT.match(st.text, m.end()):
        return None
    month = _month_number(m.group("mon"))
    rel = (m.group("rel") or "").lower()
    base, _ = st.day()
    if base is None:
        year = st.year
    elif rel in ("last", "this past"):
        # "last February" said in March means a year ago; the month just gone is "last month".
        year = base.year if month < base.month - 1 else base.year - 1
    elif rel in ("next", "this coming", "coming"):
        year = base.year if month > base.month else base.year + 1
    elif rel == "this":
        year = base.year
    else:
        year = _pick_year(st, m.start(), m.end(), month, 15)
    return _point(_year_month(year, month), "M")


# --- days, weeks and weekdays ------------------------------------------------------------


def _weekday_date(base: date, target: int, direction: int, strict: bool) -> date:
    """The target weekday counted from base, back (-1) or forward (+1).

    Not strict, the base's own weekday is the base day itself.
    """
    if direction < 0:
        back = (base.weekday() - target) % 7
        return base - timedelta(days=back or (7 if strict else 0))
    ahead = (target - base.weekday()) % 7
    return base + timedelta(days=ahead or (7 if strict else 0))


# modifier → (direction, strict, counted from the narrative reference)
_WEEKDAY_MODS = {
    "last": (-1, True, False), "this past": (-1, True, False), "past": (-1, True, False),
    "next": (1, True, False), "this coming": (1, True, False), "coming": (1, True, False),
    "this": (1, False, False), "previous": (-1, True, True), "the previous": (-1, True, True),
    "following": (1, True, True), "the following": (1, True, True),
}  # fmt: skip


@_rule(
    "weekday",
    _T_WEEKDAYS,
    r"\b(?:(?P<rel>last|next|this\s+past|this\s+coming|this|coming|past|the\s+previous|previous"
    r"|the\s+following|following|on)\s+)?(?P<wd>" + _WEEKDAY + r")"
    r"(?:(?P<pl>s)|\s+(?P<pods>morning|afternoon|evening|night)s)?\b"
    r"(?!['’]s\s+\w+\s+(?:newspaper|edition|paper))",
    (24, 40),
)
def _weekday(m: re.Match[str], st: _State) -> _Val | None:
    target = _WEEKDAY_NAMES.index(m.group("wd").title())
    rel = " ".join((m.group("rel") or "").lower().split())
    if m.group("pl") or m.group("pods"):  # "on Mondays", "Tuesday nights"
        part = "T" + _PARTS_OF_DAY[m.group("pods").lower()] if m.group("pods") else ""
        return _every(f"XXXX-WXX-{target + 1}{part}") if rel in ("", "on") else None
    base, used = st.day()
    if base is None:
        return _point("XXXX-XX-XX", "D", deictic=True, anchor=used)
    if rel in _WEEKDAY_MODS:
        direction, strict, narrative = _WEEKDAY_MODS[rel]
        day = _weekday_date(st.ref_day or base if narrative else base, target, direction, strict)
    else:
        day = _weekday_date(base, target, 1 if st.tense(m.start(), m.end()) > 0 else -1, False)
    return _point(day.isoformat(), "D", deictic=True, anchor=used)


_DEICTIC_DAYS = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}


@_rule(
    "deictic-day",
    {"today", "tonight", "yesterday", "tomorrow"} | _T_PARTS_OF_DAY,
    r"\b(?:(?P<w>today|tonight|yesterday|tomorrow)|the\s+day\s+(?P<ba>before\s+yesterday|after\s+tomorrow)"
    r"|this\s+(?P<pod>morning|afternoon|evening)|(?P<last>last)\s+night)\b",
    (24, 16),
)
def _deictic_day(m: re.Match[str], st: _State) -> _Val | None:
    if _is_title(st.text, m.start(), m.end()):
        return None  # "VOA Today", NBC's "Today"
    word = (m.group("w") or "").lower()
    if m.group("ba"):
        offset = -2 if m.group("ba").lower().startswith("before") else 2
    else:
        offset = -1 if m.group("last") else _DEICTIC_DAYS.get(word, 0)
    part = "NI" if word == "tonight" or m.group("last") else ""
    if m.group("pod"):
        part = _PARTS_OF_DAY[m.group("pod").lower()]
    base, used = st.day()
    value = (base + timedelta(days=offset)).isoformat() if base else "XXXX-XX-XX"
    if part:
        return _point(f"{value}T{part}", "T", deictic=True, anchor=used)
    return _point(value, "D", deictic=True, anchor=used)


@_rule(
    "narrative-day",
    {"day"} | _T_PARTS_OF_DAY,
    r"\b(?:the\s+(?P<dir>next|following|previous|preceding)\s+(?P<u>day|morning|night|evening)"
    r"|the\s+(?P<u2>day|night)\s+(?P<dir2>before|after)(?=\s*[,.;]|\s+(?:and|but|when)\b)"
    r"|(?:that|the\s+same)\s+(?P<u3>day|morning|night|evening|afternoon))\b",
    (24, 40),
)
def _narrative_day(m: re.Match[str], st: _State) -> _Val | None:
    """ "the next day", "that night": counted from the last day named."""
    base = st.ref_day or st.anchor.day
    if base is None:
        return None
    word = (m.group("dir") or m.group("dir2") or "").lower()
    offset = 1 if word in ("next", "following", "after") else -1 if word else 0
    unit = (m.group("u") or m.group("u2") or m.group("u3")).lower()
    value = (base + timedelta(days=offset)).isoformat()
    if unit in _PARTS_OF_DAY:
        return _point(f"{value}T{_PARTS_OF_DAY[unit]}", "T", anchor=base.isoformat())
    return _point(value, "D", anchor=base.isoformat())


def _relative_unit(st: _State, unit: str, n: int) -> str:
    """This (n=0), last (-1) or next (+1) week, month, quarter, half, year, decade, century."""
    base, _ = st.day()
    if base is None:
        if st.year is None:
            return {"Y": "XXXX", "E": "XXX", "C": "XX"}.get(unit, "XXXX-XX")
        if unit == "Y":
            return f"{st.year + n:04d}"
        if unit not in ("E", "C"):
            return f"{st.year:04d}-XX" if n == 0 else "XXXX-XX"
        base = date(st.year, 7, 1)
    if unit == "W":
        return _iso_week(base + timedelta(days=7 * n))
    if unit == "E":
        return str(base.year // 10 + n)
    if unit == "C":
        return f"{base.year // 100 + n:02d}"
    return _fmt(unit, _add_months(base, n * {"Y": 12, "H": 6, "Q": 3, "M": 1}[unit]))


_REL_SIGN = {
    "last": -1, "past": -1, "previous": -1, "latest": -1, "next": 1, "coming": 1, "following": 1,
    "this": 0, "current": 0, "present": 0, "same": 0, "that": 0,
}  # fmt: skip
_UNIT_LETTER = {
    "week": "W", "month": "M", "year": "Y", "quarter": "Q", "half": "H", "decade": "E",
    "century": "C",
}  # fmt: skip


@_rule(
    "relative-unit",
    _T_CALENDAR_UNITS,
    r"\b(?P<the>the\s+)?(?P<rel>last|next|this|past|coming|previous|current|present|following"
    r"|same|that|latest)\s+(?:fiscal\s+|calendar\s+)?(?P<u>week|month|year|quarter|half|decade|century)\b"
    r"(?!\s*[-–]?\s*(?:old|long)\b|['’]s\s+(?:first|second|third|fourth)|-|\s+of\b)",
    (28, 40),
)
def _relative(m: re.Match[str], st: _State) -> _Val | None:
    """ "last week" (2022-W01), "this year", "the following month", "the latest quarter"."""
    if _is_title(st.text, m.start(), m.end()):
        return None  # ABC's "This Week"
    rel = m.group("rel").lower()
    unit = _UNIT_LETTER[m.group("u").lower()]
    if rel == "past" and unit in ("E", "C"):
        # "the past decade" runs up to now: ten years, not the 1980s ("the last decade")
        return _dur(1, m.group("u").lower())
    if rel in ("following", "same", "that"):
        # Narrative: counted from the period named last.
        shifted = (
            _shift(st.ref_period, unit, _REL_SIGN[rel]) if st.ref_period and unit in "YQM" else None
        )
        parsed = _parse_value(shifted) if shifted else None
        if parsed:
            return _point(_fmt(unit, parsed[1]), unit)
        if rel == "following" or (rel == "that" and not m.group("the")):
            return None
    if rel == "latest":
        if unit == "Q":
            return _point(_reported_quarter("latest", st), "Q")
        if unit != "Y":
            return None
    return _point(_relative_unit(st, unit, _REL_SIGN[rel]), unit, deictic=unit == "W")


@_rule(
    "the-year",
    {"year"},
    r"\b(?P<pre>of\s+|for\s+|in\s+|during\s+|through\s+|throughout\s+)?"
    r"(?P<core>the\s+(?P<adj>(?:full|current|fiscal|calendar|entire|whole|same)\s+)*year)\b"
    r"(?!\s*[-–]|['’]s|\s+(?:before|earlier|ago|later|after|\d))",
    (56, 24),
)
def _the_year(m: re.Match[str], st: _State) -> _Val | None:
    """ "the year", "the full year", "the fiscal year" are the current year (TimeML reads a
    definite "the year" in news as the year of the text); "the year ended June 30" and
    "throughout the year" are a year's span."""
    adj = (m.group("adj") or "").lower()
    if "same" in adj:
        return None
    pre = (m.group("pre") or "").strip().lower()
    if pre in ("through", "throughout") or _ENDING_AFTER.match(st.text, m.end()):
        return _dur(1, "year")
    return _point(_relative_unit(st, "Y", 0), "Y", deictic=True)


_ENDING_AFTER = re.compile(r"\s+(?:that\s+|which\s+)?(?:ended|ending|ends|to\s+date)\b", re.I)


@_rule(
    "period-edge",
    {"year", "month", "week", "quarter", "decade", "century", "day", "end"},
    r"\b(?:(?:the\s+)?(?:end|close|beginning|start|middle|turn|rest|remainder|balance)\s+of\s+"
    r"(?:the|this)\s+(?P<u>year|month|week|quarter|decade|century)"
    r"|(?P<ye>year[-\s]end|year['’]s\s+end|month[-\s]end)"
    r"|(?:earlier|later|early|late)\s+in\s+the\s+(?P<u2>year|month|week|day))\b",
    (48, 16),
)
def _period_edge(m: re.Match[str], st: _State) -> _Val | None:
    """ "the end of the year", "year-end", "earlier in the week": part of the current unit."""
    edge = (m.group("ye") or "").lower()
    word = m.group("u") or m.group("u2") or ("month" if edge.startswith("month") else "year")
    if word.lower() == "day":
        base, used = st.day()
        return _point(base.isoformat() if base else "XXXX-XX-XX", "D", deictic=True, anchor=used)
    unit = _UNIT_LETTER[word.lower()]
    return _point(_relative_unit(st, unit, 0), unit, deictic=True)


@_rule(
    "weekend",
    {"weekend"},
    r"\b(?P<rel>last|next|this\s+past|this\s+coming|this|coming|the|past)\s+weekend\b",
    (16, 4),
)
def _weekend(m: re.Match[str], st: _State) -> _Val | None:
    """The ISO week of the weekend meant, with -WE: past unless the tense points ahead."""
    base, used = st.day()
    if base is None:
        return _point("XXXX-WXX-WE", "W", anchor=used)
    rel = " ".join(m.group("rel").lower().split())
    if rel in ("last", "this past", "past"):
        direction = -1
    elif rel in ("next", "this coming", "coming"):
        direction = 1
    elif rel == "this" or base.weekday() >= 5:
        direction = 0
    else:
        direction = 1 if st.tense(m.start(), m.end()) > 0 else -1
    saturday = base + timedelta(days=5 - base.weekday())  # this ISO week's Saturday
    if direction < 0 and saturday > base:
        saturday -= timedelta(days=7)
    elif direction > 0 and saturday < base:
        saturday += timedelta(days=7)
    return _point(_iso_week(saturday) + "-WE", "W", deictic=True, anchor=used)


# --- quarters and results reporting ------------------------------------------------------


def _quarter_year(m: re.Match[str], st: _State, unit: str, n: int) -> int | None:
    """The anchor's year, but a quarter after the anchor's one, in the past tense, is last
    year's ("the fourth quarter" in a January article)."""
    base, _ = st.day()
    if base is None:
        return st.year
    current = (base.month - 1) // (3 if unit == "Q" else 6) + 1
    if n > current and st.tense(m.start(), m.end()) < 0:
        return base.year - 1
    return base.year


_OF_A_LONGER_SPAN = re.compile(
    r"\s+of\s+(?:the\s+)?(?:['’]?\d0['’]?s|\d{3}0['’]?s|decade|century|[a-z]+ties)\b", re.I
)


@_rule(
    "quarter",
    {"quarter", "half"},
    r"\b(?:(?:(?P<yp>" + _YEAR + r")|(?P<ypr>this|last|next)\s+year)['’]?s?\s+)?"
    r"(?:(?:the|its|their|this|that)\s+)?(?:(?:fiscal|calendar)[\s-]+)?"
    r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|final|(?:last|latter)(?=\s+(?:quarter|half)\s+of\b))"
    r"(?:[\s-]+(?:fiscal|calendar))?[\s-]+(?P<u>quarter|half)(?!s)"
    rf"(?:\s+(?:of\s+)?(?:(?:fiscal|calendar)\s+)?(?:(?P<ys>{_YEAR})|(?P<ysr>this|last|next|the)\s+year))?\b",
    (64, 48),
)
def _quarter(m: re.Match[str], st: _State) -> _Val | None:
    """ "the third quarter", "third-quarter", "the first half of 2021", "1990's second quarter"."""
    if _OF_A_LONGER_SPAN.match(st.text, m.end()):
        return None  # "the last half of the '80s": a part of the decade, left to _extend
    word = m.group("ord").lower()
    unit = "Q" if m.group("u").lower() == "quarter" else "H"
    n = (4 if unit == "Q" else 2) if word in ("final", "last", "latter") else _ORDINALS[word]
    if unit == "H" and n > 2:
        return None
    rel = (m.group("ypr") or m.group("ysr") or "").lower()
    year: int | None
    if m.group("yp") or m.group("ys"):
        year = int(m.group("yp") or m.group("ys"))
    elif rel in _REL_YEAR and st.year is not None:
        year = st.year + _REL_YEAR[rel]
    else:
        year = _quarter_year(m, st, unit, n)
    value = f"{year:04d}-{unit}{n}" if year else f"XXXX-{unit}{n}"
    # A company's fiscal quarter is named by its own count, whatever month it ends in.
    st.fiscal_quarter = value if unit == "Q" and "fiscal" in m.group().lower() else None
    st.fiscal_at = m.end()
    return _point(value, unit)


@_rule(
    "q-number",
    {"q"},
    r"\b(?P<q>Q[1-4]|[1-4]Q)(?:\s+(?P<y>" + _YEAR + r")|\s*'(?P<yy>\d\d))?\b",
    (4, 16),
    0,
)
def _q_number(m: re.Match[str], st: _State) -> _Val | None:
    """ "Q3 2022", "3Q '89"."""
    n = int(m.group("q").strip("Q"))
    if m.group("y"):
        year: int | None = int(m.group("y"))
    elif m.group("yy"):
        year = int(m.group("yy")) + (1900 if int(m.group("yy")) > 50 else 2000)
    else:
        year = _quarter_year(m, st, "Q", n)
    return _point(f"{year:04d}-Q{n}" if year else f"XXXX-Q{n}", "Q")


_FISCAL_REACH = 600  # characters: how long a fiscal quarter stays the one "the quarter" means
_PERIOD_ADJ = (
    r"latest|same|comparable|corresponding|current|most\s+recent|year-earlier|year-ago|prior-year"
    r"|year-before|previous|fiscal|recent|just-ended|just\s+ended"
)
_YEAR_BACK_ADJ = ("year-earlier", "year-ago", "prior-year", "year-before")
_ENDED = re.compile(
    rf"\s+(?:ended|ending|that\s+ended|which\s+ended)\s+(?P<mon>{_MONTH_ANY})\s+(?P<d>[0-3]?\d)\b"
    rf"(?:,?\s+(?P<y>{_YEAR}))?",
    re.I,
)


@_rule(
    "report-period",
    {"quarter", "period"},
    rf"\b(?:the|that|this|its|their)\s+(?:(?P<yr>{_YEAR})\s+)?(?P<adj>(?:(?:{_PERIOD_ADJ})\s+)*)"
    r"(?P<u>quarter|period)\b"
    r"(?P<ly>\s+(?:a\s+year\s+(?:earlier|ago|before)|last\s+year|of\s+last\s+year|the\s+previous\s+year))?"
    r"(?!\s+(?:of|that|when|in\s+which)\b|-)",
    (64, 64),
)
def _report_period(m: re.Match[str], st: _State) -> _Val | None:
    """ "the quarter", "the latest period", "the year-ago quarter", "the 1988 period".

    The quarter an "ended Sept. 30" right after falls in; else the quarter named last; else
    the last one completed before the anchor.
    """
    adj = " ".join(m.group("adj").lower().split())
    if m.group("u").lower() == "period" and not adj and not m.group("yr"):
        return None  # "the period" alone is too vague
    ended = _ENDED.match(st.text, m.end())
    if (
        st.fiscal_quarter
        and not st.fiscal_quarter.startswith("X")
        and m.start() - st.fiscal_at < _FISCAL_REACH
    ):
        # "the fiscal first quarter ... the quarter ended Sept. 29" is that fiscal quarter.
        ref: str | None = st.fiscal_quarter
    else:
        ref = _ended_quarter(ended, st) if ended else _reported_quarter(adj, st)
    if ref is None or ref.startswith("X"):
        return None
    year_back = bool(m.group("ly")) or any(a in adj for a in _YEAR_BACK_ADJ)
    if m.group("yr"):
        ref = m.group("yr") + ref[4:]
    elif "previous" in adj and not year_back:
        ref = _shift(ref, "Q", -1) or ref
    if year_back:
        ref = _shift(ref, "Y", -1) or ref
    return _point(ref, "Q", deictic=not ended)


def _ended_quarter(ended: re.Match[str], st: _State) -> str | None:
    month, day = _month_number(ended.group("mon")), int(ended.group("d"))
    year = (
        int(ended.group("y"))
        if ended.group("y")
        else _pick_year(st, ended.start("mon"), ended.end(), month, day)
    )
    return f"{year:04d}-Q{(month - 1) // 3 + 1}" if year else None


def _reported_quarter(adj: str, st: _State) -> str:
    if "current" in adj:
        return _relative_unit(st, "Q", 0)
    last_done = _relative_unit(st, "Q", -1)
    ref = st.ref_quarter or last_done
    if ("latest" in adj or "recent" in adj) and ref > last_done and not last_done.startswith("X"):
        return last_done  # the latest quarter has ended: it is not the current one
    return ref


@_rule(
    "year-ago-adj",
    {"year"},
    r"\b(?:year-earlier|year-ago|year-before|prior-year)\b(?!\s+(?:quarter|period)\b)",
    (16, 24),
)
def _year_ago_adj(m: re.Match[str], st: _State) -> _Val | None:
    """ "year-earlier results": the period named last, a year before."""
    ref = st.ref_quarter or st.ref_period
    if ref and (shifted := _shift(ref, "Y", -1)):
        parsed = _parse_value(shifted)
        return _point(shifted, parsed[0] if parsed else "Y", deictic=True)
    return _point(_relative_unit(st, "Y", -1), "Y", deictic=True)


# --- years, decades, centuries, seasons, holidays ----------------------------------------

_NOT_A_YEAR_BEFORE = re.compile(r"(?:No\.|#|\bnumber|\bRoute|\bFlight|\bRoom)\s*$", re.I)
_OLD_YEAR_BEFORE = re.compile(r"\b(?:in|since|of|by|from|until|during)\s+$", re.I)


@_rule(
    "year",
    {"#year"},
    r"\b(?:(?:fiscal|calendar|model)\s+(?:year\s+)?|FY\s*|the\s+year\s+)?(?P<y>" + _YEAR + r")\b"
    # "1,990 troops" has its comma; "2000 people" would not.
    r"(?!\s*(?:%|percent|per\s+cent)|\s*[-–/]\s*\d|['’]?s\b|\s+(?:people|persons|troops|soldiers"
    r"|feet|foot|meters|metres|miles|km|kilometers|kilometres|tons|tonnes|pounds|dollars|euros"
    r"|barrels|shares|points|votes|cases|deaths|units|acres|hectares|men|women|children|hours"
    r"|students|workers|jobs|homes|houses|cars|vehicles|pages|members|employees|rooms|yards"
    r"|residents|refugees|prisoners|marines|sailors|officers|police|delegates|seats|copies)\b)",
    (24, 40),
)
def _year(m: re.Match[str], st: _State) -> _Val | None:
    lead_start = max(0, m.start() - 8)
    if _NOT_A_YEAR_BEFORE.search(st.text, lead_start, m.start()):
        return None  # "No. 1990", "Flight 1549"
    if int(m.group("y")) < 1800 and not _OLD_YEAR_BEFORE.search(st.text, lead_start, m.start()):
        return None  # "1600 Pennsylvania Avenue"; "in 1648" is a year
    return _point(m.group("y"), "Y")


@_rule(
    "year-range",
    {"#year"},
    r"(?<![\d$£€#.,])(?P<a>1[5-9]\d\d|20\d\d)\s*[-–/]\s*(?P<b>\d\d|1[5-9]\d\d|20\d\d)(?!\d|\s*(?:%|percent))",
    (8, 16),
)
def _year_range(m: re.Match[str], st: _State) -> _Val | None:
    """ "1990-95", "2021/22"."""
    a, b = m.group("a"), m.group("b")
    b = a[:2] + b if len(b) == 2 else b
    if not 0 < int(b) - int(a) <= 100:
        return None
    return _Val(a, gran="Y", end_value=b)


_SPELLED_LEAD = re.compile(r"\b(?:in|since|until|by|of)\s+$", re.I)


@_rule(
    "spelled-year",
    {"nineteen", "twenty", "thousand"},
    r"\b(?P<the>the\s+year\s+)?(?:(?P<y>" + _SPELLED_YEAR + r")"
    r"|two\s+thousand(?:\s+and)?(?:\s+(?P<o>" + _DIGIT_WORD + r"|ten))?)\b",
    (24, 48),
)
def _spelled_year(m: re.Match[str], st: _State) -> _Val | None:
    """ "nineteen ninety-six", "the year two thousand" (broadcast transcripts)."""
    if m.group("y"):
        return _point(f"{_spelled_year_number(m.group('y')):04d}", "Y")
    # "two thousand" alone is usually a number.
    if not m.group("the") and not _SPELLED_LEAD.search(st.text, max(0, m.start() - 12), m.start()):
        return None
    return _point(f"{2000 + _ONES.get((m.group('o') or '').lower(), 0):04d}", "Y")


@_rule(
    "decade",
    {"#year", "#decade"} | set(_DECADE_WORDS),
    r"\b(?:the\s+)?(?:(?P<full>1[0-9]\d0|20\d0)['’]?s|['’](?P<short>\d)0['’]?s"
    r"|(?P<word>" + _words(list(_DECADE_WORDS)) + r"))\b",
    (16, 16),
)
def _decade(m: re.Match[str], st: _State) -> _Val | None:
    """ "the 1990s" → 199, "the '80s" and "the eighties" in the anchor's century or the last."""
    if m.group("full"):
        return _point(m.group("full")[:3], "E")
    if m.group("word") and not m.group().lower().startswith("the"):
        return None  # "in her forties" is an age
    digit = int(m.group("short")) if m.group("short") else _DECADE_WORDS[m.group("word").lower()]
    year = st.year or date.today().year
    century = year // 100 - (1 if digit > year // 10 % 10 else 0)
    return _point(f"{century:02d}{digit}", "E")


@_rule(
    "century",
    {"century"},
    rf"\b(?:the\s+)?(?:(?P<n>1\d|2[01]|\d)(?:st|nd|rd|th)|(?P<w>{_words(list(_ORDINAL_CENTURIES))}))"
    r"[\s-]+century\b",
    (40, 4),
)
def _century(m: re.Match[str], st: _State) -> _Val | None:
    n = int(m.group("n")) if m.group("n") else _ORDINAL_CENTURIES[m.group("w").lower()]
    return _point(f"{n - 1:02d}", "C")


_NOT_A_SEASON = re.compile(r"\s+(?:of|in|to|from)\b(?!\s+" + _YEAR + r")", re.I)


@_rule(
    "season",
    set(_SEASONS),
    r"\b(?:(?P<rel>last|this\s+past|this\s+coming|this|next|coming|the|early|late|mid|in)[\s-]+)?"
    r"(?P<s>spring|summer|fall|autumn|winter)\b"
    r"(?:\s+(?:of\s+)?(?:(?P<y>" + _YEAR + r")|(?P<sy>" + _SPELLED_YEAR + r")\b))?",
    (24, 48),
)
def _season(m: re.Match[str], st: _State) -> _Val | None:
    code = _SEASONS[m.group("s").lower()]
    rel = " ".join((m.group("rel") or "").lower().split())
    if m.group("y"):
        return _point(f"{m.group('y')}-{code}", "S")
    if m.group("sy"):
        return _point(f"{_spelled_year_number(m.group('sy')):04d}-{code}", "S")
    if not rel or (code == "FA" and rel in ("in", "early", "late", "mid")):
        return None  # a bare "fall" is a verb
    if rel in ("the", "in") and _NOT_A_SEASON.match(st.text, m.end()):
        return None  # "the fall of Saigon", "the fall in prices"
    base, _ = st.day()
    if base is None:
        return _point(f"{st.year:04d}-{code}" if st.year else f"XXXX-{code}", "S")
    return _point(f"{_season_year(m, st, base, code, rel):04d}-{code}", "S")


def _season_year(m: re.Match[str], st: _State, base: date, code: str, rel: str) -> int:
    started = base.month >= _SEASON_START[code]
    if rel == "last":
        return base.year - 1  # as "last February" is not the month just gone
    if rel == "this past":
        return base.year if base.month >= _SEASON_START[code] + 3 else base.year - 1
    if rel in ("next", "this coming", "coming"):
        return base.year + 1 if started else base.year
    if rel == "this":
        return base.year
    return base.year - 1 if not started and st.tense(m.start(), m.end()) < 0 else base.year


_HOLIDAY_PATTERN = (
    r"christmas(?:\s+(?:eve|day))?|boxing\s+day|new\s+year['’]s(?:\s+(?:eve|day))?"
    r"|valentine['’]s\s+day|halloween|independence\s+day|(?:the\s+)?fourth\s+of\s+july|july\s+fourth"
    r"|thanksgiving(?:\s+day)?|memorial\s+day|labor\s+day|election\s+day|good\s+friday"
    r"|easter(?:\s+(?:sunday|monday))?"
)
_SPACES = re.compile(r"\s+")


@_rule(
    "holiday",
    {"christmas", "boxing", "new", "valentine", "halloween", "independence", "fourth", "july"}
    | {"thanksgiving", "memorial", "labor", "election", "good", "easter"},
    r"\b(?P<h>" + _HOLIDAY_PATTERN + r")\b(?:\s+(?P<y>" + _YEAR + r")|\s+(?P<wk>week)\b)?",
    (16, 24),
)
def _holiday(m: re.Match[str], st: _State) -> _Val | None:
    name = m.group("h")
    if not name[0].isupper() and not name.lower().startswith("the"):
        return None  # "labor day" in lower case is not the holiday's name
    key = _SPACES.sub(" ", name.lower()).replace("’", "'").removeprefix("the ")
    rule = _HOLIDAYS.get(_HOLIDAY_ALIASES.get(key, key))
    if rule is None:
        return None
    base, _ = st.day()
    if m.group("y"):
        year: int | None = int(m.group("y"))
    elif base is None:
        year = st.year
    else:
        tense = st.tense(m.start(), m.end())
        this_year = rule(base.year)
        moved = (tense < 0 and this_year > base) or (tense > 0 and this_year < base)
        # only as far as the tense may reach: a past-tense "Easter" a week before Easter
        # is this year's, its week already begun
        moved = moved and abs((rule(base.year + tense) - base).days) <= _TENSE_REACH
        year = base.year + tense if moved else base.year
    if not year:
        return None
    if m.group("wk"):  # "Easter week", "Christmas week": the ISO week of the day
        return _point(_iso_week(rule(year)), "W")
    return _point(rule(year).isoformat(), "D")


# --- durations, "ago", sets, reference words ---------------------------------------------

_DUR_CORE = rf"(?P<n>{_NUM})\s+{_UNIT_QUALIFIERS}(?P<u>{_UNIT})(?P<half>\s+and\s+a\s+half)?"


def _dur_parts(m: re.Match[str]) -> tuple[float | None, str] | None:
    """(count, unit) of a duration core; None for "a quarter of", "a second time"."""
    unit = _unit_name(m.group("u"))
    n_text = m.group("n").lower()
    if unit in ("quarter", "second") and n_text in ("a", "an", "one"):
        return None
    return _number(n_text + (" and a half" if m.group("half") else "")), unit


# A quantity right before "a year" makes a rate: a number, an amount or a plural noun.
_RATE_BEFORE = re.compile(
    r"(?:\d[\d,.]*%?|million|billion|trillion|thousand|hundred|dozen"
    r"|(?!(?:is|was|has|this|his|its|as|thus|less|always|perhaps|plus|across|unless|whereas|us|yes)\s)"
    r"[a-z]+s)\s+$",
    re.I,
)
_OF_AFTER = re.compile(r"\s+of\b", re.I)


@_rule(
    "duration",
    _T_UNITS,
    r"\b(?:the\s+)?(?:(?P<rel>first|past|last|next|coming|previous|following|final|latest"
    r"|initial|remaining|ensuing|preceding|other)\s+)?" + _DUR_CORE + r"\b"
    r"(?!\s+(?:of\s+age|old)\b|-old)",
    (56, 24),
)
def _duration_rule(m: re.Match[str], st: _State) -> _Val | None:
    """ "three days", "the past two years", "2 1/2 years", "several months"."""
    parts = _dur_parts(m)
    if parts is None:
        return None
    n, unit = parts
    word = m.group("u")
    if word[0].isupper() and not word.isupper() and m.group("n")[0].isdigit():
        return None  # "60 Minutes", "48 Hours": a title
    n_text = m.group("n").lower()
    if n_text in ("some", "many") and unit in ("second", "minute", "day"):
        return None  # "some day", "many minutes" are too loose
    if unit == "quarter" and _OF_AFTER.match(st.text, m.end()):
        return None  # "three quarters of the vote"
    if (
        n_text in ("a", "an")
        and not m.group("rel")
        and _RATE_BEFORE.search(st.text, max(0, m.start() - 30), m.start())
    ):
        return None  # "$2 million a year", "four flights a week": a rate, not a duration
    val = _dur(n, unit)
    val.span = m.group().lower().startswith("the") and unit == "month" and n in (6.0, 9.0)
    return val


# Ages ("a 6-year-old boy") are left out: TimeML does not mark them as durations.
@_rule(
    "duration-adj",
    _T_UNITS,
    r"\b(?P<n>\d+(?:\.\d+)?|" + _NUM_WORD + r"|half|several|multi|many)-"
    r"(?P<u>second|minute|hour|day|night|week|month|quarter|year|decade|century)(?:-long)?\b(?!-old)"
    r"|\b(?P<many>seconds|minutes|hours|days|weeks|months|years|decades|centuries)-long\b"
    r"|\b(?P<one>hour|day|week|month|year|decade|century)-long\b",
    (40, 24),
)
def _duration_adj(m: re.Match[str], st: _State) -> _Val | None:
    """ "a two-year contract", "10-year notes", "a day-long meeting", "decades-long"."""
    if m.group("many"):
        return _dur(None, _unit_name(m.group("many")))
    if m.group("one"):
        return _dur(1, _unit_name(m.group("one")))
    n_text = m.group("n").lower()
    return _dur(0.5 if n_text == "half" else _number(n_text), _unit_name(m.group("u")))


@_rule(
    "bare-units",
    _T_UNITS,
    r"\b(?:for|over|within|in|after|took|take|takes|lasted|lasting|spent|spend)\s+"
    r"(?P<core>(?P<u>seconds|minutes|hours|days|weeks|months|years|decades|centuries))\b"
    r"(?!\s+(?:of|to|ago|earlier|later|before|after)\b)",
    (24, 24),
)
def _bare_units(m: re.Match[str], st: _State) -> _Val | None:
    """ "for years", "within hours": an unknown count ("PXY")."""
    return _dur(None, _unit_name(m.group("u")))


_AGO_GRAN = {
    "year": "Y", "decade": "Y", "century": "Y", "millennium": "Y", "quarter": "Q", "month": "M",
    "week": "W", "fortnight": "W", "day": "D", "night": "D",
}  # fmt: skip


@_rule(
    "ago",
    _T_UNITS,
    r"\b" + _DUR_CORE + r"\s+(?:(?P<dir>ago|earlier|later|from\s+now|hence)\b"
    # "two days before the vote" is a distance from an event; only a bare "before" or "after"
    # ends the phrase ("two days before, ...").
    r"|(?P<dir2>before|after)(?=\s*[,.;:)\"”]|\s*$))",
    (56, 40),
)
def _ago(m: re.Match[str], st: _State) -> _Val | None:
    """ "two days ago", "a year earlier", "five years later", "three weeks from now"."""
    parts = _dur_parts(m)
    if parts is None:
        return None
    n, unit = parts
    direction = (m.group("dir") or m.group("dir2")).lower()
    sign = 1 if direction in ("later", "after", "from now", "hence") else -1
    from_text = direction not in ("ago", "from now", "hence")  # counted from a time the text gives
    if n is None and not from_text:
        return _point("PAST_REF" if sign < 0 else "FUTURE_REF", "R")
    if n is None or (from_text and _UNIT_CODE[unit][0] in ("D", *_TIME_CODES)):
        # "three days later", "a few weeks earlier": counted from an event, not a date the
        # text gives; TimeML keeps the distance.
        return _dur(n, unit)
    return _shifted_point(
        st, unit, int(sign * n * _UNIT_CODE[unit][1]), n * _UNIT_CODE[unit][1], from_text
    )


def _shifted_point(st: _State, unit: str, steps: int, count: float, from_text: bool) -> _Val | None:
    """The anchor (or a period the text named) moved by ``steps`` of the unit's kind."""
    code = _UNIT_CODE[unit][0]
    gran = _AGO_GRAN.get(unit, "D")
    step = code if code in _FINENESS else "D"
    if code in _TIME_CODES:
        steps = 0  # "two hours ago": today
    elif gran == "Y" and count != int(count):
        gran, step, steps = (
            "M",
            "M",
            round(count * 12) * (1 if steps >= 0 else -1),
        )  # "a year and a half ago"
    # "a year earlier", "a year ago" in results reporting: the same period a year before.
    ref = st.ref_quarter if abs(steps) == 1 and step == "Y" else None
    if ref is None and from_text:
        ref = st.ref_period
    if ref and (shifted := _shift(ref, step, steps)):
        parsed = _parse_value(shifted)
        return _point(shifted, parsed[0] if parsed else gran, deictic=True)
    base, used = st.day()
    if base is None:
        if st.year is not None and step == "Y":
            return _point(f"{st.year + steps:04d}", "Y", anchor=used)
        return None
    moved = _parse_value(_shift(base.isoformat(), step, steps) or "")
    return _point(_fmt(gran, moved[1]), gran, deictic=True, anchor=used) if moved else None


_SET_ADVERBS = {
    "daily": "P1D", "nightly": "P1D", "weekly": "P1W", "biweekly": "P2W", "monthly": "P1M",
    "yearly": "P1Y", "hourly": "PT1H", "annually": "P1Y", "semiannually": "P6M",
}  # fmt: skip
# Adverbs only: "quarterly", "annual" are mostly adjectives ("the quarterly dividend").
_RATE_ADVERBS = frozenset({"annually", "semiannually"})


@_rule(
    "set",
    set(_SET_ADVERBS) | {"every", "each", "once", "twice", "times"},
    rf"\b(?:(?:every|each)\s+(?:other\s+|single\s+)?(?:(?P<n>{_NUM})\s+)?"
    rf"(?P<u>{_UNIT}|morning|afternoon|evening|night|{_WEEKDAY}|{_MONTH}|spring|summer|fall|autumn|winter)"
    rf"|(?P<adv>{'|'.join(_SET_ADVERBS)})"
    r"|(?:once|twice|three\s+times|four\s+times)\s+(?:a|per|every|each)\s+(?P<u2>day|week|month|year|quarter|hour))\b",
    (8, 48),
)
def _set(m: re.Match[str], st: _State) -> _Val | None:
    """ "daily", "every two weeks", "each July", "on Mondays" (see weekday), "twice a year"."""
    if m.group("adv"):
        adv = m.group("adv").lower()
        if adv in _RATE_ADVERBS and _RATE_BEFORE.search(st.text, max(0, m.start() - 30), m.start()):
            return None  # "20% annually", "$2 million annually": a rate, as "a year" is
        return _every(_SET_ADVERBS[adv])
    word = m.group("u") or m.group("u2")
    low = word.lower()
    if word.title() in _WEEKDAY_NAMES:
        return _every(f"XXXX-WXX-{_WEEKDAY_NAMES.index(word.title()) + 1}")
    if word.title() in _MONTH_NAMES:
        return _every(f"XXXX-{_MONTH_NAMES.index(word.title()) + 1:02d}")
    if low in _PARTS_OF_DAY:
        return _every(f"XXXX-XX-XXT{_PARTS_OF_DAY[low]}")
    if low in _SEASONS:
        return _every(f"XXXX-{_SEASONS[low]}")
    n = _number(m.group("n")) if m.group("n") else 1.0
    return _every(_duration(n or 1.0, _unit_name(low)))


_ADJECTIVE_AFTER = re.compile(r"\s+[a-z]")


@_rule(
    "ref",
    {"now", "currently", "present", "presently", "nowadays", "days", "moment", "current"}
    | {"recently", "lately", "formerly", "past", "recent", "future", "term", "years", "decades"}
    | {"times", "date"},
    r"\b(?:(?P<present>right\s+now|just\s+now|now|currently|at\s+present|presently|nowadays"
    r"|these\s+days|at\s+the\s+moment|the\s+present(?:\s+time|\s+day)?|current)"
    r"|(?P<past>recently|lately|formerly|recent\s+(?:years|times|decades)"
    r"|(?:in\s+)?the\s+past(?=\s*[,.;]|\s+(?:that|when|and|but|it|he|she|they|we|I|the|has|have|had|was|were|is|are)\b))"
    r"|(?P<future>the\s+(?:near\s+|distant\s+|foreseeable\s+|immediate\s+)?future"
    r"|the\s+(?:near|short|long|medium)\s+term|(?:the\s+)?coming\s+years|a\s+later\s+date))\b(?!-)",
    (28, 24),
)
def _ref(m: re.Match[str], st: _State) -> _Val | None:
    """PRESENT_REF ("now", "currently"), PAST_REF ("recently"), FUTURE_REF ("the future")."""
    if m.group().lower() == "current" and not _ADJECTIVE_AFTER.match(st.text, m.end()):
        return None  # only the adjective: "current talks", not "the current" (a stream)
    value = "PRESENT_REF" if m.group("present") else "PAST_REF" if m.group("past") else "FUTURE_REF"
    return _point(value, "R", deictic=True)


@_rule(
    "soon",
    {"soon"},
    r"(?<!\bas\s)(?<!\btoo\s)(?<!\bhow\s)(?<!\bso\s)\bsoon\b"
    r"(?!\s+(?:after|afterwards?|thereafter|as|enough|to\s+be\b|-))",
    (16, 24),
)
def _soon(m: re.Match[str], st: _State) -> _Val | None:
    """ "will soon begin", "may soon seek": FUTURE_REF; "was soon released" tells no time."""
    if st.tense(m.start(), m.end()) < 0:
        return None
    return _point("FUTURE_REF", "R", deictic=True)


@_rule(
    "recent-units",
    _T_UNITS,
    r"\b(?:in\s+)?(?P<core>(?:the\s+)?(?:recent|coming|past\s+few|last\s+few|next\s+few)\s+(?P<u>days|weeks|months|quarters)"
    r"|(?:the\s+)?(?P<u2>days|weeks|months|years)\s+ahead)\b",
    (32, 24),
)
def _recent_units(m: re.Match[str], st: _State) -> _Val | None:
    """ "recent weeks", "the coming months": an unknown number of units."""
    return _dur(None, _unit_name(m.group("u") or m.group("u2")))


@_rule(
    "over-the-years",
    {"years", "decades", "centuries"},
    r"\b(?:over|through|throughout|down|in)\s+(?P<core>the\s+(?:early\s+|late\s+)?(?P<u>years|decades|centuries))\b"
    r"(?!\s+(?:of|to|ago|before|after)\b)",
    (32, 24),
)
def _over_the_years(m: re.Match[str], st: _State) -> _Val | None:
    return _dur(None, _unit_name(m.group("u")))


# --- clock times -------------------------------------------------------------------------

_HOUR_WORD = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_TZ = r"(?:\s+(?-i:[ECMP][SD]T|GMT|UTC|BST|CET|CEST|MSK|IST|JST|AEST|AEDT|local\s+time))?"
_NOON = {"noon": 12, "midday": 12, "midnight": 24}
_POD_WORD = re.compile(r"morning|afternoon|evening|night", re.I)
_NOT_A_CLOCK_BEFORE = re.compile(r"[\d,]\s*$|\b(?:verse|chapter|ratio)\s*$", re.I)


@_rule(
    "clock",
    {"#clock", "noon", "midnight", "midday", "clock", "morning", "afternoon", "evening"},
    r"\b(?:(?P<h>[01]?\d)(?::(?P<mi>[0-5]\d))?\s*(?P<ap>a\.?\s?m\b\.?|p\.?\s?m\b\.?)"
    r"|(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?!\d|:\d)(?:\s*(?:hours|hrs|h)\b)?"
    rf"|(?<!high\s)(?<!High\s)(?P<noon>noon|midnight|midday)|(?P<hw>{_HOUR_WORD})\s+o['’]clock"
    rf"|(?P<hm>[01]?\d|{_HOUR_WORD})(?:\s+o['’]clock)?\s+in\s+the\s+(?P<half>morning|afternoon|evening)"
    rf"|(?P<pod>(?:mid|early|late)[-\s]?(?:morning|afternoon|evening))){_TZ}",
    (16, 32),
)
def _clock(m: re.Match[str], st: _State) -> _Val | None:
    """ "10:35 a.m.", "22:00", "noon", "four o'clock", "4 in the morning", "mid-afternoon"."""
    if m.group("pod"):
        part = _POD_WORD.search(m.group("pod"))
        return _time_of_day(st, _PARTS_OF_DAY[part.group().lower()]) if part else None
    if m.group("h") is not None:
        hour, minute = int(m.group("h")), int(m.group("mi") or 0)
        if hour > 12:
            return None
        hour = hour % 12 + (12 if m.group("ap").lower().startswith("p") else 0)
    elif m.group("h24") is not None:
        if _NOT_A_CLOCK_BEFORE.search(st.text, max(0, m.start() - 8), m.start()):
            return None  # "3,12:30", "John 3:16"
        hour, minute = int(m.group("h24")), int(m.group("m24"))
    elif m.group("noon"):
        hour, minute = _NOON[m.group("noon").lower()], 0
    elif m.group("hm"):
        hm = m.group("hm").lower()
        hour = (int(hm) if hm.isdigit() else _ONES[hm]) % 12 + (
            0 if m.group("half").lower() == "morning" else 12
        )
        minute = 0
    else:
        hour, minute = _ONES[m.group("hw").lower()], 0
    return _time_of_day(st, f"{hour:02d}:{minute:02d}")


def _time_of_day(st: _State, clock: str) -> _Val:
    # Only a full-date anchor dates a bare clock time: a narrative reference might be a
    # deadline or the end of a range, so the day stays unknown.
    day = st.anchor.day.isoformat() if st.anchor.day else "XXXX-XX-XX"
    return _Val(f"{day}T{clock}", "TIME", "T", deictic=True, clock=True)


_MONEY = re.compile(r"[$£€]")


@_rule(
    "clock-range",
    {"#clock"},
    r"\b(?:from|between)\s+(?P<h1>[01]?\d|2[0-4])[.:](?P<m1>[0-5]\d)\s*(?:h\s*)?(?:to|until|till|and|-|–)\s*"
    r"(?P<h2>[01]?\d|2[0-4])[.:](?P<m2>[0-5]\d)(?:\s*(?:hours|hrs|h)\b)?"
    r"(?!\d|\s*(?:%|percent|per\s+cent|\w+\s+(?:a|per)\s+share|dollars|euros|points|cents)\b)",
    (24, 32),
)
def _clock_range(m: re.Match[str], st: _State) -> _Val | None:
    """ "from 7.00 to 23.00", "between 22:00 and 06:00"."""
    if _MONEY.search(m.group()):
        return None
    start = _time_of_day(st, f"{int(m.group('h1')):02d}:{m.group('m1')}")
    start.end_value = _time_of_day(st, f"{int(m.group('h2')):02d}:{m.group('m2')}").value
    return start


# --- composition -------------------------------------------------------------------------

# Each look-behind pattern ends with "$" and is tried only when the word before the mention
# is one it can end with: a "$"-anchored search tries every position of its window, too slow
# to run before every mention.
_POD_BEFORE = re.compile(
    r"(?:the\s+)?(?:early\s+|late\s+)?(?P<pod>morning|afternoon|evening|night)\s+of\s+$", re.I
)
_POD_BEFORE_LAST = frozenset({"of"})
_POD_AFTER = re.compile(
    r"(?:\s+|\s*-\s*)(?P<pod>morning|afternoon|evening|night)\b(?!['’]s\s)", re.I
)
_FUZZY_BEFORE = re.compile(
    r"(?:the\s+)?(?:"
    r"(?:very\s+)?(?:early|earliest|first|last|final|closing|late|latter|opening|middle|waning|dying)\s+"
    r"(?:days|weeks|months|years|hours|part|stages?|half|decades?)\s+of\s+(?:the\s+)?"
    r"|(?:beginning|start|end|middle|close|turn|dawn|spring)\s+of\s+(?:the\s+)?"
    r"|(?:very\s+)?(?:early|late|earlier|later|mid|middle)[\s-]+"
    r")$",
    re.I,
)
_FUZZY_BEFORE_LAST = frozenset({"of", "the", "early", "late", "earlier", "later", "mid", "middle"})
_OF_THE_END = re.compile(r"of\s+(?:the\s+)?$", re.I)
_APPROX_BEFORE = re.compile(
    r"(?:about|around|approximately|roughly|nearly|almost|some|at\s+least|at\s+most|more\s+than"
    r"|less\s+than|fewer\s+than|over|under|up\s+to|no\s+more\s+than|no\s+less\s+than|just|only"
    r"|within|another|an\s+additional|a\s+further|barely|close\s+to|upwards\s+of)\s+$",
    re.I,
)
_APPROX_BEFORE_LAST = frozenset({
    "about", "around", "approximately", "roughly", "nearly", "almost", "some", "least", "most",
    "than", "over", "under", "to", "just", "only", "within", "another", "additional", "further",
    "barely", "of",
})  # fmt: skip
# Before a point only words that keep it a point ("about 1990", not "over 1990").
_APPROX_POINT = ("about", "around", "nearly", "almost", "roughly", "approx")
_UNTIL_BEFORE = re.compile(r"(?P<w>until|till|til|up\s+until|through|since)\s+$", re.I)
_UNTIL_BEFORE_LAST = frozenset({"until", "till", "til", "through", "since"})
_RANGE_FROM = re.compile(r"(?P<w>from|between)\s+$", re.I)
_RANGE_FROM_LAST = frozenset({"from", "between"})
_RANGE_JOIN = re.compile(r"\s*(?:to|until|till|through|and|-|–|—)\s*", re.I)
_JOIN_TIME_DAY = re.compile(r",?\s+(?:on\s+)?", re.I)
_JOIN_DAY_TIME = re.compile(r",?\s+(?:at|around|about|from|by)?\s*", re.I)

_CALENDAR_GRANS = frozenset("YHQMWDSEC")
_POINT_GRANS = frozenset("YHQMWDSECT")
_PART_OF_DAY_END = ("TMO", "TAF", "TEV", "TNI")


@dataclass
class _Hit:
    start: int
    end: int
    val: _Val


def _lookbehind(
    pattern: re.Pattern[str], last_words: frozenset[str], text: str, start: int, floor: int
) -> re.Match[str] | None:
    """``pattern`` (anchored with ``$``) against the text just before ``start``."""
    if _word_before(text, start, floor) not in last_words:
        return None
    return pattern.search(text, max(floor, start - 60), start)


def _extend(hits: list[_Hit], text: str) -> None:
    """Grow each resolved core over its qualifiers, never into a neighbour."""
    for i, hit in enumerate(hits):
        floor = hits[i - 1].end if i else 0
        ceiling = hits[i + 1].start if i + 1 < len(hits) else len(text)
        gran = hit.val.gran
        if gran == "D":
            _week_of(hit, text, floor)
        if hit.val.gran == "D":
            _add_part_of_day(hit, text, floor, ceiling)
        if gran in _CALENDAR_GRANS or hit.val.value.endswith(_PART_OF_DAY_END):
            fuzzy = _lookbehind(_FUZZY_BEFORE, _FUZZY_BEFORE_LAST, text, hit.start, floor)
            # "the end of" a day is left to the part-of-day rule.
            if fuzzy and not (gran == "D" and _OF_THE_END.search(fuzzy.group())):
                hit.start = fuzzy.start()
        if gran == "P":
            _duration_range(hit, text, floor)
        if gran in ("P", "D", "M", "Y", "R", "T"):
            approx = _lookbehind(_APPROX_BEFORE, _APPROX_BEFORE_LAST, text, hit.start, floor)
            if approx and (gran in ("P", "T") or approx.group().lower().startswith(_APPROX_POINT)):
                hit.start = approx.start()


_RANGE_LOW = re.compile(rf"(?P<n>\b(?:{_NUM}))\s*(?:to|-|–)\s*$", re.I)
_DURATION_VALUE = re.compile(r"^P(T?)(\d+(?:\.\d+)?)([A-Z])$")


def _duration_range(hit: _Hit, text: str, floor: int) -> None:
    """ "two to three weeks", "12 to 18 months": the low end takes the unit; the range is
    one mention, value the low end, end_value the high end (TimeML marks two)."""
    high = _DURATION_VALUE.match(hit.val.value)
    if high is None or hit.val.end_value is not None or not text[hit.start].isalnum():
        return
    if text[hit.start : hit.start + 4].lower() == "the ":
        return
    found = _RANGE_LOW.search(text, max(floor, hit.start - 30), hit.start)
    low = _number(found.group("n")) if found else None
    if found is None or low is None or low >= float(high.group(2)):
        return
    count = int(low) if low == int(low) else low
    hit.val.end_value = hit.val.value
    hit.val.value = f"P{high.group(1)}{count}{high.group(3)}"
    hit.start = found.start("n")


_WEEK_OF = re.compile(r"(?:the\s+)?week\s+of\s+$", re.I)


def _week_of(hit: _Hit, text: str, floor: int) -> None:
    """ "the week of March 6": the ISO week holding that day."""
    found = _lookbehind(_WEEK_OF, frozenset({"of"}), text, hit.start, floor)
    parsed = _parse_value(hit.val.value) if found else None
    if found and parsed and parsed[0] == "D" and hit.val.end_value is None:
        hit.val.value, hit.val.gran = _iso_week(parsed[1]), "W"
        hit.start = found.start()


def _add_part_of_day(hit: _Hit, text: str, floor: int, ceiling: int) -> None:
    """ "Friday morning", "the night of January 5"."""
    after = _POD_AFTER.match(text, hit.end, ceiling)
    before = _lookbehind(_POD_BEFORE, _POD_BEFORE_LAST, text, hit.start, floor)
    for found in (after, before):
        if found:
            hit.val.value = f"{hit.val.value}T{_PARTS_OF_DAY[found.group('pod').lower()]}"
            hit.val.type, hit.val.gran = "TIME", "T"
            hit.start, hit.end = min(hit.start, found.start()), max(hit.end, found.end())
            return


def _merge_clock_and_day(hits: list[_Hit], text: str) -> list[_Hit]:
    """ "10 p.m. Wednesday", "Friday at 9 a.m.", "mid-afternoon yesterday": one TIME."""
    out: list[_Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev and _clock_day_pair(prev, hit, text):
            clock, day = (prev, hit) if prev.val.clock else (hit, prev)
            time_part = clock.val.value.split("T", 1)[1]
            day_value = day.val.value.split("T", 1)[0]
            prev.val = _Val(
                f"{day_value}T{time_part}", "TIME", "T", deictic=True, anchor=day.val.anchor
            )
            prev.end = hit.end
        else:
            out.append(hit)
    return out


# "10:35 a.m. (0735 GMT) Friday", "at 4 in the morning (4 a.m. EDT Thursday)".
_PAREN_GAP = re.compile(r"\s*\((?:[^()]{0,30}\)\s*,?\s*(?:on\s+)?)?")
_DATED = re.compile(r"\d{4}-\d\d-\d\d")


def _date_clocks_across_parentheses(hits: list[_Hit], text: str) -> None:
    """A clock time takes the day a parenthesis gives, or the day right after it; the two
    stay separate mentions, as TimeML marks them."""
    for hit, nxt in itertools.pairwise(hits):
        if not hit.val.clock or not _PAREN_GAP.fullmatch(text, hit.end, nxt.start):
            continue
        day = _DATED.match(nxt.val.value)
        if day and nxt.val.gran in ("D", "T"):
            hit.val.value = day.group() + "T" + hit.val.value.split("T", 1)[1]
            hit.val.anchor = nxt.val.anchor


def _clock_day_pair(a: _Hit, b: _Hit, text: str) -> bool:
    gap = text[a.end : b.start]
    if a.val.clock and b.val.gran == "D":
        return _JOIN_TIME_DAY.fullmatch(gap) is not None
    if a.val.gran == "D" and b.val.clock and b.val.end_value is None:
        return _JOIN_DAY_TIME.fullmatch(gap) is not None
    return False


def _merge_intervals(hits: list[_Hit], text: str) -> list[_Hit]:
    """ "from 1990 to 1995", "between May and July", "January 4-5" (two points, one
    interval), then "until January 19" and "since 2014" (one point, an open interval)."""
    out: list[_Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev and _joins_range(prev, hit, text, out[-2].end if len(out) > 1 else 0):
            prev.val.end_value = hit.val.end_value or hit.val.value
            prev.end = hit.end
        else:
            out.append(hit)
    for i, hit in enumerate(out):
        if hit.val.end_value is None and hit.val.gran in _POINT_GRANS:
            until = _lookbehind(
                _UNTIL_BEFORE, _UNTIL_BEFORE_LAST, text, hit.start, out[i - 1].end if i else 0
            )
            if until:
                hit.start = until.start()
                hit.val.end_value = (
                    "PRESENT_REF" if until.group("w").lower() == "since" else hit.val.value
                )
    return out


def _joins_range(a: _Hit, b: _Hit, text: str, floor: int) -> bool:
    """Whether a and b are the ends of one range; widens a over "from"/"between"."""
    if a.val.gran not in _POINT_GRANS or b.val.gran not in _POINT_GRANS or a.val.end_value:
        return False
    if not _RANGE_JOIN.fullmatch(text[a.end : b.start]):
        return False
    joiner = text[a.end : b.start].strip().lower()
    opener = _lookbehind(_RANGE_FROM, _RANGE_FROM_LAST, text, a.start, floor)
    if opener and (opener.group("w").lower() == "between") == (joiner == "and"):
        a.start = opener.start()
        return True
    return joiner in ("-", "–", "—") and a.val.gran == b.val.gran


# --- driver ------------------------------------------------------------------------------


_Trie = dict[str, "_Trie"]


def _trie(words: set[str]) -> str:
    """An alternation shaped as a trie: the regex engine then tries a few branches per
    character instead of every word."""
    root: _Trie = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def build(node: _Trie) -> str:
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?" if len(branches) == 1 and len(body) > 1 else body + "?"

    return build(root)


def _trigger_index(rules: list[_Rule]) -> tuple[re.Pattern[str], dict[str, tuple[int, ...]]]:
    index: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        for word in rule.triggers:
            index.setdefault(word, []).append(i)
    words = {w for w in index if not w.startswith("#")}
    # Numbers are read whole and sorted into classes by _number_classes.
    pattern = re.compile(_trie(words) + r"|\d+(?:[:./-]\d+)*")
    return pattern, {w: tuple(ids) for w, ids in index.items()}


_TRIGGERS, _TRIGGER_RULES = _trigger_index(_RULES)
_CLOCK_AFTER = re.compile(
    r"\s*[ap]\.?\s?m\b|\s+o['’]clock|\s+in\s+the\s+(?:morning|afternoon|evening)", re.I
)
_ISO_TOKEN = re.compile(r"\d{4}-\d\d-\d\d")
_YEAR_TOKEN = re.compile(r"(1\d{3}|20\d\d)(?!\d)")
_CLOCK_TOKEN = re.compile(r"\d{1,2}[:.]\d\d")


def _number_classes(token: str, low: str, end: int) -> list[str]:
    """The classes of a number that rules trigger on."""
    classes = []
    if len(token) >= 4:
        if _YEAR_TOKEN.match(token):
            classes.append("#year")
        if _ISO_TOKEN.match(token):
            classes.append("#iso")
        if token.count("/") == 2:
            classes.append("#slash")
        if _CLOCK_TOKEN.fullmatch(token):
            classes.append("#clock")
    elif len(token) <= 2:
        if len(token) == 2 and token[1] == "0":
            classes.append("#decade")  # "'90s"
        if _CLOCK_AFTER.match(low, end):
            classes.append("#clock")
    return classes


_Candidate = tuple[int, int, int, re.Match[str]]  # start, end, rule index, match


def _windows(text: str) -> dict[int, list[tuple[int, int]]]:
    """For each rule, the windows around its triggers, in text order, overlaps merged."""
    low = text.lower()
    size = len(text)
    around: dict[int, list[tuple[int, int]]] = {}
    for m in _TRIGGERS.finditer(low):
        start, end = m.span()
        token = m.group()
        if token[0].isdigit():
            keys = _number_classes(token, low, end)
        elif (start and low[start - 1].isalpha()) or (end < size and low[end].isalpha()):
            continue  # inside a longer word: "day" in "holiday"
        else:
            keys = [token]
        for key in keys:
            for index in _TRIGGER_RULES.get(key, ()):
                before, after = _RULES[index].reach
                lo, hi = max(0, start - before), min(size, end + after)
                windows = around.setdefault(index, [])
                if windows and lo <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], hi)  # triggers come in text order
                else:
                    windows.append((lo, hi))
    return around


def _candidates(text: str) -> list[_Candidate]:
    """Every rule's matches, looked for only around that rule's triggers."""
    found: dict[tuple[int, int, int], re.Match[str]] = {}
    for index, windows in _windows(text).items():
        pattern = _RULES[index].pattern
        has_core = "core" in pattern.groupindex  # the part the mention covers
        for lo, hi in windows:
            for m in pattern.finditer(text, lo, hi):
                start, end = m.span("core") if has_core else m.span()
                if end > start:
                    found.setdefault((start, end, index), m)
    return [(s, e, i, m) for (s, e, i), m in found.items()]


def _select(found: list[_Candidate]) -> list[_Candidate]:
    """Longest first, earlier rules winning ties; whatever overlaps a chosen one is dropped."""
    found.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[_Candidate] = []
    for cand in found:
        start, end = cand[0], cand[1]
        i = bisect_right(starts, start)
        if (i and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        chosen.append(cand)
    return sorted(chosen, key=lambda c: c[0])


def _remember(st: _State, val: _Val) -> None:
    """Keep what later relative expressions lean on."""
    if val.span:
        st.ref_quarter = st.ref_period = None
        return
    parsed = _parse_value(val.value) if val.gran in _FINENESS else None
    if parsed is None:
        return
    gran, day = parsed
    if gran == "D":
        st.ref_day = day
    if val.deictic:
        return  # "today", "a year ago": reporting times and shifts, not new references
    st.ref_period = val.value
    if gran in ("Q", "H"):
        st.ref_quarter = val.value


def find_times(text: str, anchor: str | None) -> list[TimeMention]:
    """Every time expression in ``text``, resolved against ``anchor`` (see ``find_anchor``).

    Non-overlapping, sorted by start, with ``text[m.start:m.end] == m.text``.
    """
    st = _State(text, _make_anchor(anchor))
    hits: list[_Hit] = []
    for start, end, index, m in _select(_candidates(text)):
        val = _RULES[index].resolve(m, st)
        if val is not None:
            _remember(st, val)
            hits.append(_Hit(start, end, val))
    _extend(hits, text)
    hits = _merge_clock_and_day(hits, text)
    _date_clocks_across_parentheses(hits, text)
    hits = _merge_intervals(hits, text)
    return [
        TimeMention(
            start=h.start,
            end=h.end,
            text=text[h.start : h.end],
            value=h.val.value,
            anchor=h.val.anchor or st.anchor.text,
            type=h.val.type,
            end_value=h.val.end_value,
        )
        for h in hits
    ]
