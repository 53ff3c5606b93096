"""Observability: metrics, health/readiness endpoint, structured logging."""

from newswire.observe.health import Health, HealthServer
from newswire.observe.logging import setup_logging

__all__ = ["Health", "HealthServer", "setup_logging"]
