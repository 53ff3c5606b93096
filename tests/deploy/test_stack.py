"""The deployment's commands against a running `newswire run`: the image's entrypoint and HEALTHCHECK
one-liner work outside the container, and a real Prometheus (Debian's binary) scraping the daemons
answers every query on the Grafana dashboard with data.

One `newswire run` subprocess (module scope) ingests a folder holding the seed article into the
session broker; a second article is dropped in once Prometheus scrapes, so rates are non-zero.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from newswire.broker import EmbeddedBroker, free_port
from tests.conftest import SEED_ARTICLE, make_settings
from tests.deploy._deploy import (
    DEPLOY,
    NO_PROMTOOL,
    dashboard_exprs,
    dockerfile_instructions,
    exec_form,
    grafana_to_promql,
    healthcheck_command,
    host_argv,
    tool,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(60)]

_LISTENING = re.compile(r"metrics and health on http://127\.0\.0\.1:(\d+)/metrics")


def wait_for(
    what: str,
    check: Callable[[], Any],
    timeout: float,
    proc: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` (and the log) on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            pytest.fail(f"process exited with {proc.returncode} while waiting for {what}:\n{tail}")
        if value := check():
            return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tail}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def clean_env() -> dict[str, str]:
    """This environment without newswire/Kafka settings (the config file must be what counts)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEWSWIRE_") and k != "KAFKA_BOOTSTRAP_SERVERS"
    }
    return {**env, "PYTHONUNBUFFERED": "1"}


