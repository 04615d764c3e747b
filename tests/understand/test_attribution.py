"""The article's chain of attribution, built from its title, origin and quotes."""

import pytest

from dateline.model import Cue, EntityMention, Quote, Speaker
from dateline.understand.attribution import attribute, headline_credit

CSTO = EntityMention(
    0, 4, "CSTO", "organisation", "Collective Security Treaty Organization", "kb:csto"
)


def lead_quote(canonical: str, cue: str, anonymous: bool = False) -> Quote:
    speaker = Speaker("x", 10, 11, canonical, None, anonymous)
    return Quote(0, 9, "claim", False, speaker, Cue(cue, 12, 12 + len(cue)), None)


@pytest.mark.parametrize(
    ("title", "credit"),
    [
        ("Kazakhstan did not ask for help: CSTO", "CSTO"),
        ("Troops will leave within days – Kremlin", "Kremlin"),
        ("UN chief warns of famine in the region", "UN chief"),
        ("Protests spread to Almaty", None),
        ("Covid-19 cases rise again", None),
        (None, None),
    ],
)
def test_headline_credit(title: str | None, credit: str | None) -> None:
    assert headline_credit(title) == credit


def test_headline_and_body_disagree_on_the_source() -> None:
    quotes = [
        lead_quote("a source familiar with the situation", "told RIA Novosti", anonymous=True)
    ]
    chain = attribute(
        "Kazakhstan did not ask for help: CSTO", "RIA Novosti", "The Frontier Post", quotes, [CSTO]
    )
    assert chain.headline_source == "Collective Security Treaty Organization"
    assert (chain.body_source, chain.body_source_anonymous, chain.body_via) == (
        "a source familiar with the situation",
        True,
        "RIA Novosti",
    )
    assert (chain.origin, chain.publisher, chain.mismatch) == (
        "RIA Novosti",
        "The Frontier Post",
        True,
    )


def test_agreeing_headline_is_not_flagged() -> None:
    quotes = [lead_quote("Collective Security Treaty Organization", "said")]
    chain = attribute("Kazakhstan did not ask for help: CSTO", None, None, quotes, [CSTO])
    assert chain.mismatch is False


def test_a_quote_far_from_the_lead_does_not_speak_for_it() -> None:
    far = lead_quote("Someone Else", "said")
    far.start = 2000
    chain = attribute("Title: CSTO", None, None, [far], [CSTO])
    assert chain.body_source is None and chain.mismatch is False
