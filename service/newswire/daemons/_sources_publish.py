"""Writing the configured sources to the compacted ``sources`` topic, which the discover role polls.

Ingest publishes its whole configuration at start (:func:`publish_sources` with
``configured``), dropping the sources it no longer has; the discover role publishes the feeds
an OPML source lists at each of its polls (:func:`publish_opml_feeds`), dropping the feeds taken
out of it. A dropped source is tombstoned, and so is its row in source-status, so it stops
being polled and ``newswire status`` stops showing it. A feed stays while the configuration or
another OPML source still has it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from newswire.bus import make_producer, send_all, start_client
from newswire.bus.records import Record, source_status
from newswire.bus.records import sources as sources_topic
from newswire.bus.tail import iter_topic
from newswire.config import Settings, SourceSettings

log = logging.getLogger(__name__)


@dataclass
class _Catalogue:
    """What the sources topic says: the last configuration, and each OPML source's last feeds."""

    configured: set[str]
    listings: dict[str, set[str]] = field(default_factory=dict)

    def still_held(self, dropping: set[str]) -> set[str]:
        """Keys the configuration or an OPML source outside ``dropping`` still lists."""
        held = set(self.configured)
        for opml, feeds in self.listings.items():
            if opml not in dropping:
                held |= feeds
        return held


async def publish_sources(
    settings: Settings,
    sources: tuple[SourceSettings, ...] | list[SourceSettings],
    *,
    configured: bool = False,
) -> None:
    """Upsert sources into the compacted sources topic.

    ``configured``: these are the whole configuration (ingest's start). Sources the previous
    configuration had and this one has not are then tombstoned, with the feeds a removed OPML
    source listed that nothing else lists. The previous configuration is the
    ``sources_topic.CONFIGURED_KEY`` record; without one (a topic written before it existed),
    every source on the topic counts as configured.
    """
    keys = [sources_topic.key(src) for src in sources]
    records: list[Record] = [sources_topic.record(settings, src) for src in sources]
    if configured:
        catalogue = await _read_catalogue(settings)
        removed = catalogue.configured - set(keys)
        catalogue.configured = set(keys)
        orphans = _orphans(catalogue, removed)
        for key in sorted(removed):
            log.info("source %s is no longer configured: removing it from %s", key, settings.topic("sources"))
        for key in sorted(orphans):
            log.info("feed %s was listed only by a removed OPML source: removing it", key)
        records += _tombstones(settings, removed | orphans)
        lists = sorted(removed & catalogue.listings.keys())
        records += [sources_topic.listing_tombstone(settings, key) for key in lists]
        records.append(sources_topic.configured_record(settings, keys))
    await _send(settings, records)


async def publish_opml_feeds(
    settings: Settings,
    opml_key: str,
    feeds: list[SourceSettings],
    forget: Callable[[str], Awaitable[None]],
) -> None:
    """Upsert the feeds an OPML source lists now, and tombstone those it listed at its last poll
    and lists no more (unless the configuration or another OPML source still has them).

    ``forget`` is awaited with each feed to tombstone before the tombstone is written: the caller
    stops polling it and lets a poll of it under way end first, so that no status row of that
    poll lands after the tombstone.
    """
    keys = {sources_topic.key(feed) for feed in feeds}
    catalogue = await _read_catalogue(settings)
    dropped = catalogue.listings.get(opml_key, set()) - keys
    catalogue.listings[opml_key] = keys
    removed = dropped - catalogue.still_held(set())
    for key in sorted(removed):
        log.info("feed %s is no longer in OPML source %s: removing it", key, opml_key)
        await forget(key)
    records = [sources_topic.record(settings, feed) for feed in feeds]
    records += _tombstones(settings, removed)
    records.append(sources_topic.listing_record(settings, opml_key, sorted(keys)))
    await _send(settings, records)


def _orphans(catalogue: _Catalogue, removed: set[str]) -> set[str]:
    """Feeds listed by a removed OPML source that nothing kept lists."""
    listed = set().union(*(catalogue.listings.get(key, set()) for key in removed))
    return listed - catalogue.still_held(removed) - removed


def _tombstones(settings: Settings, keys: set[str]) -> list[Record]:
    ordered = sorted(keys)
    return [sources_topic.tombstone(settings, k) for k in ordered] + [
        source_status.tombstone(settings, k) for k in ordered
    ]


async def _send(settings: Settings, records: list[Record]) -> None:
    if not records:
        return
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "sources producer")
    try:
        await send_all(producer, records)
    finally:
        await producer.stop()


async def _read_catalogue(settings: Settings) -> _Catalogue:
    present: dict[str, bool] = {}
    configured: set[str] | None = None
    listings: dict[str, set[str]] = {}
    async for record in iter_topic(settings, settings.topic("sources")):
        if record.key == sources_topic.CONFIGURED_KEY:
            configured = sources_topic.decode_keys(record.value)
        elif sources_topic.is_source_key(record.key):
            present[record.key.decode()] = record.value is not None
        elif record.key is not None and (opml := sources_topic.listing_owner(record.key)) is not None:
            if record.value is None:
                listings.pop(opml, None)
            else:
                listings[opml] = sources_topic.decode_keys(record.value)
    if configured is None:
        configured = {key for key, alive in present.items() if alive}
    return _Catalogue(configured, listings)
