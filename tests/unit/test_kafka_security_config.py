"""The ``[kafka]`` security keys: validated as one setting at start, the password never repeated."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from newswire.broker import ensure_tls_files
from newswire.bus.security import client_security
from newswire.cli import main
from newswire.config import load_settings
from newswire.errors import ConfigError
from newswire.observe.config_log import config_lines

PASSWORD = "hunter2-do-not-print"


def kafka(**keys: object) -> dict[str, object]:
    return {"kafka": keys}


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        ({"security_protocol": "SASL_SSL"}, "needs kafka.sasl_mechanism"),
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_password": PASSWORD},
            "needs kafka.sasl_username and kafka.sasl_password",
        ),
        ({"sasl_mechanism": "PLAIN", "sasl_username": "u"}, "set kafka.security_protocol to SASL_SSL"),
        ({"security_protocol": "PLAINTEXT", "sasl_password": PASSWORD}, "SASL keys are set"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI"}, "sasl_mechanism"),
    ],
)
def test_inconsistent_security_keys_are_refused_naming_the_key(keys: dict[str, object], says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={}, overrides=kafka(**keys), default_file=False)
    assert says in str(raised.value)
    assert str(raised.value).startswith("kafka")
    assert PASSWORD not in str(raised.value)


def test_a_client_certificate_needs_its_key_and_files_must_exist(tmp_path: Path) -> None:
    files = ensure_tls_files(tmp_path)
    with pytest.raises(ConfigError, match="ssl_certfile and ssl_keyfile go together"):
        load_settings(
            environ={},
            overrides=kafka(security_protocol="SSL", ssl_certfile=str(files.client_cert)),
            default_file=False,
        )
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(
            environ={},
            overrides=kafka(security_protocol="SSL", ssl_cafile=str(tmp_path / "missing.pem")),
            default_file=False,
        )
    with pytest.raises(ConfigError, match=r"set kafka\.security_protocol to SSL"):
        load_settings(environ={}, overrides=kafka(ssl_cafile=str(files.ca)), default_file=False)


def test_keys_come_from_the_environment_and_make_the_client_arguments(tmp_path: Path) -> None:
    files = ensure_tls_files(tmp_path)
    settings = load_settings(
        environ={
            "NEWSWIRE_KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
            "NEWSWIRE_KAFKA__SASL_MECHANISM": "SCRAM-SHA-512",
            "NEWSWIRE_KAFKA__SASL_USERNAME": "ingest",
            "NEWSWIRE_KAFKA__SASL_PASSWORD": PASSWORD,
            "NEWSWIRE_KAFKA__SSL_CAFILE": str(files.ca),
            "NEWSWIRE_KAFKA__SSL_CHECK_HOSTNAME": "false",
        },
        default_file=False,
    )
    kwargs = client_security(settings.kafka)
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("ingest", PASSWORD)
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and not context.check_hostname
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings.model_dump())


def test_mutual_tls_loads_the_client_certificate(tmp_path: Path) -> None:
    files = ensure_tls_files(tmp_path)
    settings = load_settings(
        environ={},
        overrides=kafka(
            security_protocol="SSL",
            ssl_cafile=str(files.ca),
            ssl_certfile=str(files.client_cert),
            ssl_keyfile=str(files.client_key),
        ),
        default_file=False,
    )
    kwargs = client_security(settings.kafka)
    assert "sasl_mechanism" not in kwargs
    assert kwargs["ssl_context"].check_hostname  # on by default


def test_plaintext_is_the_default_and_needs_no_context() -> None:
    settings = load_settings(environ={}, default_file=False)
    assert client_security(settings.kafka) == {"security_protocol": "PLAINTEXT"}


def test_the_effective_config_shows_who_connects_but_never_the_password() -> None:
    settings = load_settings(
        environ={},
        overrides=kafka(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-256",
            sasl_username="enrich",
            sasl_password=PASSWORD,
        ),
        default_file=False,
    )
    text = "\n".join(config_lines(settings))
    assert "sasl_mechanism=SCRAM-SHA-256" in text and "sasl_username=enrich" in text
    assert "sasl_password=***" in text
    assert PASSWORD not in text


def test_a_bad_combination_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "newswire.toml"
    config.write_text(f'[kafka]\nsecurity_protocol = "SASL_SSL"\nsasl_password = "{PASSWORD}"\n')
    assert main(["--config", str(config), "topics", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newswire: configuration error: kafka:") and err.count("\n") == 1
    assert PASSWORD not in err
