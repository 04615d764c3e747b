import pytest

from dateline.clean.wire import parse_dateline


@pytest.mark.parametrize(
    ("line", "place", "agency", "date"),
    [
        ("MOSCOW (RIA Novosti): Kazakhstan has not", "Moscow", "RIA Novosti", None),
        ("WASHINGTON (Reuters) - The Senate voted", "Washington", "Reuters", None),
        ("LONDON, Jan 5 (Reuters) - Oil prices rose", "London", "Reuters", "Jan 5"),
        ("KYIV — Air raid sirens sounded", "Kyiv", None, None),
        ("NEW YORK, NY – Stocks fell on Monday", "New York, NY", None, None),
        ("BEIRUT, Lebanon (AP) — A blast shook", "Beirut, Lebanon", "AP", None),
        ("NUR-SULTAN, Jan. 6 (AFP) -- Troops arrived", "Nur-Sultan", "AFP", "Jan. 6"),
        ("WASHINGTON, Jan 5, 2022 (Reuters) - x", "Washington", "Reuters", "Jan 5, 2022"),
    ],
)
def test_wire_styles_give_place_agency_and_date(
    line: str, place: str, agency: str | None, date: str | None
) -> None:
    found = parse_dateline(line)
    assert found is not None
    assert (found.place, found.agency, found.date) == (place, agency, date)
    assert line.startswith(found.raw)


@pytest.mark.parametrize(
    "line",
    [
        "NATO said on Monday that it would meet.",
        "US - China talks resumed",  # two letters: an abbreviation, not a dateline
        "BREAKING — Parliament dissolved",  # a label, not a place
        "UPDATE: more details",
        "The CSTO (Collective Security Treaty Organization) - a bloc",
        "Kazakhstan has not yet requested assistance",
    ],
)
def test_ordinary_openings_are_not_datelines(line: str) -> None:
    assert parse_dateline(line) is None
