"""Evaluate the geoparser on GeoWebNews (Gritta, Pilehvar & Collier 2019).

Data (read in place, never copied): ``GWN.xml`` (200 articles, every toponym annotation
with its pragmatic type) and ``gwn_full.txt`` (the 2,401 geocodable toponyms with
coordinates and offsets, one line per article in XML order).

Definitions:

- a gold toponym is *found* when a system place overlaps its span;
- *recall* = found / gold geocodable toponyms (with valid offsets);
- *accuracy@161km* = found toponyms placed within 161 km of the gold point, over the found
  ones and over all gold (a missed toponym counts as wrong);
- *precision* = system places that overlap a toponym annotation of any type in GWN.xml
  (Literal, Mixed, Coercion, Embedded_*, *_Modifier, Metonymic, Demonym) over all system
  places; places that overlap only a non-toponym annotation (Non_Toponym, Homonym,
  Language, *_Expression) or nothing are false;
- *noun* figures leave out the gold toponyms GWN marks as adjectives ("Syrian", "German"):
  demonyms are the entities stage's job, not this geoparser's.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateline.model import PlaceMention
from dateline.understand.entities import load_kb
from dateline.understand.gazetteer import Gazetteer, load_gazetteer
from dateline.understand.places import find_places

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "geo" / "geowebnews"
TOPONYM_TYPES = frozenset(
    {
        "Literal",
        "Mixed",
        "Coercion",
        "Embedded_Literal",
        "Embedded_Non_Lit",
        "Literal_Modifier",
        "Non_Literal_Modifier",
        "Metonymic",
        "Demonym",
    }
)
THRESHOLD_KM = 161.0
EARTH_HALF_CIRCUMFERENCE_KM = 20039.0


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    text: str
    name: str
    lat: float
    lon: float
    adjective: bool


@dataclass
class Article:
    text: str
    annotations: list[tuple[int, int, str]]  # every GWN.xml annotation: start, end, type
    gold: list[Gold] = field(default_factory=list)


def read_corpus(data_dir: Path) -> tuple[list[Article], int]:
    """The articles with their gold; also how many gold lines had unusable offsets."""
    root = ET.parse(data_dir / "GWN.xml").getroot()
    articles = [_read_article(node) for node in root.findall("article")]
    lines = (data_dir / "gwn_full.txt").read_text(encoding="utf-8").split("\n")
    invalid = 0
    for article, line in zip(articles, lines, strict=False):
        adjectives = {(s, e) for s, e, kind in article.annotations if kind == "adjective"}
        for item in filter(None, (x.strip() for x in line.split("||"))):
            gold = _read_gold(item, article.text, adjectives)
            if gold is None:
                invalid += 1
            else:
                article.gold.append(gold)
    for article in articles:  # the adjective markers were only for the join above
        article.annotations = [a for a in article.annotations if a[2] != "adjective"]
    return articles, invalid


def _read_article(node: ET.Element) -> Article:
    text = node.findtext("text") or ""
    annotations: list[tuple[int, int, str]] = []
    for toponym in node.iterfind("toponyms/toponym"):
        start, end = int(toponym.findtext("start") or -1), int(toponym.findtext("end") or -1)
        annotations.append((start, end, toponym.findtext("type") or ""))
        if (toponym.findtext("modifierType") or "") == "Adjective":
            annotations.append((start, end, "adjective"))
    return Article(text, annotations)


def _read_gold(item: str, text: str, adjectives: set[tuple[int, int]]) -> Gold | None:
    name, surface, lat, lon, start, end = item.split(",,")
    s, e = int(start), int(end)
    if s < 0 or e > len(text) or text[s:e] != surface:
        return None
    return Gold(s, e, surface, name, float(lat), float(lon), (s, e) in adjectives)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


@dataclass
class _Tally:
    gold: int = 0
    found: int = 0
    correct: int = 0
    errors: list[float] = field(default_factory=list)

    def add(self, error: float | None) -> None:
        self.gold += 1
        if error is not None:
            self.found += 1
            self.errors.append(error)
            self.correct += error <= THRESHOLD_KM

    def summary(self) -> dict[str, Any]:
        found = max(self.found, 1)
        errors = sorted(self.errors)
        return {
            "gold": self.gold,
            "found": self.found,
            "recall": _ratio(self.found, self.gold),
            "acc161_found": _ratio(self.correct, self.found),
            "acc161_all": _ratio(self.correct, self.gold),
            "mean_error_km": round(sum(errors) / found, 1),
            "median_error_km": round(errors[len(errors) // 2], 1) if errors else 0.0,
            "auc": round(
                sum(math.log1p(e) for e in errors) / found / math.log(EARTH_HALF_CIRCUMFERENCE_KM),
                3,
            ),
        }


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def evaluate(
    data_dir: Path,
    limit: int | None = None,
    *,
    nlp: Language | None = None,
    use_spacy: bool = True,
    gazetteer: Gazetteer | None = None,
    demonyms: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run the geoparser over the corpus (the first ``limit`` articles) and score it."""
    articles, invalid = read_corpus(data_dir)
    articles = articles[:limit] if limit is not None else articles
    gazetteer = gazetteer or load_gazetteer()
    if use_spacy and nlp is None:
        from dateline.understand.nlp import load_nlp

        nlp = load_nlp()  # the pipeline `dateline process` runs, knowledge-base rulers included
    run = _Run()
    for index, article in enumerate(articles):
        started = time.perf_counter()
        doc = nlp(article.text) if use_spacy and nlp is not None else None
        parsed = time.perf_counter()
        places = find_places(article.text, doc, gazetteer, demonyms=demonyms)
        run.spacy_seconds += parsed - started
        run.place_seconds += time.perf_counter() - parsed
        run.words += len(article.text.split())
        run.score(index, article, places)
    return run.report(len(articles), invalid, use_spacy)


