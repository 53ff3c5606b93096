"""Leader failover, repeated: how long does newswire stop committing when a broker dies?

    .venv/bin/python bench/failover.py              # 5 kills, ~4-6 minutes on 2 busy cores
    .venv/bin/python bench/failover.py --kills 8

Writes ``bench/results/failover.json`` (``--out``) and exits 1 if an article was lost or
duplicated. ``tests/integration/test_failover.py`` does the same with one kill.

What runs: a three-broker KRaft cluster (``newswire.broker.EmbeddedCluster``, combined
broker+controller nodes on loopback), topics with replication factor 3 and
``min.insync.replicas=2``, the fake news site (``tests/fakesite``) serving ``--articles``
pages slowly enough to outlast every kill, and the ingest and enrich daemons.
The daemons run as ``newswire run`` in a subprocess (``tests/support/failover.py`` says why).
Each round: SIGKILL the broker leading the most ``articles``/``urls``/``enriched`` partitions,
measure the seconds from the kill to the first enriched record *created after it* that a
read-committed reader sees, keep the broker down ``--down-s`` seconds, start it again, and wait
until every partition has its three replicas in sync before the next kill. At the end every
article must be in ``articles`` once and in read-committed ``enriched`` once.

The seconds without progress include aiokafka's reaction to the dead connection (request
timeout ``--request-timeout-ms``), the controller moving leaders, and the enrich group's
coordinator moving when the killed node hosted it; on a shared 2-core machine they are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the fake site (tests/) importable
    sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.fakesite import FakeSite  # noqa: E402
from tests.support.failover import CommitWatch, Kill, kill_busiest_leader, start_pipeline  # noqa: E402

from newswire.broker import EmbeddedCluster  # noqa: E402
from newswire.bus.admin import _with_admin  # noqa: E402
from newswire.bus.tail import tail  # noqa: E402
from newswire.config import Settings  # noqa: E402

RESULTS = ROOT / "bench" / "results"


async def fully_replicated(settings: Settings, timeout_s: float = 120) -> float:
    """Seconds until every partition of newswire's topics has all its replicas in sync."""
    started = time.monotonic()
    names = [settings.topic(t) for t in ("articles", "urls", "enriched", "fetch-state", "sources")]
    while time.monotonic() - started < timeout_s:
        admin = await _with_admin(settings, "describing replicas")
        try:
            described = await admin.describe_topics([*names, "__consumer_offsets", "__transaction_state"])
        finally:
            await admin.close()
        if all(len(p["isr"]) == len(p["replicas"]) for t in described for p in t["partitions"]):
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    raise RuntimeError("replicas not back in sync within the timeout")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    kills: list[Kill] = []
    with tempfile.TemporaryDirectory(prefix="newswire-failover-") as tmp:
        properties = {}
        if (
            args.broker_session_timeout_ms
        ):  # how soon the controller fences a broker that stopped heartbeating
            properties = {
                "broker.session.timeout.ms": str(args.broker_session_timeout_ms),
                "broker.heartbeat.interval.ms": str(max(args.broker_session_timeout_ms // 6, 100)),
            }
        cluster = EmbeddedCluster(Path(tmp), 3, heap="512m", properties=properties).start()
        try:
            with FakeSite(n_generated=args.articles) as site:
                settings = make_settings(
                    cluster.bootstrap_servers,
                    sources=[
                        {"kind": "sitemap", "url": site.url("/sitemaps/generated.xml.gz"), "interval_s": 3600}
                    ],
                    fetch={
                        "allowed_hosts": [site.host_port],
                        "per_host_delay_s": args.per_host_delay_s,
                        "per_host_concurrency": 1,
                        "retries": 1,
                    },
                    kafka={
                        "replication_factor": 3,
                        "partitions": 6,
                        "request_timeout_ms": args.request_timeout_ms,
                        "session_timeout_ms": 6000,
                    },
                    enrich={"batch_size": 8},
                )
                daemon = start_pipeline(settings, Path(tmp))
                started = time.monotonic()
                try:
                    async with CommitWatch(settings) as watch:
                        while len(watch.seen) < 10:
                            if daemon.popen.poll() is not None:
                                raise RuntimeError(f"newswire run exited: {daemon.log_tail()}")
                            await asyncio.sleep(0.2)
                        for n in range(args.kills):
                            kill = await kill_busiest_leader(cluster, settings, watch)
                            kills.append(kill)
                            print(f"kill {n + 1}: {kill}", file=sys.stderr)
                            await asyncio.sleep(args.down_s)
                            await asyncio.to_thread(cluster.brokers[kill.node].start)
                            await fully_replicated(settings)
                        while (
                            len(watch.urls()) < args.articles and time.monotonic() - started < args.timeout_s
                        ):
                            await asyncio.sleep(1)
                finally:
                    daemon.stop()
                generated = set(site.generated_urls())
                articles = Counter(
                    [
                        orjson.loads(d)["url"]
                        async for d in tail(settings, settings.topic("articles"), from_beginning=True)
                    ]
                )
                enriched = watch.urls()
        finally:
            cluster.stop()
    gaps = [k.seconds_without_progress for k in kills if k.seconds_without_progress is not None]
    return {
        "articles": args.articles,
        "kills": [asdict(k) for k in kills],
        "seconds_without_progress": {
            "median": round(statistics.median(gaps), 2) if gaps else None,
            "max": round(max(gaps), 2) if gaps else None,
            "no_progress_within_120s": len(kills) - len(gaps),
        },
        "articles_lost": len(generated - set(articles)),
        "articles_duplicated": sum(1 for c in articles.values() if c > 1),
        "enriched_lost": len(generated - set(enriched)),
        "enriched_duplicated": sum(1 for c in enriched.values() if c > 1),
        "settings": {
            "request_timeout_ms": args.request_timeout_ms,
            "session_timeout_ms": 6000,
            "down_s": args.down_s,
            "per_host_delay_s": args.per_host_delay_s,
            "broker_session_timeout_ms": args.broker_session_timeout_ms or 9000,
        },
        "machine": {"python": platform.python_version(), "cpus": len(__import__("os").sched_getaffinity(0))},
        "command": "bench/failover.py " + " ".join(sys.argv[1:]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--articles", type=int, default=900)
    parser.add_argument("--per-host-delay-s", type=float, default=0.2)
    parser.add_argument("--down-s", type=float, default=5.0)
    parser.add_argument("--request-timeout-ms", type=int, default=5000)
    parser.add_argument("--timeout-s", type=float, default=900)
    parser.add_argument(
        "--broker-session-timeout-ms",
        type=int,
        help="the brokers' broker.session.timeout.ms (Kafka's default: 9000)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "failover.json")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    lost_or_twice = (
        result["articles_lost"]
        + result["articles_duplicated"]
        + result["enriched_lost"]
        + result["enriched_duplicated"]
    )
    return 1 if lost_or_twice else 0


if __name__ == "__main__":
    sys.exit(main())
