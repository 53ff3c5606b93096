"""Settings: one frozen value object, built once from a TOML file, the environment and flags.

Precedence, lowest first: defaults, ``newswire.toml`` (or ``--config FILE``),
environment variables, command-line flags. Environment variables are
``NEWSWIRE_<SECTION>__<KEY>`` (for example ``NEWSWIRE_KAFKA__TOPIC_PREFIX``),
plus the conventional ``KAFKA_BOOTSTRAP_SERVERS``. This is the only module that
reads the environment; the sections live in ``_kafka``, ``_fetch`` and ``_sections``.

Every error names the bad key (``ingest.concurrency: ...``) so it can be fixed
without reading code.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from newswire.config._base import _Frozen
from newswire.config._fetch import (
    DIRECT,
    PROXY_SCHEMES,
    FetchSettings,
    has_masked_credentials,
    masked_url_credentials,
)
from newswire.config._kafka import BrokerSettings, KafkaSettings
from newswire.config._sections import (
    EnrichSettings,
    IngestSettings,
    ObserveSettings,
    SourceSettings,
    TopicName,
)
from newswire.errors import ConfigError

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "DIRECT",
    "ENV_PREFIX",
    "PROXY_SCHEMES",
    "BrokerSettings",
    "EnrichSettings",
    "FetchSettings",
    "IngestSettings",
    "KafkaSettings",
    "ObserveSettings",
    "Settings",
    "SourceSettings",
    "TopicName",
    "environment_flag",
    "has_masked_credentials",
    "load_settings",
    "masked_url_credentials",
]

DEFAULT_CONFIG_FILE = "newswire.toml"
ENV_PREFIX = "NEWSWIRE_"


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

    @field_validator("sources")
    @classmethod
    def _distinct_sources(cls, sources: tuple[SourceSettings, ...]) -> tuple[SourceSettings, ...]:
        """Two different sources with one id would be one record of the sources topic: one of
        them would silently never be polled (unnamed sources whose URLs differ only in credentials)."""
        seen: dict[str, SourceSettings] = {}
        for source in sources:
            other = seen.setdefault(source.key, source)
            if other != source:
                raise ValueError(
                    f"two different sources have the id {source.key!r} (URL credentials are masked "
                    "in it): give each a distinct name"
                )
        return sources

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
        if first["type"] == "extra_forbidden":
            # A mistyped key's value may be the secret it was meant to hold (`sasl_pasword = ...`).
            raise ConfigError(_unknown(first["loc"]), key=key) from None
        # A proxy URL may hold a password; a whole section (a check across its keys) may hold one.
        message = first["msg"].removeprefix("Value error, ")  # pydantic's tag for our own checks
        got = first.get("input")
        secret = _SECRET_KEYS & {str(p) for p in first["loc"]} or isinstance(got, Mapping)
        if not secret and str(got) not in message:
            message += f" (got {got!r})"
        # A source's URL may carry a user and password too.
        raise ConfigError(masked_url_credentials(message), key=key) from None


def _unknown(loc: Sequence[int | str]) -> str:
    """What to say of a key (or section) that no setting has: the nearest name, if one is close."""
    names = [name for name in loc if isinstance(name, str)]
    fields: list[str] = list(Settings.model_fields)
    if len(names) > 1:
        section = SourceSettings if names[0] == "sources" else Settings.model_fields[names[0]].annotation
        is_model = isinstance(section, type) and issubclass(section, BaseModel)
        fields = list(section.model_fields) if is_model else []  # type: ignore[union-attr]
    close = difflib.get_close_matches(names[-1], fields, n=1, cutoff=0.6)
    what = "section" if len(names) == 1 else "key"
    return f"unknown {what}" + (f" (did you mean {close[0]}?)" if close else "")


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
