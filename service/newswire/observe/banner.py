"""The start-up banner of ``newswire run``: what runs, where to look, how to go further.

A newcomer's first ``make run`` should answer, on one screen, what is running, where the
events and metrics are, and how to point newswire at real feeds.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from newswire.config import Settings
from newswire.demo import DEFAULT_ADDRESS

if TYPE_CHECKING:
    from newswire.broker import EmbeddedBroker
    from newswire.demo import DemoSite

log = logging.getLogger("newswire")


def banner_lines(
    settings: Settings, port: int, *, broker: EmbeddedBroker | None, demo: DemoSite | None
) -> list[str]:
    """The banner, one string per line."""
    kafka = settings.kafka.bootstrap_servers
    if broker is not None:
        kafka += f" (embedded broker, data in {os.path.relpath(broker.data_dir)})"
    sources = ", ".join(s.label for s in settings.sources) or "none configured"
    metrics = f"http://{settings.observe.http_host}:{port}/metrics" if port else "on a free port (--port 0)"
    lines = [
        "newswire is starting the ingest and enrich daemons",
        f"  kafka        {kafka}",
        f"  sources      {sources}",
    ]
    if demo is not None:
        lines.append(f"  demo site    {demo.url}/ (fictional articles bundled with newswire)")
    elif any((s.url or "").startswith(f"http://{DEFAULT_ADDRESS}/") for s in settings.sources):
        lines.append(
            f"  demo site    NOT served: a source reads {DEFAULT_ADDRESS}; add --demo-site (make run does)"
        )
    lines += [
        f"  metrics      {metrics}  (and /healthz, /readyz)",
        "  see events   .venv/bin/newswire tail enriched --from-beginning   (in another terminal)",
        "  check setup  .venv/bin/newswire doctor",
        "  real feeds   replace the [[sources]] in newswire.toml with your feeds or sitemaps;",
        "               set KAFKA_BOOTSTRAP_SERVERS=host:port to use your own Kafka",
        "  stop         Ctrl-C",
    ]
    return lines


def log_banner(
    settings: Settings, port: int, *, broker: EmbeddedBroker | None, demo: DemoSite | None
) -> None:
    """Log the banner at INFO, one record per line (so JSON logs stay one object per line)."""
    for line in banner_lines(settings, port, broker=broker, demo=demo):
        log.info("%s", line)
