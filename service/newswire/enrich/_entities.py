"""From raw NER mentions to canonical, merged :class:`~newswire.events.Entity` values.

The model gives spans with spaCy labels, already cut to the names as written by
:mod:`newswire.enrich._spans`. This module:

1. maps labels to our types (PERSON/PER→person, ORG→organization,
   GPE/LOC/FAC→location, NORP→nationality, EVENT→event; everything else, such as
   the French model's MISC, is dropped);
2. keys each surface form by its whitespace-collapsed text (without a leading
   "the", which spans no longer carry but older callers may pass);
3. fixes types the small model commonly gets wrong, with general rules only: an exact
   country name is a location whatever the label, a demonym is a nationality, and a
   one-word ORG/GPE/NORP that is the first or last word of a person named in the same
   article is that person ("Kallas told Reuters");
4. merges mentions: same type and same cleaned name; a one-word person into the
   unique longer person it begins or ends ("Kallas" → "Kaja Kallas"); an acronym into
   the multi-word organisation whose initials it spells ("NATO" → "North Atlantic
   Treaty Organization"); the canonical name is then the longer form;
5. attaches ISO 3166-1 alpha-2 codes to countries, cities and demonyms.

Every mention is kept with its offsets, so ``forms`` are the texts as written and
``mentions`` say where each one is.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable

from newswire.enrich import _geo
from newswire.events import Entity, EntityMention, EntityType

LABEL_TYPES: dict[str, EntityType] = {
    "PERSON": "person",
    "PER": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "NORP": "nationality",
    "EVENT": "event",
}

_WS = re.compile(r"\s+")
_LOWER_LINKS = frozenset({"of", "the", "and", "for", "de", "du", "la", "le", "von", "van", "der", "&"})


@dataclasses.dataclass(slots=True, frozen=True)
class Mention:
    """One NER span in the analysed text."""

    text: str
    label: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


#: Maps a mention's (start, end) in the analysed text to where it is in the article.
Locate = Callable[[int, int], EntityMention]


@dataclasses.dataclass(slots=True)
class _Group:
    name: str
    type: EntityType
    forms: list[str]
    spans: list[tuple[int, int]]

    def add(self, surface: str, start: int, end: int) -> None:
        if surface not in self.forms:
            self.forms.append(surface)
        self.spans.append((start, end))

    def absorb(self, other: _Group) -> None:
        for form in other.forms:
            if form not in self.forms:
                self.forms.append(form)
        self.spans.extend(other.spans)


def clean_surface(text: str) -> str:
    """Whitespace-collapsed surface form.

    Spans are trimmed to the name by :mod:`newswire.enrich._spans`; only the
    whitespace inside a name spread over a line break is normalised here, and
    periods are kept ("U.S.").
    """
    return _WS.sub(" ", text).strip()


def canonical_key(text: str) -> str:
    """Name without a leading "the" (case kept), the grouping key."""
    return text[4:] if text[:4].lower() == "the " else text


def acronym_of(name: str) -> str:
    """Initials of the capitalised words ("North Atlantic Treaty Organization" → "NATO")."""
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in _LOWER_LINKS]
    if len(words) < 2 or not all(w[0].isupper() for w in words):
        return ""
    return "".join(w[0] for w in words)


def _is_acronym(text: str) -> bool:
    bare = text.replace(".", "")
    return 2 <= len(bare) <= 8 and bare.isalpha() and bare.isupper()


def _retype(surface: str, etype: EntityType) -> EntityType:
    if etype in ("organization", "nationality", "person") and _geo.country_code(surface):
        return "location"
    if etype in ("location", "organization") and " " not in surface and _geo.demonym_country(surface):
        return "nationality"
    return etype


def build_entities(mentions: Iterable[Mention], locate: Locate) -> list[Entity]:
    """Merge mentions into entities, ordered by first mention; ``locate`` places each."""
    groups: dict[tuple[EntityType, str], _Group] = {}
    for mention in mentions:
        etype = LABEL_TYPES.get(mention.label)
        if etype is None:
            continue
        surface = clean_surface(mention.text)
        if not surface or not any(ch.isalpha() for ch in surface):
            continue
        etype = _retype(surface, etype)
        key = (etype, canonical_key(surface))
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(name=key[1], type=etype, forms=[], spans=[])
        group.add(surface, mention.start, mention.end)
    _merge_person_parts(groups)
    _merge_acronyms(groups)
    entities = []
    for g in groups.values():
        g.spans.sort()
        entities.append(
            Entity(
                name=g.name,
                type=g.type,
                forms=g.forms,
                count=len(g.spans),
                first_offset=g.spans[0][0],
                country=_country(g),
                mentions=[locate(start, end) for start, end in g.spans],
            )
        )
    entities.sort(key=lambda e: (e.first_offset, e.name))
    return entities


def _country(group: _Group) -> str | None:
    if group.type == "location":
        return _geo.place_country(group.name)
    if group.type == "nationality":
        return _geo.demonym_country(group.name) or _geo.country_code(group.name)
    return None


def _merge_person_parts(groups: dict[tuple[EntityType, str], _Group]) -> None:
    full_names = [g for g in groups.values() if g.type == "person" and " " in g.name]
    if not full_names:
        return
    for key, group in list(groups.items()):
        if " " in group.name or group.type not in ("person", "organization", "location", "nationality"):
            continue
        if group.type != "person" and (_geo.country_code(group.name) or _geo.demonym_country(group.name)):
            continue
        parts = {id(p): p for p in full_names if group.name in (p.name.split(" ")[0], p.name.split(" ")[-1])}
        if len(parts) != 1:
            continue  # "Smith" with two Smiths, or none: keep it apart
        if group.type != "person" and group.name != next(iter(parts.values())).name.split(" ")[-1]:
            continue  # only surnames are re-typed from other labels
        next(iter(parts.values())).absorb(group)
        del groups[key]


def _merge_acronyms(groups: dict[tuple[EntityType, str], _Group]) -> None:
    by_initials: dict[tuple[EntityType, str], list[_Group]] = {}
    for group in groups.values():
        initials = acronym_of(group.name)
        if initials:
            by_initials.setdefault((group.type, initials), []).append(group)
    for key, group in list(groups.items()):
        if not _is_acronym(group.name):
            continue
        longs = by_initials.get((group.type, group.name.replace(".", "")), [])
        if len(longs) != 1 or longs[0] is group:
            continue
        longs[0].absorb(group)
        del groups[key]
