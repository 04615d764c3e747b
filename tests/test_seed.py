"""The seed, field by field, as the foundation issue states it."""

from pathlib import Path

from dateline import Article, process_inputs

SEED = Path(__file__).resolve().parents[1] / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"


def test_metadata(seed: Article) -> None:
    assert seed.title == "Kazakhstan did not ask for help: CSTO"
    assert seed.publisher == "The Frontier Post"
    assert seed.origin == "RIA Novosti"
    assert seed.dateline.place == "Moscow"
    assert seed.dateline.agency == "RIA Novosti"
    assert seed.language == "en"


def test_body_has_no_boilerplate_and_no_headline(seed: Article) -> None:
    assert seed.text.startswith("Kazakhstan has not yet requested assistance from the CSTO")
    assert seed.text.endswith("he wrote on Twitter.")
    for junk in ("320x50", "MOSCOW", "appeared first on", "Kazakhstan did not ask for help"):
        assert junk not in seed.text


def test_every_removed_piece_is_kept_with_its_rule(seed: Article) -> None:
    assert [(r.rule, r.text) for r in seed.removed] == [
        ("ad_slot", "320x50"),
        (
            "feed_footer",
            "The post Kazakhstan did not ask for help: CSTO appeared first on The Frontier Post.",
        ),
        ("headline", "Kazakhstan did not ask for help: CSTO"),
        ("duplicate_headline", "Kazakhstan did not ask for help: CSTO"),
        ("wire_dateline", "MOSCOW (RIA Novosti):"),
    ]


def test_curly_quotes_survive_cleaning(seed: Article) -> None:
    assert "“No, I haven’t asked yet,” he said." in seed.text


def test_paragraph_spans_index_the_text(seed: Article) -> None:
    assert len(seed.paragraphs) == 8
    first_start, first_end = seed.paragraphs[0]
    assert seed.text[first_start:first_end].endswith("told RIA Novosti.")
    assert all(seed.text[s:e].strip() == seed.text[s:e] for s, e in seed.paragraphs)


def test_id_is_stable_across_whitespace_and_case(seed: Article) -> None:
    from dateline.model import article_id

    assert seed.id == article_id(seed.title, seed.text)
    assert seed.id == article_id(seed.title.upper(), "  " + seed.text.replace(" ", "  "))


def test_no_clean_keeps_the_input_verbatim() -> None:
    (article,) = process_inputs([str(SEED)], clean=False)
    assert isinstance(article, Article)
    assert article.text == SEED.read_text(encoding="utf-8")
    assert article.removed == []
    start, end = article.paragraphs[0]
    assert article.text[start:end] == "320x50"


def test_entities_are_canonical(seed: Article) -> None:
    canon = {(e.text, e.canonical) for e in seed.entities}
    assert ("CSTO", "Collective Security Treaty Organization") in canon
    assert ("Kassym-Zhomart Tokayev", "Kassym-Jomart Tokayev") in canon
    assert ("Alma-Ata", "Almaty") in canon
    assert ("OSCE", "Organization for Security and Co-operation in Europe") in canon
    tokayev = {e.entity_id for e in seed.entities if "Tokayev" in e.text}
    assert len(tokayev) == 1
    kinds = {e.text: e.kind for e in seed.entities}
    assert (kinds["Zhanaozen"], kinds["Twitter"], kinds["RIA Novosti"]) == (
        "place",
        "media",
        "media",
    )
    assert all(seed.text[e.start : e.end] == e.text for e in seed.entities)


def test_places_resolved_with_the_dateline(seed: Article) -> None:
    resolved = {p.text: (p.name, p.feature, p.country) for p in seed.places}
    assert resolved["Zhanaozen"] == ("Zhanaozen", "city", "KZ")
    assert resolved["Aktau"] == ("Aktau", "city", "KZ")
    assert resolved["Alma-Ata"] == ("Almaty", "city", "KZ")
    assert resolved["Mangistau Oblast"] == ("Mangystau Region", "region", "KZ")
    assert resolved["Kazakhstan"] == ("Kazakhstan", "country", "KZ")
    assert (seed.dateline.geonames_id, seed.dateline.country) == (524901, "RU")
    assert all(seed.text[p.start : p.end] == p.text for p in seed.places)


def test_times_anchor_on_the_year_the_text_gives(seed: Article) -> None:
    values = {t.text: (t.value, t.end_value) for t in seed.times}
    assert values["January 4"] == ("2022-01-04", None)
    assert values["the night of January 5"] == ("2022-01-05TNI", None)
    assert values["until January 19"][1] == "2022-01-19"
    assert {t.anchor for t in seed.times} == {"2022"}


def test_quotes_have_their_speakers(seed: Article) -> None:
    by_start = {q.text[:20]: q for q in seed.quotes}
    no = by_start["No, I haven’t asked "]
    assert no.direct and no.speaker is not None and no.speaker.anonymous
    assert no.speaker.canonical == "a source familiar with the situation"
    principle = by_start["In principle, the CS"]
    assert principle.speaker is not None and principle.speaker.canonical == no.speaker.canonical
    power = by_start["the power will not f"]
    assert power.speaker is not None and power.speaker.entity_id == "kb:kassym-jomart-tokayev"
    osce = by_start["As the chairman of t"]
    assert osce.speaker is not None and osce.speaker.canonical == "Zbigniew Rau"
    assert (
        osce.channel == "Twitter" and osce.cue is not None and osce.cue.text == "wrote on Twitter"
    )
    assert all(seed.text[q.start : q.end] == q.text for q in seed.quotes)


def test_attribution_chain_flags_the_headline(seed: Article) -> None:
    chain = seed.attribution
    assert (chain.origin, chain.publisher) == ("RIA Novosti", "The Frontier Post")
    assert chain.headline_source == "Collective Security Treaty Organization"
    assert (chain.body_source, chain.body_via) == (
        "a source familiar with the situation",
        "RIA Novosti",
    )
    assert chain.mismatch


def test_events_with_negation_place_and_date(seed: Article) -> None:
    coded = {(e.type, e.mode, e.aux) for e in seed.events}
    assert ("REQUEST", "assist", "negated") in coded
    assert ("REQUEST", "assist", "asserted") not in coded  # "has not yet requested"
    assert {("PROTEST", "demo", "asserted"), ("PROTEST", "riot", "asserted")} <= coded
    assert ("ASSAULT", "crowd-control", "asserted") in coded
    assert ("COERCE", "curfew", "asserted") in coded
    asserted = [e for e in seed.events if e.aux == "asserted"]
    assert seed.events[: len(asserted)] == asserted  # asserted first
    riot = next(e for e in seed.events if e.mode == "riot")
    assert riot.place is not None and riot.place.name == "Almaty"
    assert riot.when is not None and riot.when.value.startswith("2022-01-04")
    curfew = next(e for e in seed.events if e.mode == "curfew")
    assert [a.canonical for a in curfew.actors] == ["Kassym-Jomart Tokayev"]
    assert curfew.when is not None and curfew.when.end_value == "2022-01-19"
    request = next(e for e in seed.events if e.aux == "negated")
    assert [r.canonical for r in request.recipients] == ["Collective Security Treaty Organization"]
    assert not any(
        e.type == "ASSAULT" and "calls to attack" in e.evidence.text for e in seed.events
    )
