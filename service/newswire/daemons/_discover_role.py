"""Ingest's discovery role: own some partitions of ``sources``, poll those sources, publish candidate URLs.

The configured sources live in the compacted ``sources`` topic (key: the
source's id). Instances in one consumer group split its partitions; each reads
its partitions from the beginning (no offsets are committed: the topic *is*
the set of sources) and polls what it owns on the source's schedule. Candidate
URLs go to ``urls`` keyed by host. Publishing a candidate twice is harmless:
the fetch role dedups by URL.

Fetched documents are parsed off the event loop, in the parser pool (a worker
process), each within ``ingest.parse_timeout_s``: a 2 MB feed keeps feedparser
busy for seconds, which on the loop would stall every other source, the fetch
role and the heartbeat with it. A document that overruns fails its source's
poll (counted, logged, retried on the failure schedule, its error in
``source-status``); its worker is killed and the role carries on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import orjson

from newswire.bus.records import source_status
from newswire.bus.records import sources as sources_topic
from newswire.bus.records import urls as urls_topic
from newswire.bus.runner import Partition, RoleSpec, Runner, Session, StopFlag
from newswire.config import Settings, SourceSettings, has_masked_credentials
from newswire.daemons._sources_publish import publish_opml_feeds
from newswire.daemons._url_work import source_proxies
from newswire.errors import BusError, FetchError, SourceError
from newswire.fetch import Fetcher, Validators
from newswire.observe import Health
from newswire.observe import metrics as m
from newswire.pool import WorkerPool
from newswire.sources import (
    Candidate,
    SourceSchedule,
    cache_control_max_age,
    parse_feed,
    parse_opml,
    parse_sitemap,
    parse_url_list,
    scan_files,
)

log = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 200
# How often a discover role may read its configured OPML sources for a private feed it does not know.
OPML_REREAD_S = 60.0

T = TypeVar("T")


class DiscoverRole:
    """Polls owned sources; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        fetcher: Fetcher,
        *,
        stopper: StopFlag,
        health: Health,
        parser: WorkerPool | None = None,
    ) -> None:
        """``parser``: the pool documents are parsed in; None parses them on the event loop (tests)."""
        self.settings = settings
        self.fetcher = fetcher
        self.stopper = stopper
        self.health = health
        self.parser = parser
        # One document per worker at a time: time spent queueing must not count against its bound.
        self._parse_slots = asyncio.Semaphore(parser.workers if parser is not None else 1)
        self.schedule = SourceSchedule()
        self._sources: dict[str, tuple[int, SourceSettings]] = {}
        self._validators: dict[str, Validators] = {}
        self._proxies = source_proxies(settings)  # from the local configuration, never from the topic
        # The real URLs, credentials and all (the topic has them masked): the configured sources,
        # then the feeds found in an OPML this instance read.
        self._configured = {sources_topic.key(s): s for s in settings.sources}
        self._from_opml: dict[str, SourceSettings] = {}
        self._opml_read_at: float | None = None
        # Validators got by a poll still under way, per source: kept only once its candidates are
        # published, so a poll that fails after its fetch does not turn the next one into a 304.
        self._pending_validators: dict[str, dict[str, Validators]] = {}
        self._published_lastmod: OrderedDict[str, tuple[str | None, float]] = OrderedDict()
        self._owned: set[int] = set()
        # The end each owned partition had when it was assigned: no source is polled before the
        # topic is read that far, so a source removed later in the log is never polled again.
        self._catching_up: dict[Partition, int] = {}
        self._session: Session | None = None
        self._polls: set[asyncio.Task[None]] = set()
        self.candidates_published = 0
        self.spec = RoleSpec(
            name="ingest discover role",
            stage="ingest",
            topic=settings.topic("sources"),
            group_id=f"{settings.ingest.group_id}-discover",
            source_id="/newswire/ingest/discover",
            linger_ms=20,
        )

    @property
    def group_id(self) -> str:
        return self.spec.group_id

    def owned_sources(self) -> list[SourceSettings]:
        return [src for _, src in self._sources.values()]

    async def run(self) -> None:
        """Poll owned sources until stopped; reconnect with backoff if Kafka drops."""
        await Runner(self.settings, self, stopper=self.stopper, health=self.health).run()

    async def step(self, session: Session) -> bool:
        self._session = session
        batch = await session.poll(timeout_ms=200)
        for records in batch.values():
            for record in records:
                self._apply(record.partition, record.key, record.value)
        if self._catching_up:
            if not await session.reached(self._catching_up):
                return True
            self._catching_up.clear()
        now = time.time()
        for key in self.schedule.due(now):
            if key in self._sources and not any(t.get_name() == key for t in self._polls):
                task = asyncio.create_task(self._poll(key), name=key)
                self._polls.add(task)
                task.add_done_callback(self._polls.discard)
        return True

    async def finish(self, session: Session) -> None:
        """Nothing to commit: the sources topic is read from the beginning by each owner."""

    async def close(self) -> None:
        for task in list(self._polls):
            task.cancel()
        self._session = None
        self._sources.clear()
        self._catching_up.clear()
        for name in [st.key for st in self.schedule.statuses()]:
            self.schedule.remove(name)

    def _apply(self, partition: int, key: bytes | None, value: bytes | None) -> None:
        if not sources_topic.is_source_key(key):
            return
        name = key.decode()
        if value is None:
            self._forget(name)
            return
        try:
            source = sources_topic.decode(value)
        except (ValueError, orjson.JSONDecodeError) as exc:
            log.warning("ignoring invalid source %s: %s", name, exc)
            return
        self._sources[name] = (partition, source)
        if name in self.schedule:
            self.schedule.remove(name)
        self.schedule.add(name, source.interval_s, time.time())

    def _forget(self, name: str) -> None:
        """Stop polling a source that was removed."""
        self._sources.pop(name, None)
        self._from_opml.pop(name, None)
        self.schedule.remove(name)

    async def _drop(self, name: str) -> None:
        """Stop polling a source about to be tombstoned, and wait for a poll of it under way to end:
        that poll may have passed its last check and be writing its status row, which must be
        written before the tombstone, not after it (a status row after the tombstone would show
        the removed source again). Cancelling would not do: a cancelled send can still go out."""
        self._forget(name)
        under_way = [t for t in self._polls if t.get_name() == name and t is not asyncio.current_task()]
        await asyncio.gather(*under_way, return_exceptions=True)

    async def assigned(self, session: Session, assigned: set[Partition]) -> None:
        self._session = session
        mine = {tp for tp in assigned if tp.topic == self.settings.topic("sources")}
        self._owned |= {tp.partition for tp in mine}
        if mine:
            await session.seek_to_beginning(mine)
            self._catching_up.update(await session.end_offsets(mine))
        log.info("discover role owns sources partitions %s", sorted(self._owned))

    async def revoked(self, session: Session, revoked: set[Partition]) -> None:
        gone = {tp.partition for tp in revoked}
        for tp in revoked:
            self._catching_up.pop(tp, None)
        self._owned -= gone
        for name, (partition, _) in list(self._sources.items()):
            if partition in gone:
                del self._sources[name]
                self.schedule.remove(name)

    async def _poll(self, key: str) -> None:
        # A rebalance or a tombstone can take the source away between the schedule and here,
        # or while it is polled: then there is nothing to record (its new owner polls it).
        if key not in self._sources:
            return
        _, source = self._sources[key]
        started = time.time()
        self._pending_validators[key] = {}
        try:
            candidates, ttl_s, max_age_s = await self._discover(key, source)
            await self._publish(key, candidates)
        except Exception as exc:
            # Any other error is a bug, not the source's fault: it is backed off the same way
            # (the other sources keep polling) and logged with its traceback.
            if key not in self.schedule:
                log.info("source %s was removed while it was polled (%s)", key, exc)
                return
            expected = isinstance(exc, (FetchError, SourceError, BusError, OSError))
            retry_at = self.schedule.record_failure(
                key, time.time(), str(exc) if expected else f"unexpected error: {exc!r}"
            )
            m.SOURCE_POLLS.labels(source.kind, "failed").inc()
            if expected:
                log.warning("source %s failed: %s (next try in %.0fs)", key, exc, retry_at - time.time())
            else:
                log.exception("source %s: unexpected error polling (a newswire bug: please report it)", key)
            await self._publish_status(key, source, None)
            return
        finally:
            pending = self._pending_validators.pop(key, {})
        self._validators.update(pending)
        if key not in self.schedule:
            log.info("source %s was removed while it was polled", key)
            return
        self.schedule.record_success(key, started, ttl_s=ttl_s, max_age_s=max_age_s)
        await self._publish_status(key, source, len(candidates))
        m.SOURCE_POLLS.labels(source.kind, "ok").inc()
        m.CANDIDATES.labels(source.kind).inc(len(candidates))
        log.info("polled %s: %d candidate URLs", key, len(candidates))

    async def _fetch_body(self, key: str, url: str) -> tuple[bytes | None, float | None]:
        validators, proxy = self._validators.get(url), self._proxies.get(key)
        result = await self.fetcher.fetch(url, validators=validators, proxy=proxy)
        self._pending_validators.setdefault(key, {})[url] = result.validators
        max_age = cache_control_max_age(result.headers.get("cache-control"))
        return (None if result.not_modified else result.content), max_age

    async def _discover(
        self, key: str, source: SourceSettings
    ) -> tuple[list[Candidate], float | None, float | None]:
        kind, url = source.kind, await self._real_url(key, source)
        if source.path and kind in ("files", "urls", "opml"):
            candidates, content = await asyncio.to_thread(self._read_local, key, source)
        elif kind == "opml":
            candidates, content = [], (await self._fetch_body(key, url or ""))[0]
        else:
            candidates, content = [], None
        if kind == "opml":
            if content:
                subscriptions = await self._parse(f"OPML {key}", parse_opml, content)
                feeds = [f.model_copy(update={"interval_s": source.interval_s}) for f in subscriptions]
                self._from_opml.update((sources_topic.key(f), f) for f in feeds)
                await publish_opml_feeds(self.settings, key, feeds, forget=self._drop)
            return [], None, None
        if source.path:
            return candidates, None, None
        if not url:
            raise SourceError(f"source {key} has no url")
        content, max_age = await self._fetch_body(key, url)
        if content is None:
            return [], None, max_age
        if kind == "feed":
            feed = await self._parse(f"feed {url}", parse_feed, content, url)
            return list(feed.candidates), feed.ttl_s, max_age
        if kind == "urls":
            text = content.decode("utf-8", "replace")
            return await self._parse(f"URL list {url}", parse_url_list, text, key), None, max_age
        return await self._sitemap(key, url, content), None, max_age

    async def _real_url(self, key: str, source: SourceSettings) -> str | None:
        """The URL to fetch for a source: the local copy's, as the topic's has its credentials
        masked. A masked feed this instance has no copy of may come from an OPML source of its
        configuration that another instance polls (or that it has not polled since a restart):
        those are read for their feeds' URLs first. Still unknown, it is a SourceError."""
        url = self._local_url(key, source)
        if url and has_masked_credentials(url) and await self._read_configured_opml():
            url = self._local_url(key, source)
        if url and has_masked_credentials(url):
            raise SourceError(
                f"source {key}: the {self.settings.topic('sources')} topic has its URL with the "
                "credentials masked, and neither this instance's configuration nor an OPML it read "
                "has the source to take the real URL from: give every ingest instance the same "
                "[[sources]]"
            )
        return url

    def _local_url(self, key: str, source: SourceSettings) -> str | None:
        local = self._configured.get(key) or self._from_opml.get(key)
        return local.url if local is not None else source.url

    async def _read_configured_opml(self) -> bool:
        """Read this instance's configured OPML sources (without validators: the feeds' URLs are
        wanted, not news of a change) at most once per :data:`OPML_REREAD_S`; whether it did now."""
        now = time.monotonic()
        if self._opml_read_at is not None and now - self._opml_read_at < OPML_REREAD_S:
            return False
        self._opml_read_at = now
        for key, opml in self._configured.items():
            if opml.kind != "opml":
                continue
            try:
                if opml.path:
                    content = await asyncio.to_thread(Path(opml.path).read_bytes)
                elif opml.url:
                    content = (await self.fetcher.fetch(opml.url, proxy=self._proxies.get(key))).content
                else:
                    continue
                feeds = await self._parse(f"OPML {key}", parse_opml, content)
            except (OSError, FetchError, SourceError) as exc:
                log.warning("reading OPML source %s for the URLs of its feeds failed: %s", key, exc)
                continue
            self._from_opml.update((sources_topic.key(f), f) for f in feeds)
        return True

    async def _sitemap(self, key: str, url: str, content: bytes) -> list[Candidate]:
        result = await self._parse(f"sitemap {url}", parse_sitemap, content, url)
        candidates = list(result.candidates)
        for child in result.sitemaps[:MAX_CHILD_SITEMAPS]:
            try:
                body, _ = await self._fetch_body(key, child)
            except FetchError as exc:
                log.warning("child sitemap %s of %s failed: %s", child, key, exc)
                # fetch the index in full next time, so the failed child is asked for again
                self._pending_validators.get(key, {}).pop(url, None)
                continue
            if body is not None:
                candidates += (await self._parse(f"sitemap {child}", parse_sitemap, body, child)).candidates
        return candidates

    async def _parse(self, what: str, parse: Callable[..., T], *args: object) -> T:
        """``parse(*args)`` in the parser pool, within ``ingest.parse_timeout_s`` (else a SourceError)."""
        if self.parser is None:
            return parse(*args)
        limit = self.settings.ingest.parse_timeout_s
        async with self._parse_slots:
            try:
                return await self.parser.run(limit, parse, *args)
            except TimeoutError:
                raise SourceError(
                    f"parsing {what} took over ingest.parse_timeout_s={limit:g} s; the document is refused"
                ) from None
            except BrokenProcessPool:
                raise SourceError(f"the parser process died parsing {what}") from None

    def _read_local(self, key: str, source: SourceSettings) -> tuple[list[Candidate], bytes | None]:
        """Blocking reads of a local source (run in a thread): candidates, or OPML bytes."""
        assert source.path is not None
        path = Path(source.path)
        if source.kind == "files":
            return [self._file_candidate(p, key) for p in scan_files(path)], None
        if source.kind == "urls":
            return parse_url_list(path.read_text("utf-8"), key), None
        return [], path.read_bytes()

    async def _publish_status(self, key: str, source: SourceSettings, candidates: int | None) -> None:
        """Record the source's poll status in the compacted source-status topic (for ``newswire status``)."""
        if self._session is None:
            return
        s = self.schedule.status(key)
        status = source_status.SourceStatus(
            source=key,
            kind=source.kind,
            url=source.url or source.path,
            candidates_last_poll=candidates,
            interval_s=s.interval_s,
            next_poll=s.next_poll,
            last_poll=s.last_poll,
            last_success=s.last_success,
            last_failure=s.last_failure,
            consecutive_failures=s.consecutive_failures,
            error_count=s.error_count,
            success_count=s.success_count,
            last_error=s.last_error,
        )
        try:
            await self._session.send([source_status.record(self.settings, status)])
        except BusError as exc:
            log.warning("could not record the status of %s: %s", key, exc)

    @staticmethod
    def _file_candidate(path: Path, key: str) -> Candidate:
        resolved = path.resolve()
        mtime = datetime.fromtimestamp(resolved.stat().st_mtime, UTC).isoformat()
        return Candidate(url=resolved.as_uri(), source=key, lastmod=mtime)

    async def _publish(self, key: str, candidates: list[Candidate]) -> None:
        # A candidate seen before is handed on again when its lastmod (or, lacking one, its published
        # date) moved, or once ingest.recheck_after_s has passed (pages change without telling feeds).
        fresh = []
        marks: dict[str, tuple[str | None, float]] = {}
        now = time.time()
        recheck = self.settings.ingest.recheck_after_s
        for c in candidates:
            marker = c.lastmod or c.published
            seen = self._published_lastmod.get(c.url)
            if seen is not None and seen[0] == marker and now - seen[1] < recheck:
                continue
            fresh.append(c if c.source == key else dataclasses.replace(c, source=key))
            marks[c.url] = (marker, now)
        if fresh:
            if self._session is None:
                raise BusError("the discover role lost its connection to Kafka")
            await self._session.send([urls_topic.record(self.settings, c) for c in fresh])
        # Marked as handed on only once they were: a failed send leaves them to the next poll.
        for url, mark in marks.items():
            self._published_lastmod[url] = mark
            self._published_lastmod.move_to_end(url)
        while len(self._published_lastmod) > self.settings.ingest.seen_capacity:
            self._published_lastmod.popitem(last=False)
        self.candidates_published += len(fresh)
