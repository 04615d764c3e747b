"""Entities: the seed as issue 3 states it, the linking rules, the knowledge base files."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from dateline import Article
from dateline.model import EntityMention
from dateline.understand import entities as ent
from dateline.understand.entities import KBError, build_kb, link_entities, load_kb
from dateline.understand.nlp import load_nlp

SEED = Path(__file__).resolve().parents[2] / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"
Link = Callable[[str], list[EntityMention]]


@pytest.fixture(scope="module")
def link(nlp: Language) -> Link:
    return lambda text: link_entities(nlp(text))


@pytest.fixture(scope="module")
def mentions(seed: Article, link: Link) -> list[EntityMention]:
    return link(seed.text)


def named(mentions: list[EntityMention], text: str) -> list[EntityMention]:
    found = [m for m in mentions if m.text == text]
    assert found, f"no mention {text!r} in {[m.text for m in mentions]}"
    return found


def starts(text: str, word: str) -> list[int]:
    """Where ``word`` occurs in ``text`` as a whole word."""
    out, at = [], text.find(word)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(word)] if at + len(word) < len(text) else " "
        if not before.isalnum() and before != "-" and not after.isalnum() and after != "-":
            out.append(at)
        at = text.find(word, at + 1)
    return out


# --------------------------------------------------------------------------- the seed


def test_every_csto_is_the_collective_security_treaty_organization(
    seed: Article, mentions: list[EntityMention]
) -> None:
    found = named(mentions, "CSTO")
    assert [m.start for m in found] == starts(seed.text, "CSTO")  # the clean body has 2
    for m in found:
        assert (m.canonical, m.kind, m.sector, m.entity_id) == (
            "Collective Security Treaty Organization",
            "organisation",
            "IGO",
            "kb:csto",
        )


def test_ria_novosti_is_russian_media(mentions: list[EntityMention]) -> None:
    (ria,) = named(mentions, "RIA Novosti")
    assert (ria.kind, ria.country, ria.sector) == ("media", "RU", "MED")


def test_kazakhstan_is_a_place_every_time(seed: Article, mentions: list[EntityMention]) -> None:
    found = named(mentions, "Kazakhstan")
    assert [m.start for m in found] == starts(seed.text, "Kazakhstan")
    assert {(m.kind, m.country, m.label) for m in found} == {("place", "KZ", "GPE")}


def test_tokayev_full_name_and_surname_are_one_person(
    seed: Article, mentions: list[EntityMention]
) -> None:
    (full,) = named(mentions, "Kassym-Zhomart Tokayev")
    assert (full.canonical, full.kind, full.country, full.sector) == (
        "Kassym-Jomart Tokayev",
        "person",
        "KZ",
        "GOV",
    )
    surnames = named(mentions, "Tokayev")
    alone = [at for at in starts(seed.text, "Tokayev") if not full.start <= at < full.end]
    assert [m.start for m in surnames] == alone  # both later ones, one the model missed
    assert {m.entity_id for m in surnames} == {full.entity_id}


def test_president_of_kazakhstan_is_not_one_organisation(mentions: list[EntityMention]) -> None:
    assert not [m for m in mentions if "Kazakhstan Kassym" in m.text]
    (full,) = named(mentions, "Kassym-Zhomart Tokayev")
    before = [m for m in mentions if m.end == full.start - 1]
    assert [(m.text, m.kind) for m in before] == [("Kazakhstan", "place")]


@pytest.mark.parametrize("town", ["Zhanaozen", "Aktau"])
def test_towns_are_places_not_persons(town: str, mentions: list[EntityMention]) -> None:
    (m,) = named(mentions, town)
    assert (m.kind, m.label, m.country, m.canonical) == ("place", "GPE", "KZ", town)


def test_alma_ata_is_almaty_three_times(mentions: list[EntityMention]) -> None:
    found = named(mentions, "Alma-Ata")
    assert len(found) == 3
    assert {(m.canonical, m.kind, m.country, m.entity_id) for m in found} == {
        ("Almaty", "place", "KZ", "kb:place:almaty")
    }


def test_almaty_regions_is_the_region_not_the_city(mentions: list[EntityMention]) -> None:
    # "Mangistau and Almaty regions": the region word makes both names regions
    (region,) = named(mentions, "Almaty regions")
    assert (region.canonical, region.entity_id, region.country) == (
        "Almaty Region",
        "kb:place:almaty-region",
        "KZ",
    )
    assert not [m for m in mentions if m.text == "Almaty"]


@pytest.mark.parametrize(
    ("text", "name", "entity_id"),
    [
        ("Snow closed roads across the Almaty region.", "Almaty region", "kb:place:almaty-region"),
        ("Curfews hold in Almaty and Mangistau regions.", "Almaty", "kb:place:almaty-region"),
        (
            "Curfews hold in Mangistau and Almaty regions.",
            "Almaty regions",
            "kb:place:almaty-region",
        ),
        ("Troops stayed in the Mangistau region.", "Mangistau region", "kb:place:mangystau"),
        ("The mayor of Almaty opened a school.", "Almaty", "kb:place:almaty"),
    ],
)
def test_a_region_word_links_the_region(link: Link, text: str, name: str, entity_id: str) -> None:
    (m,) = named(link(text), name)
    assert m.entity_id == entity_id


def test_mangistau_is_mangystau(mentions: list[EntityMention]) -> None:
    found = [m for m in mentions if m.text.startswith("Mangistau")]
    assert [m.text for m in found] == ["Mangistau Oblast", "Mangistau"]
    assert {(m.canonical, m.kind) for m in found} == {("Mangystau", "place")}


def test_osce_is_the_organization_for_security_and_cooperation(
    seed: Article, mentions: list[EntityMention]
) -> None:
    found = named(mentions, "OSCE")
    assert len(found) == len(starts(seed.text, "OSCE")) == 4
    assert {(m.canonical, m.kind, m.sector) for m in found} == {
        ("Organization for Security and Co-operation in Europe", "organisation", "IGO")
    }


def test_zbigniew_rau_is_a_polish_official(mentions: list[EntityMention]) -> None:
    (rau,) = named(mentions, "Zbigniew Rau")
    assert (rau.kind, rau.country, rau.sector) == ("person", "PL", "GOV")


def test_twitter_is_media_not_a_person(mentions: list[EntityMention]) -> None:
    (twitter,) = named(mentions, "Twitter")
    assert (twitter.kind, twitter.sector, twitter.label) == ("media", "MED", "ORG")


def test_mentions_are_exact_ordered_and_disjoint(
    seed: Article, mentions: list[EntityMention]
) -> None:
    for m in mentions:
        assert seed.text[m.start : m.end] == m.text
        assert m.kind in ent.KINDS
        assert m.label not in ent.DROPPED_LABELS
    for left, right in itertools.pairwise(mentions):
        assert left.end <= right.start


def test_sentences_never_cross_a_blank_line(nlp: Language) -> None:
    raw = SEED.read_text(encoding="utf-8").replace("\n", "\n\n")  # one paragraph a line
    doc = nlp(raw)
    assert not [s.text for s in doc.sents if "\n\n" in s.text.strip()]


# --------------------------------------------------------------------------- linking rules


def test_surname_links_to_the_full_name_of_someone_unknown(link: Link) -> None:
    found = link("Hannah Okonkwo, the union's spokeswoman, said the strike would go on. "
                 "Okonkwo added that talks had failed.")  # fmt: skip
    full, short = named(found, "Hannah Okonkwo")[0], named(found, "Okonkwo")[0]
    assert short.entity_id == full.entity_id
    assert short.canonical == "Hannah Okonkwo"
    assert full.entity_id.startswith("e:")


def test_unknown_names_have_the_same_id_in_every_article(link: Link) -> None:
    first = named(link("Hannah Okonkwo spoke in Lagos."), "Hannah Okonkwo")[0]
    second = named(link("Yesterday Hannah Okonkwo resigned."), "Hannah Okonkwo")[0]
    assert first.entity_id == second.entity_id


def test_a_surname_two_people_share_is_left_alone(link: Link) -> None:
    found = link("Donald Trump and Melania Trump arrived. Trump spoke first.")
    assert [m.text for m in found] == ["Donald Trump", "Melania Trump"]
    assert found[0].entity_id != found[1].entity_id


def test_acronym_defined_in_the_text(link: Link) -> None:
    found = link("The Lagos Waste Management Authority (LAWMA) cleared the streets. "
                 "LAWMA officials said the work took a week.")  # fmt: skip
    (full,) = named(found, "Lagos Waste Management Authority")
    acronyms = named(found, "LAWMA")
    assert len(acronyms) == 2  # the second one the model did not tag
    assert {(m.entity_id, m.canonical) for m in acronyms} == {(full.entity_id, full.canonical)}


def test_acronym_definition_mends_a_name_the_model_cut(link: Link) -> None:
    found = link("The Kazakh Agency for Financial Monitoring (AFM) froze the accounts on "
                 "Monday. The AFM said more would follow.")  # fmt: skip
    (full,) = named(found, "Kazakh Agency for Financial Monitoring")
    assert {m.canonical for m in named(found, "AFM")} == {full.canonical}


def test_the_texts_definition_beats_the_knowledge_base(link: Link) -> None:
    found = link("The Center for Internet Security (CIS) published the report. "
                 "CIS said the flaw was serious.")  # fmt: skip
    assert {m.canonical for m in named(found, "CIS")} == {"Center for Internet Security"}


def test_known_acronym_links_to_its_expansion(link: Link) -> None:
    (csto,) = named(link("Troops of the CSTO landed in Almaty."), "CSTO")
    assert csto.canonical == "Collective Security Treaty Organization"
    osce = named(link("The OSCE sent observers."), "OSCE")[0]
    assert osce.canonical == "Organization for Security and Co-operation in Europe"


def test_transliterations_meet_on_a_known_name(link: Link) -> None:
    (japarov,) = named(link("Kyrgyz President Sadyr Dzhaparov spoke by phone."), "Sadyr Dzhaparov")
    assert (japarov.canonical, japarov.entity_id) == ("Sadyr Japarov", "kb:sadyr-japarov")
    kb = load_kb()
    for variant, label, entity_id in [
        ("Kasym-Jomart Tokaev", "PERSON", "kb:kassym-jomart-tokayev"),  # not in the KB: folded
        ("Kassym Zhomart Tokayev", "PERSON", "kb:kassym-jomart-tokayev"),
        ("Dzhanaozen", "GPE", "kb:place:zhanaozen"),  # folded
        ("Mangistau", "GPE", "kb:place:mangystau"),
    ]:
        match = kb.lookup(variant, label)
        assert match is not None and match.entity.id == entity_id, variant


def test_folding_never_joins_two_unknown_names(link: Link) -> None:
    found = link("Zhanibek Zhumabayev, a lawyer, was detained. Jumabayev said he was beaten.")
    full, short = named(found, "Zhanibek Zhumabayev")[0], named(found, "Jumabayev")[0]
    assert full.entity_id != short.entity_id


def test_transliterated_place_names(link: Link) -> None:
    found = link("Protesters in Janaozen and Mangghystau marched, Kazakh police said.")
    assert [(m.text, m.canonical, m.kind) for m in found[:2]] == [
        ("Janaozen", "Zhanaozen", "place"),
        ("Mangghystau", "Mangystau", "place"),
    ]
    (kazakh,) = named(found, "Kazakh")
    assert (kazakh.kind, kazakh.country, kazakh.label) == ("group", "KZ", "NORP")


def test_government_bodies_of_any_country(link: Link) -> None:
    found = link("The Kazakh Foreign Ministry and the Uzbek Foreign Ministry issued a joint "
                 "statement, the Russian government said.")  # fmt: skip
    assert [(m.canonical, m.country, m.sector) for m in found] == [
        ("Ministry of Foreign Affairs of Kazakhstan", "KZ", "GOV"),
        ("Ministry of Foreign Affairs of Uzbekistan", "UZ", "GOV"),
        ("Government of Russia", "RU", "GOV"),
    ]


def test_a_place_name_does_not_cut_a_longer_name(link: Link) -> None:
    found = link("Singapore Airlines flew to Moscow State University staff.")
    assert "Singapore Airlines" in [m.text for m in found]


def test_numbers_and_dates_are_not_entities(link: Link) -> None:
    assert link("The ad 320x50 ran on January 4, 2022, and 300 people paid $5, 10% more.") == []


def test_a_lowercase_span_is_no_acronym() -> None:
    kb = load_kb()
    upper = ent._Mention(0, 1, "ORG", ("UN",), "UN", "UN")
    lower = ent._Mention(0, 1, "ORG", ("un",), "un", "un")  # the model's slip on French "un"
    for mention in (upper, lower):
        ent._resolve(mention, kb)
    assert upper.entity is not None and upper.entity.id == "kb:un"
    assert lower.entity is None


def test_gazetteer_patterns_join_the_same_pipeline(nlp: Language) -> None:
    pattern = {
        "label": "GPE",
        "pattern": "Zhetysu",
        "id": "test:zhetysu",
        "canonical": "Jetisu Region",
        "country": "KZ",
    }
    assert load_nlp([pattern]) is nlp
    assert load_nlp([pattern]) is nlp  # the same set again adds nothing
    (m,) = named(link_entities(nlp("Floods hit Zhetysu.")), "Zhetysu")
    assert (m.entity_id, m.canonical, m.country, m.kind) == (
        "test:zhetysu",
        "Jetisu Region",
        "KZ",
        "place",
    )


# --------------------------------------------------------------------------- the KB files


def kb_files(**changes: Callable[[str], str]) -> Callable[[str], str]:
    """The packaged KB files, one of them edited."""

    def read(name: str) -> str:
        text = ent._read_packaged(name)
        edit = changes.get(name.replace(".tsv", ""))
        return edit(text) if edit else text

    return read


def test_kb_loads_and_counts() -> None:
    kb = load_kb()
    kinds = {e.kind for e in kb.entities.values()}
    assert kinds == {"person", "organisation", "media", "place", "group"}
    assert kb.get("kb:csto") is not None and kb.get("kb:place:kz") is not None


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "organisations",
            lambda t: t.replace("\tIGO\tCSTO|", "\tXYZ\tCSTO|"),
            "organisations.tsv line \\d+: sector 'XYZ'",
        ),
        (
            "people",
            lambda t: t.replace(
                "kb:zbigniew-rau\tZbigniew Rau\tPL", "kb:zbigniew-rau\tZbigniew Rau\tQQ"
            ),
            "people.tsv line \\d+: country QQ",
        ),
        (
            "demonyms",
            lambda t: t.replace("kb:norp:kz\tKZ\tKazakh\t", "kb:norp:kz\tKZ\t"),
            "demonyms.tsv line \\d+: 5 columns expected, got 4",
        ),
        (
            "people",
            lambda t: t.replace("kb:vladimir-putin\t", "kb:kassym-jomart-tokayev\t"),
            "people.tsv line \\d+: id kb:kassym-jomart-tokayev already used in people.tsv line",
        ),
        (
            "organisations",
            lambda t: t.replace(
                "kb:tass\tTASS\tmedia\tRU\tMED\t", "kb:tass\tTASS\tmedia\tRU\tMED\tCSTO|"
            ),
            "organisations.tsv line \\d+: name 'CSTO' is already kb:csto",
        ),
        ("places", lambda t: t.replace("id\tcanonical\tfeature", "id\tname\tfeature"), "header"),
    ],
)
def test_a_bad_row_names_its_file_and_line(
    file: str, edit: Callable[[str], str], message: str
) -> None:
    with pytest.raises(KBError, match=message):
        build_kb(kb_files(**{file: edit}))
