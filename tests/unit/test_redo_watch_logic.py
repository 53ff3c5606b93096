"""The redo watch tells work that keeps failing from a daemon that makes progress between failures."""

from __future__ import annotations

from aiokafka import TopicPartition
from prometheus_client import REGISTRY

from newswire.bus.redo import REDO_LIMIT, RedoWatch
from newswire.observe import Health

P0 = TopicPartition("t.urls", 0)
P1 = TopicPartition("t.urls", 1)
REFUSED = RuntimeError("MessageSizeTooLargeError")


def watch(positions: dict[TopicPartition, int] | None = None) -> tuple[RedoWatch, Health]:
    health = Health("redo-test")
    health.set_ready(True)
    return RedoWatch("redo-test", health, positions or {}), health


def stuck_offset(tp: TopicPartition) -> float | None:
    return REGISTRY.get_sample_value(
        "newswire_stuck_offset", {"daemon": "redo-test", "topic": tp.topic, "partition": str(tp.partition)}
    )


def test_a_partition_held_at_one_offset_is_stuck_though_batches_are_cut_differently_each_time() -> None:
    redo, health = watch()
    # Each redo cuts the batch differently, and the other partition's work commits in between.
    for attempt in range(REDO_LIMIT + 1):
        assert health.ready
        redo.committed({P0: 10 + attempt})
        redo.failed({P1: 7, P0: 10 + attempt}, REFUSED)
    assert not health.ready
    assert "t.urls[1]@7" in health.not_ready_reason and "t.urls[0]" not in health.not_ready_reason
    assert stuck_offset(P1) == 7 and stuck_offset(P0) is None


def test_work_that_moves_between_failures_is_never_stuck() -> None:
    redo, health = watch()
    for attempt in range(3 * REDO_LIMIT):
        redo.failed({P0: attempt}, REFUSED)
        redo.committed({P0: attempt + 1})
    assert health.ready and redo.streak == 0


def test_a_commit_past_the_stuck_offset_clears_it() -> None:
    redo, health = watch()
    for _ in range(REDO_LIMIT + 1):
        redo.failed({P1: 7}, REFUSED)
    assert not health.ready
    redo.committed({P1: 7})  # offsets up to but not past it: still stuck
    assert not health.ready
    redo.committed({P1: 8})
    assert health.ready and stuck_offset(P1) is None and redo.streak == 0


def test_a_parked_url_that_keeps_failing_is_stuck_until_its_result_commits() -> None:
    redo, health = watch({P0: 42})
    url = "https://example.org/a"
    for attempt in range(REDO_LIMIT + 1):
        redo.failed({P0: 40 + attempt}, REFUSED, parked=[(P0, url)])
        redo.committed({P0: 41 + attempt})  # the partition's offsets move on past the parked URL
    assert not health.ready and url in health.not_ready_reason
    redo.committed({}, parked=[(P0, url)])
    assert health.ready


def test_work_of_a_partition_assigned_elsewhere_is_forgotten() -> None:
    redo, health = watch()
    for _ in range(REDO_LIMIT + 1):
        redo.failed({P1: 7}, REFUSED)
    assert not health.ready
    redo.owned({P0})
    assert health.ready and stuck_offset(P1) is None
