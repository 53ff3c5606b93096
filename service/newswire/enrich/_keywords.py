"""Keywords: the most frequent content words, entity names first.

Cheap by design: no tagger runs. Candidates are

* entity names (people, organisations, places, events), scored by mentions
  times :data:`ENTITY_WEIGHT`, so "Kaja Kallas" wins over "kallas";
* single words of at least three letters that are not stop words (spaCy's
  list for the article's language, when spaCy has one) and not part of an
  entity name already chosen, scored by frequency.

Ties keep first-appearance order. Words seen once are left out.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Sequence
from functools import cache

from newswire.events import Entity

MAX_KEYWORDS = 10
ENTITY_WEIGHT = 1.5


@cache
def stop_words(language: str | None) -> frozenset[str]:
    """spaCy's stop words for a language code, empty when spaCy has none."""
    if not language or not language.isalpha():
        return frozenset()
    try:
        module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(w.lower() for w in getattr(module, "STOP_WORDS", ()))


def keywords(
    words: Sequence[str], entities: Sequence[Entity], language: str | None, limit: int = MAX_KEYWORDS
) -> list[str]:
    """Top keywords from lower-cased words and merged entities."""
    stops = stop_words(language)
    scored: list[tuple[float, int, str]] = []
    covered: set[str] = set()
    for rank, entity in enumerate(entities):
        if entity.type == "nationality":
            continue
        scored.append((entity.count * ENTITY_WEIGHT, -1_000_000 + rank, entity.name))
        for form in entity.forms:
            covered.update(form.lower().replace("’", "'").split())
    counts = Counter(w for w in words if len(w) >= 3 and w.isalpha() and w not in stops)
    first: dict[str, int] = {}
    for i, w in enumerate(words):
        first.setdefault(w, i)
    for word, count in counts.items():
        if count >= 2 and word not in covered:
            scored.append((float(count), first[word], word))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [name for _, _, name in scored[:limit]]
