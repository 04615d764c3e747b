"""Each cleaning rule on its own, then the ordered list on realistic combinations."""

import pytest

from dateline.clean.rules import RULE_NAMES, clean_lines
from dateline.model import Article


def clean(text: str, **fields: str) -> tuple[Article, list[str], list[tuple[str, str]]]:
    article = Article(**fields)  # type: ignore[arg-type]
    kept, removed = clean_lines(article, text)
    return article, kept, [(r.rule, r.text) for r in removed]


def test_rule_order_is_explicit() -> None:
    assert RULE_NAMES == [
        "ad_slot",
        "feed_footer",
        "read_more",
        "share",
        "subscribe",
        "cookie",
        "photo_credit",
        "section_line",
        "byline",
        "headline",
        "wire_dateline",
        "tag_list",
    ]


@pytest.mark.parametrize(
    "label", ["320x50", "300 x 250", "728×90", "Advertisement", "ADVERTISEMENT"]
)
def test_ad_slot_labels_go(label: str) -> None:
    _, kept, removed = clean(f"{label}\nThe council met on Monday and voted.")
    assert kept == ["The council met on Monday and voted."]
    assert removed == [("ad_slot", label)]


def test_numbers_in_prose_are_not_ad_slots() -> None:
    _, kept, removed = clean("Police detained 320 people.\nThe ratio was 3 x 4 in the end.")
    assert removed == []
    assert len(kept) == 2


@pytest.mark.parametrize(
    ("footer", "title", "site"),
    [
        (
            "The post Floods hit the coast appeared first on Coastal News.",
            "Floods hit the coast",
            "Coastal News",
        ),
        (
            "Der Beitrag Neue Brücke eröffnet erschien zuerst auf Stadtblatt.",
            "Neue Brücke eröffnet",
            "Stadtblatt",
        ),
        (
            "L’article Grève à Paris est apparu en premier sur Le Quotidien.",
            "Grève à Paris",
            "Le Quotidien",
        ),
        (
            "La entrada Huelga en Madrid se publicó primero en El Diario.",
            "Huelga en Madrid",
            "El Diario",
        ),
        ("O post Greve em Lisboa apareceu primeiro em Jornal.", "Greve em Lisboa", "Jornal"),
    ],
)
def test_feed_footer_variants_name_title_and_publisher(footer: str, title: str, site: str) -> None:
    article, kept, removed = clean(f"Body sentence one is here.\n{footer}")
    assert kept == ["Body sentence one is here."]
    assert removed == [("feed_footer", footer)]
    assert (article.title, article.publisher) == (title, site)


def test_feed_footer_keeps_a_known_publisher() -> None:
    article, _, _ = clean("Body.\nThe post X appeared first on Y.", publisher="Given")
    assert article.publisher == "Given"


def test_headline_detected_and_its_copies_removed() -> None:
    text = "Rain floods the valley\n\nRain floods the valley\n\nHeavy rain fell overnight."
    article, kept, removed = clean(text)
    assert article.title == "Rain floods the valley"
    assert article.title_source == "headline-line"
    assert kept == ["Heavy rain fell overnight."]
    assert [rule for rule, _ in removed] == ["headline", "duplicate_headline"]


def test_known_title_removes_matching_lines_whatever_their_quotes() -> None:
    _article, kept, removed = clean(
        "‘Never again’, says mayor\nThe mayor spoke.", title="'Never again', says mayor"
    )
    assert kept == ["The mayor spoke."]
    assert removed == [("headline", "‘Never again’, says mayor")]


def test_a_sentence_first_line_is_not_taken_for_a_headline() -> None:
    article, _kept, removed = clean("The council met on Monday.\nIt voted to close the bridge.")
    assert article.title is None
    assert removed == []


def test_byline_sets_author() -> None:
    article, _kept, removed = clean("By Jane Doe and John Roe\nThe council met on Monday.")
    assert article.author == "Jane Doe and John Roe"
    assert removed == [("byline", "By Jane Doe and John Roe")]


