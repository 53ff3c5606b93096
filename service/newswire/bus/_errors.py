"""Translate aiokafka's exceptions into :class:`~newswire.errors.BusError` at the boundary."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aiokafka.errors import KafkaConnectionError, KafkaError

from newswire.errors import BusError


@contextlib.contextmanager
def translate(action: str, bootstrap: str | None = None) -> Iterator[None]:
    """Re-raise Kafka client errors as BusError with what was being done and what to check."""
    try:
        yield
    except KafkaConnectionError as exc:
        where = f" at {bootstrap}" if bootstrap else ""
        raise BusError(
            f"{action}: cannot reach Kafka{where} ({exc}). Is the broker running? "
            "Set KAFKA_BOOTSTRAP_SERVERS or kafka.bootstrap_servers, or run `newswire broker`."
        ) from exc
    except KafkaError as exc:
        raise BusError(f"{action}: {type(exc).__name__}: {exc}") from exc
