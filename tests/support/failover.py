"""Leader failover on a three-broker cluster while ingest and enrich run: what the test and
``bench/failover.py`` share.

A :class:`CommitWatch` reads the ``enriched`` topic read-committed from the start and notes when
each record became visible, so "seconds without progress" after a kill is the time from the
kill to the first enriched record *produced after it* (its CreateTime) that a reader could see:
the pipeline moved again, through a transaction committed on the surviving brokers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from aiokafka import TopicPartition

from newswire.broker import EmbeddedCluster, free_port
from newswire.bus import make_consumer, start_client
from newswire.bus.admin import _with_admin
from newswire.config import Settings, TopicName
from tests.support.daemon_procs import Daemon, kafka_table, write_config

#: The topics whose partition leaders decide which broker a fault test kills.
LED_TOPICS: tuple[TopicName, ...] = ("articles", "urls", "enriched")


async def leader_counts(settings: Settings) -> Counter[int]:
    """Partitions of ``articles``, ``urls`` and ``enriched`` led by each broker (node id)."""
    admin = await _with_admin(settings, "describing partition leaders")
    try:
        described = await admin.describe_topics([settings.topic(t) for t in LED_TOPICS])
    finally:
        await admin.close()
    return Counter(p["leader"] for topic in described for p in topic["partitions"] if p["leader"] >= 0)


async def busiest_leader(settings: Settings) -> int:
    """The node id that leads the most of those partitions."""
    counts = await leader_counts(settings)
    return counts.most_common(1)[0][0]


def start_pipeline(settings: Settings, workdir: Path, **tables: dict[str, Any]) -> Daemon:
    """``newswire run`` (ingest and enrich in one process) as a subprocess, configured like ``settings``.

    A subprocess, not the daemons on this event loop: the fault tests restart brokers from this
    process, and forking while an in-process enricher is inside a multithreaded OpenBLAS call
    deadlocks in OpenBLAS's fork handler (the CLI runs BLAS single-threaded).
    """
    config = write_config(
        workdir / "newswire.toml",
        {
            "kafka": kafka_table(settings),
            "ingest": {"group_id": settings.ingest.group_id, "extract_workers": 1},
            "enrich": {"group_id": settings.enrich.group_id, "workers": 1},
            "fetch": settings.fetch.model_dump(
                mode="json", include={"allowed_hosts", "per_host_delay_s", "per_host_concurrency", "retries"}
            ),
            **tables,
        },
        [source.model_dump(mode="json", exclude_none=True) for source in settings.sources],
    )
    return Daemon.start("run", config, free_port(), workdir / "run.log")


@dataclasses.dataclass
class CommitWatch:
    """Every read-committed ``enriched`` record: article URL, CreateTime and when it became visible."""

    settings: Settings
    seen: list[tuple[str, float, float]] = dataclasses.field(default_factory=list)  # url, created, seen
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CommitWatch:
        consumer = make_consumer(self.settings, group_id=None, read_committed=True)
        await start_client(consumer, self.settings.kafka.bootstrap_servers, "enriched watcher")
        topic = self.settings.topic("enriched")
        consumer.assign([TopicPartition(topic, p) for p in range(self.settings.kafka.partitions)])
        await consumer.seek_to_beginning()
        self._task = asyncio.create_task(self._watch(consumer))
        return self

    async def _watch(self, consumer: Any) -> None:
        try:
            while True:
                try:
                    batch = await consumer.getmany(timeout_ms=200)
                except Exception:
                    await asyncio.sleep(0.2)
                    continue
                now = time.time()
                for records in batch.values():
                    for r in records:
                        self.seen.append((orjson.loads(r.value)["article"]["url"], r.timestamp / 1000, now))
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def urls(self) -> Counter[str]:
        return Counter(url for url, _, _ in self.seen)

    async def progress_after(self, t: float, timeout_s: float) -> float | None:
        """Seconds from ``t`` until a record created after ``t`` is visible; None if none in time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            after = [seen for _, created, seen in self.seen if created > t]
            if after:
                return min(after) - t
            await asyncio.sleep(0.1)
        return None


@dataclasses.dataclass(frozen=True)
class Kill:
    """One leader kill: which node, how many partitions it led, and how long nothing committed."""

    node: int
    partitions_led: int
    seconds_without_progress: float | None


async def kill_busiest_leader(cluster: EmbeddedCluster, settings: Settings, watch: CommitWatch) -> Kill:
    """SIGKILL the broker leading the most partitions and wait for the next committed enriched event."""
    counts = await leader_counts(settings)
    node, led = counts.most_common(1)[0]
    killed_at = time.time()
    await asyncio.to_thread(cluster.brokers[node].kill)
    gap = await watch.progress_after(killed_at, timeout_s=120)
    return Kill(node, led, None if gap is None else round(gap, 2))
