"""The seed, field by field, as the foundation issue states it."""

from pathlib import Path

import pytest

from dateline import Article, process_inputs

SEED = Path(__file__).resolve().parents[1] / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"


@pytest.fixture(scope="module")
def seed() -> Article:
    (article,) = process_inputs([str(SEED)])
    assert isinstance(article, Article)
    return article


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
