"""The ``[kafka]`` and ``[broker]`` sections: where Kafka is, how to reach it (securely), the local broker."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from newswire.config._base import _Frozen


class KafkaSettings(_Frozen):
    """Where Kafka is and how newswire's topics look."""

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "newswire"
    topic_prefix: str = "newswire."
    partitions: int = Field(default=6, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)
    retention_ms: int = Field(default=7 * 24 * 3600 * 1000, ge=-1)
    max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    compression: Literal["zstd", "gzip", "lz4", "snappy", "none"] = "zstd"
    # Bytes a producer gathers per partition into one batch. aiokafka has one request in flight per
    # broker and a record that finds its partition's batch full waits for that request, so with
    # 16 KiB (its default) a transaction of N article events took N round trips, not one.
    batch_bytes: int = Field(default=1024 * 1024, ge=16 * 1024)
    request_timeout_ms: int = Field(default=30_000, ge=1000)
    transaction_timeout_ms: int = Field(default=60_000, ge=1000)
    session_timeout_ms: int = Field(default=10_000, ge=1000)
    # How clients connect and authenticate, named as aiokafka names them (see docs/kafka-security.md).
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_check_hostname: bool = True

    @field_validator("batch_bytes")
    @classmethod
    def _batch_fits(cls, value: int, info: ValidationInfo) -> int:
        limit = info.data.get("max_message_bytes")
        if limit is not None and value > limit:
            raise ValueError(f"must not exceed max_message_bytes ({limit}): brokers refuse bigger batches")
        return value

    @field_validator("bootstrap_servers")
    @classmethod
    def _hosts(cls, value: str) -> str:
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ValueError(f"expected host:port[,host:port...], got {value!r}")
        return value

    @field_validator("ssl_cafile", "ssl_certfile", "ssl_keyfile")
    @classmethod
    def _readable(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"no such file: {value}")
        return value if value is None else value.expanduser()

    @model_validator(mode="after")
    def _security(self) -> KafkaSettings:
        """The security keys make one consistent setting, or say which key to fix."""
        sasl = self.security_protocol.startswith("SASL_")
        tls = self.security_protocol.endswith("SSL")
        if sasl:
            if self.sasl_mechanism is None:
                raise ValueError(f"security_protocol {self.security_protocol} needs kafka.sasl_mechanism")
            if not self.sasl_username or self.sasl_password is None:
                raise ValueError(
                    f"sasl_mechanism {self.sasl_mechanism} needs kafka.sasl_username and kafka.sasl_password"
                )
        elif self.sasl_mechanism or self.sasl_username or self.sasl_password is not None:
            raise ValueError(
                f"SASL keys are set but security_protocol is {self.security_protocol}; "
                "set kafka.security_protocol to SASL_SSL (or SASL_PLAINTEXT)"
            )
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("ssl_certfile and ssl_keyfile go together (a client certificate needs its key)")
        if not tls and (self.ssl_cafile or self.ssl_certfile):
            raise ValueError(
                f"ssl_* keys are set but security_protocol is {self.security_protocol}; "
                "set kafka.security_protocol to SSL (or SASL_SSL)"
            )
        return self


class BrokerSettings(_Frozen):
    """The embedded single-node broker used by ``make run`` and the tests."""

    kafka_version: str = "4.2.2"
    data_dir: Path = Path(".newswire/kafka-data")
    libs_dir: Path | None = None
    heap: str = "1g"
