"""Stopping a Kafka client after an outage must not end the daemon (``newswire.bus.stop_quietly``).

aiokafka's consumer awaits its own cancelled fetch tasks on stop, so a stop after a broker
outage or a long pause raised ``CancelledError`` into the runner, and the ingest daemon
exited with a traceback instead of reconnecting. A stand-in client that fails the way
aiokafka's does is enough here: what is tested is the wrapper, not Kafka.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from newswire.bus.clients import stop_quietly


class _Client:
    def __init__(self, error: BaseException | None = None, hang: bool = False) -> None:
        self.error = error
        self.hang = hang
        self.stopped = False

    async def stop(self) -> None:
        self.stopped = True
        if self.hang:
            await asyncio.sleep(3600)
        if self.error is not None:
            raise self.error


async def test_a_stop_that_raises_its_own_tasks_cancellation_is_swallowed() -> None:
    client = _Client(asyncio.CancelledError())
    await stop_quietly(cast(Any, client))
    assert client.stopped


async def test_a_stop_that_fails_on_a_broken_connection_is_swallowed() -> None:
    client = _Client(ConnectionResetError("broker gone"))
    await stop_quietly(cast(Any, client))
    assert client.stopped


async def test_cancelling_the_caller_still_cancels_it() -> None:
    task = asyncio.create_task(stop_quietly(cast(Any, _Client(hang=True))))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
