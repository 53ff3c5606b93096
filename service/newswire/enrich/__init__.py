"""The enrich stage, pure: :class:`~newswire.events.ArticleEvent` → :class:`~newswire.events.EnrichedEvent`.

    from newswire.enrich import Enricher
    enricher = Enricher()                      # loads spaCy once
    results = enricher.enrich_batch(articles)  # one EnrichedEvent or EnrichError per article

It never sees a socket or Kafka; the enrich daemon feeds it batches (on several
cores through :class:`newswire.pool.enricher.EnricherPool`) and routes
``EnrichError`` results to the dead-letter topic.
"""

from newswire.enrich._enricher import Enricher, analysed_text

__all__ = ["Enricher", "analysed_text"]
