"""The chain of attribution of one article: origin agency, republisher, and who said so.

Headlines compress attribution into a colon or a "says" ("Kazakhstan did not ask for help:
CSTO"); the body usually says more exactly who spoke ("a source familiar with the situation
told RIA Novosti"). Both are recorded, and a headline that credits someone the lead does not
is flagged: that is how a wire claim from an unnamed source becomes an official statement.
"""

from __future__ import annotations

import re

from dateline.model import Attribution, EntityMention, Quote

# "…: CSTO", "… – Kremlin", "… — UN" (a short credit after a colon or a dash)
_TRAILING_CREDIT = re.compile(r"[:–—-]\s+(?P<who>[A-Z][\w.’'&-]*(?:\s+[\w.’'&-]+){0,4})\s*$")
# "CSTO says …", "UN chief warns …" (a credit at the start, before a speech verb)
_LEADING_CREDIT = re.compile(
    r"^(?P<who>[A-Z][\w.’'&-]*(?:\s+[\w.’'&-]+){0,3}?)\s+"
    r"(?:says|said|warns|claims|denies|confirms|insists|tells|urges)\b"
)
_VIA = re.compile(r"\b(?:told|to|told the)\s+(?P<outlet>[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3})")
LEAD_CHARACTERS = 400  # the lead: where the article's main claim and its source are given


def headline_credit(title: str | None) -> str | None:
    """The name a headline credits its claim to, as written, or None."""
    if not title:
        return None
    match = _TRAILING_CREDIT.search(title) or _LEADING_CREDIT.match(title)
    return match["who"].strip() if match else None


def _canonical(name: str, entities: list[EntityMention]) -> str:
    """The canonical name of an entity mentioned in the body under ``name``, else ``name``."""
    folded = name.casefold()
    for entity in entities:
        if folded in (entity.text.casefold(), entity.canonical.casefold()):
            return entity.canonical
    return name


def attribute(
    title: str | None,
    origin: str | None,
    publisher: str | None,
    quotes: list[Quote],
    entities: list[EntityMention],
) -> Attribution:
    chain = Attribution(origin=origin, publisher=publisher)
    credit = headline_credit(title)
    chain.headline_source = _canonical(credit, entities) if credit else None
    lead = next((q for q in quotes if q.start < LEAD_CHARACTERS and q.speaker), None)
    if lead is not None and lead.speaker is not None:
        chain.body_source = lead.speaker.canonical
        chain.body_source_anonymous = lead.speaker.anonymous
        via = _VIA.search(lead.cue.text) if lead.cue else None
        chain.body_via = via["outlet"] if via else None
    chain.mismatch = bool(
        chain.headline_source
        and chain.body_source
        and chain.headline_source.casefold() != chain.body_source.casefold()
    )
    return chain
