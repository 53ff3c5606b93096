"""What a feed entry or sitemap already says about an article."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Hints:
    """Metadata known before the page is read (feed entry, sitemap ``news:`` tags).

    Page metadata wins; hints fill the fields the page leaves empty.
    ``published`` is any date string the date parser understands.
    """

    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None
    language: str | None = None
