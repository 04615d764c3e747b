"""Score the temporal normaliser on TimeML (TimeBank 1.2 + AQUAINT, "TBAQ-cleaned").

Each ``.tml`` file gives the document creation time (the TIMEX3 in ``<DCT>``), used as the
publication date, and the gold TIMEX3 tags inside ``<TEXT>``. The text the normaliser sees
is ``<TEXT>`` with its tags removed; gold offsets index that text.

Scores, as in TempEval-3:

- relaxed span: a system timex is matched if it overlaps a gold timex (one-to-one);
- value F1 (the headline number): a system timex is correct if it overlaps a gold timex and
  their values are equal; P = correct / system, R = correct / gold;
- strict span: identical offsets;
- value F1, notation-equivalent: as value F1, but two values written differently for the
  same thing count as equal (``canonical_value``). The corpus writes one value several
  ways ("1949" and "1949-XX", "2000-W07" and "2000-W7", "198" and "198X", "T17:00" and
  "T17", "P10Y" and "P1E"); a system can only write one of them. TempEval-3's scorer
  compares strings, so the string-equal figure is the one to set beside published ones.

Every gold TIMEX3 in ``<TEXT>`` counts, whatever its value (none is empty in this corpus);
the DCT itself is not in ``<TEXT>`` and is not scored.

dateline keeps an interval as one mention ("from 1991 to 1997": value 1991, end_value 1997);
TimeML marks each end point as its own TIMEX3 and the preposition as a SIGNAL. Before
scoring, interval mentions are split the TimeML way (``timeml_timexes``).

Run ``python -m dateline.evaluate.timebank [--data DIR] [--limit N]``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dateline.model import TimeMention
from dateline.understand.times import find_anchor, find_times

DEFAULT_DATA = (
    Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "time" / "timebank-aquaint"
)


@dataclass(frozen=True)
class Timex:
    start: int
    end: int
    text: str
    value: str
    type: str


@dataclass(frozen=True)
class Document:
    name: str
    dct: str
    text: str
    gold: list[Timex]


def _collect(elem: ET.Element, parts: list[str], gold: list[Timex], pos: int) -> int:
    """Append the element's text to ``parts``; record TIMEX3 spans. Returns the new offset."""
    if elem.text:
        parts.append(elem.text)
        pos += len(elem.text)
    for child in elem:
        start, first_part = pos, len(parts)
        pos = _collect(child, parts, gold, pos)
        if child.tag == "TIMEX3":
            text = "".join(parts[first_part:])
            gold.append(Timex(start, pos, text, child.get("value", ""), child.get("type", "")))
        if child.tail:
            parts.append(child.tail)
            pos += len(child.tail)
    return pos


def read_document(path: Path) -> Document:
    root = ET.parse(path).getroot()
    dct_elem = root.find("DCT/TIMEX3")
    text_elem = root.find("TEXT")
    if dct_elem is None or text_elem is None:
        raise ValueError(f"{path}: no DCT or TEXT")
    parts: list[str] = []
    gold: list[Timex] = []
    _collect(text_elem, parts, gold, 0)
    return Document(path.stem, dct_elem.get("value", ""), "".join(parts), gold)


def documents(data_dir: Path, limit: int | None = None) -> list[Document]:
    paths = sorted(data_dir.rglob("*.tml"))
    return [read_document(p) for p in paths[:limit]]


_INTERVAL_OPENER = re.compile(r"(?:from|between|until|till|til|up\s+until|through|since)\s+", re.I)
_INTERVAL_JOIN = re.compile(r"\s*(?:\bto\b|\band\b|\bthrough\b|\buntil\b|\btill\b|[-–—])\s*", re.I)


