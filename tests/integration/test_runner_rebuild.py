"""A rebuild that outlives its connection never reaches the next one.

A role rebuilds a partition's state inside the consumer's rebalance callback. When the
connection is lost while that rebuild is still running (a broker outage, a process frozen
past its session timeout), the callback goes on after the runner has given up on the
connection. Before, the runner let the role drop its state first and stopped the consumer
after, so the late rebuild installed its partition into the role *after* the drop, and the
next connection handed its records to that stale state: the fetch role then committed
offsets past work it later orphaned, and 16 in-flight URLs were lost (the frozen-daemon runs
of 2026-12-05). The runner now stops the consumer (which waits for the callback) before the
role drops its state, for every role.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from newswire.bus.runner import Partition, RoleSpec, Runner, Session
from newswire.config import Settings
from newswire.daemons._runtime import Stopper
from newswire.errors import BusError
from newswire.observe import Health

pytestmark = pytest.mark.kafka


class SlowFirstRebuild:
    """A role whose first assignment is still being rebuilt when its connection is lost."""

    def __init__(self, settings: Settings) -> None:
        self.spec = RoleSpec(
            name="slow-rebuild test role",
            stage="ingest",
            topic=settings.topic("urls"),
            group_id=f"test-slow-rebuild-{uuid.uuid4().hex[:8]}",
            source_id="test",
        )
        self.sessions: list[Session] = []
        self.installed: dict[Partition, Session] = {}  # whose assignment each partition's state is from
        self.first_rebuild_started = asyncio.Event()
        self.release_first_rebuild = asyncio.Event()
        self.first_rebuild_finished = False
        self.stale: list[tuple[int, int]] = []  # (session seen by a step, session of the state)

    def _number(self, session: Session) -> int:
        if session not in self.sessions:
            self.sessions.append(session)
        return self.sessions.index(session) + 1

    def _look(self, session: Session) -> None:
        for owner in self.installed.values():
            if owner is not session:
                self.stale.append((self._number(session), self._number(owner)))

    async def assigned(self, session: Session, partitions: set[Partition]) -> None:
        self._look(session)
        if self._number(session) == 1:
            self.first_rebuild_started.set()
            await self.release_first_rebuild.wait()  # reading a state topic, slowly
            self.first_rebuild_finished = True
        self.installed.update(dict.fromkeys(partitions, session))

    async def revoked(self, session: Session, partitions: set[Partition]) -> None:
        for tp in partitions:  # aiokafka also calls this with none before a first assignment
            self.installed.pop(tp, None)

    async def step(self, session: Session) -> bool:
        self._look(session)
        await session.poll(timeout_ms=100)
        if self._number(session) == 1 and self.first_rebuild_started.is_set():
            raise BusError("connection lost during the rebuild (made up by the test)")
        self._look(session)
        return session not in self.installed.values()  # finished once this connection's state is in

    async def finish(self, session: Session) -> None:
        pass

    async def close(self) -> None:
        self.installed.clear()


async def test_a_rebuild_finishing_after_its_connection_was_lost_is_not_worked_on(topics: Settings) -> None:
    role = SlowFirstRebuild(topics)
    runner = Runner(topics, role, stopper=Stopper(), health=Health("test"))

    async def release_later() -> None:
        await role.first_rebuild_started.wait()
        await asyncio.sleep(0.5)  # the runner has given up on the connection by now
        role.release_first_rebuild.set()

    releaser = asyncio.create_task(release_later())
    async with asyncio.timeout(90):
        await runner.run()
    await releaser

    assert role.first_rebuild_finished, "the first connection's rebuild never ran to its end"
    assert len(role.sessions) == 2, "the runner did not reconnect after the lost connection"
    assert role.stale == [], "the second connection worked on state rebuilt for the first"
