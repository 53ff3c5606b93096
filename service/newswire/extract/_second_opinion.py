"""The second opinion: trafilatura's extractor, asked only on pages where ours is unsure.

Our container strategy is precise and fast but, on layouts it was not tuned on, can keep a
part of the article only (a box holding a fraction of the page's text, a body short against
the words the page shows). trafilatura (a well-kept, differently built extractor: XPath
rules over lxml with its own fallbacks) errs in other places, so on those pages it is a
useful second reading. It is about five times slower than our extractor, which is why it
runs on the unsure minority only; ``fast=True`` skips its own fallback extractors.
"""

from __future__ import annotations

from lxml.etree import LxmlError
from trafilatura import bare_extraction


def trafilatura_paragraphs(html: str, url: str | None = None) -> list[str]:
    """trafilatura's main text as paragraphs (empty when it finds none or fails on the page).

    A failing second opinion is no opinion: the page keeps the body our extractor found.
    """
    try:
        doc = bare_extraction(html, url=url, fast=True, include_comments=False, include_tables=True)
    except (LxmlError, ValueError, TypeError, LookupError, AttributeError, RecursionError):
        return []
    text = getattr(doc, "text", None) or ""
    return [line for line in (" ".join(raw.split()) for raw in text.split("\n")) if line]
