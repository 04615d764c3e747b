"""The event coder on the seed article and on sentences written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dateline import process_inputs
from dateline.events import code_events
from dateline.events.crosswalk import derive, quad_class
from dateline.events.lexicon import load_lexicon
from dateline.model import Article, Event
from dateline.understand.entities import link_entities, load_kb
from dateline.understand.nlp import load_nlp
from dateline.understand.times import find_anchor, find_times

SEED = Path(__file__).resolve().parents[2] / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"


@pytest.fixture(scope="module")
def seed() -> tuple[Article, list[Event]]:
    (article,) = process_inputs([str(SEED)])
    assert isinstance(article, Article)
    doc = load_nlp()(article.text)
    events = code_events(doc, article.entities, article.places, article.times, article.quotes,
                         article.published)  # fmt: skip
    return article, events


def code(text: str, published: str = "2022-01-05") -> list[Event]:
    doc = load_nlp()(text)
    times = find_times(text, find_anchor(text, published))
    return code_events(doc, link_entities(doc, load_kb()), [], times, [], published)


def one(events: list[Event], type_: str) -> Event:
    found = [e for e in events if e.type == type_]
    assert found, f"no {type_} in {[(e.type, e.trigger.text) for e in events]}"
    return found[0]


def names(event: Event, role: str = "actors") -> set[str]:
    return {p.canonical for p in getattr(event, role)}


# --- the seed ----------------------------------------------------------------------------


def test_seed_negated_request(seed: tuple[Article, list[Event]]) -> None:
    _, events = seed
    requests = [e for e in events if e.type == "REQUEST" and "Kazakhstan" in names(e)]
    assert requests and all(e.aux == "negated" for e in requests)
    assert "Collective Security Treaty Organization" in names(requests[0], "recipients")


def test_seed_protest(seed: tuple[Article, list[Event]]) -> None:
    _, events = seed
    protest = one(events, "PROTEST")
    assert protest.aux == "asserted" and protest.mode == "demo"
    assert names(protest) == {"residents of Zhanaozen and Aktau"}
    assert protest.place is not None and protest.place.admin1 == "KZ-47"  # Mangystau
    # the residents' two cities and their region; "western Kazakhstan" adds nothing to them
    assert [p.name for p in protest.places] == ["Zhanaozen", "Aktau", "Mangystau Region"]
    assert protest.when is not None and protest.when.value.startswith("2022")
    assert "economic" in protest.context


def test_seed_concede(seed: tuple[Article, list[Event]]) -> None:
    _, events = seed
    concede = one(events, "CONCEDE")
    assert concede.aux == "asserted" and concede.trigger.text == "fulfill"
    assert concede.when is not None and concede.when.value == "2022-01-04"
    assert any("commission" in n for n in names(concede))


def test_seed_clashes(seed: tuple[Article, list[Event]]) -> None:
    _, events = seed
    riot = [e for e in events if e.type == "PROTEST" and e.mode == "riot"]
    assert riot and riot[0].place is not None and riot[0].place.name == "Almaty"
    gas = one(events, "ASSAULT")
    assert gas.mode == "crowd-control" and gas.acled_subtype == "FORCE_AGAINST_PROTEST"
    assert gas.actors[0].sector == "COP"
    assert gas.when is not None and gas.when.value.startswith("2022-01-04")
    assert gas.when.end_value is not None and gas.when.end_value.startswith("2022-01-05")


def test_seed_emergency(seed: tuple[Article, list[Event]]) -> None:
    _, events = seed
    coerce = [e for e in events if e.type == "COERCE"]
    assert len(coerce) == 1  # the state of emergency and its curfew and bans: one event
    assert coerce[0].mode == "curfew" and names(coerce[0]) == {"Kassym-Jomart Tokayev"}
    assert coerce[0].place is not None and coerce[0].place.admin1 == "KZ-47"
    assert coerce[0].when is not None and coerce[0].when.end_value == "2022-01-19"
    # "in Mangistau and Almaty regions, as well as in Alma-Ata": three places, one event
    assert [(p.name, p.admin1) for p in coerce[0].places] == [
        ("Mangystau Region", "KZ-47"),
        ("Almaty Region", "KZ-19"),
        ("Almaty", "KZ-75"),
    ]


def test_seed_dismissal_and_appeal(seed: tuple[Article, list[Event]]) -> None:
    _, events = seed
    dismissal = one(events, "SANCTION")
    assert dismissal.mode == "expel" and dismissal.when is not None
    assert dismissal.when.value.startswith("2022-01-05")
    appeal = [e for e in events if e.type == "REQUEST" and "Zbigniew Rau" in names(e)]
    assert len(appeal) == 1 and appeal[0].aux == "asserted" and appeal[0].cameo_quad == 0


def test_seed_no_assault_for_calls_to_attack(seed: tuple[Article, list[Event]]) -> None:
    article, events = seed
    at = article.text.index("calls to attack")
    assert not [e for e in events if e.evidence.start <= at < e.evidence.end]


def test_seed_order(seed: tuple[Article, list[Event]]) -> None:
    _, events = seed
    aux = [e.aux for e in events]
    assert aux == sorted(aux, key=lambda a: a != "asserted")
    asserted = [e.evidence.start for e in events if e.aux == "asserted"]
    assert asserted == sorted(asserted)


# --- sentences of our own ----------------------------------------------------------------


def test_negation_modality_future() -> None:
    assert one(code("The army did not attack the village."), "ASSAULT").aux == "negated"
    assert one(code("The rebels never released the hostages."), "RETREAT").aux == "negated"
    assert one(code("The police might arrest the organisers."), "COERCE").aux == "hypothetical"
    assert one(code("If talks fail, the union would strike."), "PROTEST").aux == "hypothetical"
    assert one(code("The minister will visit Paris next week."), "CONSULT").aux == "future"
    assert one(code("Farmers plan to protest in Lyon."), "PROTEST").aux == "future"


def test_failed_and_refused() -> None:
    assert one(code("Police failed to arrest the suspect."), "COERCE").aux == "negated"
    events = code("The government refused to release the prisoners.")
    assert [e.type for e in events] == ["REJECT"] and events[0].mode == "yield"


def test_offer_is_asserted_concession() -> None:
    event = one(code("The governor said he was ready to lift the curfew."), "CONCEDE")
    assert event.aux == "asserted"


def test_historical() -> None:
    event = one(code("In 2011, police killed 14 striking oil workers in Zhanaozen."), "ASSAULT")
    assert event.aux == "historical" and event.dead == 14


def test_calls_to_attack_is_no_assault() -> None:
    assert not [
        e for e in code("Calls to attack police stations are illegal.") if e.type == "ASSAULT"
    ]


def test_repeated_sentence_is_one_event() -> None:
    text = "Soldiers shelled the town of Avdiivka. Soldiers shelled the town of Avdiivka."
    assert len([e for e in code(text) if e.type == "ASSAULT"]) == 1


def test_place_is_the_triggers_own() -> None:
    text = "The minister arrived in Paris on Monday. Protesters rallied in Marseille on Tuesday."
    doc = load_nlp()(text)
    from dateline.understand.gazetteer import load_gazetteer
    from dateline.understand.places import find_places

    places = find_places(text, doc, load_gazetteer(), None, demonyms=load_kb().demonyms)
    times = find_times(text, find_anchor(text, "2022-01-05"))
    events = code_events(doc, link_entities(doc, load_kb()), places, times, [], "2022-01-05")
    protest = one(events, "PROTEST")
    assert protest.place is not None and protest.place.name == "Marseille"


def test_every_place_of_the_clause_and_an_interval_until_a_date() -> None:
    text = "The prefect imposed a curfew in Lyon and Grenoble, as well as in Annecy, until March 3."
    doc = load_nlp()(text)
    from dateline.understand.gazetteer import load_gazetteer
    from dateline.understand.places import find_places

    places = find_places(text, doc, load_gazetteer(), None, demonyms=load_kb().demonyms)
    times = find_times(text, find_anchor(text, "2022-02-20"))
    events = code_events(doc, link_entities(doc, load_kb()), places, times, [], "2022-02-20")
    curfew = one(events, "COERCE")
    assert [p.name for p in curfew.places] == ["Lyon", "Grenoble", "Annecy"]
    assert curfew.place == curfew.places[0]
    assert curfew.when is not None and curfew.when.value == "2022-02-20"
    assert curfew.when.end_value == "2022-03-03"


def test_date_falls_back_to_publication() -> None:
    event = one(code("Workers went on strike at the port.", published="2022-03-01"), "PROTEST")
    assert event.when is not None and event.when.source == "published"


def test_main_event_is_the_main_clause_not_the_first() -> None:
    events = code(
        "After talks with the unions failed, the government imposed a curfew in the capital."
    )
    assert [e.type for e in events] == ["CONSULT", "COERCE"]  # text order, as before
    assert [e.main for e in events] == [False, True]


def test_one_main_event_from_the_lede() -> None:
    events = code("The minister visited Paris. Police arrested 12 protesters in Almaty.")
    assert sum(e.main for e in events) == 1
    assert next(e for e in events if e.main).type == "CONSULT"


def test_crosswalk() -> None:
    lex = load_lexicon()
    assert derive(lex, "PROTEST", "demo") == ("14", 4, "PEACE_PROTEST")
    assert derive(lex, "ASSAULT", "aerial")[1:] == (4, "AIR_STRIKE")
    assert derive(lex, "REQUEST", None)[:2] == ("10", 3)
    assert derive(lex, "REQUEST", None, "02")[:2] == ("02", 0)
    assert derive(lex, "AGREE", None)[1] == 1 and derive(lex, "AID", None)[1] == 2
    assert [quad_class(f"{r:02d}") for r in (1, 2, 3, 5, 6, 8, 9, 13, 14, 20)] == [
        0, 0, 1, 1, 2, 2, 3, 3, 4, 4]  # fmt: skip
