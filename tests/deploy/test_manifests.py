"""deploy/ as files: everything parses, compose and Kubernetes references resolve, probes point at
/healthz and /readyz, configs validate as newswire settings, and every metric named exists."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

import newswire.observe.metrics  # noqa: F401  (registers every metric)
from newswire.config import load_settings
from tests.deploy._deploy import (
    DASHBOARD,
    DEPLOY,
    dashboard_exprs,
    dockerfile_instructions,
    exec_form,
    load_yaml,
)

pytestmark = pytest.mark.timeout(60)

COMPOSE_DIR = DEPLOY / "compose"
K8S = DEPLOY / "kubernetes"
YAML_FILES = sorted([*DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml")])
JSON_FILES = sorted(DEPLOY.rglob("*.json"))


def test_deploy_has_every_piece() -> None:
    for rel in (
        "Dockerfile",
        "install-test-tools.sh",
        "compose/docker-compose.yml",
        "prometheus/prometheus.yml",
        "prometheus/alerts.yml",
        "prometheus/alerts.test.yml",
        "prometheus/recording.yml",
        "prometheus/recording.test.yml",
        "grafana/dashboards/newswire.json",
        "kubernetes/README.md",
        "systemd/newswire-ingest.service",
        "systemd/newswire-enrich.service",
        "systemd/newswire.env.example",
    ):
        assert (DEPLOY / rel).is_file(), rel
    assert (DEPLOY / "grafana/provisioning/datasources").glob("*.yml")
    assert len(YAML_FILES) >= 12 and JSON_FILES


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_yaml_parses(path: Path) -> None:
    assert load_yaml(path), f"{path} is empty"


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_json_parses(path: Path) -> None:
    assert json.loads(path.read_text("utf-8"))


# ------------------------------------------------------------------ compose


def compose() -> dict[str, Any]:
    [doc] = load_yaml(COMPOSE_DIR / "docker-compose.yml")
    return doc


def test_compose_references_resolve() -> None:
    doc = compose()
    services, volumes = doc["services"], doc.get("volumes") or {}
    assert {"kafka", "ingest", "enrich", "prometheus", "grafana"} <= set(services)
    for name, svc in services.items():
        depends = svc.get("depends_on") or []
        for dep in depends if isinstance(depends, list) else depends.keys():
            assert dep in services, f"{name} depends on unknown service {dep}"
        for mount in svc.get("volumes") or []:
            source = mount.split(":")[0]
            if source.startswith((".", "/")):
                assert (COMPOSE_DIR / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in volumes, f"{name} uses undeclared volume {source}"
        if build := svc.get("build"):
            context = COMPOSE_DIR / build["context"]
            assert (context / build["dockerfile"]).resolve() == (DEPLOY / "Dockerfile").resolve()
            assert (context / "pyproject.toml").is_file()
    for declared in volumes:
        assert any(m.split(":")[0] == declared for s in services.values() for m in s.get("volumes") or []), (
            f"volume {declared} is declared but unused"
        )


def test_compose_kafka_is_official_kraft_single_node() -> None:
    kafka = compose()["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == 1  # newswire uses transactions
    assert "healthcheck" in kafka


def test_compose_daemons_bind_all_interfaces_and_match_prometheus_targets() -> None:
    doc = compose()
    config = load_settings(COMPOSE_DIR / "newswire.toml", environ={}, default_file=False)
    ports = {"ingest": config.observe.ingest_port, "enrich": config.observe.enrich_port}
    [prom] = load_yaml(DEPLOY / "prometheus" / "prometheus.yml")
    targets = {t for job in prom["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    for name, port in ports.items():
        svc = doc["services"][name]
        env = svc["environment"]
        assert env["NEWSWIRE_OBSERVE__HTTP_HOST"] == "0.0.0.0"
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env[f"NEWSWIRE_{name.upper()}__INSTANCE_ID"]
        assert int(env["HEALTHCHECK_PORT"]) == port
        assert svc["command"][-1] == name and "/etc/newswire/newswire.toml" in svc["command"]
        assert f"{name}:{port}" in targets
        # The settings the container really gets: file + environment.
        s = load_settings(COMPOSE_DIR / "newswire.toml", environ={k: str(v) for k, v in env.items()})
        assert s.observe.http_host == "0.0.0.0" and s.kafka.bootstrap_servers == "kafka:9092"


def test_compose_mounts_prometheus_rules_and_grafana_provisioning() -> None:
    services = compose()["services"]
    prom_mounts = " ".join(services["prometheus"]["volumes"])
    assert "../prometheus/alerts.yml:/etc/prometheus/alerts.yml" in prom_mounts
    [prom] = load_yaml(DEPLOY / "prometheus" / "prometheus.yml")
    assert "../prometheus/recording.yml:/etc/prometheus/recording.yml" in prom_mounts
    assert prom["rule_files"] == ["alerts.yml", "recording.yml"]  # resolved beside prometheus.yml
    graf = " ".join(services["grafana"]["volumes"])
    [provider] = load_yaml(DEPLOY / "grafana/provisioning/dashboards/newswire.yml")
    assert f"../grafana/dashboards:{provider['providers'][0]['options']['path']}" in graf
    [datasources] = load_yaml(DEPLOY / "grafana/provisioning/datasources/prometheus.yml")
    assert datasources["datasources"][0]["url"] == "http://prometheus:9090"


# ------------------------------------------------------------------ Dockerfile


def test_dockerfile_is_slim_python_nonroot_without_java() -> None:
    instr = dockerfile_instructions()
    froms = [a for i, a in instr if i == "FROM"]
    assert froms and all(a.split()[0].startswith("python:3.11-slim") for a in froms)
    assert not re.search(r"\b(openjdk|default-jre|jdk|java)\b", " ".join(a.lower() for _, a in instr))
    assert "curl" not in " ".join(a for i, a in instr if i in ("RUN", "HEALTHCHECK"))
    [user] = [a for i, a in instr if i == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    envs = " ".join(a for i, a in instr if i == "ENV")
    assert "NEWSWIRE_OBSERVE__HTTP_HOST=0.0.0.0" in envs
    assert exec_form(next(a for i, a in instr if i == "ENTRYPOINT")) == ["newswire"]
    [health] = [a for i, a in instr if i == "HEALTHCHECK"]
    assert "/healthz" in health and "python" in health


# ------------------------------------------------------------------ Kubernetes


def k8s_objects() -> list[dict[str, Any]]:
    return [
        doc
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in load_yaml(path)
    ]


def test_kustomization_lists_every_manifest() -> None:
    [kust] = load_yaml(K8S / "kustomization.yaml")
    assert sorted(kust["resources"]) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )


def test_k8s_deployments_probe_healthz_and_readyz_with_limits_and_pod_name_ids() -> None:
    objs = k8s_objects()
    deployments = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Deployment"}
    assert set(deployments) == {"newswire-ingest", "newswire-enrich"}
    for name, dep in deployments.items():
        daemon = name.removeprefix("newswire-")
        spec = dep["spec"]["template"]["spec"]
        assert (
            dep["spec"]["selector"]["matchLabels"].items()
            <= dep["spec"]["template"]["metadata"]["labels"].items()
        )
        [container] = spec["containers"]
        assert container["args"][-1] == daemon
        port_names = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        for probe in ("livenessProbe", "readinessProbe"):
            port = container[probe]["httpGet"]["port"]
            assert port in port_names or port in port_names.values()
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(
            resources["limits"]
        )
        env = {e["name"]: e for e in container["env"]}
        assert env["KAFKA_BOOTSTRAP_SERVERS"]["value"]
        assert (
            env[f"NEWSWIRE_{daemon.upper()}__INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"]
            == "metadata.name"
        )
        assert env["NEWSWIRE_OBSERVE__HTTP_HOST"]["value"] == "0.0.0.0"
        assert spec["securityContext"]["runAsNonRoot"] is True
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert set(mounts.values()) <= set(volumes)
        assert volumes[mounts["/etc/newswire"]]["configMap"]["name"] == "newswire-config"
        assert "/etc/newswire/newswire.toml" in container["args"]


def test_k8s_configmap_is_valid_newswire_config_and_ports_match(tmp_path: Path) -> None:
    objs = k8s_objects()
    [cm] = [o for o in objs if o["kind"] == "ConfigMap"]
    tomllib.loads(cm["data"]["newswire.toml"])
    path = tmp_path / "newswire.toml"
    path.write_text(cm["data"]["newswire.toml"])
    settings = load_settings(path, environ={}, default_file=False)
    deployments = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Deployment"}
    for daemon, port in (("ingest", settings.observe.ingest_port), ("enrich", settings.observe.enrich_port)):
        [container] = deployments[f"newswire-{daemon}"]["spec"]["template"]["spec"]["containers"]
        assert [p["containerPort"] for p in container["ports"]] == [port]


def test_k8s_services_select_pods_and_named_ports() -> None:
    objs = k8s_objects()
    namespaces = {o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"}
    assert all(o["metadata"].get("namespace") in namespaces for o in objs if o["kind"] != "Namespace")
    pods = [o["spec"]["template"] for o in objs if o["kind"] == "Deployment"]
    services = [o for o in objs if o["kind"] == "Service"]
    assert len(services) == 2
    for svc in services:
        matching = [p for p in pods if svc["spec"]["selector"].items() <= p["metadata"]["labels"].items()]
        assert len(matching) == 1, svc["metadata"]["name"]
        names = {p["name"] for c in matching[0]["spec"]["containers"] for p in c["ports"]}
        assert all(p["targetPort"] in names for p in svc["spec"]["ports"])


def test_k8s_readme_explains_scaling_to_partition_counts() -> None:
    text = (K8S / "README.md").read_text()
    assert "articles" in text and "urls" in text and "partition" in text


# ------------------------------------------------------------------ systemd


def unit(path: Path) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


@pytest.mark.parametrize("daemon", ["ingest", "enrich"])
def test_systemd_units_are_hardened(daemon: str) -> None:
    keys = unit(DEPLOY / "systemd" / f"newswire-{daemon}.service")
    assert keys["ExecStart"][0].split()[-1] == daemon
    assert keys["NoNewPrivileges"] == ["yes"]
    assert keys["ProtectSystem"] == ["strict"]
    assert keys["ReadWritePaths"] == ["/var/lib/newswire"]
    assert keys["Restart"] == ["on-failure"]
    assert keys["EnvironmentFile"] == ["/etc/newswire/newswire.env"]
    assert any(e.startswith(f"NEWSWIRE_{daemon.upper()}__INSTANCE_ID=") for e in keys["Environment"])
    assert keys["User"] == ["newswire"]
    env_example = unit(DEPLOY / "systemd" / "newswire.env.example")
    assert "KAFKA_BOOTSTRAP_SERVERS" in env_example
    assert all(k == "KAFKA_BOOTSTRAP_SERVERS" or k.startswith("NEWSWIRE_") for k in env_example)


def test_install_script_is_valid_bash() -> None:
    script = DEPLOY / "install-test-tools.sh"
    assert script.stat().st_mode & 0o111, "not executable"
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=10)


# ------------------------------------------------------------------ metric names


def known_metric_names() -> set[str]:
    """Every series name newswire can export, from the registry's metric families."""
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "gauge": [""]}
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        if family.name.startswith("newswire_")
        for suffix in suffixes.get(family.type, [""])
    } | {"up"}


def test_dashboard_and_alerts_use_only_metrics_newswire_exports() -> None:
    known = known_metric_names()
    texts = [e for _, e in dashboard_exprs()]
    for rules in ("alerts.yml", "recording.yml"):
        [doc] = load_yaml(DEPLOY / "prometheus" / rules)
        texts += [r["expr"] for g in doc["groups"] for r in g["rules"]]
    used = {m for t in texts for m in re.findall(r"\bnewswire_[a-z_]+", t)}
    assert used, "no newswire metric used"
    assert used <= known, f"unknown metrics: {sorted(used - known)}"


def test_dashboard_covers_the_promised_panels() -> None:
    dash = json.loads(DASHBOARD.read_text())
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    exprs = " ".join(e for _, e in dashboard_exprs())
    for metric in (
        "newswire_articles_published_total",
        "newswire_fetches_total",
        "newswire_dead_letters_total",
        "newswire_consumer_lag",
        "newswire_enrich_stage_seconds_bucket",
        "newswire_extracted_field_filled_total",
        "newswire_ready",
        "newswire_import_records_total",
        "newswire_import_bytes_total",
        "newswire:import_file_eta_seconds",
    ):
        assert metric in exprs, metric
    for panel in dash["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}" and panel["targets"], panel["title"]
