"""Settings for a daemon that ingests from a test site on loopback: quick to give up, no politeness wait."""

from __future__ import annotations

from typing import Any

from newswire.config import Settings
from tests.conftest import make_settings


def fast_fetch(host_port: str, **overrides: Any) -> dict[str, Any]:
    """The ``[fetch]`` table for a site on ``host_port``: no per-host delay, one quick retry, short waits."""
    return {
        "allowed_hosts": [host_port],
        "per_host_delay_s": 0,
        "retries": 1,
        "backoff_base_s": 0.05,
        "backoff_max_s": 0.2,
        "connect_timeout_s": 2,
        "read_timeout_s": 5,
        "total_timeout_s": 10,
        **overrides,
    }


def site_settings(broker: Any, site: Any, sources: list[dict[str, Any]], **sections: Any) -> Settings:
    """Settings for ``sources`` (polled every 30 s) on ``site`` (anything with a ``host_port``)."""
    fetch = fast_fetch(site.host_port, **sections.pop("fetch", {}))
    return make_settings(
        broker.bootstrap_servers, sources=[{"interval_s": 30, **s} for s in sources], fetch=fetch, **sections
    )
