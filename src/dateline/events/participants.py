"""Actors and recipients: the argument words of a trigger turned into canonical participants.

A participant is an entity the linker found (canonical name, id, country, sector), or a
group named by a common noun ("protesters", "the police", "residents of Zhanaozen") with
the sector of ``groups.tsv`` and the country of its modifiers or, failing those, the
article's main country. Pronouns are resolved by simple recency rules (see ``resolve``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Token

from dateline.events.lexicon import Lexicon, base_form
from dateline.model import EntityMention, Participant, PlaceMention, Quote

# deps that stay inside a noun phrase when looking for the entity it names
_NP_DEPS = {"compound", "prep", "pobj", "appos", "amod", "poss", "nmod", "flat", "conj", "cc"}
_ACTOR_KINDS = ("person", "organisation", "media", "group", "place")
_PERSON_PRONOUNS = {"he", "him", "she", "her"}
_PLURAL_PRONOUNS = {"they", "them"}
_THING_PRONOUNS = {"it", "this"}
_SPEAKER_PRONOUNS = {"i", "me", "we", "us"}
_GENERIC_PLACES = {"city", "cities", "town", "towns", "village", "villages", "region", "regions",
                   "province", "provinces", "district", "districts", "area", "areas"}  # fmt: skip


@dataclass
class Article:
    """What the participant rules read about one article, indexed once."""

    doc: Doc
    entities: list[EntityMention]
    places: list[PlaceMention]
    quotes: list[Quote]
    lexicon: Lexicon
    country: str | None = None  # the article's main country (most-mentioned)
    _starts: list[int] = field(default_factory=list)
    _place_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entities = sorted(self.entities, key=lambda e: e.start)
        self.places = sorted(self.places, key=lambda p: p.start)
        self._starts = [e.start for e in self.entities]
        self._place_starts = [p.start for p in self.places]
        counts = Counter(p.country for p in self.places if p.country)
        counts.update(e.country for e in self.entities if e.country and e.kind == "place")
        self.country = counts.most_common(1)[0][0] if counts else None

    def entity_at(self, tok: Token) -> EntityMention | None:
        i = bisect_right(self._starts, tok.idx) - 1
        if i >= 0 and self.entities[i].end > tok.idx:
            return self.entities[i]
        return None

    def place_at(self, tok: Token) -> PlaceMention | None:
        i = bisect_right(self._place_starts, tok.idx) - 1
        if i >= 0 and self.places[i].end > tok.idx:
            return self.places[i]
        return None

    def quote_at(self, char: int) -> Quote | None:
        return next((q for q in self.quotes if q.start <= char < q.end), None)


def from_entity(ent: EntityMention, sector: str | None = None) -> Participant:
    return Participant(ent.text, ent.start, ent.end, ent.canonical, ent.entity_id, ent.kind,
                       ent.country, ent.sector or sector)  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _np_tokens(head: Token) -> list[Token]:
    """The head's noun phrase without clauses (relative clauses name other things)."""
    out, stack = [], [head]
    while stack:
        tok = stack.pop()
        out.append(tok)
        stack.extend(c for c in tok.children if c.dep_ in _NP_DEPS and c.dep_ != "conj")
    return sorted(out, key=lambda t: t.i)


def _named_places(head: Token, art: Article) -> list[PlaceMention]:
    """The places a group is named by: "residents of (the cities of) Zhanaozen and Aktau"."""
    for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"):
        for obj in (c for c in prep.children if c.dep_ == "pobj"):
            if obj.lower_ in _GENERIC_PLACES:
                return _named_places(obj, art)
            found = [art.place_at(t) for t in [obj, *obj.conjuncts]]
            return [p for p in found if p is not None]
    return []


def _group(head: Token, art: Article) -> list[Participant]:
    group = art.lexicon.groups[base_form(head.text, art.lexicon)]
    np = _np_tokens(head)
    named = _named_places(head, art) if group.flag == "place" else []
    if named:
        names = " and ".join(dict.fromkeys(p.name.split(" Region")[0] for p in named))
        canonical = f"{group.canonical} of {names}"
        country = named[0].country
        return [Participant(head.text, head.idx, head.idx + len(head.text), canonical,
                            f"group:{_slug(canonical)}", "group", country, group.sector)]  # fmt: skip
    # "Hungarian and Romanian officials": one participant per country named in the phrase
    countries = [e.country for t in np if t.i != head.i and (e := art.entity_at(t)) and e.country]
    out = []
    for country in dict.fromkeys(countries) or [art.country]:
        canonical = f"{group.canonical} ({country})" if country else group.canonical
        out.append(Participant(head.text, head.idx, head.idx + len(head.text), canonical,
                               f"group:{_slug(canonical)}", "group", country, group.sector))  # fmt: skip
    return out


def _rank(ent: EntityMention) -> int:
    return _ACTOR_KINDS.index(ent.kind) if ent.kind in _ACTOR_KINDS else len(_ACTOR_KINDS)


