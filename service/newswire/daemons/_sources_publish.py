"""Writing the configured sources to the compacted ``sources`` topic, which the discover role polls.

Ingest publishes its whole configuration at start (dropping sources it no longer has); the
discover role publishes the feeds an OPML source lists. Both go through :func:`publish_sources`.
"""

from __future__ import annotations

import logging

from newswire.bus import make_producer, send_all, start_client
from newswire.bus.records import Record, source_status
from newswire.bus.records import sources as sources_topic
from newswire.bus.tail import iter_topic
from newswire.config import Settings, SourceSettings

log = logging.getLogger(__name__)


async def publish_sources(
    settings: Settings,
    sources: tuple[SourceSettings, ...] | list[SourceSettings],
    *,
    configured: bool = False,
) -> None:
    """Upsert sources into the compacted sources topic.

    ``configured``: these are the whole configuration (ingest's start). Sources the previous
    configuration had and this one has not are then tombstoned, so they stop being polled, and
    so are their rows in source-status, so ``newswire status`` stops showing them.
    The previous configuration is the ``sources_topic.CONFIGURED_KEY`` record; without one (a topic
    written before it existed), every source on the topic counts as configured. Feeds found
    in an OPML source are not in it and stay, re-published by that source's next poll.
    """
    keys = [sources_topic.key(src) for src in sources]
    records: list[Record] = [sources_topic.record(settings, src) for src in sources]
    if configured:
        removed = await _previous_configuration(settings) - set(keys)
        for key in sorted(removed):
            log.info("source %s is no longer configured: removing it from %s", key, settings.topic("sources"))
        records += [sources_topic.tombstone(settings, key) for key in sorted(removed)]
        records += [source_status.tombstone(settings, key) for key in sorted(removed)]
        records.append(sources_topic.configured_record(settings, keys))
    if not records:
        return
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "sources producer")
    try:
        await send_all(producer, records)
    finally:
        await producer.stop()


async def _previous_configuration(settings: Settings) -> set[str]:
    present: dict[str, bool] = {}
    listed: set[str] | None = None
    async for record in iter_topic(settings, settings.topic("sources")):
        if record.key == sources_topic.CONFIGURED_KEY:
            listed = sources_topic.decode_configured(record.value)
        elif record.key is not None:
            present[record.key.decode()] = record.value is not None
    return listed if listed is not None else {key for key, alive in present.items() if alive}
