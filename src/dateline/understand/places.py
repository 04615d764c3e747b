"""The offline geoparser: find the place names in an article and resolve each one.

Finding does not depend on NER alone (the small spaCy model misses or mislabels many
places): every capitalised token sequence is matched against the gazetteer, and the doc's
entities only add evidence (GPE/LOC for, PERSON/ORG against). Resolution uses the whole
article: the same name means the same place throughout; countries come before regions
before towns; the countries and regions the article names vote; the dateline is a strong
hint; population is the prior; "Paris, Texas" and "Mangistau Oblast" narrow the choice.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import TYPE_CHECKING

from dateline.model import PlaceMention
from dateline.understand.gazetteer import Candidate, Gazetteer, normalise

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# ---------------------------------------------------------------- words


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# a word: abbreviations with dots ("U.S.", "W.Va.", "St."), or letters with inner
# apostrophes ("N'Djamena", "d'Ivoire") but not a possessive "'s"
_WORD = re.compile(
    r"(?:[A-Z][a-z]{0,3}\.){2,}|(?:St|Ste|Ft|Mt|Pt)\.|[^\W\d_]+(?:['’](?!s\b)[^\W\d_]+)*"
)
_CONNECTORS = _words(
    "of de del della la le les du da do dos das di on upon the and al el en y sur am an "
    "der im bei van von au aux los las et"
)
REGION_WORDS = _words(
    "oblast oblasts region regions province provinces state states governorate "
    "governorates prefecture prefectures county counties district districts territory "
    "territories krai oblysy department departments voivodeship parish"
)
_LOCATIVE = _words(
    "in at from near outside across into to towards toward around throughout within via "
    "through between inside"
)
# a town's name followed by one of these names another place: "Pearl Harbor"
_FEATURE_NOUNS = _words(
    "harbor harbour bay river lake mountain mountains valley beach square street avenue "
    "road boulevard lane bridge canyon falls creek island islands peninsula strait sea "
    "ocean park delta desert forest reservoir dam canal gardens hill hills heights point "
    "cape springs"
)
_PLACE_NOUN = re.compile(
    r"\b(?:city|cities|town|towns|village|villages|capital|province|region|state|port|"
    r"suburb|district|county|municipality|settlement)(?: of)?,?\s+(?:[A-Z][\w-]+,?\s+and\s+)?$"
)
_TITLES = _words(
    "mr mrs ms miss dr sir lord lady dame president minister senator sen rep gov governor "
    "gen general col colonel capt captain king queen prince princess pope judge justice "
    "chancellor premier mayor father rev coach"
)
# verbs whose subject, when a country or capital, is its government: "Moscow said"
_AGENT_VERBS = (
    "say warn announce accuse deny insist claim threaten demand decide reject urge respond"
    " condemn agree refuse impose vow call declare retaliate sanction approve sign order"
    " propose confirm criticise criticize blame argue want plan expel summon recall pledge"
    " offer ask request support back oppose veto vote send launch invade attack shell deploy"
    " ban boycott accept welcome dismiss protest negotiate seek push hit strike recognise"
    " recognize promise suspend announce allege"
)
_IRREGULAR = "said says saying sent sending struck hit sought won lost led"


@cache
def _agent_verb_forms() -> frozenset[str]:
    forms = set(_IRREGULAR.split())
    for verb in _AGENT_VERBS.split():
        stem = verb[:-1] if verb.endswith("e") else verb
        forms |= {verb, verb + "s", stem + "ed", stem + "ing", verb + "es"}
        if verb.endswith("y") and verb[-2] not in "aeiou":
            forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
        if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", verb):  # plan -> planned, ban -> banned
            forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    return frozenset(forms)


_METONYMY_TAIL = re.compile(
    r"^\s+(?:(?:has|have|had|will|would|is|was|also|already|has also|previously|"
    r"repeatedly|now|then|quickly|officially|formally)\s+){0,2}([a-z]+)"
)


@cache
def _word_list(name: str) -> frozenset[str]:
    text = (resources.files("dateline.understand") / "data" / name).read_text("utf-8")
    words = (w for line in text.splitlines() if not line.startswith("#") for w in line.split())
    return frozenset(w.replace("_", " ") for w in words)  # "white_house": a phrase


def _stopwords() -> frozenset[str]:
    """Never a place on their own: function words, months, titles, institutions."""
    return _word_list("stopwords.txt")


def _common_words() -> frozenset[str]:
    """Ordinary words some town is named after: a place only with support."""
    return _word_list("common_words.txt")


# ---------------------------------------------------------------- structures


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()


@dataclass
class _Mention:
    start: int
    end: int
    key: str
    candidates: list[Candidate]
    region_word: bool = False
    qualifier: Candidate | None = None
    evidence: float = 0.0
    vetoed: bool = False  # inside a longer person's name or after a title: never a place
    abbreviation: bool = False  # a bare state code ("BC"): needs the article to name its towns
    fixed: bool = False  # given by the caller's demonym table: no evidence needed
    ner: str | None = None  # the NER label covering it
    chosen: Candidate | None = None
    confidence: float = 0.0
    group: str = ""


@dataclass
class _Context:
    """What the whole article says: votes by country and region, the dateline's place."""

    countries: dict[str, float] = field(default_factory=dict)
    regions: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    own: dict[str, tuple[Candidate, float]] = field(default_factory=dict)  # group -> its vote
    dateline: Candidate | None = None
    points: list[tuple[str, float, float]] = field(default_factory=list)

    def share(self, group: str, attr: str, value: str | None) -> float:
        """The article's vote for ``value`` without this name's own vote (no self-reinforcing)."""
        if not value or not self.total:
            return 0.0
        votes = self.countries if attr == "country" else self.regions
        mine, weight = self.own.get(group, (None, 0.0))
        total = self.total - weight
        vote = votes.get(value, 0.0)
        if mine is not None and getattr(mine, attr) == value:
            vote -= weight
        return max(0.0, vote) / total if total > 0 else 0.0