def _entity_in_np(head: Token, art: Article) -> EntityMention | None:
    """The entity a phrase names: its head's own entity, else the best one inside it."""
    own = art.entity_at(head)
    if own is not None and own.kind in _ACTOR_KINDS and (own.label != "NORP" or head.pos_ != "ADJ"):
        return own
    found = [e for t in _np_tokens(head) if (e := art.entity_at(t)) and e.kind in _ACTOR_KINDS]
    # a person or organisation inside the phrase names it; a place only modifies it
    named = [e for e in found if e.kind != "place" and e.label != "NORP"]
    return min(named, key=_rank) if named else None


def _is_country(ent: EntityMention, art: Article, tok: Token) -> bool:
    place = art.place_at(tok)
    if place is not None:
        return place.feature == "country"
    return bool(ent.country) and ent.entity_id == f"kb:place:{(ent.country or '').lower()}"


def participant(head: Token, art: Article, prev: list[Participant]) -> list[Participant]:
    """The participants one argument head word names (empty when it names none)."""
    if head.tag_ in ("PRP", "PRP$") or head.lower_ in _THING_PRONOUNS:
        return resolve(head, art, prev)
    lex = art.lexicon
    ent = _entity_in_np(head, art)
    is_group = base_form(head.text, lex) in lex.groups and head.pos_ in ("NOUN", "PROPN")
    if ent is not None:
        sector = lex.groups[base_form(head.text, lex)].sector if is_group else None
        if ent.kind == "place" and sector is None:
            sector = "GOV" if _is_country(ent, art, head) else None
        part = from_entity(ent, sector)
        if part.country is None:  # "Russian Foreign Minister X": the country is a modifier
            mods = [e.country for t in _np_tokens(head) if (e := art.entity_at(t)) and e.country]
            part = replace(part, country=mods[0] if mods else None)
        return [part]
    if is_group:
        group = lex.groups[base_form(head.text, lex)]
        if group.flag == "title" and any(c.lower_ == "the" for c in head.children):
            person = _last_before(head.idx, art, persons_only=True)
            if person is not None:  # "The President" after "President ... Tokayev"
                return [person]
        return _group(head, art)
    own = art.entity_at(head)
    if own is not None and own.kind == "place":
        # a country that acts ("Libya has offered") stands for its government
        return [from_entity(own, "GOV" if _is_country(own, art, head) else None)]
    # "Iraqi negotiators": a noun no list knows, named by its nationality
    norps = [
        e for t in head.children if (e := art.entity_at(t)) and e.label == "NORP" and e.country
    ]
    return [Participant(head.text, head.idx, head.idx + len(head.text), f"{head.lower_} ({e.country})",
                        f"group:{_slug(head.lower_)}-{e.country.lower()}", "group", e.country)
            for e in norps if e.country]  # fmt: skip


def _last_before(char: int, art: Article, persons_only: bool) -> Participant | None:
    """The last person (or person-like group head) named before ``char``."""
    i = bisect_right(art._starts, char) - 1
    doc, lex = art.doc, art.lexicon
    candidates: list[tuple[int, Participant]] = []
    for j in range(i, -1, -1):
        ent = art.entities[j]
        if ent.kind == "person":
            candidates.append((ent.start, from_entity(ent)))
            break
    if not persons_only:
        start_tok = doc.char_span(0, char, alignment_mode="contract")
        toks = list(start_tok) if start_tok is not None else []
        for tok in reversed(toks[-60:]):
            if tok.dep_ == "compound" or tok.pos_ != "NOUN":
                continue
            group = lex.groups.get(base_form(tok.text, lex))
            if group is not None and group.sector == "GOV":
                candidates.append((tok.idx, _group(tok, art)[0]))
                break
    return max(candidates, key=lambda c: c[0])[1] if candidates else None


def resolve(tok: Token, art: Article, prev: list[Participant]) -> list[Participant]:
    """Pronouns, by recency: a cheap stand-in for coreference, documented as such.

    - I/we inside a quote: the quote's speaker; otherwise I is the last person named;
    - he/she: the last person or official body named before (translated news calls a
      commission "she");
    - it/this: the actors of the previous sentence's event ("It provides for a curfew");
    - they: the last group named before.
    """
    word = tok.lower_
    if word in _SPEAKER_PRONOUNS:
        quote = art.quote_at(tok.idx)
        if quote is not None and quote.speaker is not None and not quote.speaker.anonymous:
            s = quote.speaker
            return [Participant(s.text, s.start, s.end, s.canonical, s.entity_id, "person")]
        if quote is not None:  # an anonymous source's "I" names no actor
            return []
        found = _last_before(tok.idx, art, persons_only=True) if word in ("i", "me") else None
        return [found] if found else []
    if word in _PERSON_PRONOUNS:
        found = _last_before(tok.idx, art, persons_only=False)
        return [found] if found else []
    if word in _THING_PRONOUNS:
        return list(prev)
    if word in _PLURAL_PRONOUNS:
        for t in reversed(list(art.doc[max(0, tok.i - 60) : tok.i])):
            if t.dep_ != "compound" and base_form(t.text, art.lexicon) in art.lexicon.groups:
                return _group(t, art)
    return []
