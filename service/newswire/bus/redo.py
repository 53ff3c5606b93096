"""Noticing a daemon that redoes the same work over and over.

A failed transaction is redone from the last committed offsets, which is what
makes a Kafka outage lose nothing. But a failure that the redo reproduces (a
record the broker refuses, a topic it cannot write to) would repeat for as
long as the daemon runs while its partitions stall, and look like nothing
more than a reconnect. :class:`RedoWatch` tells the two apart.

It counts failures per piece of work, not per batch: a batch is named by the
offset each of its partitions starts at, and a parked URL's result (which
commits outside the offsets) by its partition and URL. After a reconnect the
batches are cut differently (other partitions' records arrive first, work
ahead of the bad record commits on its own), so "the same batch failed again"
would rarely hold even while one record blocks its partition forever; "this
partition has not moved past this offset through N failed commits" does.
Once some work has failed more than :data:`REDO_LIMIT` times without being
committed, the watch says so at ERROR (once), makes ``/readyz`` not ready with
the reason, and exports the stuck partitions as ``newswire_stuck_offset`` for
an alert. Work is cleared when a commit moves its partition past it (or
commits the parked URL), or when its partition is assigned elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from aiokafka import TopicPartition

from newswire.observe import Health
from newswire.observe import metrics as m

log = logging.getLogger(__name__)

#: Failures of the same work without a commit of it that count as stuck (the reconnect
#: backoff makes the fourth redo start about 15 s after the first failure).
REDO_LIMIT = 3

#: A piece of work: a batch's start offset in a partition, or a parked URL of a partition.
Work = tuple[TopicPartition, int | str]


class RedoWatch:
    """Counts failed commits per piece of work; see the module docstring.

    ``positions`` is the runner's committed offset per partition, used as the
    stuck offset of a parked URL (whose own offset was released when it was parked).
    """

    def __init__(
        self, daemon: str, health: Health, positions: Mapping[TopicPartition, int], limit: int = REDO_LIMIT
    ) -> None:
        self.daemon = daemon
        self.health = health
        self.limit = limit
        self.streak = 0
        self._positions = positions
        self._failures: dict[Work, int] = {}
        self._stuck: dict[TopicPartition, int] = {}

    def failed(
        self,
        starts: Mapping[TopicPartition, int],
        error: BaseException,
        parked: Collection[tuple[TopicPartition, str]] = (),
    ) -> None:
        """A transaction did not commit: the batch starting at ``starts`` (offset per partition)
        and the ``parked`` URLs' results it carried."""
        failing: list[Work] = [*starts.items(), *parked]
        for work in failing:
            self._failures[work] = self._failures.get(work, 0) + 1
        self._update(error)

    def committed(
        self, offsets: Mapping[TopicPartition, int], parked: Collection[tuple[TopicPartition, str]] = ()
    ) -> None:
        """A transaction committed ``offsets`` (next offset per partition) and ``parked`` URLs' results."""
        if not self._failures:
            return
        done = set(parked)
        for work in list(self._failures):
            tp, at = work
            if work in done or (isinstance(at, int) and offsets.get(tp, -1) > at):
                del self._failures[work]
        self._update(None)

    def owned(self, partitions: Collection[TopicPartition]) -> None:
        """The partitions this process owns now: work of the others is their new owner's."""
        for work in [w for w in self._failures if w[0] not in partitions]:
            del self._failures[work]
        self._update(None)

    def _update(self, error: BaseException | None) -> None:
        previous = self.streak
        self.streak = max(self._failures.values(), default=0)
        m.REDO_STREAK.labels(self.daemon).set(self.streak)
        stuck_work = sorted(
            (w for w, times in self._failures.items() if times > self.limit), key=lambda w: (w[0], str(w[1]))
        )
        stuck = {tp: at if isinstance(at, int) else self._positions.get(tp, 0) for tp, at in stuck_work}
        if not stuck:
            if self._stuck:
                log.info("%s moves again after %d failed commits", self.daemon, previous)
                self._clear()
                self.health.set_stuck(None)
            return
        where = ", ".join(
            f"{tp.topic}[{tp.partition}]@{at}"
            if isinstance(at, int)
            else f"{tp.topic}[{tp.partition}] parked {at}"
            for tp, at in stuck_work
        )
        if not self._stuck and error is not None:
            log.error(
                "%s is stuck: %s failed to commit %d times in a row (%s); "
                "it is redone after each reconnect, and the partitions wait behind it",
                self.daemon,
                where,
                self.streak,
                error,
            )
        if stuck != self._stuck:
            self._clear()
            self._stuck = stuck
            for tp, offset in stuck.items():
                m.STUCK_OFFSET.labels(self.daemon, tp.topic, str(tp.partition)).set(offset)
        reason = f"stuck at {where}: {self.streak} failed commits in a row"
        self.health.set_stuck(f"{reason} ({error})" if error is not None else reason)

    def _clear(self) -> None:
        for tp in self._stuck:
            m.STUCK_OFFSET.remove(self.daemon, tp.topic, str(tp.partition))
        self._stuck = {}
