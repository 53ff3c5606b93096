"""The daemons: ingest and enrich, wired to Kafka, with lifecycle, signals and health.

:func:`serve` runs one or both in this process behind one metrics/health endpoint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from newswire.bus.preflight import check_connection
from newswire.config import Settings
from newswire.daemons._runtime import Stopper, handle_signals
from newswire.observe import Health, HealthServer
from newswire.observe.config_log import log_effective_config
from newswire.observe.metrics import set_top_hosts

log = logging.getLogger(__name__)

__all__ = ["Stopper", "serve"]


async def serve(
    settings: Settings, names: Sequence[str], *, port: int, stopper: Stopper | None = None, **kwargs: Any
) -> int:
    """Run the named daemons until SIGTERM/SIGINT (or their ``max_events``/``idle_timeout_s``)."""
    from newswire.daemons.enrich import EnrichDaemon
    from newswire.daemons.import_worker import ImportDaemon
    from newswire.daemons.ingest import IngestDaemon

    stopper = stopper or Stopper()
    set_top_hosts(settings.observe.top_hosts)
    log_effective_config(settings)
    await check_connection(settings)  # a security mismatch ends the start with one line, not retries
    daemons: list[IngestDaemon | EnrichDaemon | ImportDaemon] = []
    for name in names:
        cls = {"ingest": IngestDaemon, "import-worker": ImportDaemon}.get(name, EnrichDaemon)
        health = Health(name, stall_after_s=settings.observe.stall_after_s)
        daemons.append(cls(settings, stopper=stopper, health=health, **kwargs))
    async with HealthServer([d.health for d in daemons], settings.observe.http_host, port):
        with handle_signals(stopper):
            tasks = [
                asyncio.create_task(d.run(), name=f"newswire-{n}")
                for d, n in zip(daemons, names, strict=True)
            ]
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            stopper.stop()
            await asyncio.gather(*pending, return_exceptions=True)
            for task in done:
                task.result()  # re-raise a daemon's failure
    return 0