# ---------------------------------------------------------------- API


def find_places(
    text: str,
    doc: Doc | None,
    gazetteer: Gazetteer,
    dateline_place: str | None = None,
    *,
    demonyms: Mapping[str, str] | None = None,
) -> list[PlaceMention]:
    """Every place name in ``text`` resolved to a gazetteer entry, in text order.

    ``doc`` is spaCy's parse of the same text (NER and tags add evidence; the dependency
    parse marks metonymy); with ``doc=None`` only the gazetteer and surface cues are used.
    ``demonyms`` (``{"Syrian": "SY", "European": "Europe"}``: an ISO code or a gazetteer
    name) adds adjectival place references; the gazetteer itself has none, the entities
    stage owns that table.
    """
    article = _Article.read(text, doc, gazetteer)
    tokens = article.tokens
    mentions = _attach_qualifiers(text, tokens, list(_scan(text, tokens, gazetteer)), gazetteer)
    mentions = _add_abbreviations(text, tokens, mentions, gazetteer)
    if demonyms:
        mentions = _add_demonyms(text, tokens, mentions, gazetteer, demonyms)
    _coordinate_region_words(text, mentions)
    context = _Context(dateline=resolve_dateline(dateline_place, gazetteer))
    for mention in mentions:
        mention.evidence = _evidence(article, mention, context)
    _share_evidence(mentions)
    mentions = [m for m in mentions if m.evidence + _SUPPORT >= _KEEP]
    _resolve(mentions, context)
    mentions = [m for m in mentions if m.chosen and _final_evidence(m, context) >= _KEEP]
    return [_to_place(text, m, doc) for m in mentions]


def resolve_dateline(place: str | None, gazetteer: Gazetteer) -> Candidate | None:
    """The place of a dateline ("MOSCOW", "NEW YORK, NY", "Richmond, Va."): a town first."""
    if not place:
        return None
    name, _, qualifier = place.partition(",")
    candidates = gazetteer.lookup(name)
    region = _qualifier_candidate(qualifier.strip(), gazetteer) if qualifier else None
    if region is not None:
        candidates = [c for c in candidates if _inside(c, region)] or candidates
    if not candidates:
        return None
    # a dateline names a town: prefer the biggest town unless only a country or region fits
    towns = [c for c in candidates if c.feature == "city"]
    countries = [c for c in candidates if c.feature == "country"]
    if countries and not any(t.population >= 1_000_000 for t in towns):
        return countries[0]
    return max(towns, key=lambda c: (c.capital, c.population)) if towns else candidates[0]


