"""``newswire doctor``: check that this machine and configuration can run newswire.

One line per check, ``ok`` or ``FAIL`` (``skip`` when an earlier failure makes a check
meaningless), and for each failure what to do about it. The exit code is 1 when any check
failed, so scripts and CI can gate on it. The checks, in order:

* ``config``: the configuration file and environment validate (a failure stops here);
* ``sources``: local folders exist, and loopback or private URLs are let through the fetcher's
  address guard (``fetch.allowed_hosts``), since a source that can never be read idles silently;
* ``kafka``: the bootstrap servers answer (connection, and authentication where configured);
* ``topics``: every topic exists with the partitions and settings newswire expects;
* ``java`` and ``kafka jars``: what the embedded broker (``make run``, the tests) needs;
* ``ner model``: the spaCy model of ``enrich.model`` loads and has an entity recogniser;
* ``data dir``: the embedded broker's ``broker.data_dir`` can be created and written.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from newswire.config import DEFAULT_CONFIG_FILE, Settings
from newswire.errors import NewswireError

Status = Literal["ok", "FAIL", "skip"]
_MIN_JAVA = 17


@dataclasses.dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome; ``fix`` says what to do when it failed."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name:<10}  {self.detail}"
        return f"{text}\n{'':16}-> {self.fix}" if self.fix and self.status == "FAIL" else text


def _ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def _fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, "FAIL", detail, fix)


def config_failure(error: NewswireError, config_file: str | None) -> Check:
    """The ``config`` line for a configuration that does not validate."""
    return _fail(
        "config",
        str(error),
        f"fix that key in {config_file or DEFAULT_CONFIG_FILE} or in its NEWSWIRE_<SECTION>__<KEY> "
        "environment variable (see the README's Configuration section)",
    )


def check_config(settings: Settings, config_file: str | None) -> Check:
    where = config_file or (DEFAULT_CONFIG_FILE if Path(DEFAULT_CONFIG_FILE).is_file() else "defaults")
    return _ok(
        "config",
        f"{where} is valid; {len(settings.sources)} source(s), topic prefix {settings.kafka.topic_prefix!r}",
    )


def _loopback_or_private(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: the guard checks what it resolves to at fetch time
    return address.is_loopback or address.is_private or address.is_link_local


def check_sources(settings: Settings, config_file: str | None = None) -> Check:
    where = config_file or DEFAULT_CONFIG_FILE
    if not settings.sources:
        return _fail("sources", "no [[sources]] configured", f"add a feed or sitemap to {where}")
    problems = []
    fetch = settings.fetch
    for src in settings.sources:
        label = src.label
        if src.kind == "files" and src.path and not Path(src.path).exists():
            problems.append(f"{label}: folder {src.path} does not exist")
        if src.url and not fetch.allow_private_networks:
            parts = urlsplit(src.url)
            host = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
            allowed = {h.lower() for h in fetch.allowed_hosts}
            if _loopback_or_private(host) and not {host, f"{host}:{port}"} & allowed:
                problems.append(f"{label}: {host}:{port} is refused by the address guard")
    if problems:
        return _fail(
            "sources",
            "; ".join(problems),
            f"fix the source's path or url in {where}; list a loopback or private host:port you "
            "trust in fetch.allowed_hosts",
        )
    return _ok("sources", ", ".join(src.label for src in settings.sources))


async def check_kafka(settings: Settings) -> Check:
    from newswire.bus import cluster_info
    from newswire.bus.preflight import check_connection

    servers = settings.kafka.bootstrap_servers
    try:
        await check_connection(settings)  # a refused security setting names its key
        info = await cluster_info(settings)
    except NewswireError as exc:
        auth = re.search(r"auth|sasl|ssl", str(exc), re.IGNORECASE)
        fix = (
            "check the credentials and security settings your cluster expects"
            if auth
            else "start Kafka (`make run` starts a local one, or `newswire broker`), or point "
            "KAFKA_BOOTSTRAP_SERVERS / kafka.bootstrap_servers at yours"
        )
        return _fail("kafka", f"{servers}: {exc}", fix)
    return _ok("kafka", f"{servers} answers: {info['brokers']} broker(s), cluster {info['cluster_id']}")


async def check_topics(settings: Settings) -> Check:
    from newswire.bus import describe_topics, topic_specs

    specs = {s.name: s for s in topic_specs(settings)}
    missing, different = [], []
    for doc in await describe_topics(settings, list(specs)):
        spec = specs[doc["topic"]]
        if not doc["exists"]:
            missing.append(spec.name)
            continue
        if doc["partitions"] != spec.partitions:
            different.append(f"{spec.name} has {doc['partitions']} partitions, config says {spec.partitions}")
        for key, value in doc["configs"].items():
            if key in spec.configs and spec.configs[key] != value:
                different.append(f"{spec.name} {key}={value}, expected {spec.configs[key]}")
    if missing:
        return _fail(
            "topics",
            f"{len(missing)} of {len(specs)} missing: {', '.join(missing)}",
            "run `newswire topics create` (the daemons also create them when they start)",
        )
    if different:
        return _fail(
            "topics",
            "; ".join(different),
            "alter the topic (kafka-configs.sh, kafka-topics.sh) or kafka.* in newswire.toml to match",
        )
    return _ok("topics", f"all {len(specs)} exist with the expected partitions and settings")


def check_java() -> Check:
    fix = "install Java 17+ (Debian: apt-get install openjdk-17-jre-headless); the embedded broker needs it"
    java = shutil.which("java")
    if java is None:
        return _fail("java", "java is not on PATH", fix)
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False, timeout=30)
    found = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if found is None:
        return _fail("java", f"cannot tell the version of {java}", fix)
    major = int(found.group(2) if found.group(1) == "1" and found.group(2) else found.group(1))
    if major < _MIN_JAVA:
        return _fail("java", f"{java} is Java {major}", fix)
    return _ok("java", f"{java} is Java {major}")


def check_jars(settings: Settings) -> Check:
    from newswire.broker import resolved_jars

    version = settings.broker.kafka_version
    libs = resolved_jars(version, settings.broker.libs_dir)
    if libs is None:
        mvn = "" if shutil.which("mvn") else " (and Maven is not on PATH: apt-get install maven)"
        return _fail(
            "kafka jars",
            f"Apache Kafka {version} jars are not resolved yet{mvn}",
            "run `make install` (or `python -m newswire.broker`) with access to Maven Central; only the "
            "embedded broker needs them",
        )
    return _ok("kafka jars", f"Apache Kafka {version} in {libs}")


def check_model(settings: Settings) -> Check:
    if not settings.enrich.entities:
        return Check("ner model", "skip", "enrich.entities = false")
    from newswire.enrich._pipeline import load_ner

    model = settings.enrich.model
    try:
        load_ner(model)
    except NewswireError as exc:
        return _fail(
            "ner model",
            str(exc),
            f"install the model's package into this environment (`make install` does), or set "
            f"enrich.model to an installed spaCy model; enrich.entities = false skips entities ({model})",
        )
    return _ok("ner model", f"{model} loads with an entity recogniser")


def check_data_dir(settings: Settings) -> Check:
    folder = Path(settings.broker.data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return _fail(
            "data dir",
            f"{folder}: {exc.strerror or exc}",
            "set broker.data_dir (or NEWSWIRE_BROKER__DATA_DIR) to a folder this user can write",
        )
    return _ok("data dir", f"{folder.resolve()} is writable")


async def run_checks(settings: Settings, config_file: str | None, emit: Callable[[str], None]) -> int:
    """Run every check, emitting each line as it completes; 1 if any failed, else 0."""
    # The kafka check reports a refused connection itself; aiokafka's own ERROR lines about it
    # would only repeat it, in a form that reads like a crash.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    checks: list[Check] = []

    def add(check: Check) -> None:
        checks.append(check)
        emit(check.line())

    add(check_config(settings, config_file))
    add(check_sources(settings, config_file))
    kafka = await check_kafka(settings)
    add(kafka)
    add(
        await check_topics(settings)
        if kafka.status == "ok"
        else Check("topics", "skip", "Kafka did not answer")
    )
    add(await asyncio.to_thread(check_java))
    add(await asyncio.to_thread(check_jars, settings))
    add(await asyncio.to_thread(check_model, settings))
    add(await asyncio.to_thread(check_data_dir, settings))
    failed = [c.name for c in checks if c.status == "FAIL"]
    emit(
        f"{len(failed)} of {len(checks)} checks failed: {', '.join(failed)}"
        if failed
        else "all checks passed"
    )
    return 1 if failed else 0
