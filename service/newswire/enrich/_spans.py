"""Model spans → the names as the text writes them, with a few more found.

The NER model's spans are token-aligned but often wider or narrower than the
name: "the Bank of England", "Russia's", "Arsenal 2-1", "CANBERRA - Australian",
a span running over a line break in a results table, "Winger Cheslin Kolbe".
News-NER convention (CoNLL-2003, which held-out news benchmarks follow) writes the
name alone. This module, on character offsets into the analysed text:

1. **cuts** a span at line breaks and at spaced dashes (" - ", " — "), which never
   sit inside a name;
2. **trims** each piece: edge quotes, brackets and commas; a leading article
   ("the"); a trailing possessive ("'s", or the apostrophe of "Blacks'"); numbers
   and what follows them ("Apple 500 million", "Spain 4-6 6") and numbers before
   the name ("66 Ryan Gerard"); leading lower-case words ("meet European Union";
   name particles such as "de" stay); for people, leading titles and roles ("Dr.",
   "President", "Winger"). Periods are never trimmed: the tokenizer already splits
   a sentence's full stop from the word, so a period still in a span belongs to an
   abbreviation ("U.S.", "N.M.", "Corp.");
3. **reads datelines**: the all-capitals place that opens a wire story line
   ("BERLIN, March 3 (Reuters) -", "SEOUL -") is a place, whatever the model said
   or whether it saw it;
4. **reads sports tables**: in a results row ("Aston Villa 1 Everton 1") or a
   standings row ("Boston Celtics 41 12 .774") the names are teams: places when
   they are country names (national sides), organisations otherwise;
5. **spreads names over the document**: a name the model found once is found at
   its other occurrences in the same text when the model left them untagged, and
   a lone surname of a person named in full is that person, whatever label the
   model gave it ("Kallas told Reuters"); capitals headlines, which the model
   reads poorly, get the names found in the mixed-case text below them and
   country names; a lone one-word "person" that is a country or a large city, and
   nobody's surname, is a place ("Kyiv").

All steps are general (no names of particular entities); ``bench/enrich_bench.py``
measures the result against the plain model on the development sets, and
``docs/entities.md`` says what each step gained.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from newswire.enrich import _geo

PERSON = "PERSON"
PLACE = "GPE"

#: Labels whose repeated occurrences are worth spreading (people, organisations, places).
SPREAD_LABELS = frozenset({"PERSON", "PER", "ORG", "GPE", "LOC", "FAC"})

_CUT = re.compile(r"\s*\n\s*|\s+[-–—]+\s+")
_EDGE = "\"'“”‘’«»()[]{},;:!?-–—*•/\\ \t\n"
_LEADING_ARTICLE = re.compile(r"(?:the|The|THE)\s+|[lL]['’](?=\w)")
_POSSESSIVE = re.compile(r"['’][sS]$")
_PLURAL_POSSESSIVE = re.compile(r"(?<=[sS])['’]$")
#: A word with a digit and no letter ("2-1", "4,500", "1996-08-30", "65").
_NUMBER_WORD = re.compile(r"[^\sA-Za-zÀ-ÿ]*\d[^\sA-Za-zÀ-ÿ]*")
_WORD = re.compile(r"\S+")
#: Whatever :func:`_trim` may remove shows up as one of these.
_MAY_TRIM = re.compile(
    "^[" + re.escape(_EDGE) + "]|[" + re.escape(_EDGE) + r"]$|^(?:the|The|THE)\s|^[lL]['’]|['’][sS]?$|\d"
)
#: Honorifics and roles written before a person's name; compared without the period.
_TITLES_TEXT = """mr mrs ms miss dr prof sir dame lord lady rev fr sen rep gov gen lt col capt sgt adm maj
cmdr president vice prime minister chancellor secretary king queen prince princess pope judge justice
coach manager captain skipper winger striker midfielder defender goalkeeper keeper forward chairman
chairwoman chief executive ceo governor senator congressman congresswoman mayor ambassador envoy
spokesman spokeswoman premier sheikh emir sultan saint st
m mme mlle président présidente ministre chancelier chancelière maire roi reine pape juge procureur"""
_TITLES = frozenset(_TITLES_TEXT.split())
#: Lower-case words a person's name may start with ("de Gaulle", "van Gogh").
_NAME_PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "di",
        "da",
        "van",
        "von",
        "der",
        "den",
        "du",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "ben",
        "ibn",
    ]
)
#: A dateline: capitalised place words opening a line, then a comma, "(Agency)" or a dash.
_DATELINE = re.compile(r"(?m)^([A-Z][A-Z.'’]*(?:[ -][A-Z][A-Z.'’]*){0,3})(?=,\s|\s+\(|\s+[-–—]\s|\s+\d)")


#: Characters that, next to a repeat of a name, make it part of a longer word.
_WORD_BEFORE = frozenset("_.&'’-")
_WORD_AFTER = frozenset("_&-")


@dataclasses.dataclass(slots=True, frozen=True)
class Span:
    """A name in the analysed text: ``text[start:end]`` with a spaCy-style label."""

    start: int
    end: int
    label: str


def repair(text: str, spans: Iterable[Span]) -> list[Span]:
    """Cut, trim, add datelines, spread names; sorted by start, never overlapping."""
    pieces: list[Span] = []
    for span in spans:
        for piece in _cut(text, span):
            trimmed = _trim(text, piece)
            if trimmed is not None:
                pieces.append(trimmed)
    return _spread(text, _table_rows(text, _datelines(text, pieces)))


def _cut(text: str, span: Span) -> list[Span]:
    out: list[Span] = []
    start = span.start
    for match in _CUT.finditer(text, span.start, span.end):
        if match.start() > start:
            out.append(Span(start, match.start(), span.label))
        start = match.end()
    if span.end > start:
        out.append(Span(start, span.end, span.label))
    return out


def _trim(text: str, span: Span) -> Span | None:
    start, end = span.start, span.end
    piece = text[start:end]
    first = piece.split(" ", 1)[0]
    if (
        not _MAY_TRIM.search(piece)
        and not (first[:1].islower() and " " in piece)
        and (span.label not in (PERSON, "PER") or first.rstrip(".").lower() not in _TITLES)
    ):
        return span  # most spans: nothing at either edge to trim
    for _ in range(4):  # each pass may uncover another edge ("the 'Blues'")
        before = (start, end)
        while start < end and text[start] in _EDGE:
            start += 1
        while start < end and text[end - 1] in _EDGE and not _PLURAL_POSSESSIVE.search(text[start:end]):
            end -= 1
        match = _LEADING_ARTICLE.match(text, start, end)
        if match and match.end() < end:
            start = match.end()
        piece = text[start:end]
        if _POSSESSIVE.search(piece):
            end -= 2
        elif _PLURAL_POSSESSIVE.search(piece):
            end -= 1
        start, end = _drop_numbers(text, start, end)
        start = _drop_titles(text, start, end, titles=span.label in (PERSON, "PER"))
        if (start, end) == before:
            break
    if start >= end or not any(ch.isalpha() for ch in text[start:end]):
        return None
    return Span(start, end, span.label)


def _drop_numbers(text: str, start: int, end: int) -> tuple[int, int]:
    words = list(_WORD.finditer(text, start, end))
    first = 0
    while first < len(words) and _NUMBER_WORD.fullmatch(words[first].group()):
        first += 1
    if first == len(words):
        return start, start
    for i in range(first + 1, len(words)):
        if _NUMBER_WORD.fullmatch(words[i].group()):
            return words[first].start(), words[i - 1].end()
    return words[first].start(), end


def _drop_titles(text: str, start: int, end: int, *, titles: bool) -> int:
    """Start after leading lower-case words (and, for people, titles and roles)."""
    words = list(_WORD.finditer(text, start, end))
    first = 0
    while first < len(words) - 1 and (
        (titles and words[first].group().rstrip(".").lower() in _TITLES)
        or (words[first].group()[:1].islower() and words[first].group() not in _NAME_PARTICLES)
    ):
        first += 1
    return words[first].start() if words else start


def _datelines(text: str, spans: list[Span]) -> list[Span]:
    """The opening place of a wire story line is a place (see the module docstring, 3.)."""
    out = list(spans)
    for match in _DATELINE.finditer(text):
        line_end = text.find("\n", match.end())
        line = text[match.end() : line_end if line_end >= 0 else len(text)]
        letters = [ch for ch in line if ch.isalpha()]
        if not letters or sum(ch.isupper() for ch in letters) > 0.5 * len(letters):
            continue  # an all-capitals headline ("RUGBY UNION - SOUTH AFRICA CRUSH ..."), not a dateline
        start, end = match.span(1)
        out = [s for s in out if s.end <= start or s.start >= end]
        out.append(Span(start, end, PLACE))
    out.sort(key=lambda s: s.start)
    return out


_TEAM = r"[A-Z][\w.'’&-]*(?: (?:[A-Z][\w.'’&-]*|de|of|am|la))*"
#: A results row ("Aston Villa 1 Everton 1") or a standings row ("Boston Celtics 41 12 .774").
_RESULT_ROW = re.compile(rf"(?m)^({_TEAM}) \d+ ({_TEAM}) \d+(?: \(\d+\))?[ \t]*$")
_STANDINGS_ROW = re.compile(rf"(?m)^({_TEAM})(?: [\d.-]+){{2,}}[ \t]*$")


def _table_rows(text: str, spans: list[Span]) -> list[Span]:
    """Teams in sports results and standings rows, where the model reads numbers as names.

    A team named as a country is a place (a national side, as news NER writes it),
    any other an organisation (a club).
    """
    found: list[tuple[int, int]] = []
    for match in _RESULT_ROW.finditer(text):
        found += [match.span(1), match.span(2)]
    for match in _STANDINGS_ROW.finditer(text):
        found.append(match.span(1))
    if not found:
        return spans
    out = [s for s in spans if not any(s.start < b and a < s.end for a, b in found)]
    for a, b in found:
        out.append(Span(a, b, PLACE if _geo.country_code(text[a:b]) else "ORG"))
    out.sort(key=lambda s: s.start)
    return out


def _spread(text: str, spans: list[Span]) -> list[Span]:
    """Tag untagged repeats of found names and lone surnames (module docstring, 4.)."""
    labels: dict[str, str] = {}
    for span in spans:
        if span.label in SPREAD_LABELS:
            labels.setdefault(text[span.start : span.end], span.label)
    surnames: dict[str, set[str]] = {}
    for name, label in labels.items():
        words = name.split()
        if label in (PERSON, "PER") and len(words) > 1 and words[-1][:1].isupper():
            surnames.setdefault(words[-1], set()).add(name)
    relabelled: list[Span] = []
    for span in spans:
        name = text[span.start : span.end]
        if span.label not in (PERSON, "PER") and len(surnames.get(name, ())) == 1:
            span = Span(span.start, span.end, PERSON)  # noqa: PLW2901 - the surname of one person
        elif (
            span.label in (PERSON, "PER")
            and " " not in name
            and name not in surnames
            and _geo.place_country(name)
        ):
            span = Span(span.start, span.end, PLACE)  # noqa: PLW2901 - a lone "Kyiv" is the city
        relabelled.append(span)
    wanted = {text[s.start : s.end]: s.label for s in relabelled if s.label in SPREAD_LABELS}
    for surname, owners in surnames.items():
        if len(owners) == 1:
            wanted.setdefault(surname, PERSON)
    covered = bytearray(len(text))
    for span in relabelled:
        covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    added: list[Span] = []
    capitals = _capital_lines(text)
    for name in sorted(wanted, key=len, reverse=True):  # longer names first: "Kaja Kallas" before "Kallas"
        added.extend(_repeats(text, name, wanted[name], covered))
        if capitals and name != name.upper():
            added.extend(_repeats(text, name.upper(), wanted[name], covered, within=capitals))
    for start, end in capitals:
        added.extend(_countries_in(text, start, end, covered))
    out = relabelled + added
    out.sort(key=lambda s: s.start)
    return out


def _repeats(
    text: str, name: str, label: str, covered: bytearray, within: list[tuple[int, int]] | None = None
) -> list[Span]:
    """Untagged whole-word occurrences of ``name`` (only inside ``within`` ranges, if given)."""
    found: list[Span] = []
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        if (
            covered.find(1, start, end) < 0
            and not (start and (text[start - 1] in _WORD_BEFORE or text[start - 1].isalnum()))
            and not (end < len(text) and (text[end] in _WORD_AFTER or text[end].isalnum()))
            and (within is None or any(a <= start and end <= b for a, b in within))
        ):
            found.append(Span(start, end, label))
            covered[start:end] = b"\x01" * (end - start)
        start = text.find(name, end)
    return found


def _capital_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of lines written in capitals (headlines), where the model sees little."""
    lines: list[tuple[int, int]] = []
    start = 0
    for line in text.splitlines(keepends=True):
        letters = sum(ch.isalpha() for ch in line)
        if letters >= 8 and sum(ch.isupper() for ch in line) >= 0.8 * letters:
            lines.append((start, start + len(line)))
        start += len(line)
    return lines


_CAPS_RUN = re.compile(r"[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3}")


def _countries_in(text: str, start: int, end: int, covered: bytearray) -> list[Span]:
    """Untagged country names ("INDONESIA", "SOUTH AFRICA") in a capitals line."""
    found: list[Span] = []
    for run in _CAPS_RUN.finditer(text, start, end):
        words = list(_WORD.finditer(run.group()))
        for size in range(len(words), 0, -1):
            for first in range(len(words) - size + 1):
                a = run.start() + words[first].start()
                b = run.start() + words[first + size - 1].end()
                if covered.find(1, a, b) < 0 and _geo.country_code(text[a:b]):
                    found.append(Span(a, b, PLACE))
                    covered[a:b] = b"\x01" * (b - a)
    return found
