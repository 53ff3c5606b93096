"""PartitionTracker: a rebalance callback that fails must stop the consumer's loop, not vanish.

aiokafka logs an exception from a rebalance listener and keeps the assignment;
the tracker keeps the failure for the loop instead (see its docstring).
"""

from __future__ import annotations

import pytest
from aiokafka import TopicPartition

from newswire.bus import PartitionTracker
from newswire.errors import BusError

TP = TopicPartition("urls", 2)


async def test_a_failed_assignment_callback_is_raised_by_check() -> None:
    tracker = PartitionTracker()
    loaded: list[set[TopicPartition]] = []

    async def rebuild(partitions: set[TopicPartition]) -> None:
        raise TimeoutError("fetch-state not readable")

    async def remember(partitions: set[TopicPartition]) -> None:
        loaded.append(partitions)

    tracker.on_assign += [rebuild, remember]
    await tracker.on_partitions_assigned([TP])  # returns, as aiokafka expects of a listener
    assert tracker.assigned == {TP}
    assert loaded == [{TP}]  # the other callbacks still ran
    with pytest.raises(BusError, match=r"\(TimeoutError: fetch-state not readable\); reconnecting"):
        tracker.check()


async def test_a_failed_revocation_callback_is_raised_by_check() -> None:
    tracker = PartitionTracker()

    async def flush(partitions: set[TopicPartition]) -> None:
        raise RuntimeError("commit refused")

    tracker.on_revoke.append(flush)
    await tracker.on_partitions_assigned([TP])
    tracker.check()  # nothing failed yet
    await tracker.on_partitions_revoked([TP])
    assert tracker.assigned == set()
    with pytest.raises(BusError, match="commit refused"):
        tracker.check()