@dataclass
class Daemon:
    port: int
    inbox: Path
    log: Path
    proc: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def daemon(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """`newswire run` (ingest + enrich in one process) on a free loopback port, ingesting a folder."""
    tmp = tmp_path_factory.mktemp("deploy-run")
    inbox = tmp / "inbox"
    inbox.mkdir()
    shutil.copy(SEED_ARTICLE, inbox / "seed-article.txt")
    s = make_settings(broker.bootstrap_servers)
    k = s.kafka
    config = tmp / "newswire.toml"
    config.write_text(
        f'[kafka]\nbootstrap_servers = "{k.bootstrap_servers}"\ntopic_prefix = "{k.topic_prefix}"\n'
        f"partitions = {k.partitions}\ntransaction_timeout_ms = {k.transaction_timeout_ms}\n"
        f"session_timeout_ms = {k.session_timeout_ms}\n"
        f'[ingest]\ngroup_id = "{s.ingest.group_id}"\nextract_workers = 1\n'
        f'[enrich]\ngroup_id = "{s.enrich.group_id}"\nbatch_size = 8\n'
        '[observe]\nhttp_host = "127.0.0.1"\ningest_port = 0\nlog_format = "json"\n'
        f'[[sources]]\nname = "deploy-test"\nkind = "files"\npath = "{inbox}"\ninterval_s = 1\n'
    )
    log = tmp / "newswire.log"
    cli = [*host_argv(["newswire"]), "--config", str(config), "run"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cli, stdout=out, stderr=subprocess.STDOUT, cwd=tmp, env=clean_env())
    try:

        def listening() -> int | None:
            m = _LISTENING.search(log.read_text(errors="replace"))
            return int(m.group(1)) if m else None

        port = wait_for("the metrics endpoint", listening, 40, proc, log)
        yield Daemon(port=port, inbox=inbox, log=log, proc=proc)
    finally:
        stop(proc)


# ------------------------------------------------------------------ the image's commands, here


def test_entrypoint_and_default_command_run() -> None:
    instr = dockerfile_instructions()
    entrypoint = exec_form(next(a for i, a in instr if i == "ENTRYPOINT"))
    command = exec_form(next(a for i, a in instr if i == "CMD"))
    argv = host_argv(entrypoint)
    result = subprocess.run(
        [*argv, "--help"], check=False, capture_output=True, text=True, timeout=30, env=clean_env()
    )
    assert result.returncode == 0, result.stderr
    assert "ingest" in result.stdout and "enrich" in result.stdout
    result = subprocess.run(
        [*argv, *command, "--help"], check=False, capture_output=True, text=True, timeout=30, env=clean_env()
    )
    assert result.returncode == 0, result.stderr
    assert "--max-events" in result.stdout


def test_healthcheck_one_liner_against_the_running_daemon(daemon: Daemon) -> None:
    argv = host_argv(healthcheck_command())
    assert argv[0] == sys.executable  # a plain python, no curl
    ok = subprocess.run(
        argv,
        check=False,
        env={**clean_env(), "HEALTHCHECK_PORT": str(daemon.port)},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert ok.returncode == 0, ok.stderr
    # Nothing listening: the probe must fail, not pass.
    down = subprocess.run(
        argv,
        check=False,
        env={**clean_env(), "HEALTHCHECK_PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert down.returncode != 0


# ------------------------------------------------------------------ Prometheus and the dashboard


@pytest.fixture
def prometheus(daemon: Daemon, tmp_path: Path) -> Iterator[httpx.Client]:
    binary = tool("prometheus")
    if binary is None or tool("promtool") is None:
        pytest.skip(NO_PROMTOOL)
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {DEPLOY / 'prometheus' / 'alerts.yml'}\n"
        f"  - {DEPLOY / 'prometheus' / 'recording.yml'}\n"
        "scrape_configs:\n  - job_name: newswire-run\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{daemon.port}']\n"
    )
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5)
    try:

        def ready() -> bool:
            try:
                return client.get("/-/ready").status_code == 200
            except httpx.TransportError:
                return False

        wait_for("Prometheus to be ready", ready, 20, proc, log)
        yield client
    finally:
        client.close()
        stop(proc)


def query(client: httpx.Client, promql: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/query", params={"query": promql})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", f"{promql}: {body}"
    assert body["data"]["resultType"] == "vector", promql
    return list(body["data"]["result"])


def scalar(client: httpx.Client, promql: str) -> float:
    result = query(client, promql)
    return float(result[0]["value"][1]) if result else 0.0


def test_prometheus_answers_every_dashboard_query(daemon: Daemon, prometheus: httpx.Client) -> None:
    published = "sum(newswire_articles_published_total)"
    enriched = "sum(newswire_enrich_events_out_total)"
    wait_for(
        "Prometheus to see the seed article published and enriched",
        lambda: scalar(prometheus, published) >= 1 and scalar(prometheus, enriched) >= 1,
        40,
        daemon.proc,
        daemon.log,
    )
    # A second article after Prometheus has the first: counters move between scrapes, so rates,
    # ratios and latency quantiles have real values rather than 0/0.
    second = SEED_ARTICLE.read_text("utf-8").replace(
        "Baltics in new NATO demand", "Baltics repeat NATO demand"
    )
    (daemon.inbox / "second-article.txt").write_text(
        second + "\n\nA paragraph only the second article has.\n"
    )
    wait_for(
        "the second article published and enriched",
        lambda: scalar(prometheus, published) >= 2 and scalar(prometheus, enriched) >= 2,
        40,
        daemon.proc,
        daemon.log,
    )

    assert scalar(prometheus, 'sum(up{job="newswire-run"})') == 1
    assert {r["metric"]["daemon"]: r["value"][1] for r in query(prometheus, "newswire_ready")} == {
        "ingest": "1",
        "enrich": "1",
    }
    rules = prometheus.get("/api/v1/rules").json()["data"]["groups"]
    loaded = sum(len(g["rules"]) for g in rules)
    assert loaded == 9 + 4, "Prometheus did not load deploy/prometheus/alerts.yml and recording.yml"

    exprs = dashboard_exprs()
    assert len(exprs) >= 20
    empty, nan_only = [], []
    for title, expr in exprs:
        result = query(prometheus, grafana_to_promql(expr))
        if not result:
            empty.append(f"{title}: {expr}")
        elif not any(math.isfinite(float(r["value"][1])) for r in result):
            nan_only.append(f"{title}: {expr}")
    assert not empty, "dashboard queries with no data:\n" + "\n".join(empty)
    assert not nan_only, "dashboard queries with only NaN:\n" + "\n".join(nan_only)
