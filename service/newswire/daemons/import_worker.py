"""The import worker daemon: WARC files queued by ``newswire import warc`` → extracted articles,
decided and published by the ingest daemon's fetch role (``daemons/_import_role.py``).

Runs the import role (``daemons/_import_role.py``) with an extraction pool of
``ingest.extract_workers``. Start one per core or per machine with the same
``ingest.group_id``: they share the ``warc-files`` partitions, so files are
imported in parallel, and a dead worker's file is resumed by another from its
last checkpoint. Files queued as http(s) URLs are downloaded through the guarded
fetcher into the worker's spool (``ingest.warc_spool``) first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from newswire.bus.admin import ensure_topics, warn_about_mismatches
from newswire.config import Settings
from newswire.daemons._import_role import ImportRole
from newswire.daemons._runtime import Stopper, instance_id, watch_readiness
from newswire.daemons._warc_spool import WarcSpool, default_folder
from newswire.fetch import Fetcher
from newswire.observe import Health
from newswire.pool import extraction_pool

log = logging.getLogger(__name__)


#: Pages queued in each extraction process. An import always has the next pages at hand, and
#: on a busy machine the worker's event loop can be off the CPU for longer than a page takes:
#: with two queued, the extraction process sat idle a fifth of the time under load (docs/warc.md).
PAGES_QUEUED = 4


class ImportDaemon:
    """Import queued WARC files until stopped (or idle for ``idle_timeout_s``)."""

    def __init__(
        self,
        settings: Settings,
        *,
        stopper: Stopper | None = None,
        health: Health | None = None,
        idle_timeout_s: float | None = None,
        max_events: int | None = None,  # accepted like the other daemons; files are the unit here
    ) -> None:
        self.settings = settings
        self.stopper = stopper or Stopper()
        self.health = health or Health("import")
        self.idle_timeout_s = idle_timeout_s
        self.role: ImportRole | None = None

    async def run(self) -> int:
        s = self.settings
        await ensure_topics(s)
        await warn_about_mismatches(s)
        ident = instance_id(s.ingest.instance_id)
        pool = extraction_pool(s.ingest.extract_workers, depth=PAGES_QUEUED)
        fetcher = Fetcher(s.fetch)
        folder = Path(s.ingest.warc_spool) if s.ingest.warc_spool else default_folder()
        self.role = ImportRole(
            s,
            pool,
            stopper=self.stopper,
            health=self.health,
            source_id=f"/newswire/import/{ident}",
            transactional_id=f"{s.ingest.group_id}-import-{ident}",
            idle_timeout_s=self.idle_timeout_s,
            spool=WarcSpool(folder, fetcher, max_bytes=s.ingest.max_warc_bytes),
        )
        readiness = asyncio.create_task(watch_readiness(s, self.health, self.stopper))
        try:
            async with fetcher:
                await self.role.run()
        finally:
            readiness.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await readiness
            pool.shutdown(wait=False)
        log.info(
            "import worker stopped; %d files done, %d articles handed to ingest",
            self.role.files_done,
            self.role.published,
        )
        return self.role.published
