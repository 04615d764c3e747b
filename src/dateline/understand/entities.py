"""Named entities with a canonical name and a stable id, from a spaCy ``Doc``.

The pipeline of :mod:`dateline.understand.nlp` finds the spans (model plus rulers fed from
the knowledge base below); :func:`link_entities` turns them into
:class:`~dateline.model.EntityMention` records:

- the knowledge base (``kb/*.tsv``, written by hand from public facts) gives a canonical
  name, a kind, a country and a PLOVER-style sector, and an id ``kb:...`` that is the same
  in every article;
- within one article a short form joins the full one: a surname its full name
  ("Tokayev" → "Kassym-Jomart Tokayev"), an acronym its expansion, whether the knowledge
  base knows it or the text defines it ("Agency for Financial Monitoring (AFM)");
- transliterations meet through knowledge-base aliases and, failing those, a folding
  (zh/j, y/i, doubled letters) that is only trusted when it lands on one known alias;
- what the knowledge base does not know gets an id hashed from kind and canonical name,
  so the same name is the same entity across articles too.

Numbers, dates and times are not entities here: the times stage owns them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from spacy.tokens import Doc, Span

from dateline.model import EntityMention

# --------------------------------------------------------------------------- vocabulary


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KINDS = ("person", "organisation", "place", "group", "media", "event", "other")
# PLOVER-style actor sectors: government, military, police, intelligence, legislature,
# judiciary, party, rebels, intergovernmental, non-governmental, civilians, media, business,
# education, religion, labour, health.
SECTORS = _words("GOV MIL COP SPY LEG JUD POL REB IGO NGO CVL MED BUS EDU REL LAB HLH")
# Labels the model gives to numbers and times: the times stage handles those.
DROPPED_LABELS = _words("CARDINAL ORDINAL DATE TIME MONEY PERCENT QUANTITY")
KIND_BY_LABEL = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
    "EVENT": "event",
}
# The knowledge base overrules a wrong model label, except where the label says the
# span is a different sort of thing: "Jordan" the footballer is not the country.
_INCOMPATIBLE = frozenset(
    {
        ("place", "PERSON"),
        ("group", "PERSON"),
        ("person", "GPE"),
        ("person", "LOC"),
        ("person", "FAC"),
    }
)
# Countries whose names take "the" in running English ("Government of the Netherlands").
_THE_COUNTRIES = _words("US GB AE NL PH BS GM MV KM SC MH SB CZ DO CF CD CG")
# Words a surname or an acronym never starts with; also skipped for acronym initials.
_MINOR_WORDS = _words("of for and the in on at to de du des la le el al von van der da")
_TITLES = _words(
    "mr mrs ms miss dr sir dame president premier minister chancellor king queen prince "
    "princess pope senator sen rep gov governor general gen col colonel ayatollah sheikh "
    "emir lord lady judge justice secretary"
)
# Last words that mark an unknown organisation as a news outlet ("Jerusalem Post").
_MEDIA_HEADS = _words(
    "News Times Post Herald Gazette Tribune Journal Telegraph Chronicle Daily Radio TV "
    "Television Broadcasting Newspaper"
)


# --------------------------------------------------------------------------- names


_POSSESSIVE = re.compile(r"['\u2019\u2018`\u02bc]s\b")
_QUIET = re.compile(r"['\u2019\u2018`\u02bc.]")
_GAPS = re.compile(r"[\s\-\u2010-\u2015/]+")
_GLIDE = re.compile(r"(?<=[aeiou])y(?=e)")
_DOUBLE = re.compile(r"(.)\1+")


def name_key(text: str) -> str:
    """Lookup key: no case, accents, dots or hyphens; "the" and a possessive dropped.

    "Alma-Ata" and "alma ata" meet, "U.S." and "US", "the Kremlin's" and "Kremlin".
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _QUIET.sub("", _POSSESSIVE.sub("", text.casefold()))
    text = _GAPS.sub(" ", text).strip()
    return text[4:] if text.startswith("the ") else text


def fold(text: str) -> str:
    """A coarser key on which transliterations of the same name usually meet.

    Kassym-Zhomart/Kassym-Jomart, Tokayev/Tokaev, Mangistau/Mangystau, Kasym/Kassym.
    Used only to find a knowledge-base alias, never to join two unknown names.
    """
    key = name_key(text).replace(" ", "")
    key = key.replace("dzh", "j").replace("zh", "j")
    key = _GLIDE.sub("", key).replace("y", "i")  # Tokayev/Tokaev, Aliyev/Aliev
    return _DOUBLE.sub(r"\1", key)


