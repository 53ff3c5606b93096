"""The ingest daemon: sources → candidate URLs → fetch → extract → article events.

Two roles run in every process, each a consumer group of its own, so ingest
scales on Kafka alone: the discovery role splits the ``sources`` topic, the
fetch role splits the ``urls`` topic (keyed by host). One process runs both on
all partitions; more processes with the same ``ingest.group_id`` share them,
and a dead process's partitions move to the survivors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from newswire.archive import WarcFileWriter
from newswire.bus.admin import ensure_topics, warn_about_mismatches
from newswire.config import Settings
from newswire.daemons._discover_role import DiscoverRole
from newswire.daemons._extract_jobs import ExtractJob, extract_page
from newswire.daemons._fetch_role import FetchRole
from newswire.daemons._runtime import Stopper, instance_id, watch_readiness
from newswire.daemons._sources_publish import publish_sources
from newswire.daemons._url_work import UrlWorker
from newswire.fetch import Fetcher
from newswire.observe import Health
from newswire.observe import metrics as m
from newswire.pool import WorkerPool, extraction_pool, parse_pool

log = logging.getLogger(__name__)


def _on_response(host: str, status_class: str, elapsed_s: float) -> None:
    m.FETCHES.labels(m.host_label(host), status_class).inc()
    m.FETCH_SECONDS.labels(status_class).observe(elapsed_s)


class IngestDaemon:
    """Discover, fetch, extract and publish; see the module docstring.

    Pages are extracted in ``pool`` (default: an extraction pool of ``ingest.extract_workers``)
    and sources parsed in a parser process of their own; ``inline_extraction`` (tests) does both
    in this process instead, on the event loop.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        stopper: Stopper | None = None,
        health: Health | None = None,
        max_events: int | None = None,
        idle_timeout_s: float | None = None,
        pool: WorkerPool | None = None,
        inline_extraction: bool = False,
        extract: ExtractJob = extract_page,
    ) -> None:
        self.settings = settings
        self.stopper = stopper or Stopper()
        self.health = health or Health("ingest")
        self.max_events = max_events
        self.idle_timeout_s = idle_timeout_s
        self._pool = pool
        self._inline = inline_extraction
        self._extract = extract
        self.fetch_role: FetchRole | None = None
        self.discover_role: DiscoverRole | None = None

    async def run(self) -> int:
        s = self.settings
        await ensure_topics(s)
        await warn_about_mismatches(s)
        await publish_sources(s, s.sources, configured=True)
        ident = instance_id(s.ingest.instance_id)
        own_pool = self._pool is None and not self._inline
        pool = extraction_pool(s.ingest.extract_workers) if own_pool else self._pool
        parser = None if self._inline else parse_pool()
        roots = tuple(Path(src.path) for src in s.sources if src.kind == "files" and src.path)
        archive = (
            WarcFileWriter(s.ingest.archive_warc, prefix=f"newswire-{ident}")
            if s.ingest.archive_warc
            else None
        )
        try:
            async with Fetcher(s.fetch, on_response=_on_response) as fetcher:
                worker = UrlWorker(
                    s,
                    fetcher,
                    pool,
                    source_id=f"/newswire/ingest/{ident}",
                    file_roots=roots,
                    extract=self._extract,
                    archive=archive,
                )
                self.discover_role = DiscoverRole(
                    s, fetcher, stopper=self.stopper, health=self.health, parser=parser
                )
                self.fetch_role = FetchRole(
                    s,
                    worker,
                    stopper=self.stopper,
                    health=self.health,
                    transactional_id=f"{s.ingest.group_id}-fetch-{ident}",
                    max_events=self.max_events,
                    idle_timeout_s=self.idle_timeout_s,
                )
                readiness = asyncio.create_task(watch_readiness(s, self.health, self.stopper))
                discover = asyncio.create_task(self.discover_role.run(), name="discover")
                try:
                    await self.fetch_role.run()  # returns on stop, max_events or idle timeout
                finally:
                    for task in (discover, readiness):
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
        finally:
            if archive is not None:
                archive.close()
            if own_pool and pool is not None:
                pool.shutdown(wait=False)
            if parser is not None:
                parser.shutdown(wait=False)
        published = self.fetch_role.published if self.fetch_role else 0
        log.info("ingest daemon stopped; published %d article events", published)
        return published
