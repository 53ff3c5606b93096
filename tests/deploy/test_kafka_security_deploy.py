"""deploy/ for a secured Kafka: the compose variant's daemons and broker agree on SASL_SSL, users and
certificates, and the Kubernetes Deployments take their Kafka credentials from a Secret."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from newswire.broker import ensure_tls_files
from newswire.config import load_settings
from tests.deploy._deploy import DEPLOY, load_yaml

pytestmark = pytest.mark.timeout(60)

COMPOSE = DEPLOY / "compose"


def interpolated(env: dict[str, Any]) -> dict[str, str]:
    """Compose's ``${VAR:?message}`` filled in as if ``VAR`` were set to ``VAR-value``."""
    return {k: re.sub(r"\$\{(\w+):\?[^}]*\}", r"\1-value", str(v)) for k, v in env.items()}


@pytest.mark.parametrize("daemon", ["ingest", "enrich"])
def test_secured_compose_daemons_connect_over_sasl_ssl_as_a_user_the_stack_creates(
    daemon: str, tmp_path: Path
) -> None:
    [base] = load_yaml(COMPOSE / "docker-compose.yml")
    [secure] = load_yaml(COMPOSE / "docker-compose.secure.yml")
    service = secure["services"][daemon]
    env = interpolated({**base["services"][daemon]["environment"], **service["environment"]})
    cafile = Path(env["NEWSWIRE_KAFKA__SSL_CAFILE"])
    mounts = {m.split(":")[1]: m.split(":")[0] for m in service["volumes"]}
    assert mounts[str(cafile.parent)] == "kafka-certs"
    # The file exists in the container; here, the same generator's output stands in for it.
    env["NEWSWIRE_KAFKA__SSL_CAFILE"] = str(ensure_tls_files(tmp_path).ca)
    settings = load_settings(COMPOSE / "newswire.toml", environ=env, default_file=False)
    k = settings.kafka
    assert (k.security_protocol, k.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (
        k.sasl_password is not None
        and k.sasl_password.get_secret_value() == f"NEWSWIRE_{daemon.upper()}_PASSWORD-value"
    )

    kafka = {**base["services"]["kafka"]["environment"], **secure["services"]["kafka"]["environment"]}
    protocols = dict(pair.split(":") for pair in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    advertised = dict(a.split("://") for a in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","))
    listener = next(name for name, address in advertised.items() if address == k.bootstrap_servers)
    assert protocols[listener] == "SASL_SSL"
    assert k.sasl_mechanism in kafka["KAFKA_SASL_ENABLED_MECHANISMS"].split(",")
    users = secure["services"]["kafka-users"]["command"][0]
    assert k.sasl_username == f"newswire-{daemon}" and "newswire-$$user" in users and daemon in users
    assert (
        secure["services"][daemon]["depends_on"]["kafka-users"]["condition"]
        == "service_completed_successfully"
    )


def test_k8s_deployments_read_kafka_credentials_from_a_secret(tmp_path: Path) -> None:
    objs = [doc for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")) for doc in load_yaml(path)]
    secrets = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Secret"}
    [cm] = [o for o in objs if o["kind"] == "ConfigMap"]
    config = tmp_path / "newswire.toml"
    config.write_text(cm["data"]["newswire.toml"])
    for dep in (o for o in objs if o["kind"] == "Deployment"):
        [container] = dep["spec"]["template"]["spec"]["containers"]
        env: dict[str, str] = {}
        for entry in container["env"]:
            if "value" in entry:
                env[entry["name"]] = entry["value"]
            elif ref := entry["valueFrom"].get("secretKeyRef"):
                env[entry["name"]] = secrets[ref["name"]]["stringData"][ref["key"]]
        password = next(e for e in container["env"] if e["name"] == "NEWSWIRE_KAFKA__SASL_PASSWORD")
        assert "secretKeyRef" in password["valueFrom"], "the password must come from a Secret"
        settings = load_settings(config, environ=env, default_file=False)
        assert settings.kafka.security_protocol == "SASL_SSL" and settings.kafka.sasl_username
