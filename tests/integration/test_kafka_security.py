"""newswire against a secured Kafka: SASL_SSL with SCRAM-SHA-512 end to end, and the three
mistakes users make when connecting (wrong password, untrusted certificate, plaintext client on a
TLS port) each ending the command at once with one line that says what to fix.

The broker is the embedded one with ``--tls --scram`` (``secure_broker`` in ``tests/conftest.py``);
the daemons and commands run as the ``newswire`` CLI in subprocesses, configured by a TOML file.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import httpx
import orjson
import pytest

from newswire.broker import EmbeddedBroker, free_port
from newswire.bus.tail import tail
from newswire.config import Settings
from tests.conftest import SCRAM_USER, make_settings
from tests.fakesite import FakeSite
from tests.support.daemon_procs import Daemon, kafka_table, wait_for, write_config

pytestmark = pytest.mark.kafka

ARTICLES = 12
PASSWORD = SCRAM_USER[1]


def secured_settings(broker: EmbeddedBroker, **sections: Any) -> Settings:
    """Per-test settings for the secured broker (SCRAM-SHA-512 over TLS, the broker's own CA)."""
    return make_settings(broker.bootstrap_servers, kafka=broker.client_settings(), **sections)


async def ids(settings: Settings, topic: Literal["articles", "enriched"]) -> Counter[str]:
    counts: Counter[str] = Counter()
    async for value in tail(settings, settings.topic(topic), from_beginning=True, idle_ms=1500):
        doc = orjson.loads(value)
        counts[doc["article"]["url"] if topic == "enriched" else doc["url"]] += 1
    return counts


async def test_ingest_and_enrich_over_sasl_ssl_scram_sha_512_publish_each_article_once(
    secure_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    with FakeSite(n_generated=ARTICLES) as site:
        settings = secured_settings(secure_broker)
        assert settings.kafka.security_protocol == "SASL_SSL"
        assert settings.kafka.sasl_mechanism == "SCRAM-SHA-512"
        config = write_config(
            tmp_path / "newswire.toml",
            {
                "kafka": kafka_table(settings),
                "ingest": {"group_id": settings.ingest.group_id, "extract_workers": 1},
                "enrich": {"group_id": settings.enrich.group_id, "entities": False, "workers": 1},
                "fetch": {"allowed_hosts": [site.host_port], "per_host_delay_s": 0, "retries": 1},
            },
            [{"kind": "sitemap", "url": site.url("/sitemaps/generated.xml.gz"), "interval_s": 3600}],
        )
        daemon = Daemon.start("run", config, free_port(), tmp_path / "run.log")
        try:
            async with httpx.AsyncClient() as client:  # ready: connected, and the topics exist

                async def ready() -> bool | None:
                    assert daemon.popen.poll() is None, daemon.log_tail()
                    return await daemon.ready(client)

                await wait_for(ready, 60, "the daemons ready over SASL_SSL")

            async def all_enriched() -> bool:
                assert daemon.popen.poll() is None, daemon.log_tail()
                return len(await ids(settings, "enriched")) >= ARTICLES

            await wait_for(all_enriched, 120, "every article enriched over SASL_SSL")
            async with httpx.AsyncClient() as client:
                metrics = (await client.get(f"{daemon.base_url}/metrics", timeout=5)).text
        finally:
            assert daemon.stop() == 0, daemon.log_tail()
        articles, enriched = await ids(settings, "articles"), await ids(settings, "enriched")
    generated = set(site.generated_urls())
    assert set(articles) == generated and max(articles.values()) == 1
    assert set(enriched) == generated and max(enriched.values()) == 1
    log = daemon.log_path.read_text()
    assert "security_protocol=SASL_SSL" in log and f"sasl_username={SCRAM_USER[0]}" in log
    assert "sasl_password=***" in log  # the effective configuration, masked
    assert PASSWORD not in log
    assert PASSWORD not in metrics
    assert not [line for line in log.splitlines() if " ERROR " in line], log  # a clean start and stop


def run_cli(config: Path, *args: str) -> tuple[int, str, float]:
    """Run ``newswire --config config ARGS``; return its exit code, stderr and seconds taken."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "newswire.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stderr, time.monotonic() - started


def assert_one_clear_line(stderr: str, command: str, *needles: str) -> None:
    """The command's failure is one ``newswire COMMAND: ...`` line naming the fix, and nothing
    from aiokafka's retries or a traceback around it."""
    failures = [line for line in stderr.splitlines() if line.startswith(f"newswire {command}: ")]
    assert len(failures) == 1, stderr
    for needle in needles:
        assert needle in failures[0], failures[0]
    assert "Traceback" not in stderr, stderr
    assert "Unable connect" not in stderr and "Unable to bootstrap" not in stderr, stderr
    assert PASSWORD not in stderr


# A daemon gets up to a minute to say so: without the check it retried for minutes, or forever.
FAIL_FAST_S = 60


async def test_a_wrong_password_stops_the_daemon_with_one_line(
    secure_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = secured_settings(secure_broker)
    table = {**kafka_table(settings), "sasl_password": "not-the-password"}
    config = write_config(tmp_path / "newswire.toml", {"kafka": table, "enrich": {"entities": False}}, [])
    code, stderr, took = run_cli(config, "enrich", "--port", "0")
    assert code == 1, stderr
    assert_one_clear_line(stderr, "enrich", "refused", "kafka.sasl_password", SCRAM_USER[0])
    assert "not-the-password" not in stderr
    assert took < FAIL_FAST_S


async def test_an_untrusted_certificate_stops_a_command_with_one_line(
    secure_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = secured_settings(secure_broker)
    table = {k: v for k, v in kafka_table(settings).items() if k != "ssl_cafile"}  # the system's CAs
    config = write_config(tmp_path / "newswire.toml", {"kafka": table}, [])
    code, stderr, took = run_cli(config, "topics", "list")
    assert code == 1, stderr
    assert_one_clear_line(stderr, "topics", "not trusted", "kafka.ssl_cafile")
    assert took < FAIL_FAST_S


async def test_a_plaintext_client_on_the_tls_port_is_told_to_set_the_security_protocol(
    secure_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    keys = ("bootstrap_servers", "topic_prefix", "partitions")
    settings = secured_settings(secure_broker)
    table = {k: v for k, v in kafka_table(settings).items() if k in keys}
    config = write_config(tmp_path / "newswire.toml", {"kafka": table}, [])
    code, stderr, took = run_cli(config, "tail", "articles", "-n", "1")
    assert code == 1, stderr
    assert_one_clear_line(
        stderr,
        "tail",
        f"the broker at {secure_broker.bootstrap_servers} does not speak PLAINTEXT",
        "kafka.security_protocol",
    )
    assert took < FAIL_FAST_S


async def test_mutual_tls_with_the_client_certificate_creates_and_lists_topics(
    mtls_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(mtls_broker.bootstrap_servers, kafka=mtls_broker.client_settings())
    assert settings.kafka.security_protocol == "SSL" and settings.kafka.ssl_certfile is not None
    config = write_config(tmp_path / "newswire.toml", {"kafka": kafka_table(settings)}, [])
    code, stderr, _ = run_cli(config, "topics", "create")
    assert code == 0, stderr
    listed = subprocess.run(
        [sys.executable, "-m", "newswire.cli", "--config", str(config), "topics", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert settings.topic("articles") in listed and settings.topic("enriched") in listed


async def test_mutual_tls_without_a_client_certificate_says_which_keys_to_set(
    mtls_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(mtls_broker.bootstrap_servers, kafka=mtls_broker.client_settings())
    table = {k: v for k, v in kafka_table(settings).items() if k not in ("ssl_certfile", "ssl_keyfile")}
    config = write_config(tmp_path / "newswire.toml", {"kafka": table}, [])
    code, stderr, took = run_cli(config, "topics", "list")
    assert code == 1, stderr
    assert_one_clear_line(stderr, "topics", "client certificate", "kafka.ssl_certfile", "kafka.ssl_keyfile")
    assert took < FAIL_FAST_S


async def test_doctor_names_the_refused_password(secure_broker: EmbeddedBroker, tmp_path: Path) -> None:
    settings = secured_settings(secure_broker)
    table = {**kafka_table(settings), "sasl_password": "not-the-password"}
    config = write_config(tmp_path / "newswire.toml", {"kafka": table}, [])
    proc = subprocess.run(
        [sys.executable, "-m", "newswire.cli", "--config", str(config), "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    [kafka_line] = [line for line in proc.stdout.splitlines() if "kafka" in line and "refused" in line]
    assert "kafka.sasl_password" in kafka_line and "not-the-password" not in proc.stdout + proc.stderr