def stable_id(kind: str, canonical: str) -> str:
    """The id of an entity the knowledge base does not know: same name, same id."""
    digest = hashlib.sha1(f"{kind}|{name_key(canonical)}".encode()).hexdigest()
    return f"e:{digest[:16]}"


# --------------------------------------------------------------------------- knowledge base


class KBError(ValueError):
    """A knowledge-base file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class KBEntity:
    id: str
    canonical: str
    kind: str
    country: str | None
    sector: str | None
    label: str  # the NER label the rulers give its names


@dataclass(frozen=True, slots=True)
class Alias:
    """One name of a knowledge-base entity, as the rulers and the linker use it."""

    text: str
    entity_id: str
    ruler: bool  # False: link-only (an ambiguous name the model must find first)
    case_sensitive: bool  # "=" in the files: the ruler matches the exact case


@dataclass(frozen=True, slots=True)
class KBMatch:
    entity: KBEntity
    strong: bool  # a ruler name, exactly: weaker matches yield to the article's own full forms


@dataclass
class KnowledgeBase:
    entities: dict[str, KBEntity] = field(default_factory=dict)
    aliases: list[Alias] = field(default_factory=list)
    # name key -> {entity id: whether one of its names with this key is a ruler name}
    _keys: dict[str, dict[str, bool]] = field(default_factory=lambda: defaultdict(dict))
    _folds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # demonym or people-noun -> ISO country code ("Kazakh" -> "KZ"), for the geoparser
    demonyms: dict[str, str] = field(default_factory=dict)

    def add(self, entity: KBEntity) -> None:
        self.entities[entity.id] = entity

    def add_alias(self, alias: Alias, foldable: bool = True) -> None:
        self.aliases.append(alias)
        owners = self._keys[name_key(alias.text)]
        owners[alias.entity_id] = owners.get(alias.entity_id, False) or alias.ruler
        folded = fold(alias.text) if foldable else ""
        if len(folded) >= 4:  # shorter folds collide too easily
            self._folds[folded].add(alias.entity_id)

    def knows(self, text: str) -> bool:
        return bool(self._keys.get(name_key(text)))

    def get(self, entity_id: str) -> KBEntity | None:
        return self.entities.get(entity_id)

    def lookup(self, text: str, label: str | None = None) -> KBMatch | None:
        """The one entity a name refers to, by exact key then by folded key, or None.

        A name two entities share is no link at all: better none than a wrong one.
        """
        owners = self._fitting(self._keys.get(name_key(text), {}), label)
        if len(owners) == 1:
            entity_id, ruler = next(iter(owners.items()))
            return KBMatch(self.entities[entity_id], ruler)
        if owners:
            return None
        folded = self._fitting(dict.fromkeys(self._folds.get(fold(text), ()), False), label)
        if len(folded) == 1:
            return KBMatch(self.entities[next(iter(folded))], False)
        return None

    def _fitting(self, owners: dict[str, bool], label: str | None) -> dict[str, bool]:
        return {
            i: ruler
            for i, ruler in owners.items()
            if (self.entities[i].kind, label) not in _INCOMPATIBLE
        }

    def ruler_aliases(self, kinds: Iterable[str]) -> Iterator[tuple[Alias, KBEntity]]:
        wanted = set(kinds)
        for alias in self.aliases:
            entity = self.entities[alias.entity_id]
            if alias.ruler and entity.kind in wanted:
                yield alias, entity

    def add_places(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Know the ids of the gazetteer's place patterns that carry a canonical name."""
        for pattern in patterns:
            entity_id = pattern.get("id")
            name = pattern.get("canonical") or pattern.get("name")
            if not entity_id or not name or entity_id in self.entities:
                continue
            label = str(pattern.get("label") or "GPE")
            country = pattern.get("country")
            self.entities[entity_id] = KBEntity(
                entity_id, str(name), "place", country and str(country), None, label
            )


# --------------------------------------------------------------------------- KB files