# ---------------------------------------------------------------- finding


def _scan(text: str, tokens: list[_Token], gazetteer: Gazetteer) -> Iterator[_Mention]:
    """Longest gazetteer matches over capitalised token sequences."""
    i = 0
    while i < len(tokens):
        found = _match_at(text, tokens, i, gazetteer) if tokens[i].capitalised else None
        if found is None:
            i += 1
            continue
        mention, used = found
        yield mention
        i += used


def _match_at(
    text: str, tokens: list[_Token], i: int, gazetteer: Gazetteer
) -> tuple[_Mention, int] | None:
    preceded_by_the = i > 0 and tokens[i - 1].text.casefold() == "the"
    for n in range(min(gazetteer.max_words, len(tokens) - i), 0, -1):
        span = tokens[i : i + n]
        if not _is_name(text, span):
            continue
        start, end = span[0].start, span[-1].end
        key = normalise(text[start:end])
        candidates = gazetteer.lookup_key(key)
        if not candidates and preceded_by_the:
            key = "the " + key  # "the Gulf": the article is part of the name
            candidates = gazetteer.lookup_key(key)
        if not candidates:
            continue
        mention = _Mention(start, end, key, candidates)
        return mention, n + _take_region_word(text, tokens, i + n, mention, gazetteer)
    return None


def _is_name(text: str, span: list[_Token]) -> bool:
    """Capitalised at both ends, joined by single spaces or hyphens, connectors inside."""
    if not span[-1].capitalised:
        return False
    for left, right in pairwise(span):
        gap = text[left.end : right.start]
        if gap in ("'", "’") and right.text == "s":
            continue  # "Democratic People's Republic of Korea"
        if gap not in (" ", "-", "–"):
            return False
        if not right.capitalised and right.text not in _CONNECTORS:
            return False
    return True


def _take_region_word(
    text: str, tokens: list[_Token], j: int, mention: _Mention, gazetteer: Gazetteer
) -> int:
    """ "Mangistau Oblast", "Almaty region": the name is a region's; the word joins the span."""
    if j >= len(tokens) or text[mention.end : tokens[j].start] != " ":
        return 0
    word = tokens[j].text.casefold()
    if word not in REGION_WORDS:
        return 0
    whole = gazetteer.lookup_key(f"{mention.key} {word}")
    regions = whole or [c for c in mention.candidates if c.feature == "region"]
    if not whole and word.startswith("count"):  # a county we lack: keep its namesake towns
        regions = [c for c in mention.candidates if c.feature != "country"]
    if not regions:
        return 0
    mention.candidates = regions
    mention.region_word = True
    mention.end = tokens[j].end
    return 1


_COMMA = re.compile(r",\s*")


def _attach_qualifiers(
    text: str, tokens: list[_Token], mentions: list[_Mention], gazetteer: Gazetteer
) -> list[_Mention]:
    """ "Paris, Texas", "Richmond, Va.", "Springfield, Ill.": the second names the first's region.

    A state abbreviation only counts right after such a comma ("Va." alone is no place).
    """
    by_start = {m.start: m for m in mentions}
    starts = {t.start: k for k, t in enumerate(tokens)}
    for mention in list(by_start.values()):
        after = _COMMA.match(text, mention.end)
        k = starts.get(after.end()) if after else None
        if k is None or mention.region_word:
            continue
        follower = by_start.get(tokens[k].start)
        region, end = _qualifier_at(text, tokens[k], follower, gazetteer)
        inside = [c for c in mention.candidates if region and _inside(c, region)]
        if region is None or not inside:
            continue
        mention.candidates, mention.qualifier = inside, region
        if follower is None or follower.candidates[0] != region:
            key = normalise(text[tokens[k].start : end])
            by_start[tokens[k].start] = _Mention(tokens[k].start, end, key, [region])
            by_start[tokens[k].start].qualifier = region  # it is its own evidence
    return sorted(by_start.values(), key=lambda m: m.start)


