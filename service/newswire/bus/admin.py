"""Create, list and describe newswire's topics (``newswire topics``; daemons call ensure_topics on start)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TransactionalIdAuthorizationFailed,
)
from aiokafka.protocol.offset import OffsetRequest

from newswire.bus._errors import translate
from newswire.bus.clients import client_kwargs
from newswire.bus.topics import TopicSpec, topic_specs
from newswire.config import Settings
from newswire.errors import BusError

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36


def _admin(settings: Settings) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        **client_kwargs(settings, role="admin"), request_timeout_ms=settings.kafka.request_timeout_ms
    )


async def _with_admin(settings: Settings, action: str, timeout_s: float = 30.0) -> AIOKafkaAdminClient:
    admin = _admin(settings)
    with translate(action, settings.kafka.bootstrap_servers):
        try:
            await asyncio.wait_for(admin.start(), timeout_s)
        except TimeoutError:
            await admin.close()
            raise BusError(
                f"{action}: no answer from Kafka at {settings.kafka.bootstrap_servers} within "
                f"{timeout_s:.0f}s. Is the broker running?"
            ) from None
        except BaseException:
            with contextlib.suppress(Exception):
                await admin.close()
            raise
    return admin


async def list_topics(settings: Settings) -> list[str]:
    """Names of every topic on the cluster."""
    admin = await _with_admin(settings, "listing topics")
    try:
        with translate("listing topics"):
            return sorted(await admin.list_topics())
    finally:
        await admin.close()


async def ensure_topics(settings: Settings, specs: list[TopicSpec] | None = None) -> list[str]:
    """Create whichever of newswire's topics are missing, wait until Kafka can serve them
    (see :func:`_wait_until_serving`); return the names created."""
    specs = specs if specs is not None else topic_specs(settings)
    admin = await _with_admin(settings, "creating topics")
    try:
        with translate("creating topics"):
            existing = set(await admin.list_topics())
            missing = [s for s in specs if s.name not in existing]
            response = (
                await admin.create_topics(
                    [
                        NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.configs)
                        for s in missing
                    ]
                )
                if missing
                else None
            )
        for name, code, *rest in response.topic_errors if response else ():
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                message = rest[0] if rest else ""
                raise BusError(f"creating topic {name} failed: error {code} {message}")
        created = [s.name for s in missing]
        if created:
            log.info("created topics %s", ", ".join(created))
        await _wait_until_serving(admin, [s.name for s in specs], settings.kafka.client_id)
        return created
    finally:
        await admin.close()


_INTERNAL_TOPICS = ("__consumer_offsets", "__transaction_state")


async def _wait_until_serving(
    admin: AIOKafkaAdminClient, topics: list[str], probe_id: str, timeout_s: float = 30.0
) -> None:
    """Return once every partition of ``topics`` has a leader and Kafka finds group and
    transaction coordinators.

    A broker answers before it can serve: right after its start or a topic's creation, partitions
    have no leader yet, and the first FindCoordinator request creates ``__consumer_offsets`` and
    ``__transaction_state``. Clients started in that window retry, but log each refusal as an
    ERROR or WARNING (``GroupCoordinatorNotAvailableError``, ``NotLeaderForPartitionError``), which
    on a healthy start only teaches users to ignore errors. On a cluster that is up this costs
    three round trips. Past ``timeout_s`` it gives up quietly: the clients' own retries take over.
    """
    deadline = asyncio.get_running_loop().time() + timeout_s
    waiting = "partition leaders"
    while asyncio.get_running_loop().time() < deadline:
        try:
            for kind in (0, 1):  # group coordinator, transaction coordinator
                waiting = ("group", "transaction")[kind] + " coordinator"
                await _find_coordinator(admin, f"{probe_id}-readiness-probe", kind)
            waiting = "partition leaders"
            described = await admin.describe_topics([*topics, *_INTERNAL_TOPICS])
            if all(_served(t) for t in described) and await _leaders_answer(admin, described, topics):
                return
        except KafkaError as exc:
            if isinstance(exc, KafkaConnectionError):
                raise BusError(f"waiting for Kafka to serve newswire's topics: {exc}") from exc
        await asyncio.sleep(0.2)
    log.info("Kafka still has no %s after %.0fs; the clients will keep retrying", waiting, timeout_s)


async def _leaders_answer(
    admin: AIOKafkaAdminClient, described: list[dict[str, Any]], topics: list[str]
) -> bool:
    """Whether each partition's leader answers a ListOffsets request for it, as a consumer's first
    request does: the metadata names a new partition's leader a moment before that broker serves it
    (NotLeaderForPartition). aiokafka's admin client has no ListOffsets call, so this sends the
    protocol request itself, to each leader."""
    by_leader: dict[int, dict[str, list[tuple[int, int]]]] = {}
    for topic in described:
        if topic["topic"] in topics:
            for p in topic["partitions"]:
                by_leader.setdefault(p["leader"], {}).setdefault(topic["topic"], []).append(
                    (p["partition"], -1)
                )
    for leader, wanted in by_leader.items():
        response = await admin._send_request_to_node(leader, OffsetRequest(-1, 0, list(wanted.items())))
        if any(error for _, parts in response.topics for _, error, *_ in parts):
            return False
    return True


async def _find_coordinator(admin: AIOKafkaAdminClient, key: str, kind: int) -> None:
    """Ask for a coordinator; a cluster whose ACLs refuse the probe's id has answered, so that
    counts as ready (the daemons' own ids are what the ACLs are for)."""
    try:
        await admin.find_coordinator(key, kind)
    except (GroupAuthorizationFailedError, TransactionalIdAuthorizationFailed):
        return


_TOPIC_AUTHORIZATION_FAILED = 29


def _served(topic: dict[str, Any]) -> bool:
    """Whether a topic of a metadata answer exists and every partition has a leader (a topic this
    client may not describe, such as an internal one under ACLs, is taken as served)."""
    if topic.get("error_code") == _TOPIC_AUTHORIZATION_FAILED:
        return True
    partitions = topic.get("partitions") or []
    return (
        not topic.get("error_code")
        and bool(partitions)
        and all(not p.get("error_code") and p.get("leader", -1) >= 0 for p in partitions)
    )


async def describe_topics(settings: Settings, names: list[str] | None = None) -> list[dict[str, Any]]:
    """Partitions and configuration of newswire's topics (or of ``names``)."""
    names = names or [s.name for s in topic_specs(settings)]
    admin = await _with_admin(settings, "describing topics")
    try:
        with translate("describing topics"):
            meta = {t["topic"]: t for t in await admin.describe_topics(names)}
            configs = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
            )
        settings_by_topic: dict[str, dict[str, str]] = {}
        for response in configs:
            for resource in response.to_object()["resources"]:
                settings_by_topic[resource["resource_name"]] = {
                    e["config_names"]: e["config_value"] for e in resource["config_entries"]
                }
        out: list[dict[str, Any]] = []
        for name in names:
            topic = meta.get(name)
            if topic is None or topic.get("error_code"):
                out.append({"topic": name, "exists": False})
                continue
            out.append(
                {
                    "topic": name,
                    "exists": True,
                    "partitions": len(topic["partitions"]),
                    "configs": {
                        k: v
                        for k, v in settings_by_topic.get(name, {}).items()
                        if k
                        in (
                            "cleanup.policy",
                            "retention.ms",
                            "compression.type",
                            "max.message.bytes",
                            "min.insync.replicas",
                        )
                    },
                }
            )
        return out
    finally:
        await admin.close()


