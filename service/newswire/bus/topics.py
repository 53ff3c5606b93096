"""newswire's topics: names, partitioning, retention and compaction, in one place.

``articles``, ``enriched`` and ``dead-letters`` are the user-facing streams.
``sources``, ``urls``, ``fetch-state`` and ``latest`` carry ingest's work and
state: the compacted ones are read back from the beginning by whichever
instance owns a partition, so state moves with partitions on a rebalance.
"""

from __future__ import annotations

import dataclasses
from typing import get_args

from newswire.config import Settings, TopicName


@dataclasses.dataclass(frozen=True, slots=True)
class TopicSpec:
    """What one topic should look like on the broker."""

    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]

    @property
    def compacted(self) -> bool:
        return self.configs.get("cleanup.policy") == "compact"


_COMPACTED = ("sources", "fetch-state", "latest", "source-status", "import-state")
_ALL: tuple[TopicName, ...] = get_args(TopicName)


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic newswire uses, with the configured partitions, retention and limits.

    ``urls`` and ``fetch-state`` must have the same partition count: fetch state
    for the URLs of partition *p* lives in partition *p* of ``fetch-state``.
    """
    k = settings.kafka
    specs = []
    for name in _ALL:
        configs = {
            "compression.type": "producer" if k.compression == "none" else k.compression,
            "max.message.bytes": str(k.max_message_bytes),
        }
        if name in _COMPACTED:
            configs["cleanup.policy"] = "compact"
            configs["min.cleanable.dirty.ratio"] = "0.1"
        else:
            configs["cleanup.policy"] = "delete"
            configs["retention.ms"] = str(k.retention_ms)
        # A write is acknowledged once two replicas hold it when there are three or more, so one
        # broker may die without losing an acknowledged record or stopping writes.
        configs["min.insync.replicas"] = "2" if k.replication_factor >= 3 else "1"
        partitions = 1 if name == "dead-letters" else k.partitions
        specs.append(TopicSpec(settings.topic(name), partitions, k.replication_factor, configs))
    return specs