def _qualifier_at(
    text: str, token: _Token, follower: _Mention | None, gazetteer: Gazetteer
) -> tuple[Candidate | None, int]:
    """The region or country a word after "Town, " names, and where that word ends."""
    region = gazetteer.abbreviation(normalise(token.text))
    if region is not None:
        end = token.end + 1 if text[token.end : token.end + 1] == "." else token.end
        return region, end
    if follower is not None:
        best = follower.candidates[0]
        if best.feature in ("region", "country"):
            return best, follower.end
    return None, token.end


# two-letter codes that are also words or names in capitals ("IN", "OR", "OK", "LA", "AL")
_AMBIGUOUS_CODES = _words("in or me ok hi oh al la de ma co id on pe nt nu as am it mo pa ne sc mt")


def _add_abbreviations(
    text: str, tokens: list[_Token], mentions: list[_Mention], gazetteer: Gazetteer
) -> list[_Mention]:
    """State codes standing alone: "N.J.", "D.C." always; "NJ", "BC" only where the article
    also names places in that state (checked after resolving)."""
    covered = {t for m in mentions for t in range(m.start, m.end)}
    added: list[_Mention] = []
    for token in tokens:
        if token.start in covered or not token.text[0].isupper():
            continue
        dotted = token.text.count(".") >= 2
        code = len(token.text) == 2 and token.text.isupper()
        key = normalise(token.text)
        if not (dotted or (code and key not in _AMBIGUOUS_CODES)):
            continue
        region = gazetteer.abbreviation(key)
        if region is not None:
            mention = _Mention(token.start, token.end, key, [region], abbreviation=code)
            mention.qualifier = region if dotted else None  # written out, it is certain
            added.append(mention)
    return sorted(mentions + added, key=lambda m: m.start)


def _add_demonyms(
    text: str,
    tokens: list[_Token],
    mentions: list[_Mention],
    gazetteer: Gazetteer,
    demonyms: Mapping[str, str],
) -> list[_Mention]:
    """ "Syrian forces", "South Korean officials": the place an adjective refers to.

    The caller's table wins over a town of the same name ("Kazakh" is also a town).
    """
    mentions = [m for m in mentions if text[m.start : m.end] not in demonyms]
    covered = {t for m in mentions for t in range(m.start, m.end)}
    added: list[_Mention] = []
    k = 0
    while k < len(tokens):
        for n in (2, 1):
            span = tokens[k : k + n]
            if len(span) < n or span[0].start in covered or not _is_name(text, span):
                continue
            surface = text[span[0].start : span[-1].end]
            place = _demonym_place(demonyms.get(surface), gazetteer)
            if place is not None:
                added.append(_Mention(span[0].start, span[-1].end, normalise(surface), [place]))
                added[-1].fixed = True
                k += n - 1
                break
        k += 1
    return sorted(mentions + added, key=lambda m: m.start)


def _demonym_place(value: str | None, gazetteer: Gazetteer) -> Candidate | None:
    if not value:
        return None
    if len(value) == 2 and value.isupper():
        return gazetteer.country(value)
    found = gazetteer.lookup(value)
    return found[0] if found else None


def _coordinate_region_words(text: str, mentions: list[_Mention]) -> None:
    """ "Mangistau and Almaty regions": the plural region word covers both names."""
    for left, right in pairwise(mentions):
        if not right.region_word or not text[right.start : right.end].endswith("s"):
            continue
        if text[left.end : right.start] not in (" and ", ", ", " or ", " & "):
            continue
        regions = [c for c in left.candidates if c.feature == "region"]
        if regions and not left.region_word:
            left.candidates, left.region_word = regions, True


def _qualifier_candidate(word: str, gazetteer: Gazetteer) -> Candidate | None:
    key = normalise(word)
    region = gazetteer.abbreviation(key)
    if region is not None:
        return region
    found = [c for c in gazetteer.lookup_key(key) if c.feature in ("region", "country")]
    return found[0] if found else None