async def missing_topics(settings: Settings) -> list[str]:
    """Which of newswire's topics do not exist (empty when all are there)."""
    present = set(await list_topics(settings))
    return [s.name for s in topic_specs(settings) if s.name not in present]


async def limit_mismatches(settings: Settings, described: list[dict[str, Any]] | None = None) -> list[str]:
    """Where existing topics disagree with the settings on what newswire relies on, one line each.

    Checked: ``max.message.bytes`` against ``kafka.max_message_bytes`` (a smaller topic
    limit makes the broker refuse records newswire thinks fit; a larger one lets other
    producers write records newswire dead-letters as ``too_large``), the cleanup policy,
    and ``urls`` and ``fetch-state`` having as many partitions as each other. Pass the
    output of :func:`describe_topics` to avoid asking the broker twice.
    """
    described = described if described is not None else await describe_topics(settings)
    by_name = {doc["topic"]: doc for doc in described if doc.get("exists")}
    limit = settings.kafka.max_message_bytes
    problems: list[str] = []
    for spec in topic_specs(settings):
        doc = by_name.get(spec.name)
        if doc is None:
            continue
        configs: dict[str, str] = doc.get("configs", {})
        actual = configs.get("max.message.bytes")
        if actual is not None and actual.isdigit() and int(actual) != limit:
            if int(actual) < limit:
                effect = "the broker refuses records newswire writes up to kafka.max_message_bytes"
            else:
                effect = "records that large from other producers are dead-lettered as too_large"
            problems.append(
                f"{spec.name}: max.message.bytes is {actual} but kafka.max_message_bytes is {limit}; "
                f"{effect}. Set the topic's max.message.bytes to {limit} (kafka-configs --alter), "
                "or change kafka.max_message_bytes"
            )
        policy = configs.get("cleanup.policy")
        if policy is not None and policy != spec.configs["cleanup.policy"]:
            problems.append(
                f"{spec.name}: cleanup.policy is {policy}, newswire needs {spec.configs['cleanup.policy']}"
            )
    urls, state = by_name.get(settings.topic("urls")), by_name.get(settings.topic("fetch-state"))
    if urls is not None and state is not None and urls["partitions"] != state["partitions"]:
        problems.append(
            f"{settings.topic('urls')} has {urls['partitions']} partitions and "
            f"{settings.topic('fetch-state')} {state['partitions']}; they must be equal "
            "(the fetch state of urls partition p lives in partition p)"
        )
    return problems


async def warn_about_mismatches(settings: Settings) -> list[str]:
    """Log each of :func:`limit_mismatches` at WARNING (the daemons do this at start)."""
    problems = await limit_mismatches(settings)
    for problem in problems:
        log.warning("topic settings disagree: %s", problem)
    return problems


async def cluster_info(settings: Settings, timeout_s: float = 10.0) -> dict[str, Any]:
    """The cluster id and broker count, or a :class:`BusError` saying why Kafka did not answer."""
    admin = await _with_admin(settings, "connecting to Kafka", timeout_s)
    try:
        with translate("describing the cluster", settings.kafka.bootstrap_servers):
            cluster = await asyncio.wait_for(admin.describe_cluster(), timeout_s)
        return {"cluster_id": cluster.get("cluster_id"), "brokers": len(cluster.get("brokers") or [])}
    except TimeoutError:
        raise BusError(f"Kafka at {settings.kafka.bootstrap_servers} did not describe its cluster") from None
    finally:
        await admin.close()