def timeml_timexes(mention: TimeMention) -> list[Timex]:
    """One mention as TimeML would mark it: interval words dropped, each end point a timex."""
    start, text = mention.start, mention.text
    if mention.end_value is None:
        return [Timex(start, mention.end, text, mention.value, mention.type)]
    opener = _INTERVAL_OPENER.match(text)
    if opener:
        start, text = start + opener.end(), text[opener.end() :]
    if mention.end_value in (mention.value, "PRESENT_REF"):
        return [Timex(start, start + len(text), text, mention.value, mention.type)]
    joins = list(_INTERVAL_JOIN.finditer(text))
    if not joins:
        return [Timex(start, start + len(text), text, mention.value, mention.type)]
    join = joins[-1]  # the last joiner: "January 4-5", "from 7.00 to 23.00"
    first, second = text[: join.start()], text[join.end() :]
    return [
        Timex(start, start + len(first), first, mention.value, mention.type),
        Timex(start + join.end(), start + len(text), second, mention.end_value, mention.type),
    ]


_YEAR_UNKNOWN_PARTS = re.compile(r"^(\d{4})(?:-XX)+$")  # "1949-XX", "1998-XX-XX"
_MONTH_UNKNOWN_DAY = re.compile(r"^(\d{4}-\d\d)-XX$")
_SHORT_WEEK = re.compile(r"-W(\d)(?!\d)")  # "2000-W7"
_X_DECADE = re.compile(r"^(\d{3})X$|^(\d\d)XX$")  # "198X" (1980s), "19XX" (1900s)
_HOUR_ONLY = re.compile(r"T(\d\d)$")  # "T17" is "T17:00"
_DECADES_CENTURIES = re.compile(r"^P(\d+)([EC])$")  # TimeML's decade and century units
_QUARTERS = re.compile(r"^P(\d+)Q$")  # "P3Q" is "P9M"


def canonical_value(value: str) -> str:
    """One spelling of a TimeML value: unknown lower parts dropped, weeks zero-padded,
    decades and centuries in their short form, an hour with its minutes, decades and
    centuries of duration in years, quarters of duration in months. Values that mean different things stay different."""
    value = _YEAR_UNKNOWN_PARTS.sub(r"\1", value)
    value = _MONTH_UNKNOWN_DAY.sub(r"\1", value)
    value = _SHORT_WEEK.sub(r"-W0\1", value)
    value = _X_DECADE.sub(lambda m: m.group(1) or m.group(2), value)
    value = _HOUR_ONLY.sub(r"T\1:00", value)
    years = _DECADES_CENTURIES.match(value)
    if years:
        value = f"P{int(years.group(1)) * (10 if years.group(2) == 'E' else 100)}Y"
    quarters = _QUARTERS.match(value)
    if quarters:
        value = f"P{int(quarters.group(1)) * 3}M"
    return value


def _overlaps(a: Timex, b: Timex) -> bool:
    return a.start < b.end and b.start < a.end


def _match(system: list[Timex], gold: list[Timex]) -> list[tuple[Timex, Timex]]:
    """One-to-one relaxed matching; among overlapping golds, one with the same value first."""
    used: set[int] = set()
    pairs: list[tuple[Timex, Timex]] = []
    for sys_t in system:
        options = [i for i, g in enumerate(gold) if i not in used and _overlaps(sys_t, g)]
        if not options:
            continue
        same = canonical_value(sys_t.value)
        best = next(
            (i for i in options if gold[i].value == sys_t.value),
            next((i for i in options if canonical_value(gold[i].value) == same), options[0]),
        )
        used.add(best)
        pairs.append((sys_t, gold[best]))
    return pairs


def _prf(correct: int, system: int, gold: int) -> dict[str, float]:
    p = correct / system if system else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


