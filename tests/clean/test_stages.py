"""The clean stages on HTML and text: extraction, metadata precedence, unicode, language, dates."""

from __future__ import annotations

import pytest

from dateline import DatelineError, process
from dateline.clean.dates import normalise_date


def test_mojibake_is_repaired_but_curly_quotes_stay() -> None:
    article = process(text="Cafes close\n\nThe cafÃ© owners said: “We are closing.”")
    assert article.text == "The café owners said: “We are closing.”"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Die Regierung ist am Mittwoch zurückgetreten, teilte das Büro des Präsidenten mit.",
            "de",
        ),
        (
            "Le gouvernement a démissionné mercredi, a annoncé la présidence dans un communiqué.",
            "fr",
        ),
        ("Правительство ушло в отставку в среду, сообщила пресс-служба президента.", "ru"),
        ("Short one", None),
    ],
)
def test_language_is_identified(text: str, language: str | None) -> None:
    assert process(text=text, title="t").language == language


def test_page_metadata_fills_what_the_input_did_not_give() -> None:
    html = (
        "<html><head><title>Ignored | Site</title><meta property='og:title' content='Page title'>"
        "<meta property='og:site_name' content='Page Site'></head><body><article>"
        "<p>The national bank raised its key rate on Monday to slow inflation, officials said.</p>"
        "<p>Analysts had expected the move after prices rose for a third month in a row.</p>"
        "</article></body></html>"
    )
    page = process(html=html)
    assert (page.title, page.publisher) == ("Page title", "Page Site")
    given = process(html=html, title="Given title", publisher="Given Site")
    assert (given.title, given.publisher) == ("Given title", "Given Site")


def test_a_page_without_main_text_is_an_extraction_failure() -> None:
    with pytest.raises(DatelineError) as caught:
        process(
            html="<html><head><title>x</title></head><body><script>var a;</script></body></html>"
        )
    assert caught.value.code.value == "E207"


def test_an_html_fragment_is_flattened_not_dropped() -> None:
    article = process(html="<p>The airport reopened on Thursday.</p><script>alert(1)</script>")
    assert article.text == "The airport reopened on Thursday."


def test_unreadable_date_is_kept_as_an_issue() -> None:
    article = process(text="Body of the article is here.", title="T", published="not a date")
    assert article.published is None
    assert [i.code for i in article.issues] == ["E208"]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Tue, 04 Jan 2022 10:00:00 +0600", "2022-01-04T10:00:00+06:00"),
        ("2022-01-05", "2022-01-05"),
        ("2022-01-05T10:00:00Z", "2022-01-05T10:00:00+00:00"),
        ("January 5, 2022", "2022-01-05"),
        ("5 January 2022, 18:45", "2022-01-05T18:45:00"),
        ("gibberish", None),
        ("", None),
    ],
)
def test_dates_normalise_to_iso_keeping_the_offset(raw: str, iso: str | None) -> None:
    assert normalise_date(raw) == iso
