"""When the daemons consider Kafka ready to serve a topic (see ``bus.admin._wait_until_serving``)."""

from __future__ import annotations

from newswire.bus.admin import _served


def partition(n: int, leader: int, error: int = 0) -> dict[str, int]:
    return {"partition": n, "leader": leader, "error_code": error}


def test_a_topic_is_served_once_every_partition_has_a_leader() -> None:
    assert _served({"topic": "t", "error_code": 0, "partitions": [partition(0, 1), partition(1, 1)]})
    assert not _served({"topic": "t", "error_code": 0, "partitions": [partition(0, 1), partition(1, -1)]})
    assert not _served({"topic": "t", "error_code": 0, "partitions": [partition(0, 1, error=5)]})


def test_a_missing_topic_is_not_served_but_one_hidden_by_acls_does_not_hold_the_start_up() -> None:
    assert not _served({"topic": "t", "error_code": 3, "partitions": []})  # unknown topic
    assert _served({"topic": "__transaction_state", "error_code": 29, "partitions": []})  # not authorised