_ID = re.compile(r"^kb:[a-z0-9][a-z0-9:._-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PLACEHOLDER = re.compile(r"\{(adj|country|the_country)\}")
_FILES = {
    "places.tsv": ("id", "canonical", "feature", "country", "aliases"),
    "demonyms.tsv": ("id", "country", "demonym", "adjectives", "people"),
    "organisations.tsv": ("id", "canonical", "kind", "country", "sector", "aliases"),
    "people.tsv": ("id", "canonical", "country", "sector", "role", "aliases"),
    "bodies.tsv": ("key", "canonical", "sector", "forms"),
}
_PLACE_FEATURES = {"country": "GPE", "territory": "GPE", "region": "GPE", "city": "GPE"}
_PLACE_FEATURES |= {"area": "LOC", "sea": "LOC", "river": "LOC", "mountain": "LOC"}


@dataclass(frozen=True, slots=True)
class _Row:
    file: str
    line: int
    cells: dict[str, str]

    def fail(self, message: str) -> KBError:
        return KBError(f"{self.file} line {self.line}: {message}")


def read_rows(name: str, text: str) -> Iterator[_Row]:
    """The data rows of one KB file, checked against its header; comments skipped."""
    columns = _FILES[name]
    header_seen = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if not header_seen:
            if tuple(cells) != columns:
                raise KBError(f"{name} line {number}: header must be: {' TAB '.join(columns)}")
            header_seen = True
            continue
        if len(cells) != len(columns):
            raise KBError(
                f"{name} line {number}: {len(columns)} columns expected, got {len(cells)}"
            )
        yield _Row(name, number, dict(zip(columns, cells, strict=True)))
    if not header_seen:
        raise KBError(f"{name}: no header line")


class _Builder:
    """Reads the KB files into a KnowledgeBase, checking each row as it goes."""

    def __init__(self, read: Callable[[str], str]) -> None:
        self.read = read
        self.kb = KnowledgeBase()
        self.where: dict[str, str] = {}  # id -> "file line N", for duplicate errors
        self.ruler_owner: dict[str, tuple[str, str]] = {}  # alias key -> (id, where)
        self.countries: dict[str, list[str]] = {}  # ISO code -> name, one-word aliases
        self.adjectives: dict[str, list[str]] = defaultdict(list)

    def build(self) -> KnowledgeBase:
        for row in read_rows("places.tsv", self.read("places.tsv")):
            self.place(row)
        for row in read_rows("demonyms.tsv", self.read("demonyms.tsv")):
            self.demonym(row)
        for row in read_rows("organisations.tsv", self.read("organisations.tsv")):
            self.organisation(row)
        for row in read_rows("people.tsv", self.read("people.tsv")):
            self.person(row)
        for row in read_rows("bodies.tsv", self.read("bodies.tsv")):
            self.bodies(row)
        return self.kb

    # one method per file -----------------------------------------------------------------

    def place(self, row: _Row) -> None:
        feature = row.cells["feature"]
        if feature not in _PLACE_FEATURES:
            raise row.fail(f"unknown feature {feature!r}")
        # a country (or territory: Hong Kong, HK) row defines its code; any other place must
        # name one defined above it
        defines = feature in ("country", "territory")
        country = self.country(row, row.cells["country"], known=not defines)
        canonical = row.cells["canonical"]
        if defines:
            if country is None:
                raise row.fail(f"a {feature} needs its ISO code")
            # "Kazakhstan", "UK", "Britain": the forms "{country} Foreign Ministry" uses
            names = [canonical, *split(row.cells["aliases"])]
            short = [n.lstrip("~=") for n in names[1:] if " " not in n and not n.startswith("~")]
            self.countries[country] = [canonical.lstrip("~="), *short]
        self.entity(row, canonical, "place", country, None, _PLACE_FEATURES[feature])

    def demonym(self, row: _Row) -> None:
        country = self.country(row, row.cells["country"])
        names = [row.cells["demonym"], *split(row.cells["adjectives"])]
        if country:
            self.adjectives[country] += [n.lstrip("~=") for n in names]
            for form in [*names, *split(row.cells["people"])]:
                self.kb.demonyms[form.lstrip("~=")] = country
        aliases = "|".join([*names[1:], *split(row.cells["people"])])
        self.entity(row, names[0], "group", country, None, "NORP", aliases)

    def organisation(self, row: _Row) -> None:
        kind = row.cells["kind"]
        if kind not in ("organisation", "media"):
            raise row.fail(f"kind must be organisation or media, not {kind!r}")
        country = self.country(row, row.cells["country"])
        sector = self.sector(row)
        self.entity(row, row.cells["canonical"], kind, country, sector, "ORG")

    def person(self, row: _Row) -> None:
        country = self.country(row, row.cells["country"])
        sector = self.sector(row)
        self.entity(row, row.cells["canonical"], "person", country, sector, "PERSON")

    def bodies(self, row: _Row) -> None:
        """Expand one government-body template for every country with a demonym."""
        sector = self.sector(row)
        key = row.cells["key"]
        if not re.fullmatch(r"[a-z][a-z-]*", key):
            raise row.fail(f"bad key {key!r}")
        forms = split(row.cells["forms"])
        for text in (row.cells["canonical"], *forms):
            if not _PLACEHOLDER.search(text):
                raise row.fail(f"{text!r} has no {{adj}}, {{country}} or {{the_country}}")
        for country, adjectives in self.adjectives.items():
            self.body(row, f"kb:{country.lower()}:{key}", country, adjectives, sector, forms)

    def body(
        self,
        row: _Row,
        entity_id: str,
        country: str,
        adjectives: list[str],
        sector: str | None,
        forms: list[str],
    ) -> None:
        names = self.countries[country]
        the_name = f"the {names[0]}" if country in _THE_COUNTRIES else names[0]
        fill = {"adj": adjectives, "country": names, "the_country": [the_name]}
        if entity_id not in self.kb.entities:
            canonical = _PLACEHOLDER.sub(lambda m: fill[m.group(1)][0], row.cells["canonical"])
            self.kb.add(KBEntity(entity_id, canonical, "organisation", country, sector, "ORG"))
        for text in expand(forms, fill):
            # a name the files already give (to this or another entity) keeps its owner
            if not self.kb.knows(text):
                alias = Alias(text, entity_id, ruler=False, case_sensitive=False)
                self.kb.add_alias(alias, foldable=False)  # names of bodies need no folding

    # cells ----------------------------------------------------------------------------------

    def entity(
        self,
        row: _Row,
        canonical: str,
        kind: str,
        country: str | None,
        sector: str | None,
        label: str,
        aliases: str | None = None,
    ) -> None:
        entity_id = row.cells["id"]
        if not _ID.match(entity_id):
            raise row.fail(f"id {entity_id!r} must look like kb:name (lower case)")
        here = f"{row.file} line {row.line}"
        if entity_id in self.where:
            raise row.fail(f"id {entity_id} already used in {self.where[entity_id]}")
        self.where[entity_id] = here
        names = [canonical, *split(row.cells.get("aliases", "") if aliases is None else aliases)]
        if not canonical.lstrip("~="):
            raise row.fail("empty canonical name")
        self.kb.add(KBEntity(entity_id, canonical.lstrip("~="), kind, country, sector, label))
        seen: set[tuple[str, bool]] = set()
        for raw in names:
            alias = parse_alias(raw, entity_id)
            if (alias.text, alias.case_sensitive) in seen:
                continue
            seen.add((alias.text, alias.case_sensitive))
            self.claim(row, alias, here)
            self.kb.add_alias(alias)

    def claim(self, row: _Row, alias: Alias, here: str) -> None:
        """Two entities may not both force the same name on the text."""
        if not alias.ruler:
            return
        key = alias.text if alias.case_sensitive else name_key(alias.text)
        owner = self.ruler_owner.get(key)
        if owner and owner[0] != alias.entity_id:
            raise row.fail(f"name {alias.text!r} is already {owner[0]} ({owner[1]})")
        self.ruler_owner[key] = (alias.entity_id, here)

    def country(self, row: _Row, value: str, known: bool = True) -> str | None:
        if value == "-":
            return None
        if not _COUNTRY.match(value):
            raise row.fail(f"country {value!r} must be an ISO 3166 alpha-2 code or -")
        if known and value not in self.countries:
            raise row.fail(f"country {value} is not a country of places.tsv")
        return value

    def sector(self, row: _Row) -> str | None:
        value = row.cells["sector"]
        if value == "-":
            return None
        if value not in SECTORS:
            raise row.fail(f"sector {value!r} is not one of {' '.join(sorted(SECTORS))}")
        return value


def split(cell: str) -> list[str]:
    """The "|"-separated names of a cell; empty or "-" is none."""
    if cell.strip() in ("", "-"):
        return []
    return [part.strip() for part in cell.split("|") if part.strip()]


def parse_alias(raw: str, entity_id: str) -> Alias:
    """ "~Name": link-only; "=Name": case-sensitive; otherwise a ruler name."""
    ruler = not raw.startswith("~")
    case_sensitive = raw.startswith("=")
    return Alias(raw.lstrip("~=").strip(), entity_id, ruler, case_sensitive)


def expand(forms: Sequence[str], fill: dict[str, list[str]]) -> Iterator[str]:
    """Every way of filling the placeholders of each form (one placeholder per form)."""
    for form in forms:
        match = _PLACEHOLDER.search(form)
        if match is None:
            yield form
            continue
        for value in fill[match.group(1)]:
            yield form.replace(match.group(0), value)


def _read_packaged(name: str) -> str:
    return (resources.files("dateline.understand") / "kb" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_kb() -> KnowledgeBase:
    """The knowledge base from ``kb/*.tsv``, read once per process."""
    return build_kb(_read_packaged)


def build_kb(read: Callable[[str], str]) -> KnowledgeBase:
    """A knowledge base from KB files that ``read(name)`` returns (tests use their own)."""
    return _Builder(read).build()


# --------------------------------------------------------------------------- linking


@dataclass(eq=False)
class _Mention:
    start: int  # token indices
    end: int
    label: str
    words: tuple[str, ...]  # the name's words, titles dropped: what names are compared on
    text: str
    name: str  # the text without titles, whitespace normalised: an unknown entity's canonical
    span_id: str = ""  # the knowledge-base id a ruler gave the span
    entity: KBEntity | None = None
    weak: bool = False  # entity found by a link-only name or by folding: the article wins
    target: _Mention | None = None  # the mention whose entity this one shares

    def root(self) -> _Mention:
        mention, seen = self, {id(self)}
        while mention.target is not None and id(mention.target) not in seen:
            mention = mention.target
            seen.add(id(mention))
        return mention


def link_entities(doc: Doc, kb: KnowledgeBase | None = None) -> list[EntityMention]:
    """The named entities of ``doc`` in text order, each with its canonical entity."""
    if kb is None:
        kb = load_kb()
    occupied = {i for ent in doc.ents for i in range(ent.start, ent.end)}  # dates too
    mentions = [m for m in (_mention(doc, ent) for ent in doc.ents) if m is not None]
    mentions, defined = _acronym_definitions(doc, mentions, occupied)
    mentions.sort(key=lambda m: m.start)
    for mention in mentions:
        _resolve(mention, kb)
    mentions = _region_words(doc, mentions, kb)
    _link_within(mentions, defined, kb)
    mentions += _propagate(doc, mentions, occupied)
    mentions.sort(key=lambda m: m.start)
    return [_output(doc, m) for m in mentions]


def _mention(doc: Doc, ent: Span) -> _Mention | None:
    if ent.label_ in DROPPED_LABELS:
        return None
    start, end = ent.start, ent.end
    # "the Kremlin", "Tokayev's", "(CSTO": the article and the punctuation are not the name
    while start < end and (doc[start].lower_ == "the" or _is_edge_punct(doc[start].text)):
        start += 1
    while end > start and (_is_possessive(doc[end - 1].text) or _is_edge_punct(doc[end - 1].text)):
        end -= 1
    if start == end:
        return None
    return _new_mention(doc, start, end, ent.label_, ent.id_)


def _is_edge_punct(text: str) -> bool:
    return bool(re.fullmatch(r"[\"'“”‘’()\[\],.;:!?\-–—]+", text))


def _is_possessive(text: str) -> bool:
    return text in ("'s", "\u2019s", "'", "\u2019")


def _new_mention(doc: Doc, start: int, end: int, label: str, span_id: str = "") -> _Mention:
    first = start
    if label == "PERSON":  # "Ms Bauchtman", "President Putin": the name is what follows
        while first < end - 1 and doc[first].lower_.rstrip(".") in _TITLES:
            first += 1
    name = doc[first:end]
    words = tuple(t.text for t in name if any(c.isalnum() for c in t.text))
    text = doc[start:end].text
    return _Mention(start, end, label, words, text, " ".join(name.text.split()), span_id)


def _resolve(mention: _Mention, kb: KnowledgeBase) -> None:
    """The knowledge-base entity: from the ruler's id, else by name; None when unknown."""
    if mention.target is not None:
        return
    if mention.span_id and (entity := kb.get(mention.span_id)):
        mention.entity = entity
        return
    if mention.text.islower():
        return  # "un", "nato": the model's slip, not the United Nations
    match = kb.lookup(mention.text, mention.label)
    if match is None and mention.name != mention.text:
        match = kb.lookup(mention.name, mention.label)  # "President Putin"
    if match is not None:
        mention.entity = match.entity
        mention.weak = not match.strong


# "Almaty region", "Mangistau and Almaty regions": the name is the region's, not its city's
_REGION_NOUNS = frozenset({"region", "oblast", "province"})
_REGION_FORMS = ("{} Region", "{} Oblast", "{} Province")
_COORDINATORS = frozenset({"and", ",", "or", "&"})


def _region_noun(doc: Doc, i: int) -> str | None:
    """The region noun at token i ("region", "Oblasts"), singular, lower case; else None."""
    if i >= len(doc):
        return None
    word = doc[i].lower_
    singular = word[:-1] if word.endswith("s") else word
    return singular if singular in _REGION_NOUNS else None


def _region_entity(mention: _Mention, noun: str, kb: KnowledgeBase) -> KBEntity | None:
    """The knowledge base's region named "<name> <noun>" (or another region form), if any."""
    forms = [f"{mention.name} {noun.title()}"]
    forms += [form.format(mention.name) for form in _REGION_FORMS]
    for form in forms:
        match = kb.lookup(form, "GPE")
        if match is not None and match.entity.kind == "place":
            return match.entity
    return None


def _region_words(doc: Doc, mentions: list[_Mention], kb: KnowledgeBase) -> list[_Mention]:
    """Place names followed by a region noun link to the region, and the noun joins the span.

    The plural covers the names coordinated before it ("Mangistau and Almaty regions"):
    those link to their regions too, with their spans unchanged. A name the knowledge base
    has no region for keeps its own link.
    """
    out = list(mentions)
    starts = {m.start: k for k, m in enumerate(out)}
    for k, mention in enumerate(out):
        if mention.label not in ("GPE", "LOC"):
            continue
        noun = _region_noun(doc, mention.end)
        region = _region_entity(mention, noun, kb) if noun else None
        if noun is None or region is None or mention.end in starts:
            continue
        if mention.entity is None or mention.entity.id != region.id:
            grown = _new_mention(doc, mention.start, mention.end + 1, mention.label, region.id)
            grown.entity = region
            out[k] = grown
        if doc[mention.end].lower_.endswith("s"):
            _coordinated_regions(doc, out, starts, mention.start, noun, kb)
    return out


def _coordinated_regions(
    doc: Doc,
    mentions: list[_Mention],
    starts: dict[int, int],
    start: int,
    noun: str,
    kb: KnowledgeBase,
) -> None:
    """Walk back over "X, Y and" before a plural region noun, linking each name to its region."""
    i = start
    while i > 0 and doc[i - 1].lower_ in _COORDINATORS:
        before = next(
            (mentions[starts[s]] for s in starts if s < i - 1 and mentions[starts[s]].end == i - 1),
            None,
        )
        if before is None or before.label not in ("GPE", "LOC"):
            return
        region = _region_entity(before, noun, kb)
        if region is not None:
            before.entity, before.weak, before.span_id = region, False, region.id
        i = before.start


# within one article --------------------------------------------------------------------------


def _link_within(mentions: list[_Mention], defined: dict[str, _Mention], kb: KnowledgeBase) -> None:
    """Short forms join the article's full form: surnames, acronyms, heads ("Commission")."""
    for index, mention in enumerate(mentions):
        if mention.target is not None:
            continue
        if len(mention.words) == 1 and mention.words[0] in defined:
            full: _Mention | None = defined[mention.words[0]]  # the text's definition wins
        elif mention.entity is not None and not mention.weak:
            continue
        else:
            full = _full_form(mention, mentions, index, kb)
        if full is not None and full.root() is not mention:
            mention.target = full


def _full_form(
    mention: _Mention, mentions: list[_Mention], index: int, kb: KnowledgeBase
) -> _Mention | None:
    """The longer mention this one abbreviates: nearest before it, else first after it."""
    for candidate in (*reversed(mentions[:index]), *mentions[index + 1 :]):
        if len(candidate.words) > len(mention.words) and _abbreviates(mention, candidate, kb):
            return candidate
    return None


def _abbreviates(short: _Mention, full: _Mention, kb: KnowledgeBase) -> bool:
    if short.label == "PERSON":
        return full.label == "PERSON" and _is_suffix(short.words, full.words)
    if full.label != "ORG" or short.label not in ("ORG", "GPE", "NORP", "PRODUCT"):
        return False
    if len(short.words) == 1 and is_acronym(short.words[0]):
        return initials(full.words) == short.words[0].upper()
    if short.label != "ORG" or not _is_suffix(short.words, full.words):
        return False
    if len(short.words) > 1:
        return True  # "Air Force" of "United States Air Force"
    # one word is a head, not a name, unless what precedes it only says whose it is:
    # "Treasury" of "US Treasury", "Commission" of "European Commission"; not "White House"
    owner = kb.lookup(" ".join(full.words[:-1]), "GPE")
    return owner is not None and owner.entity.kind in ("place", "group")


def _is_suffix(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    if not short or short[0].casefold() in _MINOR_WORDS:
        return False
    tail = full[-len(short) :]
    return [w.casefold() for w in tail] == [w.casefold() for w in short]


def is_acronym(word: str) -> bool:
    """CSTO, OSCE, G7, AfDB: two to ten characters, mostly capitals, at least two."""
    letters = [c for c in word if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    return (
        2 <= len(word) <= 10 and word[0].isupper() and capitals >= 2 and 2 * capitals > len(letters)
    )


def initials(words: Sequence[str]) -> str:
    """ "Collective Security Treaty Organization" → "CSTO" (minor words skipped)."""
    parts = [p for w in words for p in re.split(r"[-\u2010-\u2015]", w) if p]
    return "".join(
        p[0].upper() for p in parts if p.casefold() not in _MINOR_WORDS and p[0].isalpha()
    )


# acronyms the text defines --------------------------------------------------------------------


def _acronym_definitions(
    doc: Doc, mentions: list[_Mention], occupied: set[int]
) -> tuple[list[_Mention], dict[str, _Mention]]:
    """ "Long Name (ACR)": the mentions, tidied, and acronym -> the long name's mention.

    The long name is the shortest run of capitalised words before the bracket that spells
    the acronym (Schwartz-Hearst), widened to the tagged name it ends ("Kazakh Agency for
    Financial Monitoring (AFM)"). The model often cuts such a name in two or runs it into
    the bracket; its pieces are replaced by the whole name.
    """
    named = {i for m in mentions for i in range(m.start, m.end)}
    blocked = occupied - named  # dates and numbers: never part of a name
    defined: dict[str, _Mention] = {}
    for i in range(1, len(doc) - 2):
        if doc[i].text != "(" or doc[i + 2].text != ")" or not is_acronym(doc[i + 1].text):
            continue
        acronym = doc[i + 1].text
        start = _long_form_start(doc, i, acronym, blocked)
        if start is None:
            continue
        mentions, long = _claim_long_form(doc, mentions, start, i)
        short = next((m for m in mentions if (m.start, m.end) == (i + 1, i + 2)), None)
        if short is None and i + 1 not in blocked:
            short = _new_mention(doc, i + 1, i + 2, long.label)
            mentions.append(short)
        if short is not None:
            short.target = long
        defined.setdefault(acronym, long)
    return mentions, defined


def _long_form_start(doc: Doc, bracket: int, acronym: str, blocked: set[int]) -> int | None:
    """Where the shortest name before the bracket that spells the acronym starts."""
    lowest = max(0, bracket - 2 * len(acronym) - 2)
    for start in range(bracket - 1, lowest - 1, -1):
        token = doc[start]
        if start in blocked or token.is_sent_end or not _may_be_in_name(token.text):
            return None
        if token.lower_ in _MINOR_WORDS or token.text[0].upper() != acronym[0].upper():
            continue
        if spells(acronym, doc[start:bracket].text):
            return start
    return None


def _claim_long_form(
    doc: Doc, mentions: list[_Mention], start: int, bracket: int
) -> tuple[list[_Mention], _Mention]:
    """The long name's mention, and the mentions with the model's pieces of it merged."""
    for mention in mentions:
        if mention.end == bracket and mention.start <= start:
            return mentions, mention  # tagged whole, maybe with more in front ("Kazakh")
    acronym = (bracket + 1, bracket + 2)
    pieces = [
        m for m in mentions if m.start <= bracket and start < m.end and (m.start, m.end) != acronym
    ]
    first = min([start, *(m.start for m in pieces)])
    label = next((m.label for m in pieces if m.label == "ORG"), "ORG")
    long = _new_mention(doc, first, bracket, label)
    return [m for m in mentions if m not in pieces] + [long], long


def _may_be_in_name(text: str) -> bool:
    """Capitalised words, minor words, hyphens and ampersands make a name."""
    return text[:1].isupper() or text.lower() in _MINOR_WORDS or text in ("-", "&")


def spells(acronym: str, long: str) -> bool:
    """Schwartz-Hearst: the acronym's letters occur in order in the long form, the first
    at the start of a word, and the long form starts with that letter."""
    short = [c.lower() for c in acronym if c.isalnum()]
    text = long.lower()
    if not short or not text or text[0] != short[0]:
        return False
    position = len(text) - 1
    for index in range(len(short) - 1, -1, -1):
        char = short[index]
        while position >= 0 and (
            text[position] != char or (index == 0 and position > 0 and text[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return False
        position -= 1
    return True


# one name, one entity in an article ---------------------------------------------------------


def _propagate(doc: Doc, mentions: list[_Mention], occupied: set[int]) -> list[_Mention]:
    """Untagged repeats of a linked short form ("Tokayev urged" when the model missed it).

    Only proper-noun tokens outside every entity (dates too) are taken, and only short
    forms that name one entity in the article: "May" the month or "Trump" of two Trumps
    stay alone.
    """
    forms: dict[str, _Mention | None] = {}
    for mention in mentions:
        for form in _short_forms(mention):
            root = mention.root()
            known = forms.setdefault(form, root)
            if known is not None and _identity(known) != _identity(root):
                forms[form] = None
    taken = occupied | {i for m in mentions for i in range(m.start, m.end)}
    added: list[_Mention] = []
    for token in doc:
        target = forms.get(token.text)
        if target is None or token.i in taken or not _is_name_tag(token.text, token.tag_):
            continue
        if _in_compound(doc, token.i):
            continue  # "Fi" of "Wi-Fi" is nobody's surname
        mention = _new_mention(doc, token.i, token.i + 1, target.label)
        mention.target = target
        added.append(mention)
    return added


def _is_name_tag(text: str, tag: str) -> bool:
    """A proper noun; an acronym may pass as a common noun ("LAWMA officials": NN)."""
    return tag in ("NNP", "NNPS") or (tag in ("NN", "NNS") and is_acronym(text))


def _in_compound(doc: Doc, i: int) -> bool:
    """A token glued by a hyphen to its neighbour: part of a longer word."""
    before = i > 0 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_
    after = i + 1 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_
    return before or after


def _short_forms(mention: _Mention) -> Iterator[str]:
    if mention.label == "PERSON" and mention.words:
        yield mention.words[-1]  # the surname, of a full name or of itself
    elif len(mention.words) == 1 and is_acronym(mention.words[0]):
        yield mention.words[0]


# output --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Identity:
    entity_id: str
    kind: str
    canonical: str
    country: str | None
    sector: str | None


def _identity(root: _Mention) -> _Identity:
    entity = root.entity
    if entity is not None:
        return _Identity(entity.id, entity.kind, entity.canonical, entity.country, entity.sector)
    kind = _kind(root)
    canonical = root.name
    sector = "MED" if kind == "media" else None
    return _Identity(stable_id(kind, canonical), kind, canonical, None, sector)


def _kind(mention: _Mention) -> str:
    kind = KIND_BY_LABEL.get(mention.label, "other")
    if kind == "organisation" and mention.words and mention.words[-1] in _MEDIA_HEADS:
        return "media"
    return kind


def _output(doc: Doc, mention: _Mention) -> EntityMention:
    span = doc[mention.start : mention.end]
    identity = _identity(mention.root())
    return EntityMention(
        start=span.start_char,
        end=span.end_char,
        text=span.text,
        kind=identity.kind,
        canonical=identity.canonical,
        entity_id=identity.entity_id,
        country=identity.country,
        sector=identity.sector,
        label=mention.label,
    )
