"""Author names: clean up bylines and split lists into names."""

from __future__ import annotations

import re
from typing import Any

from newswire.extract._metadata import types_of

_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|text|story|photos?|interview|posted|penned)\s+)?"
    r"(?:by|von|from|por|par|av|door|di|da|af|от|autor(?:in)?|author|text|texto|redakce)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(
    r"\s*(?:,|;|\||&|\+|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bog\b|\boch\b|\ben\b|\bsowie\b|\bi\b|\bund\s+von\b)\s*",
    re.IGNORECASE,
)
_URL = re.compile(r"^(?:https?:)?//|^www\.|\.(?:com|de|at|ch|org|net|uk)(?:/|$)", re.IGNORECASE)
_TRAILING = re.compile(
    r"\s*(?:\||,|-|–|—)?\s*(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}.*|\d{1,2}\.?\s+[^\W\d]+\.?\s+\d{4}.*|updated.*|aktualisiert.*|published.*"
    r"|veröffentlicht.*|publié.*|publicado.*|pubblicato.*|erschienen.*)$",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.IGNORECASE)
_BY = frozenset({"by", "von", "par", "por", "door", "av", "af"})
# Job titles written right after the name in CJK bylines ("신현주 기자", "山田太郎記者").
_ROLE = re.compile(r"\s*(?:기자|특파원|記者|特派員|编辑)$")
_PAREN = re.compile(r"\s*\([^()]{0,40}\)")
_MAX_LEN = 60
_MAX_WORDS = 6


def clean_name(raw: str) -> str | None:
    """One author name without "By", emails, dates or URLs; None if it is not a name."""
    text = _WS.sub(" ", raw).strip(" \t\n,;:|-–—·•")
    words = text.split(" ", 2)
    if len(words) == 3 and words[0].islower() and words[1].lower() in _BY:
        text = words[2]  # "capital von Jemima Kelly": a lowercase label before the byline
    text = _PREFIX.sub("", text)
    text = _TRAILING.sub("", text).strip(" ,;:|-–—·•")
    text = _ROLE.sub("", text).strip(" ,;:|-–—·•")
    # A colon left after the prefix is a label ("Quelle: dpa", "Foto: ..."), not a name.
    if not text or _URL.search(text) or any(ch in text for ch in "@{}<>()[]:"):
        return None
    if len(text) > _MAX_LEN or len(text.split()) > _MAX_WORDS or sum(ch.isdigit() for ch in text) > 0:
        return None
    if not any(ch.isalpha() for ch in text):
        return None
    return text


def split_names(raw: str) -> list[str]:
    """Split "A, B and C" / "By A & B" into names."""
    text = _PREFIX.sub("", _WS.sub(" ", raw).strip())
    if _URL.search(text) or "://" in text:
        return []
    text = _PAREN.sub("", text)
    parts = _SPLIT.split(text)
    # "Lastname, Firstname" is a single name: two one-word parts around one comma.
    if len(parts) == 2 and "," in text and all(len(p.split()) == 1 for p in parts) and " and " not in text:
        parts = [text]
    if len(parts) > 1 and any(_URL.search(part) for part in parts):
        return []  # "site.de, Frankfurt, Germany": an address line, not a list of names
    out: list[str] = []
    for part in parts:
        name = clean_name(part)
        if name:
            out.append(name)
    return out


def from_ld(value: Any) -> list[str]:
    """Authors from a JSON-LD ``author``/``creator`` value; organisations only when no person is named."""
    people, orgs = ld_people_and_orgs(value)
    return people or orgs


def ld_people_and_orgs(value: Any) -> tuple[list[str], list[str]]:
    """People and organisations named by a JSON-LD ``author``/``creator`` value."""
    items = value if isinstance(value, list) else [value]
    people: list[str] = []
    orgs: list[str] = []
    for item in items:
        if isinstance(item, str):
            people.extend(split_names(item))
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), None)
            if not isinstance(name, str):
                given, family = item.get("givenName"), item.get("familyName")
                name = " ".join(n for n in (given, family) if isinstance(n, str)) or None
            if not isinstance(name, str):
                continue
            if types_of(item) & {"organization", "newsmediaorganization", "corporation"}:
                # An organisation may be named by its domain ("ndr.de"); a person never is.
                orgs.extend(split_names(name) or ([name.strip()] if _DOMAIN.match(name.strip()) else []))
            else:
                people.extend(split_names(name))
    return dedupe(people), dedupe(orgs)


def dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out