def test_wire_dateline_sets_dateline_and_origin() -> None:
    article, kept, removed = clean("LONDON, Jan 5 (Reuters) - Oil prices rose on Monday.")
    assert kept == ["Oil prices rose on Monday."]
    assert removed == [("wire_dateline", "LONDON, Jan 5 (Reuters) -")]
    assert (article.dateline.place, article.dateline.agency, article.dateline.date) == (
        "London",
        "Reuters",
        "Jan 5",
    )
    assert article.origin == "Reuters"


def test_dateline_only_at_the_start_of_the_body() -> None:
    article, kept, _ = clean("The minister spoke.\nLONDON (Reuters) - later text")
    assert article.dateline.place is None
    assert kept[1] == "LONDON (Reuters) - later text"


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Read more: Protests spread to Almaty", "read_more"),
        ("RELATED: Fuel prices explained", "read_more"),
        ("Share this:", "share"),
        ("Share on Facebook | Tweet | Email", "share"),
        ("Subscribe to our newsletter for daily updates", "subscribe"),
        ("Follow us on Telegram", "subscribe"),
        ("We use cookies to improve your experience. Accept all cookies", "cookie"),
        ("Photo: Reuters", "photo_credit"),
        ("(Image credit: Jane Doe)", "photo_credit"),
        ("Protesters in Almaty. / AFP via Getty Images", "photo_credit"),
        ("© Steppe Herald 2022", "photo_credit"),
    ],
)
def test_junk_lines_go_with_their_rule(line: str, rule: str) -> None:
    _, kept, removed = clean(
        f"Protests continued on Wednesday in the city.\n{line}\nThe government resigned."
    )
    assert kept == ["Protests continued on Wednesday in the city.", "The government resigned."]
    assert removed == [(rule, line)]


def test_tag_lists_go_only_at_the_end() -> None:
    text = "The story begins.\nTags: in the middle is prose here\nThe story goes on.\nTags: Kazakhstan, Almaty, CSTO\nFiled under: World"
    _, kept, removed = clean(text)
    assert kept == ["The story begins.", "Tags: in the middle is prose here", "The story goes on."]
    assert removed == [
        ("tag_list", "Filed under: World"),
        ("tag_list", "Tags: Kazakhstan, Almaty, CSTO"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell sharply after the announcement of the new tax on Monday.",
        "“Read more books,” the minister told students.",
        "Photos of the protest spread quickly on social media, officials said.",
        "Subscribers lost access to the service during the shutdown.",
        "We use force only as a last resort, the police chief said in a statement on Monday, "
        "adding that cookies were handed out to officers.",
    ],
)
def test_prose_that_resembles_junk_is_kept(line: str) -> None:
    _, kept, removed = clean(f"The first paragraph is here.\n{line}")
    assert line in kept, removed


def test_section_line_goes_and_gives_a_date() -> None:
    text = "Fuel protests spread\nKazakhstan | Politics | 5 January 2022, 18:45\nProtests spread on Tuesday."
    article, kept, removed = clean(text)
    assert kept == ["Protests spread on Tuesday."]
    assert removed[0] == ("section_line", "Kazakhstan | Politics | 5 January 2022, 18:45")
    assert (article.published, article.published_source) == ("2022-01-05T18:45:00", "text")


def test_junk_before_the_dateline_does_not_hide_it() -> None:
    text = (
        "Photo: Smoke over the city / Steppe Herald\nNUR-SULTAN — The president spoke on Wednesday."
    )
    article, kept, _ = clean(text)
    assert article.dateline.place == "Nur-Sultan"
    assert kept == ["The president spoke on Wednesday."]


def test_a_slashed_date_line_is_one_date_and_a_bare_day_is_none() -> None:
    from dateline.clean.dates import normalise_date

    assert normalise_date("05") is None  # dateutil would make it this month's 5th
    assert normalise_date("March 5") is None  # no year: no publication date
    assert normalise_date("05 / 02 / 2013") == "2013-05-02"
