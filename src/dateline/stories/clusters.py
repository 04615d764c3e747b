"""Online story clustering: articles about the same happening, over a stream in time order.

Each article is described by five sparse TF-IDF vectors, one per signal, each with its own
document frequencies learnt online from the articles seen so far:

- ``words``: content words of the body, title words counted twice;
- ``entities``: canonical entity names (so "Lohan" and "Lindsay Lohan" agree);
- ``places``: GeoNames ids and countries of the resolved places and of the dateline;
- ``dates``: the day, month and year of every resolved date in the text;
- ``numbers``: the numbers written in the text (death tolls, magnitudes, ages, scores,
  sums): two shootings or two earthquakes share their words but rarely their numbers. On
  ECB+ this signal raised B-cubed precision at a given threshold by 0.03-0.08.

A story keeps one centroid per signal (the sum of its members' unit vectors). An article's
similarity to a story is the weighted mean of the per-signal cosines over the signals that
both have, times a time decay on the gap between the article's publication day and the
story's span of days (``reference_day``: a day the cleaner read from the text without a
written year is ignored). The article joins the most similar story at or above ``threshold``,
else starts a new story.

Why separate signals and not one bag of words: one TF-IDF centroid with a low threshold
merges related but different happenings (two actresses entering rehab in the same month
share "rehab", "checked", "treatment", "center"), and a high one splits wire copies with
different headlines. With entities, places and dates as their own signals, two rehab
stories differ on who and when even when their words agree. Wire copies do not depend on
the threshold at all: an article the ``CopyDetector`` finds to copy another always joins
the story of its copy group, and copies do not move centroids or document frequencies (a
story syndicated fifty times is still one report).

Story ids are ``"s:" + the first article's id`` and never change: stories are never merged
or split after the fact, which is the price of stable ids (and a source of order
dependence, as in every single-pass clusterer). A sentence-embedding signal is future work.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, repeat
from operator import mul

from dateline.model import Article
from dateline.stories.copies import CopyDetector

SIGNALS = ("words", "entities", "places", "dates", "numbers")
TITLE_BOOST = 2  # a headline word counts as this many body words
TOP_TERMS = 12  # an article's strongest words that index its story for candidate lookup
MAX_CANDIDATES = 10  # stories scored in full per article, most shared strong terms first
_ROUNDING_MARGIN = 1.0 + 1e-6  # a cosine computed in floats may exceed 1 by a few ulps

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")
# a number as written, "1,500" and "1500" alike: death tolls, magnitudes, ages and scores
# tell two similar happenings apart
_NUMBER = re.compile(r"\d[\d,.]*")  # then trimmed: lookarounds here would double its cost
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?!\d)")
_YEAR = re.compile(r"^(\d{4})(?![\d-])")

# Function words and the words of news reporting itself: they say nothing about which
# happening an article reports.
_STOPWORDS = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves said says say told according reported reports report
    news new one two three first last year years week day days time people would could
    may might must since still yet however including around another many much well back
    get got make made like even us mr mrs ms"""
STOPWORDS = frozenset(_STOPWORDS.split())
Vector = dict[str, float]


@dataclass
class Weights:
    """How much each signal counts in the similarity (relative; the mean is weighted)."""

    words: float = 1.0
    entities: float = 1.0
    places: float = 0.25  # countries and big cities are shared by unrelated stories
    dates: float = 1.0
    numbers: float = 1.0
    # Multiplies the score when the article and the story both name years and share none.
    # Off (1.0) by default: on ECB+ a factor of 0.5 cost 0.04 B-cubed F1, because articles
    # name background years ("in 2010 she was jailed") that the story does not.
    year_conflict: float = 1.0

    def of(self, signal: str) -> float:
        return float(getattr(self, signal))


@dataclass
class _Centroid:
    sums: Vector = field(default_factory=dict)
    norm2: float = 0.0

    def add(self, vector: Vector) -> None:
        sums, norm2 = self.sums, self.norm2
        for term, value in vector.items():
            old = sums.get(term, 0.0)
            sums[term] = old + value
            norm2 += value * (2 * old + value)
        self.norm2 = norm2

    def cosine(self, vector: Vector) -> float:
        """Cosine with a unit vector."""
        if self.norm2 <= 0.0:
            return 0.0
        # map() rather than a generator: the same products summed in the same order
        dot = float(sum(map(mul, vector.values(), map(self.sums.get, vector, repeat(0.0)))))
        return dot / math.sqrt(self.norm2)


@dataclass
class _Story:
    story_id: str
    centroids: dict[str, _Centroid]
    latest: date | None
    earliest: date | None = None
    members: list[str] = field(default_factory=list)
    terms: dict[str, None] = field(default_factory=dict)  # its postings; {} once expired


