"""The enrich stage, pure: :class:`~newswire.events.ArticleEvent` → :class:`~newswire.events.EnrichedEvent`.

    from newswire.enrich import Enricher
    enricher = Enricher()                      # loads spaCy once
    results = enricher.enrich_batch(articles)  # one EnrichedEvent or EnrichError per article
    pool = EnricherPool(2)                     # the same on 2 worker processes

It never sees a socket or Kafka; the enrich daemon feeds it batches and routes
``EnrichError`` results to the dead-letter topic.
"""

from newswire.enrich._enricher import Enricher, analysed_text
from newswire.enrich._pool import EnricherPool

__all__ = ["Enricher", "EnricherPool", "analysed_text"]
