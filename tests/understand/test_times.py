"""The temporal normaliser (issue 3) and its TimeML evaluation harness."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from dateline.evaluate import timebank
from dateline.model import Article, TimeMention
from dateline.understand.times import find_anchor, find_times

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"
WEDNESDAY = "2022-01-05"  # the anchor most tests use
Seed = tuple[str, str | None, list[TimeMention]]  # clean text, anchor, mentions


def one(text: str, anchor: str | None = WEDNESDAY) -> TimeMention:
    mentions = find_times(text, anchor)
    assert len(mentions) == 1, mentions
    return mentions[0]


def values(text: str, anchor: str | None = WEDNESDAY) -> dict[str, str]:
    return {m.text: m.value for m in find_times(text, anchor)}


# --- the seed -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Seed:
    from dateline import process_inputs

    (article,) = process_inputs([str(SEED)])
    assert isinstance(article, Article), article  # not a Reject
    text = article.text
    anchor = find_anchor(text, article.published)
    return text, anchor, find_times(text, anchor)


def test_seed_is_anchored_on_the_year_it_names(seed: Seed) -> None:
    text, anchor, _ = seed
    assert "2022" in text
    assert anchor == "2022"


def test_seed_times(seed: Seed) -> None:
    _, _, mentions = seed
    found = {m.text: m for m in mentions}
    assert found["January 4"].value == "2022-01-04"
    assert found["the evening of January 4"].value == "2022-01-04TEV"
    assert found["the night of January 5"].value == "2022-01-05TNI"
    assert found["the morning of January 5"].value == "2022-01-05TMO"
    assert found["the early days of 2022"].value == "2022"
    until = found["until January 19"]
    assert (until.value, until.end_value) == ("2022-01-19", "2022-01-19")
    curfew = found["from 7.00 to 23.00"]
    assert (curfew.type, curfew.value, curfew.end_value) == (
        "TIME",
        "XXXX-XX-XXT07:00",
        "XXXX-XX-XXT23:00",
    )
    assert all(m.anchor == "2022" for m in mentions)


def test_seed_spans_are_exact_and_disjoint(seed: Seed) -> None:
    text, _, mentions = seed
    assert_well_formed(text, mentions)


def assert_well_formed(text: str, mentions: list[TimeMention]) -> None:
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.type in ("DATE", "TIME", "DURATION", "SET")
    for a, b in itertools.pairwise(mentions):
        assert a.end <= b.start, (a, b)


# --- the anchor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2022-01-05", "2022-01-05"),
        ("2022-01-05T23:10:00+03:00", "2022-01-05"),
        ("2022", "2022"),
    ],
)
def test_anchor_is_the_publication_date(published: str, expected: str) -> None:
    assert find_anchor("The council met on March 3, 2019.", published) == expected


def test_anchor_without_publication_date_is_the_latest_full_date() -> None:
    text = (
        "The plant opened on 12 May 2019. It closed on March 3, 2021, and a review began in 2020."
    )
    assert find_anchor(text, None) == "2021-03-03"


def test_anchor_falls_back_to_the_latest_year_and_skips_deadlines() -> None:
    assert find_anchor("Sales rose in 2019 and again in 2021, the firm said.", None) == "2021"
    assert (
        find_anchor("Output fell in 2020; the plan is carbon neutrality by 2050.", None) == "2020"
    )
    assert find_anchor("Nothing here says when.", None) is None
    assert find_anchor("An unparseable date", "yesterday-ish") is None


def test_year_only_anchor_dates_a_month_day() -> None:
    assert one("The ministers met on March 3.", "2022").value == "2022-03-03"
    assert one("Prices rose last year.", "2022").value == "2021"


def test_no_anchor_leaves_placeholders() -> None:
    mention = one("The ministers met on March 3.", None)
    assert (mention.value, mention.anchor) == ("XXXX-03-03", None)


# --- weekdays and tense -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    ["The minister resigned on Wednesday.", "The minister will resign on Wednesday."],
)
def test_the_anchors_own_weekday_is_the_anchor_day(sentence: str) -> None:
    assert one(sentence).value == "2022-01-05"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Talks collapsed on Monday.", "2022-01-03"),
        ("Protesters gathered outside parliament on Friday, police said.", "2021-12-31"),
        ("Talks will resume on Monday.", "2022-01-10"),
        ("The vote is scheduled for Friday.", "2022-01-07"),
        ("The embassy stays closed until Friday.", "2022-01-07"),
        ("The court adjourned last Wednesday.", "2021-12-29"),
        ("The court sits again next Monday.", "2022-01-10"),
    ],
)
def test_weekdays_follow_the_tense(sentence: str, expected: str) -> None:
    assert one(sentence).value == expected


def test_part_of_day_and_clock_times() -> None:
    assert one("Shelling resumed on Friday night.").value == "2021-12-31TNI"
    assert one("Shelling resumed last night.").value == "2022-01-04TNI"
    assert one("The deadline passed at 10 p.m.").value == "2022-01-05T22:00"
    mention = one("Voting will end at 9 a.m. Thursday.")
    assert (mention.type, mention.value) == ("TIME", "2022-01-06T09:00")


def test_deictic_days() -> None:
    assert values("He arrived yesterday and leaves tomorrow; today is quiet.") == {
        "yesterday": "2022-01-04",
        "tomorrow": "2022-01-06",
        "today": "2022-01-05",
    }


# --- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("three days", "P3D"),
        ("a decade", "P10Y"),
        ("two weeks", "P2W"),
        ("18 months", "P18M"),
        ("two and a half years", "P2Y6M"),
        ("five hours", "PT5H"),
        ("several years", "PXY"),
    ],
)
def test_durations(phrase: str, expected: str) -> None:
    mention = one(f"The blockade lasted {phrase}.")
    assert (mention.type, mention.value) == ("DURATION", expected)


def test_a_rate_is_not_a_duration() -> None:
    assert find_times("The pipeline carries 40,000 barrels a day.", WEDNESDAY) == []


# --- weeks, months, quarters, years --------------------------------------------------------


def test_weeks_are_iso_weeks() -> None:
    assert one("Inflation slowed last week.").value == "2021-W52"  # across the year boundary
    assert one("Inflation slowed this week.").value == "2022-W01"


def test_quarters_and_halves() -> None:
    assert one("Profit rose in the third quarter.", "2022-10-20").value == "2022-Q3"
    assert one("Profit rose in the fourth quarter.").value == "2021-Q4"  # reported in January
    assert one("Revenue doubled in the first half of 2021.").value == "2021-H1"
    assert one("Third-quarter sales slipped.", "2022-10-20").value == "2022-Q3"


def test_last_june_and_relative_months() -> None:
    assert one("The strike began last June.").value == "2021-06"
    assert one("The strike began last June.", "2022-09-10").value == "2022-06"
    assert one("Prices rose last month.").value == "2021-12"
    assert one("The law takes effect in March.").value == "2022-03"


def test_ago() -> None:
    assert one("The convoy left two days ago.").value == "2022-01-03"
    assert one("The firm was founded a year ago.").value == "2021"
    assert one("The firm was founded three months ago.").value == "2021-10"


def test_a_year_earlier_after_a_quarter_is_that_quarter_a_year_before() -> None:
    found = values("Sales rose in the third quarter from $5 million a year earlier.", "2022-10-20")
    assert found["a year earlier"] == "2021-Q3"


def test_reference_words() -> None:
    assert one("Fighting is now over.").value == "PRESENT_REF"
    assert one("Thousands are currently displaced.").value == "PRESENT_REF"
    assert one("The port was recently reopened.").value == "PAST_REF"
    assert one("Talks may resume in the near future.").value == "FUTURE_REF"


def test_may_the_verb_is_not_a_month() -> None:
    assert find_times("Officials say the talks may resume.", WEDNESDAY) == []
    assert one("The talks resume in May.").value == "2022-05"


def test_years_decades_seasons_holidays_sets() -> None:
    assert values("Unrest in the 1990s returned in 2014.") == {"the 1990s": "199", "2014": "2014"}
    assert one("Exports fell last spring.").value == "2021-SP"
    assert one("Families celebrated Christmas under curfew.").value == "2021-12-25"
    mention = one("Patrols run every day.")
    assert (mention.type, mention.value) == ("SET", "P1D")
    assert find_times("The 2000 troops stayed.", WEDNESDAY) == []  # a count, not a year


def test_intervals() -> None:
    since = one("Rebels have held the town since 2014.")
    assert (since.text, since.value, since.end_value) == ("since 2014", "2014", "PRESENT_REF")
    span = one("The curfew ran from 1990 to 1995.")
    assert (span.text, span.value, span.end_value) == ("from 1990 to 1995", "1990", "1995")
    days = one("Talks were held on January 4-5.")
    assert (days.value, days.end_value) == ("2022-01-04", "2022-01-05")


def test_fuzzy_qualifiers_keep_the_value() -> None:
    assert one("Elections are due in early 2023.").value == "2023"
    assert one("The offensive began in the late 1980s.").text == "the late 1980s"


def test_spans_are_exact_and_disjoint_on_mixed_text() -> None:
    text = (
        "On Monday, three days after the ceasefire of December 31, 2021, officials said that "
        "talks would resume next week. Since last June, prices have risen for 18 months in a "
        "row; now the bank expects growth in the third quarter and in early 2023."
    )
    mentions = find_times(text, WEDNESDAY)
    assert_well_formed(text, mentions)
    assert {m.text for m in mentions} >= {
        "On Monday",
        "three days",
        "December 31, 2021",
        "next week",
    }


# --- evaluation harness ---------------------------------------------------------------------


def test_interval_mentions_are_split_the_timeml_way() -> None:
    (span,) = find_times("The curfew ran from 1990 to 1995.", WEDNESDAY)
    first, second = timebank.timeml_timexes(span)
    assert (first.text, first.value, second.text, second.value) == ("1990", "1990", "1995", "1995")
    (until,) = find_times("It stays shut until January 19.", WEDNESDAY)
    (point,) = timebank.timeml_timexes(until)
    assert (point.text, point.value) == ("January 19", "2022-01-19")


@pytest.mark.skipif(
    not timebank.DEFAULT_DATA.is_dir(),
    reason=f"TimeML evaluation data not found at {timebank.DEFAULT_DATA}",
)
def test_evaluate_on_twenty_documents() -> None:
    result = timebank.evaluate(timebank.DEFAULT_DATA, limit=20)
    assert result["documents"] == 20
    assert result["gold"] > 0
    for key in ("value", "relaxed_span", "strict_span"):
        assert 0.0 <= result[key]["f1"] <= 1.0
    assert set(result["per_type"]) <= {"DATE", "TIME", "DURATION", "SET"}
    assert len(result["value_errors"]) <= 20


def test_main_exits_2_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert timebank.main(["--data", str(tmp_path / "missing")]) == 2
    assert "not found" in capsys.readouterr().err


# --- tense cues, names that are not dates, reporting periods ---------------------------------


@pytest.mark.parametrize(
    ("sentence", "anchor", "expected"),
    [
        # a present perfect looks back: last October, not this coming one
        ("Bread prices have fallen since the middle of October.", "2022-02-20", "2021-10"),
        (
            "The ferry has run every day since shortly after the Oct. 9 storm.",
            "2022-05-02",
            "2021-10-09",
        ),
        # "vs." does not end the sentence, so its past tense still governs the month
        (
            "In January, a week after the Smith vs. Jones ruling, the clinic closed.",
            "2022-10-20",
            "2022-01",
        ),
        # a deadline eight months ahead
        ("Growers signed a contract effective June 1.", "2022-10-25", "2023-06-01"),
    ],
)
def test_tense_cues_choose_the_year(sentence: str, anchor: str, expected: str) -> None:
    found = {m.value for m in find_times(sentence, anchor)}
    assert expected in found, found


def test_said_at_the_end_keeps_a_weekday_in_the_past() -> None:
    assert one("The mayor opened the bridge Tuesday, aides said.").value == "2022-01-04"


@pytest.mark.parametrize(
    "sentence",
    [
        'The minister spoke on ABC\'s "This Week" about the budget.',
        "Listeners were told, This is Radio Harbour Today.",
        "Thousands joined the annual March for Peace downtown.",
        "She gave her first interview to 60 Minutes.",
        "For the people of the valley, high noon has come.",
    ],
)
def test_titles_and_idioms_are_not_times(sentence: str) -> None:
    assert find_times(sentence, WEDNESDAY) == []


def test_a_month_named_march_still_counts() -> None:
    assert one("The march ended in March of last year.").value == "2021-03"
    assert one('He said, "This week we start."').value == "2022-W01"


def test_the_year_is_the_current_year_unless_a_span_ends() -> None:
    assert one("For the year, volumes were flat.", "2022-10-20").value == "2022"
    (ended, _) = find_times("Profit for the year ended June 30 doubled.", "2022-10-20")
    assert (ended.text, ended.type, ended.value) == ("the year", "DURATION", "P1Y")


def test_a_year_earlier_after_nine_months_is_the_year() -> None:
    text = (
        "Third-quarter profit rose. For the nine months, the firm earned $9 million, up from "
        "$7 million a year earlier."
    )
    assert values(text, "2022-10-20")["a year earlier"] == "2021"


def test_a_fiscal_quarter_outranks_the_month_its_quarter_ends() -> None:
    text = (
        "The toolmaker earned $2 million in the fiscal first quarter. Sales for the quarter "
        "ended Sept. 30 rose 8%."
    )
    found = values(text, "2022-10-20")
    assert found["the fiscal first quarter"] == "2022-Q1"
    assert found["the quarter"] == "2022-Q1"


def test_soon_points_ahead_only_in_a_future_clause() -> None:
    assert one("The bridge will soon reopen.").value == "FUTURE_REF"
    assert find_times("The bridge was soon reopened.", WEDNESDAY) == []
    assert find_times("The bridge reopened soon after the flood.", WEDNESDAY) == []


def test_annually_is_a_set_but_a_rate_is_not() -> None:
    fair = one("The fair is held annually in the old market.")
    assert (fair.type, fair.value) == ("SET", "P1Y")
    assert find_times("Exports grow 5% annually.", WEDNESDAY) == []


def test_spelled_years_compose_with_months_and_seasons() -> None:
    assert one("It began in January nineteen ninety-seven.").value == "1997-01"
    assert one("Prices peaked in the winter of nineteen ninety-four.").value == "1994-WI"


def test_the_last_half_of_a_decade_is_the_decade() -> None:
    assert one("Sales were flat through the last half of the '80s.", "1989-10-20").value == "198"


def test_a_clock_time_takes_the_day_across_a_parenthesis() -> None:
    found = values("The blast came at 10:35 a.m. (0735 GMT) Friday.", "2022-01-08")
    assert found["10:35 a.m."] == "2022-01-07T10:35"
    found = values("He will leave at 4 in the morning (4 a.m. EDT Thursday).")
    assert found["4 in the morning"] == "2022-01-06T04:00"


# --- weeks of a day, holiday weeks, past decades, duration ranges (invented sentences) ------


def test_the_week_of_a_day_is_its_iso_week() -> None:
    found = one("The trial resumes the week of January 17.")
    assert (found.text, found.value) == ("the week of January 17", "2022-W03")


def test_a_holiday_week_is_the_week_of_the_holiday() -> None:
    # Easter 2022 is April 17; a past tense a few days before it keeps this year's Easter
    found = one("Pilgrims arrived as Holy Easter week began.", "2022-04-14")
    assert (found.text, found.value) == ("Easter week", "2022-W15")
    assert one("The shops were shut on Easter Monday.", "2022-04-14").value == "2022-04-18"


def test_the_past_decade_is_a_span_up_to_now() -> None:
    assert values("Rents have doubled in the past decade.") == {"the past decade": "P10Y"}
    assert values("Floods were rare in the past century.") == {"the past century": "P100Y"}
    assert values("Floods were rare in the last decade.") == {"the last decade": "201"}


@pytest.mark.parametrize(
    ("sentence", "text", "low", "high"),
    [
        ("Repairs take two to three weeks.", "two to three weeks", "P2W", "P3W"),
        ("The loan runs 12 to 18 months.", "12 to 18 months", "P12M", "P18M"),
        ("Queues lasted 3-4 hours.", "3-4 hours", "PT3H", "PT4H"),
    ],
)
def test_a_range_of_durations(sentence: str, text: str, low: str, high: str) -> None:
    found = one(sentence)
    assert (found.text, found.value, found.end_value) == (text, low, high)
    first, second = timebank.timeml_timexes(found)
    assert (first.value, second.value) == (low, high)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("1949", "1949-XX", True),
        ("1998", "1998-XX-XX", True),
        ("1998-10", "1998-10-XX", True),
        ("2000-W07", "2000-W7", True),
        ("198", "198X", True),
        ("19", "19XX", True),
        ("1989-11-06T17:00", "1989-11-06T17", True),
        ("P10Y", "P1E", True),
        ("P9M", "P3Q", True),
        ("1998-W33", "1998-WXX", False),  # an unknown week is not a known one
        ("1949", "1949-03", False),
        ("P1D", "PT24H", False),
    ],
)
def test_notation_equivalent_values(a: str, b: str, same: bool) -> None:
    assert (timebank.canonical_value(a) == timebank.canonical_value(b)) is same
