"""The understand stages: spaCy parse, entities, places, times, quotes, attribution, events.

The parse is a batch stage (``nlp.pipe`` is much faster over many texts than one at a
time); the others read ``article.doc`` and never parse again. Only English text is
parsed: the model and the rules are English, and on other languages they produce noise
that looks like data. Non-English articles get empty lists, not guesses.
"""

from __future__ import annotations

from dateline.events import code_events
from dateline.model import Article
from dateline.pipeline import Context, batch_stage, stage
from dateline.understand.attribution import attribute
from dateline.understand.entities import KnowledgeBase, link_entities, load_kb
from dateline.understand.gazetteer import Gazetteer, load_gazetteer
from dateline.understand.nlp import load_nlp
from dateline.understand.places import find_places, resolve_dateline
from dateline.understand.quotes import find_quotes
from dateline.understand.times import find_anchor, find_times

NLP_BATCH = 16


def _english(article: Article) -> bool:
    return article.language in ("en", None) and bool(article.text.strip())


@batch_stage("parse", requires={"text", "language"}, sets={"doc"})
def parse(articles: list[Article], ctx: Context) -> list[Article]:
    """One spaCy pass per English article; the Doc is shared by the stages after it."""
    nlp = ctx.resource("nlp", load_nlp)
    english = [a for a in articles if _english(a)]
    for article, doc in zip(
        english, nlp.pipe((a.text for a in english), batch_size=NLP_BATCH), strict=True
    ):
        article.doc = doc
    return articles


@stage("entities", requires={"doc"}, sets={"entities"})
def entities(article: Article, ctx: Context) -> Article:
    """Canonical entities with kind, country and sector (the knowledge base and linking)."""
    if article.doc is not None:
        kb: KnowledgeBase = ctx.resource("kb", load_kb)
        article.entities = link_entities(article.doc, kb)
    return article


@stage("places", requires={"doc"}, sets={"places", "dateline"})
def places(article: Article, ctx: Context) -> Article:
    """Toponyms resolved offline with the whole article as context; the dateline too."""
    gazetteer: Gazetteer = ctx.resource("gazetteer", load_gazetteer)
    found = resolve_dateline(article.dateline.place, gazetteer)
    if found is not None:
        dateline = article.dateline
        dateline.geonames_id, dateline.lat, dateline.lon = found.geonames_id, found.lat, found.lon
        dateline.country = found.country
    if article.doc is not None:
        kb: KnowledgeBase = ctx.resource("kb", load_kb)
        article.places = find_places(
            article.text, article.doc, gazetteer, article.dateline.place, demonyms=kb.demonyms
        )
    return article


@stage("times", requires={"text", "published", "language"}, sets={"times"})
def times(article: Article, ctx: Context) -> Article:
    """Time expressions in TimeML form, anchored on the publication date or the text's own."""
    if _english(article):
        article.times = find_times(article.text, find_anchor(article.text, article.published))
    return article


@stage("quotes", requires={"doc", "entities"}, sets={"quotes"})
def quotes(article: Article, ctx: Context) -> Article:
    """Direct, mixed and indirect quotes with speaker, cue and channel."""
    if article.doc is not None:
        article.quotes = find_quotes(article.doc, article.entities)
    return article


@stage("attribution", requires={"quotes", "title", "publisher"}, sets={"attribution"})
def attribution(article: Article, ctx: Context) -> Article:
    """Origin, republisher and the lead's source; a headline crediting someone else is flagged."""
    article.attribution = attribute(
        article.title, article.origin, article.publisher, article.quotes, article.entities
    )
    return article


@stage("events", requires={"doc", "entities", "places", "times", "quotes"}, sets={"events"})
def events(article: Article, ctx: Context) -> Article:
    """PLOVER events with negation and modality, their own place and date, and evidence."""
    if article.doc is not None:
        article.events = code_events(
            article.doc,
            article.entities,
            article.places,
            article.times,
            article.quotes,
            article.published,
        )
    return article


@stage("release", requires={"doc"}, sets=set())
def release(article: Article, ctx: Context) -> Article:
    """Drop the Doc once every stage has read it: articles outlive the pipeline."""
    article.doc = None
    return article


UNDERSTAND_STAGES = [
    "parse",
    "entities",
    "places",
    "times",
    "quotes",
    "attribution",
    "events",
    "release",
]
