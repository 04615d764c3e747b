"""Quotes: the seed as issue 4 states it, quote-mark grammar, speakers, cues, channels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from dateline import Article, process_inputs
from dateline.evaluate import polnear
from dateline.model import Quote
from dateline.understand.entities import link_entities, load_kb
from dateline.understand.quotes import find_quotes, quote_pieces

SEED = Path(__file__).resolve().parents[2] / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"
Find = Callable[[str], list[Quote]]


@pytest.fixture(scope="module")
def find(nlp: Language) -> Find:
    kb = load_kb()

    def run(text: str) -> list[Quote]:
        doc = nlp(text)
        return find_quotes(doc, link_entities(doc, kb))

    return run


@pytest.fixture(scope="module")
def seed(nlp: Language) -> tuple[Article, list[Quote]]:
    (article,) = process_inputs([str(SEED)])
    assert isinstance(article, Article)
    return article, find_quotes(nlp(article.text), article.entities)


def quote(quotes: list[Quote], starts: str) -> Quote:
    found = [q for q in quotes if q.text.startswith(starts)]
    assert found, f"no quote starts with {starts!r}: {[q.text[:30] for q in quotes]}"
    return found[0]


# --------------------------------------------------------------------------- the seed


def test_seed_offsets_are_exact_and_in_order(seed: tuple[Article, list[Quote]]) -> None:
    article, quotes = seed
    assert quotes == sorted(quotes, key=lambda q: (q.start, q.end))
    for q in quotes:
        assert article.text[q.start : q.end] == q.text
        if q.direct:  # the content, without its marks
            assert q.text[:1] not in '“”"' and q.text[-1:] not in '“”"'
        if q.cue:
            assert article.text[q.cue.start : q.cue.end] == q.cue.text
        if q.speaker:
            assert article.text[q.speaker.start : q.speaker.end] == q.speaker.text


def test_seed_anonymous_source(seed: tuple[Article, list[Quote]]) -> None:
    _, quotes = seed
    first = quote(quotes, "No, I haven’t asked yet,")
    assert first.direct and first.speaker is not None
    assert first.speaker.anonymous and first.speaker.entity_id is None
    assert first.speaker.canonical == "a source familiar with the situation"
    second = quote(quotes, "In principle, the CSTO charter")
    assert second.speaker is not None and second.speaker.anonymous
    assert second.speaker.text == "the agency’s interlocutor"
    assert second.speaker.canonical == first.speaker.canonical
    assert second.cue is not None and second.cue.text == "explained"


def test_seed_indirect_lead(seed: tuple[Article, list[Quote]]) -> None:
    _, quotes = seed
    lead = quote(quotes, "Kazakhstan has not yet requested")
    assert lead.text == (
        "Kazakhstan has not yet requested assistance from the CSTO in connection with the mass "
        "protests"
    )
    assert not lead.direct
    assert lead.speaker is not None and lead.speaker.anonymous
    assert lead.speaker.text == "a source familiar with the situation"
    assert lead.cue is not None and lead.cue.text == "told RIA Novosti"


def test_seed_mixed_quote_according_to(seed: tuple[Article, list[Quote]]) -> None:
    _, quotes = seed
    power = quote(quotes, "the power will not fall")
    assert power.direct
    assert power.speaker is not None
    assert power.speaker.canonical == "Kassym-Jomart Tokayev"
    assert power.speaker.entity_id == "kb:kassym-jomart-tokayev"
    assert power.cue is not None and power.cue.text == "According to"
    need = quote(quotes, "does not need a conflict")
    assert need.speaker is not None and need.speaker.entity_id == "kb:kassym-jomart-tokayev"


def test_seed_twitter(seed: tuple[Article, list[Quote]]) -> None:
    _, quotes = seed
    rau = quote(quotes, "As the chairman of the OSCE")
    assert rau.direct and rau.channel == "Twitter"
    assert rau.speaker is not None and rau.speaker.canonical == "Zbigniew Rau"
    assert rau.speaker.entity_id == "kb:zbigniew-rau"
    assert rau.cue is not None and rau.cue.text == "wrote on Twitter"


# --------------------------------------------------------------------------- quote marks


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ('"We will rebuild the bridge," the mayor said.', "We will rebuild the bridge,"),
        ("“We will rebuild the bridge,” the mayor said.", "We will rebuild the bridge,"),
        ("``We will rebuild the bridge,'' the mayor said.", "We will rebuild the bridge,"),
    ],
)
def test_quote_mark_styles(find: Find, text: str, content: str) -> None:
    (q,) = [q for q in find(text) if q.direct]
    assert q.text == content
    assert text[q.start : q.end] == content
    assert q.speaker is not None and q.speaker.text == "the mayor"
    assert q.cue is not None and q.cue.text == "said"


def test_multi_paragraph_quote_is_not_given_up(find: Find) -> None:
    text = (
        "Maria Lindqvist, the harbour director, spoke after the storm.\n\n"
        "“The east pier lost most of its lighting and two cranes.\n\n"
        "“We expect the repairs to take until the spring,” she said.\n\n"
        "Ships were sent to the southern terminal."
    )
    pieces = quote_pieces(text)  # three marks: an odd count
    assert [text[p.start : p.end] for p in pieces] == [
        "The east pier lost most of its lighting and two cranes.",
        "We expect the repairs to take until the spring,",
    ]
    direct = [q for q in find(text) if q.direct]
    assert [q.text for q in direct] == [text[p.start : p.end] for p in pieces]
    for q in direct:
        assert q.speaker is not None and q.speaker.text == "Maria Lindqvist"
        assert q.cue is not None and q.cue.text == "said"


def test_scare_quotes_are_not_quotations(find: Find) -> None:
    text = "The so-called “reform” passed on Tuesday after a long night in the chamber."
    assert not [q for q in find(text) if q.direct]


# --------------------------------------------------------------------------- speakers


def test_pronoun_resolves_to_nearest_person(find: Find) -> None:
    text = (
        "Angela Merkel met the delegation in Berlin on Monday.\n\n"
        "“Europe has to stand together,” she said."
    )
    (q,) = [q for q in find(text) if q.direct]
    assert q.speaker is not None
    assert q.speaker.canonical == "Angela Merkel"
    assert text[q.speaker.start : q.speaker.end] == "Angela Merkel"


def test_first_name_gives_gender_when_text_does_not(find: Find) -> None:
    text = (
        "Susan Whitfield chaired the meeting. Robert Hale sat beside the window.\n\n"
        "“We will vote next week,” she said."
    )
    (q,) = [q for q in find(text) if q.direct]
    assert q.speaker is not None and q.speaker.canonical.endswith("Whitfield")


def test_pronoun_takes_nearer_subject_over_older_speaker(find: Find) -> None:
    text = (
        "Tom Baxter said the plan was costly.\n\n"
        "Later, Daniel Ortega Ruiz was asked about the vote.\n\n"
        "“It is a mistake,” he said."
    )
    (q,) = [q for q in find(text) if q.direct]
    assert q.speaker is not None and q.speaker.canonical.endswith("Ruiz")


def test_continuation_after_no_break_space(find: Find) -> None:
    text = (
        "“We are ready,” Lena Ford said.\u00a0 “The team has trained for months and "
        "nobody here is worried about the weather.”"
    )
    quotes = [q for q in find(text) if q.direct]
    assert len(quotes) == 2
    assert all(q.speaker is not None and q.speaker.canonical.endswith("Ford") for q in quotes)


def test_pronoun_respects_gender_shown_in_text(find: Find) -> None:
    text = (
        "Mrs. Anna Kowalski, the mayor, opened the bridge. "
        "Tomasz Nowak watched from the bank.\n\n"
        "“It took us six years,” she said."
    )
    (q,) = [q for q in find(text) if q.direct]
    assert q.speaker is not None and q.speaker.canonical.endswith("Kowalski")


def test_a_pronoun_subject_of_the_next_sentence_shows_a_persons_gender(find: Find) -> None:
    # "He noted" shows Baimukhanov is a man, so the earlier "she" cannot be him: with no
    # woman in sight the pronoun stays unresolved rather than wrong
    text = (
        "Yerlan Baimukhanov asked the agency to review the tariffs. "
        "On Monday, she announced that the review would be public.\n\n"
        "Baimukhanov urged calm. He noted that prices had doubled."
    )
    quotes = find(text)
    review = quote(quotes, "that the review")
    assert review.speaker is None or "Baimukhanov" not in review.speaker.canonical
    prices = quote(quotes, "that prices")
    assert prices.speaker is not None and prices.speaker.canonical.endswith("Baimukhanov")


def test_a_resolved_pronoun_settles_the_speakers_gender(find: Find) -> None:
    text = (
        "A senior official at the ministry spoke to reporters.\n\n"
        "“We have no plan to raise the fee,” he said.\n\n"
        "Later that week, she said that the fee would stay."
    )
    stays = quote(find(text), "that the fee")
    assert stays.speaker is None or not stays.speaker.anonymous


@pytest.mark.parametrize("dash", ["—", "–", "―", "--"])
def test_a_dash_and_a_name_after_a_quote_attribute_it(find: Find, dash: str) -> None:
    text = f"“The bridge should have been repaired years ago.”{dash}\u00a0Marta Olivera\n“Next.”"
    q = quote(find(text), "The bridge")
    assert q.speaker is not None and q.speaker.text == "Marta Olivera"


def test_according_to_indirect(find: Find) -> None:
    text = "According to the ministry, the border will reopen next week."
    (q,) = find(text)
    assert q.text == "the border will reopen next week"
    assert not q.direct
    assert q.speaker is not None and q.speaker.text == "the ministry"
    assert q.cue is not None and q.cue.text == "According to"


def test_indirect_that_clause(find: Find) -> None:
    text = "The governor said that the budget would be balanced by June."
    (q,) = find(text)
    assert q.text == "that the budget would be balanced by June"
    assert not q.direct and q.speaker is not None and q.speaker.text == "The governor"


def test_anonymous_source_linked_across_article(find: Find) -> None:
    text = (
        "The talks have stalled, a diplomat familiar with the negotiations told Reuters.\n\n"
        "“Nobody wants to move first,” the source said."
    )
    quotes = find(text)
    lead = quote(quotes, "The talks have stalled")
    later = quote(quotes, "Nobody wants to move first")
    assert lead.speaker is not None and lead.speaker.anonymous
    assert lead.cue is not None and lead.cue.text == "told Reuters"
    assert later.speaker is not None and later.speaker.anonymous
    assert later.speaker.text == "the source"
    assert later.speaker.canonical == lead.speaker.canonical


# --------------------------------------------------------------------------- channels


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("The minister said in a statement that prices would fall.", "a statement"),
        ("The minister said at a press conference that prices would fall.", "a press conference"),
        ("The minister wrote on Facebook that prices would fall.", "Facebook"),
        ("The minister said in an interview that prices would fall.", "an interview"),
        ("The minister said that prices would fall.", None),
    ],
)
def test_channel(find: Find, text: str, channel: str | None) -> None:
    (q,) = find(text)
    assert q.channel == channel


# --------------------------------------------------------------------------- evaluation


def test_polnear_smoke() -> None:
    if not (polnear.DEFAULT_DATA / "data" / "dev").is_dir():
        pytest.skip(f"PolNeAR not found at {polnear.DEFAULT_DATA} (../shared/eval/quotes/polnear)")
    results = polnear.evaluate(polnear.DEFAULT_DATA, splits=("dev",), limit=5)
    dev = results["dev"]
    assert dev["speed"]["documents"] == 5
    for kind in ("direct", "all"):
        assert dev[kind]["gold"] > 0
        assert 0.5 <= dev[kind]["f1"] <= 1.0


def test_polnear_main_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert polnear.main(["--data", str(tmp_path)]) == 2
    assert "PolNeAR not found" in capsys.readouterr().err


# --------------------------------------------------------------------------- introduced speakers


def test_a_quote_after_a_colon_is_the_clause_subjects(find: Find) -> None:
    text = (
        "The council met on Tuesday. Veterinarian Olga Brandt reacted sharply: "
        "“Nobody asked the farmers about the new rules.”"
    )
    q = quote(find(text), "Nobody asked")
    assert q.speaker is not None and q.speaker.canonical.endswith("Olga Brandt")


def test_a_colon_ending_the_paragraph_before_introduces_the_quote(find: Find) -> None:
    text = (
        "Ines Carvalho, the growers' union head, said on Friday:\n\n"
        "“The drought is not over, and the reservoirs are still half empty.”"
    )
    q = quote(find(text), "The drought")
    assert q.speaker is not None and q.speaker.text == "Ines Carvalho"  # not "Friday"


def test_a_name_right_before_the_colon_speaks(find: Find) -> None:
    text = "The vote surprised nobody, least of all Mayor Henrik Dahl: “We counted every ballot.”"
    q = quote(find(text), "We counted")
    assert q.speaker is not None and q.speaker.canonical.endswith("Henrik Dahl")


def test_a_quote_opening_a_sentence_after_its_speaker_is_introduced(find: Find) -> None:
    text = (
        "Ines Carvalho addressed the growers in Porto. "
        "“The drought is not over, and the reservoirs are still half empty.”"
    )
    q = quote(find(text), "The drought")
    assert q.speaker is not None and q.speaker.canonical == "Ines Carvalho"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "The ministry released a statement saying “the reservoirs are still half empty "
            "and rationing will continue.”",
            "The ministry",
        ),
        (
            "Lukas Brenner ended the meeting by saying, “We will meet again in the spring "
            "when the snow melts.”",
            "Lukas Brenner",
        ),
    ],
)
def test_a_participle_of_saying_shares_its_governing_verbs_subject(
    find: Find, text: str, speaker: str
) -> None:
    q = next(q for q in find(text) if q.direct)
    assert q.speaker is not None and q.speaker.text == speaker


def test_a_quote_continues_after_a_mixed_sentence_ending_with_its_cue(find: Find) -> None:
    text = (
        "“It was never about the money,” as his brother recalled, Tobias Renn said. "
        "“It was about the farm.”"
    )
    q = quote(find(text), "It was about the farm")
    assert q.speaker is not None and q.speaker.canonical == "Tobias Renn"
    assert q.cue is not None and q.cue.text == "said"


# --------------------------------------------------------------------------- metric v2


def _gold(source: tuple[int, int], text: str) -> polnear.GoldAttribution:
    return polnear.GoldAttribution(((0, 1),), source, text[source[0] : source[1]], True)


def test_metric_v2_skips_antecedents_a_pronoun_cannot_mean() -> None:
    text = "Mr. Varga spoke. Mrs. Lind spoke. The survey found it. She said so."
    varga, lind = _gold((0, 9), text), _gold((17, 26), text)
    survey, she = _gold((34, 44), text), _gold((55, 58), text)
    gold = [varga, lind, survey, she]
    assert polnear.antecedents(gold)[id(she)] is survey  # v1: nearest, whatever it is
    assert polnear.antecedents(gold, compatible=True)[id(she)] is lind
    he = _gold((55, 58), text.replace("She", "He "))
    assert polnear.antecedents([varga, lind, survey, he], compatible=True)[id(he)] is varga


def test_metric_v2_relative_pronoun_takes_the_phrase_it_follows() -> None:
    text = "Olga Brandt, who chairs the board, said no. Later Ivo Stern spoke."
    who = _gold((13, 16), text)
    assert polnear.relative_antecedent(polnear.Unit([(0, 1)], (0, 11), "Olga Brandt"), who, text)
    later = polnear.Unit([(0, 1)], (50, 59), "Ivo Stern")
    assert not polnear.relative_antecedent(later, who, text)


def test_a_quote_after_the_main_verb_of_its_speakers_sentence(find: Find) -> None:
    text = (
        'Governor Halvard Lindqvist fired back that the "farmers of this valley voted for '
        'me twice" and left.'
    )
    q = quote(find(text), "farmers of this valley")
    assert q.speaker is not None and q.speaker.canonical == "Halvard Lindqvist"


def test_as_she_put_it_is_a_cue(find: Find) -> None:
    text = "As Professor Ilse Marten put it, “the river does not care about borders or elections.”"
    q = quote(find(text), "the river")
    assert q.speaker is not None and q.speaker.canonical == "Ilse Marten"
    assert q.cue is not None and q.cue.text == "put"


def test_a_surname_the_tagger_takes_for_an_organisation_is_the_person(find: Find) -> None:
    # the tagger reads the second "Calderon" as an organisation; the pronoun must still
    # find the mayor, not the engineer named in between
    text = (
        "Mayor Tomas Calderon opened the session. Jorge Ruiz, an engineer, presented the "
        "plan.\n\nLater, Calderon was asked about the costs. “We cannot pay for it this "
        "year,” he said."
    )
    q = quote(find(text), "We cannot pay")
    assert q.speaker is not None and q.speaker.canonical == "Tomas Calderon"