def features(article: Article) -> dict[str, Counter[str]]:
    """Raw term counts per signal."""
    words: Counter[str] = Counter(_words(article.text))
    for token in _words(article.title or ""):
        words[token] += TITLE_BOOST
    entities = Counter(e.canonical.casefold() for e in article.entities if e.canonical)
    places: Counter[str] = Counter()
    for place in article.places:
        if place.geonames_id is not None:
            places[f"g:{place.geonames_id}"] += 1
        if place.country:
            places[f"c:{place.country}"] += 1
    if article.dateline.geonames_id is not None:
        places[f"g:{article.dateline.geonames_id}"] += 1
    dates: Counter[str] = Counter()
    for mention in article.times:
        if mention.type in ("DATE", "TIME"):
            dates.update(_date_terms(mention.value))
    numbers = Counter(n.rstrip(",.").replace(",", "") for n in _NUMBER.findall(article.text))
    return {"words": words, "entities": entities, "places": places, "dates": dates,
            "numbers": numbers}  # fmt: skip


def _words(text: str) -> list[str]:
    # one casefold of the whole text, not one per token: the hot path of every article
    return [w for w in _TOKEN.findall(text.casefold()) if len(w) > 2 and w not in STOPWORDS]


def _date_terms(value: str) -> list[str]:
    """A date counts at every granularity it has: 2013-05-03 is also 2013-05 and 2013."""
    if day := _DAY.match(value):
        y, m, d = day.groups()
        return [f"d:{y}-{m}-{d}", f"m:{y}-{m}", f"y:{y}"]
    if month := _MONTH.match(value):
        y, m = month.groups()
        return [f"m:{y}-{m}", f"y:{y}"]
    if year := _YEAR.match(value):
        return [f"y:{year.group(1)}"]
    return []


def reference_day(article: Article) -> date | None:
    """The publication day, unless it was read from the text without a written year: a
    year-less "Nov. 5" is resolved against the clock, so its year is no evidence.

    Undated articles are not given the date their times were resolved against (the latest
    full date in the text): on ECB+ that cost 0.02-0.04 B-cubed F1, because background
    dates ("born April 22, 1923") split stories."""
    day = _day(article.published)
    if day is not None and article.published_source == "text" and not _year_written(day, article):
        return None
    return day


def _year_written(day: date, article: Article) -> bool:
    return str(day.year) in article.text


