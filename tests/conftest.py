"""Test fixtures shared by the whole suite.

One real Apache Kafka broker (KRaft, single node) is started per test session
on free loopback ports with a temporary data dir, and stopped at the end. Each
test that needs Kafka gets its own topic prefix and group ids (``settings``),
so tests never see each other's records.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from newswire.broker import BrokerSecurity, EmbeddedBroker, EmbeddedCluster
from newswire.bus import ensure_topics
from newswire.config import Settings, load_settings

pytest_plugins = ["tests.fakesite.fixtures"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_ARTICLE = SHARED / "fixtures" / "seed-article.txt"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """The session's real Kafka broker."""
    data_dir = tmp_path_factory.mktemp("kafka")
    with EmbeddedBroker(data_dir, heap="768m") as running:
        yield running


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker of the test's own, for tests that kill and restart it."""
    broker = EmbeddedBroker(tmp_path / "kafka", heap="512m").start()
    try:
        yield broker
    finally:
        broker.stop()


#: The SCRAM user of :func:`secure_broker`.
SCRAM_USER = ("newswire-test", "pa55-word-not-for-logs")


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """A broker whose only client listener is SASL_SSL (SCRAM-SHA-512/256, a throwaway CA), for the
    tests of one module: its JVM is not kept for the rest of the session."""
    security = BrokerSecurity(tls=True, scram=(SCRAM_USER,))
    with EmbeddedBroker(tmp_path_factory.mktemp("kafka-secure"), heap="512m", security=security) as running:
        yield running


@pytest.fixture(scope="module")
def mtls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """A broker whose client listener is SSL with client certificates required (mutual TLS)."""
    security = BrokerSecurity(tls=True)
    with EmbeddedBroker(tmp_path_factory.mktemp("kafka-mtls"), heap="512m", security=security) as running:
        yield running


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[EmbeddedCluster]:
    """Three KRaft brokers of the test's own (combined broker and controller each), for fault tests."""
    with EmbeddedCluster(tmp_path / "cluster", 3, heap="512m") as running:
        yield running


def make_settings(bootstrap: str, **sections: object) -> Settings:
    """Settings isolated to one test: a unique topic prefix and group ids, small partitions and timeouts."""
    tag = uuid.uuid4().hex[:10]
    base: dict[str, object] = {
        "kafka": {
            "bootstrap_servers": bootstrap,
            "topic_prefix": f"t{tag}.",
            "partitions": 2,
            "transaction_timeout_ms": 10_000,
            "session_timeout_ms": 6_000,
        },
        "ingest": {"group_id": f"ingest-{tag}"},
        "enrich": {"group_id": f"enrich-{tag}"},
        "observe": {"ingest_port": 0, "enrich_port": 0},
    }
    for section, values in sections.items():
        current = base.get(section)
        base[section] = (
            {**current, **values} if isinstance(current, dict) and isinstance(values, dict) else values
        )
    return load_settings(environ={}, overrides=base, default_file=False)


@pytest.fixture
def settings(broker: EmbeddedBroker) -> Settings:
    """Per-test settings pointing at the session broker."""
    return make_settings(broker.bootstrap_servers)


@pytest.fixture
async def topics(settings: Settings) -> AsyncIterator[Settings]:
    """Per-test settings whose topics already exist."""
    await ensure_topics(settings)
    yield settings
