"""The offline geoparser: the seed's places, the classic traps, the cache, the evaluation."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from dateline import Article
from dateline.evaluate import geowebnews
from dateline.model import PlaceMention
from dateline.understand import gazetteer as gazetteer_module
from dateline.understand.gazetteer import Gazetteer, load_gazetteer, normalise
from dateline.understand.places import find_places, resolve_dateline

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "samples" / "seed" / "000_6d99dd1d5e9afdd5.txt"
GWN = ROOT.parent / "shared" / "eval" / "geo" / "geowebnews"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()  # built once per machine (about 15 s), then read from the cache


@pytest.fixture(scope="module")
def seed_places(seed: Article, nlp: Any, gazetteer: Gazetteer) -> list[PlaceMention]:
    return find_places(seed.text, nlp(seed.text), gazetteer, seed.dateline.place)


def places(text: str, nlp: Any, gazetteer: Gazetteer, **kwargs: Any) -> list[PlaceMention]:
    found = find_places(text, nlp(text), gazetteer, **kwargs)
    assert all(text[p.start : p.end] == p.text for p in found)
    return found


def by_text(found: list[PlaceMention], text: str) -> list[PlaceMention]:
    return [p for p in found if p.text == text]


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return geowebnews.km(lat1, lon1, lat2, lon2)


# ---------------------------------------------------------------- the seed


def test_seed_spans_are_exact(seed: Article, seed_places: list[PlaceMention]) -> None:
    assert seed_places
    for place in seed_places:
        assert seed.text[place.start : place.end] == place.text
        assert 0.0 <= place.confidence <= 1.0


def test_seed_towns(seed_places: list[PlaceMention]) -> None:
    (zhanaozen,) = by_text(seed_places, "Zhanaozen")
    assert (zhanaozen.geonames_id, zhanaozen.country, zhanaozen.admin1) == (607610, "KZ", "KZ-47")
    (aktau,) = by_text(seed_places, "Aktau")
    assert (aktau.geonames_id, aktau.feature, aktau.admin1) == (610612, "city", "KZ-47")
    alma_ata = by_text(seed_places, "Alma-Ata")
    assert len(alma_ata) == 3
    assert {(p.name, p.geonames_id, p.feature) for p in alma_ata} == {("Almaty", 1526384, "city")}


def test_seed_regions(seed_places: list[PlaceMention]) -> None:
    (oblast,) = by_text(seed_places, "Mangistau Oblast")
    assert (oblast.name, oblast.geonames_id, oblast.feature) == (
        "Mangystau Region",
        608879,
        "region",
    )
    assert (oblast.country, oblast.admin1) == ("KZ", "KZ-47")
    # "Mangistau and Almaty regions": the plural region word covers both names
    (mangistau,) = by_text(seed_places, "Mangistau")
    assert mangistau.geonames_id == 608879
    (almaty,) = by_text(seed_places, "Almaty regions")
    assert (almaty.feature, almaty.admin1) == ("region", "KZ-19")


def test_seed_country_is_the_country_at_its_centre(seed_places: list[PlaceMention]) -> None:
    kazakhstan = by_text(seed_places, "Kazakhstan")
    assert len(kazakhstan) == 5
    for place in kazakhstan:
        assert (place.feature, place.country, place.geonames_id) == ("country", "KZ", 1522867)
        assert km(place.lat, place.lon, 48, 67) < 150
        assert km(place.lat, place.lon, 51.18, 71.45) > 300  # not Astana, the capital


def test_seed_dateline_is_moscow(seed: Article, gazetteer: Gazetteer) -> None:
    moscow = resolve_dateline(seed.dateline.place, gazetteer)
    assert moscow is not None
    assert (moscow.geonames_id, moscow.country, moscow.feature) == (524901, "RU", "city")


def test_seed_without_spacy(seed: Article, gazetteer: Gazetteer) -> None:
    found = find_places(seed.text, None, gazetteer, seed.dateline.place)
    resolved = {p.text: p.geonames_id for p in found}
    assert resolved["Zhanaozen"] == 607610
    assert resolved["Mangistau Oblast"] == 608879
    assert resolved["Alma-Ata"] == 1526384
    assert resolved["Kazakhstan"] == 1522867


# ---------------------------------------------------------------- the traps


def test_gazetteer_names_meet(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Alma-Ata")[0].geonames_id == 1526384
    assert gazetteer.lookup("alma ata")[0].geonames_id == 1526384
    assert any(c.geonames_id == 1526384 for c in gazetteer.lookup("Almaty"))
    for name in ("Mangistau", "Mangystau", "Mangghystaū oblysy"):
        assert any(c.geonames_id == 608879 for c in gazetteer.lookup(name)), name
    assert normalise("U.S.") == normalise("US") == "us"
    assert normalise("St. Louis") == normalise("Saint Louis")


def test_countries_and_states_before_towns(gazetteer: Gazetteer, nlp: Any) -> None:
    found = places("Texas and Kazakhstan signed a deal. US officials agreed.", nlp, gazetteer)
    texas, kazakhstan, us = found
    assert (texas.feature, texas.country, texas.admin1) == ("region", "US", "US-TX")
    assert (kazakhstan.feature, kazakhstan.geonames_id) == ("country", 1522867)
    assert (us.feature, us.country) == ("country", "US")
    assert km(us.lat, us.lon, 38.9, -77.0) > 1000  # the country's centre, not Washington


@pytest.mark.parametrize(
    ("text", "name", "admin1"),
    [
        ("Snow closed roads across the Almaty region.", "Almaty region", "KZ-19"),
        ("Curfews hold in Almaty and Mangistau regions.", "Almaty", "KZ-19"),
        ("Troops stayed in the Mangistau region.", "Mangistau region", "KZ-47"),
    ],
)
def test_a_region_word_makes_the_region(
    gazetteer: Gazetteer, nlp: Any, text: str, name: str, admin1: str
) -> None:
    (place,) = by_text(places(text, nlp, gazetteer), name)
    assert (place.feature, place.admin1, place.country) == ("region", admin1, "KZ")


def test_paris_in_an_article_about_texas(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Flooding closed roads across East Texas on Monday. In Paris, the mayor said the "
        "water had reached Main Street, and crews from Dallas were on the way."
    )
    (paris,) = by_text(places(text, nlp, gazetteer), "Paris")
    assert (paris.geonames_id, paris.admin1) == (4717560, "US-TX")


def test_qualifier_abbreviation(gazetteer: Gazetteer, nlp: Any) -> None:
    found = places("He was born in Richmond, Va., and later moved.", nlp, gazetteer)
    richmond, virginia = found
    assert (richmond.country, richmond.admin1) == ("US", "US-VA")
    assert (virginia.text, virginia.admin1, virginia.feature) == ("Va.", "US-VA", "region")


def test_metonymy(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Moscow said on Tuesday it would respond. Protesters gathered in Moscow."
    said, gathered = places(text, nlp, gazetteer)
    assert said.metonymy and said.geonames_id == 524901
    assert not gathered.metonymy
    (washington,) = places("Washington warned Beijing again.", nlp, gazetteer)[:1]
    assert washington.metonymy and washington.country == "US"


def test_people_and_common_words_are_not_places(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Megyn Kelly interviewed Jack London in May. Kelly said the Police would respond. "
        "He was speaking in Denver."
    )
    assert [p.text for p in places(text, nlp, gazetteer)] == ["Denver"]


def test_demonyms_come_from_the_caller(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Kazakh troops left."
    assert places(text, nlp, gazetteer) == []
    (kazakh,) = places(text, nlp, gazetteer, demonyms={"Kazakh": "KZ"})
    assert (kazakh.text, kazakh.feature, kazakh.country) == ("Kazakh", "country", "KZ")


# ---------------------------------------------------------------- the cache


def test_cache_is_rebuilt_when_its_key_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[str] = []

    def fake_build() -> dict[str, Any]:
        builds.append("built")
        row = (1, "Testville", 1.0, 2.0, "city", "ZZ", "", 600, 0, 1)
        return {
            "rows": [row],
            "index": {"testville": 0},
            "abbreviations": {},
            "countries": {},
            "regions": {},
            "max_words": 1,
        }

    monkeypatch.setattr(gazetteer_module, "build_index", fake_build)
    monkeypatch.setattr(gazetteer_module, "cache_key", lambda: "key-one")
    first = load_gazetteer(tmp_path)
    again = load_gazetteer(tmp_path)
    assert builds == ["built"]
    assert first.lookup("TESTVILLE")[0].name == again.lookup("testville")[0].name == "Testville"
    assert [p.name for p in tmp_path.iterdir()] == ["gazetteer-key-one.marshal"]

    monkeypatch.setattr(gazetteer_module, "cache_key", lambda: "key-two")
    load_gazetteer(tmp_path)
    assert builds == ["built", "built"]
    assert [p.name for p in tmp_path.iterdir()] == ["gazetteer-key-two.marshal"]


def test_cache_key_follows_sources_and_format(monkeypatch: pytest.MonkeyPatch) -> None:
    key = gazetteer_module.cache_key()
    monkeypatch.setattr(gazetteer_module, "FORMAT_VERSION", gazetteer_module.FORMAT_VERSION + 1)
    assert gazetteer_module.cache_key() != key


def test_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer_module, "cache_key", lambda: "k")
    (tmp_path / "gazetteer-k.marshal").write_bytes(b"not marshal")
    monkeypatch.setattr(
        gazetteer_module,
        "build_index",
        lambda: {
            "rows": [],
            "index": {},
            "abbreviations": {},
            "countries": {},
            "regions": {},
            "max_words": 1,
        },
    )
    assert len(load_gazetteer(tmp_path)) == 0


# ---------------------------------------------------------------- the evaluation


def test_geowebnews_first_articles(nlp: Any, gazetteer: Gazetteer) -> None:
    if not (GWN / "gwn_full.txt").is_file():
        pytest.skip(f"GeoWebNews not found at {GWN} (../shared/eval/geo/geowebnews)")
    result = geowebnews.evaluate(GWN, limit=8, nlp=nlp, gazetteer=gazetteer)
    assert result["articles"] == 8 and result["gold"] > 50
    assert result["nouns"]["recall"] > 0.7
    assert result["acc161_found"] > 0.8
    assert result["precision"] > 0.7
    assert len(result["worst"]) <= 20
    assert "| toponym recall |" in geowebnews.to_markdown(result)


def test_geowebnews_main_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert geowebnews.main(["--data", str(tmp_path)]) == 2
    assert "GeoWebNews not found" in capsys.readouterr().err


def test_haversine() -> None:
    assert math.isclose(km(0, 0, 0, 1), 111.2, rel_tol=0.01)