def _day(published: str | None) -> date | None:
    if not published:
        return None
    match = _DAY.match(published)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class StoryClusterer:
    """Assigns each article, as it arrives, to a story; see the module docstring."""

    def __init__(
        self,
        threshold: float = 0.25,
        weights: Weights | None = None,
        half_life_days: float = 3.0,
        window_days: float = 30.0,
        copies: CopyDetector | None = None,
    ) -> None:
        self.threshold = threshold
        self.weights = weights or Weights()
        self.half_life_days = half_life_days
        self.window_days = window_days
        self.copies = copies if copies is not None else CopyDetector()
        self._df: dict[str, Counter[str]] = {s: Counter() for s in SIGNALS}
        self._docs = 0
        self._stories: dict[str, _Story] = {}
        self._story_of: dict[str, str] = {}
        # strong term -> stories it indexes, in insertion order (dicts, not sets: ties
        # between candidates break the same way in every process)
        self._postings: dict[str, dict[str, None]] = {}
        self._now: date | None = None  # the latest publication date seen
        self._by_latest: list[tuple[date, str]] = []  # heap; stale entries are skipped

    def add(self, article: Article) -> str:
        """The story id of the article (the same id if the article was added before)."""
        if article.id in self._story_of:
            return self._story_of[article.id]
        self.copies.add(article.id, article.text, article.published, article.publisher,
                        article.origin)  # fmt: skip
        story = self._copy_story(article.id)
        if story is not None:  # a copy: same story, and it moves nothing
            return self._attach(story, article.id)
        vectors = self._vectorise(features(article))
        when = reference_day(article)
        self._advance(when)
        story = self._best_story(vectors, when)
        if story is None:
            story = self._new_story(article.id, when)
        self._grow(story, vectors, when)
        return self._attach(story, article.id)

    def story_of(self, article_id: str) -> str | None:
        return self._story_of.get(article_id)

    def stories(self) -> dict[str, list[str]]:
        """Every story id with its article ids, in arrival order."""
        return {sid: list(story.members) for sid, story in self._stories.items()}

    def _copy_story(self, article_id: str) -> _Story | None:
        for member in self.copies.group_of(article_id):
            sid = self._story_of.get(member)
            if sid is not None:
                return self._stories[sid]
        return None

    def _attach(self, story: _Story, article_id: str) -> str:
        story.members.append(article_id)
        self._story_of[article_id] = story.story_id
        return story.story_id

    def _vectorise(self, counts: dict[str, Counter[str]]) -> dict[str, Vector]:
        """Unit TF-IDF vectors (sublinear tf); the document frequencies learn this article."""
        self._docs += 1
        vectors = {}
        for signal, terms in counts.items():
            df = self._df[signal]
            df.update(terms.keys())
            weights = {
                t: (1.0 + math.log(c)) * math.log((1.0 + self._docs) / df[t])
                for t, c in terms.items()
            }
            values = weights.values()
            norm = math.sqrt(sum(map(mul, values, values)))  # same sum, no generator
            vectors[signal] = {t: w / norm for t, w in weights.items()} if norm > 0 else {}
        return vectors

    def _advance(self, when: date | None) -> None:
        """Expire the stories whose latest article is more than ``window_days`` before the
        latest date of the stream: their time decay is 0 for any article at or after that
        date, so they would only take candidate slots (and postings to count) from live
        stories. An expired story keeps its id and members, and its copies still join it;
        only an article dated back more than the window (out of stream order) or undated
        can no longer join it by similarity."""
        if when is None or (self._now is not None and when <= self._now):
            return
        self._now = when
        heap = self._by_latest
        while heap and (when - heap[0][0]).days > self.window_days:
            latest, sid = heapq.heappop(heap)
            story = self._stories[sid]
            if story.latest != latest:
                continue  # a stale entry: the story has grown since
            for term in story.terms:
                postings = self._postings[term]
                del postings[sid]
                if not postings:
                    del self._postings[term]
            story.terms = {}

    def _candidates(self, vectors: dict[str, Vector]) -> list[_Story]:
        postings = self._postings
        hits: Counter[str] = Counter()
        hits.update(chain.from_iterable(postings.get(t, ()) for t in _strong_terms(vectors)))
        return [self._stories[sid] for sid, _ in hits.most_common(MAX_CANDIDATES)]

    def _best_story(self, vectors: dict[str, Vector], when: date | None) -> _Story | None:
        best, best_score = None, self.threshold
        # a score is a weighted mean of cosines (each <= 1) times the decay, so a story
        # whose decay is below the best score so far cannot beat it (the margin covers
        # rounding); with a year-conflict factor above 1 that bound would not hold
        bounded = self.weights.year_conflict <= 1.0
        for story in self._candidates(vectors):
            decay = self._decay(when, story)
            if best_score > 0.0 and decay == 0.0:
                continue  # out of the window: its score is 0
            if bounded and decay * _ROUNDING_MARGIN < best_score:
                continue
            score = self.similarity(vectors, story, when)
            if score >= best_score:
                best, best_score = story, score
        return best

    def similarity(self, vectors: dict[str, Vector], story: _Story, when: date | None) -> float:
        total = weight_sum = 0.0
        for signal in SIGNALS:
            centroid, vector = story.centroids[signal], vectors[signal]
            weight = self.weights.of(signal)
            if not vector or centroid.norm2 <= 0.0 or weight <= 0.0:
                continue  # a signal one side lacks is no evidence either way
            total += weight * centroid.cosine(vector)
            weight_sum += weight
        if weight_sum == 0.0:
            return 0.0
        score = total / weight_sum * self._decay(when, story)
        if self.weights.year_conflict != 1.0 and _years_conflict(
            vectors["dates"], story.centroids["dates"]
        ):
            score *= self.weights.year_conflict
        return score

    def _decay(self, when: date | None, story: _Story) -> float:
        latest, earliest = story.latest, story.earliest
        if when is None or latest is None or earliest is None:
            return 1.0  # undated: no evidence of distance in time
        # the distance to the story's span: an article dated back (out of stream order)
        # inside the span is as close as one at its end
        gap = max((earliest - when).days, (when - latest).days, 0)
        if gap > self.window_days:
            return 0.0
        return float(0.5 ** (gap / self.half_life_days))

    def _new_story(self, article_id: str, when: date | None) -> _Story:
        story = _Story("s:" + article_id, {s: _Centroid() for s in SIGNALS}, when, when)
        self._stories[story.story_id] = story
        if when is not None:
            heapq.heappush(self._by_latest, (when, story.story_id))
        return story

    def _grow(self, story: _Story, vectors: dict[str, Vector], when: date | None) -> None:
        for signal, vector in vectors.items():
            story.centroids[signal].add(vector)
        if when is not None and (story.latest is None or when > story.latest):
            story.latest = when
            heapq.heappush(self._by_latest, (when, story.story_id))
        if when is not None and (story.earliest is None or when < story.earliest):
            story.earliest = when
        sid = story.story_id
        for term in _strong_terms(vectors):
            if term not in story.terms:
                story.terms[term] = None
                self._postings.setdefault(term, {})[sid] = None


def _years_conflict(dates: Vector, centroid: _Centroid) -> bool:
    years = [t for t in dates if t.startswith("y:")]
    if not years or not any(t.startswith("y:") for t in centroid.sums):
        return False
    return not any(t in centroid.sums for t in years)


def _strong_terms(vectors: dict[str, Vector]) -> list[str]:
    """The article's strongest words plus every entity: enough to find its story."""
    words = vectors["words"]
    top = sorted(words, key=words.__getitem__, reverse=True)[:TOP_TERMS]
    return top + ["e:" + t for t in vectors["entities"]]