def _inside(candidate: Candidate, region: Candidate) -> bool:
    if region.feature == "country":
        return candidate.country == region.country and candidate.feature != "country"
    return candidate.admin1 == region.admin1 and candidate.feature in ("city", "district")


# ---------------------------------------------------------------- evidence

_KEEP = 0.3
_SUPPORT = 0.6  # the most the article's own country and region add to a town's evidence


@dataclass
class _Article:
    """The text with what is known about it: tokens, the doc's entities and tags, names."""

    text: str
    tokens: list[_Token]
    ents: list[tuple[int, int, str]] = field(default_factory=list)
    tagged: dict[int, Token] = field(default_factory=dict)  # spaCy tokens by offset
    person_words: frozenset[str] = frozenset()  # words of the article's people's names
    lowercase: frozenset[str] = frozenset()  # words the article writes in lower case
    position: dict[int, int] = field(default_factory=dict)  # token index by start offset

    @classmethod
    def read(cls, text: str, doc: Doc | None, gazetteer: Gazetteer) -> _Article:
        tokens = [_Token(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        article = cls(text, tokens)
        article.position = {t.start: k for k, t in enumerate(tokens)}
        article.lowercase = frozenset(t.text for t in tokens if t.text.islower())
        people = set(_surnames(text, tokens, gazetteer))
        if doc is not None:
            article.ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            article.tagged = {t.idx: t for t in doc}
            people.update(
                normalise(t.text)
                for e in doc.ents
                if e.label_ == "PERSON" and len(e) > 1
                for t in e
                if t.is_alpha and t.is_title
            )
        article.person_words = frozenset(people)
        return article

    def covering(self, start: int, end: int) -> list[tuple[int, int, str]]:
        return [e for e in self.ents if e[0] < end and start < e[1]]

    def neighbours(self, mention: _Mention) -> tuple[_Token | None, _Token | None]:
        """The words just before and just after the mention."""
        index = self.position.get(mention.start, 0)
        before = self.tokens[index - 1] if index > 0 else None
        after = next((t for t in self.tokens[index : index + 12] if t.start >= mention.end), None)
        return before, after


def _surnames(text: str, tokens: list[_Token], gazetteer: Gazetteer) -> Iterator[str]:
    """ "Megyn Kelly ... Kelly said": the second word of a two-word capitalised name that is
    no place, after a word that is no function word, is somebody's surname here."""
    for k in range(1, len(tokens) - 1):
        first, second = tokens[k - 1], tokens[k]
        if not (first.capitalised and second.capitalised and second.text[1:].islower()):
            continue
        if text[first.end : second.start] != " " or tokens[k + 1].capitalised:
            continue
        if k > 1 and tokens[k - 2].capitalised and text[tokens[k - 2].end : first.start] == " ":
            continue
        if first.text.casefold() in _stopwords() or first.text.casefold() in _TITLES:
            continue
        if first.text.casefold() in REGION_WORDS or second.text.casefold() in _FEATURE_NOUNS:
            continue
        pair = normalise(f"{first.text} {second.text}")
        if not gazetteer.has_key(pair) and not gazetteer.has_key(normalise(first.text)):
            yield normalise(second.text)


def _strength(candidate: Candidate) -> float:
    """How likely a name with this best entry is a place at all, before any context.

    Towns known by this name only as an alternate ("Salah", "Chen", "Riad") are weak.
    """
    if candidate.feature in ("country", "continent", "area"):
        return 1.2
    if candidate.feature == "region":
        return 0.6 if candidate.alternate else 1.0
    if candidate.feature == "district":
        return 0.0 if candidate.alternate else 0.6
    bonus = 0.3 if candidate.capital else 0.0
    if candidate.alternate:
        bonus -= 0.35 if candidate.population >= 1_000_000 else 0.5
    return math.log10(max(candidate.population, 10)) / 5 - 0.7 + bonus


def _evidence(article: _Article, mention: _Mention, context: _Context) -> float:
    """A score for "this string is a place name here"; kept when >= _KEEP."""
    if mention.fixed:
        return 1.5
    best = max(mention.candidates, key=_strength)
    surface = article.text[mention.start : mention.end]
    if _is_stopword(mention, surface):
        return -1.0
    score = _strength(best) + _ner_evidence(article, mention, best)
    weak = best.feature == "district" or (best.feature == "city" and best.population < 100_000)
    if mention.key in article.person_words and weak:
        mention.vetoed = True  # "Megyn Kelly" ... "Kelly said": a person all along
        score -= 1.5
    if mention.key in _common_words() and best.feature not in ("country", "continent", "area"):
        score -= 1.0
    score += _surface_evidence(article, mention, surface, best)
    if mention.qualifier is not None or (
        mention.region_word and best.feature in ("region", "district")
    ):
        score += 1.0
    if context.dateline is not None and any(
        c.geonames_id == context.dateline.geonames_id for c in mention.candidates
    ):
        score += 0.5
    return score


def _share_evidence(mentions: list[_Mention]) -> None:
    """One sense per article: a name that is clearly a place once ("in Douma") is a place
    where the tagger calls it a person too; but not inside a longer person's name."""
    best: dict[str, float] = {}
    for mention in mentions:
        if not mention.vetoed:
            best[mention.key] = max(best.get(mention.key, -9.0), mention.evidence)
    for mention in mentions:
        if not mention.vetoed and mention.key in best:
            mention.evidence = max(mention.evidence, best[mention.key] - 0.2)


def _is_stopword(mention: _Mention, surface: str) -> bool:
    """Function words, months, titles; short all-caps acronyms that are no country."""
    if mention.key in _stopwords():
        return True
    letters = surface.replace(".", "")
    if letters.isupper() and len(letters) <= 3 and not mention.abbreviation:
        named = ("country", "area", "continent")  # "US", "UK", "EU"; never "AP" the town
        return not any(c.feature in named for c in mention.candidates)
    return False


def _ner_evidence(article: _Article, mention: _Mention, best: Candidate) -> float:
    """GPE/LOC for, PERSON against; ORG and the like against a weak town's name."""
    strong = best.feature != "city" or best.population >= 100_000
    score = 0.0
    for start, end, label in article.covering(mention.start, mention.end):
        same = start == mention.start and end == mention.end
        larger = start <= mention.start and mention.end <= end and not same
        if label in ("GPE", "LOC"):
            mention.ner = label
            score = max(score, 0.8)
        elif label == "FAC":
            score = max(score, 0.3)
        elif label == "PERSON":
            mention.vetoed |= larger and best.feature != "country"
            score -= 1.5 if larger else (0.6 if strong else 1.0)
        elif label in ("ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT") and not strong:
            score -= 0.7 if larger else 0.4
    tagged = article.tagged.get(mention.start)
    if tagged is not None and tagged.tag_ not in ("NNP", "NNPS") and mention.ner is None:
        score -= 0.6  # the tagger reads it as a common word ("Police", "Mobile")
    return score


def _surface_evidence(article: _Article, mention: _Mention, surface: str, best: Candidate) -> float:
    """Cues around the name: a locative preposition, a title, a longer capitalised name."""
    text, score = article.text, 0.0
    before, after = article.neighbours(mention)
    if before is not None and before.text.casefold() in _LOCATIVE:
        score += 0.5
    if _PLACE_NOUN.search(text[max(0, mention.start - 30) : mention.start]):
        score += 0.8  # "the cities of Zhanaozen and", "the town of", "capital, "
    titled = before is not None and before.text.casefold().rstrip(".") in _TITLES
    if titled and best.feature != "country":
        mention.vetoed = True  # "Mr. Jackson", "President Lincoln"
        score -= 1.0
    if best.feature == "city" and best.population < 100_000:
        score -= _inside_longer_name(text, mention, before, after)
    if best.feature in ("city", "district") and _names_a_feature(text, mention, after):
        score -= 1.5
    if " " in surface or "-" in surface:
        score += 0.4  # multi-word names rarely match by accident
    if surface.isupper() and len(surface) > 3:
        score -= 0.3
    if _sentence_initial(text, mention.start) and best.feature == "city":
        score -= 0.3 if mention.key in article.lowercase else 0.1
    return score


def _names_a_feature(text: str, mention: _Mention, after: _Token | None) -> bool:
    """ "Pearl Harbor", "Washington Square", "Hudson River": the name of another place."""
    return (
        after is not None
        and text[mention.end : after.start] == " "
        and after.text.casefold() in _FEATURE_NOUNS
    )


def _inside_longer_name(
    text: str, mention: _Mention, before: _Token | None, after: _Token | None
) -> float:
    """ "Jackson Browne", "Kassym-Zhomart": a town-name piece of a longer name is no town."""
    penalty = 0.0
    joined = before is not None and text[before.end : mention.start] in " -"
    if joined and before is not None and before.capitalised:
        penalty += 0.0 if before.text.casefold() in _stopwords() else 0.7  # not "In Paris"
    if after is not None and after.capitalised and text[mention.end : after.start] in (" ", "-"):
        penalty += 0.7
    return penalty


def _sentence_initial(text: str, start: int) -> bool:
    head = text[max(0, start - 4) : start].rstrip(" \"“‘'(")
    return not head or head[-1] in ".!?\n:"


# ---------------------------------------------------------------- resolving


# weights of the resolver: the population prior and the article's votes (country, first-level
# region, another named place within 200 km)
_W_POPULATION = 0.3
_W_COUNTRY = 1.5
_W_ADMIN1 = 1.0
_W_NEAR = 0.4


def _resolve(mentions: list[_Mention], context: _Context) -> None:
    """Resolve each distinct name once, with the article's votes; three rounds."""
    groups = _group(mentions)
    for key, group in groups.items():
        _choose(key, group, context)
    for _ in range(2):
        _vote(groups, context)
        for key, group in groups.items():
            _choose(key, group, context)


def _group(mentions: list[_Mention]) -> dict[str, list[_Mention]]:
    """One sense per article: the same name (or qualified name) is the same place."""
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for mention in mentions:
        mention.group = mention.key + ("#region" if mention.region_word else "")
        groups[mention.group].append(mention)
    for group in groups.values():
        qualified = next((m for m in group if m.qualifier is not None), None)
        if qualified is not None:
            for mention in group:
                mention.candidates = qualified.candidates
    return groups


def _vote(groups: dict[str, list[_Mention]], context: _Context) -> None:
    """The countries and regions the article's names resolved to, weighted by confidence."""
    countries: dict[str, float] = defaultdict(float)
    regions: dict[str, float] = defaultdict(float)
    context.points, context.own, context.total = [], {}, 0.0
    for key, group in groups.items():
        chosen = group[0].chosen
        if chosen is None:
            continue
        weight = group[0].confidence * (1 + math.log(len(group)))
        if chosen.country:
            countries[chosen.country] += weight
        if chosen.admin1:
            regions[chosen.admin1] += weight
        context.own[key] = (chosen, weight)
        context.total += weight
        context.points.append((key, chosen.lat, chosen.lon))
    context.countries, context.regions = dict(countries), dict(regions)


def _choose(key: str, group: list[_Mention], context: _Context) -> None:
    candidates = _prune(group[0].candidates, group[0].region_word)
    scored = sorted(
        ((_score(c, key, candidates, context), c) for c in candidates),
        key=lambda pair: -pair[0],
    )
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else best_score - 3.0
    confidence = 1 / (1 + math.exp(-2.0 * (best_score - runner_up)))
    for mention in group:
        mention.chosen = best
        mention.confidence = confidence


def _prune(candidates: list[Candidate], region_word: bool) -> list[Candidate]:
    """A country's name is the country ("Mexico", "Kazakhstan"), never a town of that name.

    "Moscow", "Almaty": the town, not the region that is the same town; but "Almaty
    region" is the region around it, not the town's own.
    """
    if any(c.feature == "country" for c in candidates):
        return [c for c in candidates if c.feature not in ("city", "district")]
    if region_word:
        kept = [c for c in candidates if not c.city_region]
    else:
        towns = {(c.country, c.admin1) for c in candidates if c.feature == "city"}
        kept = [c for c in candidates if not (c.city_region and (c.country, c.admin1) in towns)]
    return kept or candidates


def _score(candidate: Candidate, key: str, candidates: list[Candidate], context: _Context) -> float:
    score = _prior(candidate, candidates)
    score += _W_COUNTRY * context.share(key, "country", candidate.country)
    if candidate.feature in ("city", "region", "district"):
        score += _W_ADMIN1 * context.share(key, "admin1", candidate.admin1)
    dateline = context.dateline
    if dateline is not None:
        if candidate.geonames_id == dateline.geonames_id:
            score += 1.0
        elif candidate.country == dateline.country:
            score += 0.6 if candidate.admin1 != dateline.admin1 or not dateline.admin1 else 0.9
    if candidate.feature in ("city", "district") and _near_other(candidate, key, context):
        score += _W_NEAR
    return score


def _prior(candidate: Candidate, others: list[Candidate]) -> float:
    """Countries before regions before towns; population and fame order each kind."""
    feature, population = candidate.feature, candidate.population
    if feature == "country":
        return 3.0
    if feature in ("continent", "area"):
        return 2.6
    if feature == "region":
        score = 1.8 + math.log10(population + 1) / 10 - (0.7 if candidate.alternate else 0.0)
        if any(_big_town_of(other, candidate) for other in others):
            score -= 0.5  # "New York", "Mexico City": the town, when it is a big one
        return score
    if feature == "district":
        return 1.0 + math.log10(population + 1) / 20 - (0.7 if candidate.alternate else 0.0)
    score = _W_POPULATION * math.log10(population + 10) + 0.12 * math.log1p(candidate.prominence)
    if candidate.alternate:
        score -= 0.8
    if candidate.capital:
        score += 0.6
    if population >= 1_000_000:
        score += 0.3
    return score


def _big_town_of(town: Candidate, region: Candidate) -> bool:
    return (
        town.feature == "city"
        and town.country == region.country
        and (town.capital or town.population >= 1_000_000)
    )


def _near_other(candidate: Candidate, key: str, context: _Context) -> bool:
    return any(
        other != key and _km(candidate.lat, candidate.lon, lat, lon) < 200
        for other, lat, lon in context.points
    )


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def _final_evidence(mention: _Mention, context: _Context) -> float:
    """Weak town matches survive only in the article's own country or region."""
    chosen = mention.chosen
    if chosen is None:
        return -1.0
    if mention.abbreviation:  # "BC" counts only in news that names places in that region
        return 1.0 if context.share(mention.group, "admin1", chosen.admin1) > 0 else -1.0
    if chosen.feature != "city":
        return mention.evidence
    support = context.share(mention.group, "country", chosen.country)
    support += context.share(mention.group, "admin1", chosen.admin1)
    return mention.evidence + min(_SUPPORT, support)


# ---------------------------------------------------------------- output


def _to_place(text: str, mention: _Mention, doc: Doc | None) -> PlaceMention:
    chosen = mention.chosen
    assert chosen is not None
    detection = min(1.0, 0.55 + mention.evidence / 3)
    return PlaceMention(
        start=mention.start,
        end=mention.end,
        text=text[mention.start : mention.end],
        name=chosen.name,
        geonames_id=chosen.geonames_id,
        lat=round(chosen.lat, 5),
        lon=round(chosen.lon, 5),
        feature=chosen.feature,
        admin1=chosen.admin1,
        country=chosen.country,
        confidence=round(max(0.01, min(0.99, mention.confidence * detection)), 3),
        metonymy=_is_metonymy(text, mention, chosen, doc),
    )


def _is_metonymy(text: str, mention: _Mention, chosen: Candidate, doc: Doc | None) -> bool:
    """A country or capital as the subject of a speech or decision verb: its government."""
    if not (chosen.feature == "country" or chosen.capital):
        return False
    verbs = _agent_verb_forms()
    if doc is not None:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is not None:
            root = span.root
            if root.dep_ in ("nsubj", "nsubjpass") and root.head.lower_ in verbs:
                return True
    tail = _METONYMY_TAIL.match(text[mention.end : mention.end + 60])
    return bool(tail and tail.group(1) in verbs)