class _Tally:
    def __init__(self) -> None:
        self.n_gold = self.n_system = self.relaxed = self.strict = self.value = 0
        self.value_notation = 0
        self.by_type: dict[str, Counter[str]] = {}
        self.errors: Counter[tuple[str, str, str]] = Counter()
        self.missed: Counter[str] = Counter()
        self.spurious: Counter[str] = Counter()

    def add(self, doc: Document, system: list[Timex]) -> None:
        self.n_gold += len(doc.gold)
        self.n_system += len(system)
        gold_spans = {(g.start, g.end) for g in doc.gold}
        self.strict += sum((s.start, s.end) in gold_spans for s in system)
        pairs = _match(system, doc.gold)
        self.relaxed += len(pairs)
        matched_gold = {id(g) for _, g in pairs}
        matched_sys = {id(s) for s, _ in pairs}
        for g in doc.gold:
            self._type(g.type)["gold"] += 1
            if id(g) not in matched_gold:
                self.missed[g.text.lower()] += 1
        for s in system:
            self._type(s.type)["system"] += 1
            if id(s) not in matched_sys:
                self.spurious[s.text.lower()] += 1
        for s, g in pairs:
            self.value_notation += canonical_value(s.value) == canonical_value(g.value)
            if s.value == g.value:
                self.value += 1
                self._type(g.type)["gold_correct"] += 1
                self._type(s.type)["system_correct"] += 1
            else:
                self.errors[(g.text.lower(), g.value, s.value)] += 1

    def _type(self, name: str) -> Counter[str]:
        return self.by_type.setdefault(name or "?", Counter())

    def per_type(self) -> dict[str, dict[str, float]]:
        """Value scores by type: precision over system timexes of that type, recall over gold
        timexes of that type (a DATE read as a DURATION counts against both)."""
        out: dict[str, dict[str, float]] = {}
        for name, c in sorted(self.by_type.items()):
            p = c["system_correct"] / c["system"] if c["system"] else 0.0
            r = c["gold_correct"] / c["gold"] if c["gold"] else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[name] = {"gold": c["gold"], "system": c["system"], "precision": round(p, 4)}
            out[name] |= {"recall": round(r, 4), "f1": round(f, 4)}
        return out

    def report(self, n_docs: int) -> dict[str, Any]:
        return {
            "documents": n_docs,
            "gold": self.n_gold,
            "system": self.n_system,
            "relaxed_matches": self.relaxed,
            "strict_matches": self.strict,
            "value_correct": self.value,
            "relaxed_span": _prf(self.relaxed, self.n_system, self.n_gold),
            "strict_span": _prf(self.strict, self.n_system, self.n_gold),
            "value": _prf(self.value, self.n_system, self.n_gold),
            "value_notation": _prf(self.value_notation, self.n_system, self.n_gold),
            "per_type": self.per_type(),
            "value_errors": [
                {"text": t, "gold": g, "system": s, "count": n}
                for (t, g, s), n in self.errors.most_common(20)
            ],
            "missed": self.missed.most_common(20),
            "spurious": self.spurious.most_common(20),
        }


def evaluate(data_dir: Path, limit: int | None = None) -> dict[str, Any]:
    """Run ``find_times`` on every document (DCT as publication date) and score it.

    Returns counts, precision/recall/F1 for relaxed span, value (given relaxed span) and strict
    span, a per-type breakdown (recall by gold type, precision by system type) and the 20 most
    frequent value errors (gold text, gold value, system value).
    """
    docs = documents(Path(data_dir), limit)
    tally = _Tally()
    started = time.perf_counter()
    for doc in docs:
        mentions = find_times(doc.text, find_anchor(doc.text, doc.dct or None))
        tally.add(doc, [t for m in mentions for t in timeml_timexes(m)])
    result = tally.report(len(docs))
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _table(result: dict[str, Any]) -> str:
    lines = [
        f"TimeML evaluation: {result['documents']} documents, {result['gold']} gold timexes, "
        f"{result['system']} system timexes ({result['seconds']} s)",
        "",
        "| measure | precision | recall | F1 |",
        "|---|---|---|---|",
    ]
    for key, label in (
        ("value", "value (relaxed span)"),
        ("value_notation", "value, notation-equivalent"),
        ("relaxed_span", "relaxed span"),
        ("strict_span", "strict span"),
    ):
        s = result[key]
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    lines += [
        "",
        "| type | gold | system | value P | value R | value F1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in result["per_type"].items():
        lines.append(
            f"| {name} | {s['gold']} | {s['system']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |"
        )
    lines += ["", "| text | gold | system | count |", "|---|---|---|---|"]
    for e in result["value_errors"]:
        lines.append(f"| {e['text']} | {e['gold']} | {e['system']} | {e['count']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dateline.evaluate.timebank", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of .tml files")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(
            f"error: TimeML data not found at {args.data}\n"
            "hint: pass --data DIR (a directory of .tml files, e.g. TimeBank/AQUAINT)",
            file=sys.stderr,
        )
        return 2
    print(_table(evaluate(args.data, args.limit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
