"""Create, list and describe newswire's topics (``newswire topics``; daemons call ensure_topics on start)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from newswire.bus._errors import translate
from newswire.bus.topics import TopicSpec, topic_specs
from newswire.config import Settings
from newswire.errors import BusError

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36


def _admin(settings: Settings) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        client_id=f"{settings.kafka.client_id}-admin",
        request_timeout_ms=settings.kafka.request_timeout_ms,
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
    """Create whichever of newswire's topics are missing; return the names created."""
    specs = specs if specs is not None else topic_specs(settings)
    admin = await _with_admin(settings, "creating topics")
    try:
        with translate("creating topics"):
            existing = set(await admin.list_topics())
            missing = [s for s in specs if s.name not in existing]
            if not missing:
                return []
            response = await admin.create_topics(
                [
                    NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.configs)
                    for s in missing
                ]
            )
        for name, code, *rest in response.topic_errors:
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                message = rest[0] if rest else ""
                raise BusError(f"creating topic {name} failed: error {code} {message}")
        created = [s.name for s in missing]
        log.info("created topics %s", ", ".join(created))
        return created
    finally:
        await admin.close()


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
                        if k in ("cleanup.policy", "retention.ms", "compression.type", "max.message.bytes")
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
