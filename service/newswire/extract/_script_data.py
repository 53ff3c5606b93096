"""The last resort for pages that render their article with scripts: text inside script data.

Single-page apps (Next.js ``__next_f`` / ``__NEXT_DATA__``, Nuxt, many CMS front ends) ship
the article as a JSON string, often HTML, inside an inline ``<script>``, and show an empty
``<body>`` to anything that does not run them. When neither DOM strategy found any text,
the longest such string that reads as prose is the article.
"""

from __future__ import annotations

import json
import re

from selectolax.lexbor import LexborHTMLParser

from newswire.extract import _depth
from newswire.extract._walk import container_text

# A JSON string literal of at least this many characters (escapes included).
_LONG_STRING = re.compile(r'"((?:[^"\\]|\\.){400,}?)"')
_MAX_SCAN = 4_000_000
_MAX_DEPTH = 2
_MIN_WORDS = 50
_MIN_SENTENCES = 3
_SENTENCE = re.compile(r"[.!?。！？다요]\s")


def _strings(text: str, depth: int) -> list[str]:
    """Long JSON string values in ``text``, decoded, and those nested in them (escaped JSON in JS)."""
    found: list[str] = []
    for match in _LONG_STRING.finditer(text):
        try:
            value = json.loads(f'"{match.group(1)}"')
        except ValueError:
            continue
        if not isinstance(value, str):
            continue
        nested = _strings(value, depth + 1) if depth < _MAX_DEPTH and '\\"' in match.group(1) else []
        # A string that holds JSON is a container: its own text is keys and punctuation.
        found.extend(nested or [value])
    return found


def _prose(value: str) -> list[str]:
    """The paragraphs of one string: parsed as HTML when it has tags, else split on blank lines."""
    if "<" in value and ">" in value:
        # A string can nest as deep as a page: the same bound on its depth before the parse.
        tree = LexborHTMLParser(f"<html><body>{_depth.bounded(value)}</body></html>")
        return container_text(tree.body) if tree.body is not None else []
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", value) if p.strip()]


def script_text(html: str) -> list[str]:
    """The paragraphs of the most prose-like long string in the page's inline scripts (or none)."""
    tree = LexborHTMLParser(html[:_MAX_SCAN])
    best: list[str] = []
    best_words = 0
    for script in tree.css("script"):
        if (script.attributes.get("type") or "").lower() == "application/ld+json":
            continue  # JSON-LD is read as metadata already
        for value in _strings(script.text() or "", 0):
            paragraphs = _prose(value)
            text = " ".join(paragraphs)
            words = len(text.split())
            if (
                words > best_words
                and words >= _MIN_WORDS
                and len(_SENTENCE.findall(text + " ")) >= _MIN_SENTENCES
            ):
                best, best_words = paragraphs, words
    return best