@dataclass
class _Run:
    all: _Tally = field(default_factory=_Tally)
    nouns: _Tally = field(default_factory=_Tally)
    system: int = 0
    system_on_toponym: int = 0
    system_on_other: int = 0
    worst: list[dict[str, Any]] = field(default_factory=list)
    spacy_seconds: float = 0.0
    place_seconds: float = 0.0
    words: int = 0

    def score(self, index: int, article: Article, places: list[PlaceMention]) -> None:
        for gold in article.gold:
            place = _best_overlap(gold.start, gold.end, places)
            error = None if place is None else km(place.lat, place.lon, gold.lat, gold.lon)
            self.all.add(error)
            if not gold.adjective:
                self.nouns.add(error)
            if place is not None and error is not None:
                self.worst.append(_error_row(index, gold, place, error))
        for place in places:
            self.system += 1
            kinds = {k for s, e, k in article.annotations if s < place.end and place.start < e}
            if kinds & TOPONYM_TYPES:
                self.system_on_toponym += 1
            elif kinds:
                self.system_on_other += 1

    def report(self, articles: int, invalid: int, use_spacy: bool) -> dict[str, Any]:
        words = max(self.words, 1)
        result: dict[str, Any] = {
            "articles": articles,
            "invalid_gold_offsets": invalid,
            "spacy": use_spacy,
            **self.all.summary(),
            "nouns": self.nouns.summary(),
            "system_places": self.system,
            "precision": _ratio(self.system_on_toponym, self.system),
            "system_on_non_toponym": self.system_on_other,
            "system_on_nothing": self.system - self.system_on_toponym - self.system_on_other,
            "ms_per_1000_words": round(1000 * self.place_seconds / words * 1000, 2),
            "spacy_ms_per_1000_words": round(1000 * self.spacy_seconds / words * 1000, 2),
            "words": self.words,
        }
        result["worst"] = sorted(self.worst, key=lambda r: -r["km"])[:20]
        return result


def _best_overlap(start: int, end: int, places: list[PlaceMention]) -> PlaceMention | None:
    best, best_overlap = None, 0
    for place in places:
        overlap = min(end, place.end) - max(start, place.start)
        if overlap > best_overlap:
            best, best_overlap = place, overlap
    return best


def _error_row(index: int, gold: Gold, place: PlaceMention, error: float) -> dict[str, Any]:
    return {
        "article": index,
        "text": gold.text,
        "gold": gold.name,
        "system": f"{place.name} ({place.feature}, {place.country or '-'})",
        "km": round(error),
    }


def to_markdown(result: dict[str, Any]) -> str:
    nouns = result["nouns"]
    rows = [
        ("articles", result["articles"], ""),
        ("gold geocodable toponyms", result["gold"], nouns["gold"]),
        ("found (span overlap)", result["found"], nouns["found"]),
        ("toponym recall", result["recall"], nouns["recall"]),
        ("accuracy@161km, found", result["acc161_found"], nouns["acc161_found"]),
        ("accuracy@161km, all gold", result["acc161_all"], nouns["acc161_all"]),
        ("mean error km, found", result["mean_error_km"], nouns["mean_error_km"]),
        ("median error km, found", result["median_error_km"], nouns["median_error_km"]),
        ("AUC of log error, found", result["auc"], nouns["auc"]),
        ("system places", result["system_places"], ""),
        ("toponym precision", result["precision"], ""),
        ("ms per 1,000 words (geoparser)", result["ms_per_1000_words"], ""),
        ("ms per 1,000 words (spaCy)", result["spacy_ms_per_1000_words"], ""),
    ]
    lines = ["| metric | all gold | nouns only |", "|---|---|---|"]
    lines += [f"| {name} | {a} | {b} |" for name, a, b in rows]
    lines += [
        "",
        "Worst errors:",
        "",
        "| article | text | gold | system | km |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {w['article']} | {w['text']} | {w['gold']} | {w['system']} | {w['km']} |"
        for w in result["worst"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dateline.evaluate.geowebnews")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="GeoWebNews folder")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--no-spacy", action="store_true", help="gazetteer-only mode")
    parser.add_argument(
        "--no-demonyms", action="store_true", help="do not geocode adjectives (Syrian -> SY)"
    )
    args = parser.parse_args(argv)
    if not (args.data / "GWN.xml").is_file() or not (args.data / "gwn_full.txt").is_file():
        print(
            f"error: GeoWebNews not found in {args.data} (GWN.xml, gwn_full.txt)", file=sys.stderr
        )
        return 2
    # the knowledge base's demonyms, as the places stage uses them
    demonyms = None if args.no_demonyms else load_kb().demonyms
    result = evaluate(args.data, args.limit, use_spacy=not args.no_spacy, demonyms=demonyms)
    print(to_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
