"""Noticing a daemon that redoes the same work over and over.

A failed transaction is redone from the last committed offsets, which is what
makes a Kafka outage lose nothing. But a failure that the redo reproduces (a
record the broker refuses, a topic it cannot write to) would repeat for as
long as the daemon runs while its partitions stall, and look like nothing
more than a reconnect. :class:`RedoWatch` tells the two apart: once the batch
starting at the same offsets has failed more than :data:`REDO_LIMIT` times in
a row, it says so at ERROR (once), makes ``/readyz`` not ready with the reason,
and exports the stuck partitions' offsets as ``newswire_stuck_offset`` for an
alert. The first commit that moves clears all three.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiokafka import TopicPartition

from newswire.observe import Health
from newswire.observe import metrics as m

log = logging.getLogger(__name__)

#: Failures of the same batch in a row that count as stuck (the reconnect backoff makes
#: the fourth redo start about 15 s after the first failure).
REDO_LIMIT = 3


class RedoWatch:
    """Counts failed commits of a batch that starts at the same offsets; see the module docstring."""

    def __init__(self, daemon: str, health: Health, limit: int = REDO_LIMIT) -> None:
        self.daemon = daemon
        self.health = health
        self.limit = limit
        self.streak = 0
        self._batch: frozenset[tuple[TopicPartition, int]] = frozenset()
        self._stuck: dict[TopicPartition, int] = {}

    def failed(self, starts: Mapping[TopicPartition, int], error: BaseException) -> None:
        """A transaction of the batch starting at ``starts`` (offset per partition) did not commit."""
        batch = frozenset(starts.items())
        self.streak = self.streak + 1 if batch == self._batch else 1
        self._batch = batch
        m.REDO_STREAK.labels(self.daemon).set(self.streak)
        if self.streak <= self.limit:
            return
        where = ", ".join(f"{tp.topic}[{tp.partition}]@{offset}" for tp, offset in sorted(starts.items()))
        if not self._stuck:
            log.error(
                "%s is stuck: the batch at %s failed to commit %d times in a row (%s); "
                "it is redone after each reconnect, and the partitions wait behind it",
                self.daemon,
                where,
                self.streak,
                error,
            )
        self._clear()
        self._stuck = dict(starts)
        for tp, offset in self._stuck.items():
            m.STUCK_OFFSET.labels(self.daemon, tp.topic, str(tp.partition)).set(offset)
        self.health.set_stuck(f"stuck at {where}: {self.streak} failed commits in a row ({error})")

    def committed(self) -> None:
        """A transaction committed: whatever was stuck moves again."""
        if self.streak == 0:
            return
        if self._stuck:
            log.info("%s moves again after %d failed commits", self.daemon, self.streak)
            self._clear()
            self.health.set_stuck(None)
        self.streak = 0
        self._batch = frozenset()
        m.REDO_STREAK.labels(self.daemon).set(0)

    def _clear(self) -> None:
        for tp in self._stuck:
            m.STUCK_OFFSET.remove(self.daemon, tp.topic, str(tp.partition))
        self._stuck = {}
