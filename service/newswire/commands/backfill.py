"""``newswire backfill sitemap URL``: queue an archive's article URLs once, politely, resumably.

A live sitemap source lists the latest articles; an archive is a sitemap
index of hundreds of child sitemaps going back years, far too big to poll.
Backfill walks it once: it fetches the index and each child with the ingest
:class:`~newswire.fetch.Fetcher` (robots.txt, Crawl-delay, per-host spacing,
the address guard), one sitemap at a time, and publishes the article URLs to
the ``urls`` topic exactly as the discover role does. The ingest daemon then
fetches, dedups and publishes them like any other candidate.

Position: every chunk of URLs is published in one Kafka transaction together
with a checkpoint of its child sitemap (how many of its entries are queued,
and whether it is done) and a summary of the backfill, both compacted records
of the ``source-status`` topic (``newswire status`` shows the summary as a
source row). A run that is stopped or killed leaves either a whole chunk and
its checkpoint or neither, so a rerun skips finished children, resumes a
partly queued one after its last chunk, and queues each URL once.

``since`` skips children whose index ``<lastmod>`` is older (without fetching
them) and entries whose ``<lastmod>`` is older. ``rate`` caps the URLs queued
per second: backfill URLs share the ``urls`` partition of their host with live
ones, so pacing keeps fresh news from waiting behind a whole archive.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import sys
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from newswire.bus import ensure_topics, make_producer, start_client, transact
from newswire.bus.clients import Producer
from newswire.bus.records import Record, source_status
from newswire.bus.records import urls as urls_topic
from newswire.bus.records.source_status import BackfillCheckpoint, SourceStatus
from newswire.bus.tail import read_topic
from newswire.config import Settings, masked_url_credentials
from newswire.daemons._runtime import Stopper, handle_signals
from newswire.errors import FetchError, SourceError
from newswire.fetch import Fetcher
from newswire.sources import MAX_DECOMPRESSED_BYTES, Candidate, parse_sitemap
from newswire.urls import canonicalize

log = logging.getLogger(__name__)

CHUNK = 500  # URLs per transaction and checkpoint
MAX_SITEMAPS = 100_000  # children of (nested) indexes followed in one backfill


@dataclasses.dataclass(frozen=True, slots=True)
class BackfillProgress:
    """Where a backfill stands; ``finished`` names the sitemap just completed, if any; ``final`` is
    the last report of the run."""

    sitemaps_done: int
    sitemaps_total: int
    urls_queued: int
    finished: str | None = None
    final: bool = False


Progress = Callable[[BackfillProgress], None]


@dataclasses.dataclass(slots=True)
class BackfillResult:
    """What one run did. ``resumed`` counts children finished by earlier runs (skipped now)."""

    key: str
    sitemaps_total: int = 0
    sitemaps_done: int = 0
    resumed: int = 0
    skipped_old: int = 0  # child sitemaps not fetched: older than ``since``
    failed: list[str] = dataclasses.field(default_factory=list)
    urls_queued: int = 0
    urls_old: int = 0  # entries not queued: older than ``since``
    stopped: bool = False

    @property
    def complete(self) -> bool:
        return not self.stopped and not self.failed and self.sitemaps_done == self.sitemaps_total

    def describe(self) -> str:
        """One line for the user: what was queued and what a rerun would still do."""
        done = f"{self.sitemaps_done}/{self.sitemaps_total} sitemaps done"
        parts = [f"queued {self.urls_queued} article URLs; {done}"]
        if self.resumed:
            parts.append(f"{self.resumed} of them by earlier runs")
        if self.skipped_old or self.urls_old:
            parts.append(f"skipped as older than --since: {self.skipped_old} sitemaps, {self.urls_old} URLs")
        if self.failed:
            parts.append(f"{len(self.failed)} sitemaps failed (rerun to retry)")
        if self.stopped:
            parts.append("stopped early (rerun to continue)")
        return "; ".join(parts)


def backfill_key(url: str) -> str:
    """The backfill's id: its summary's key in ``source-status`` and the ``source`` of its articles
    (credentials in the URL masked, as in a configured source's)."""
    return f"backfill:{masked_url_credentials(url)}"


def _older(lastmod: str | None, since: datetime | None) -> bool:
    if lastmod is None or since is None:
        return False
    try:
        return datetime.fromisoformat(lastmod) < since
    except ValueError:
        return False


async def backfill_sitemap(
    settings: Settings,
    url: str,
    *,
    since: datetime | None = None,
    rate: float | None = None,
    progress: Progress | None = None,
    stopper: Stopper | None = None,
) -> BackfillResult:
    """Queue every article URL of the sitemap (index) at ``url`` that earlier runs did not queue."""
    try:
        url = canonicalize(url)
    except ValueError as exc:
        raise SourceError(f"cannot backfill {url!r}: {exc}") from None
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    await ensure_topics(settings)
    digest = hashlib.blake2b(url.encode(), digest_size=8).hexdigest()
    # Starting the transactional producer first fences a killed run and aborts its open transaction,
    # so the position read next is everything that run committed.
    producer = make_producer(settings, transactional_id=f"{settings.ingest.group_id}-backfill-{digest}")
    await start_client(producer, settings.kafka.bootstrap_servers, "backfill producer")
    try:
        run = _Run(settings, url, producer, since=since, rate=rate, progress=progress, stopper=stopper)
        await run.load_position()
        # Archives hold sitemaps up to the protocol's 50 MB, more than a page may weigh.
        fetch = settings.fetch.model_copy(
            update={"max_body_bytes": max(settings.fetch.max_body_bytes, MAX_DECOMPRESSED_BYTES)}
        )
        async with Fetcher(fetch) as fetcher:
            await run.crawl(fetcher)
        return run.result
    finally:
        await producer.stop()


class _Run:
    """One backfill run: the crawl queue, the position read back, and the chunked transactions."""

    def __init__(
        self,
        settings: Settings,
        url: str,
        producer: Producer,
        *,
        since: datetime | None,
        rate: float | None,
        progress: Progress | None,
        stopper: Stopper | None,
    ) -> None:
        self.settings = settings
        self.url = url
        self.key = backfill_key(url)
        self.producer = producer
        self.since = since
        self.rate = rate
        self.progress = progress
        self.stopper = stopper or Stopper()
        self.result = BackfillResult(key=self.key)
        self.checkpoints: dict[str, BackfillCheckpoint] = {}
        self.queued_before = 0
        self.queued: set[str] = set()  # dedup across children within this run (bounded)
        self.started = time.monotonic()

    async def load_position(self) -> None:
        for record in await read_topic(self.settings, self.settings.topic("source-status")):
            found = source_status.decode(record.value)
            if isinstance(found, BackfillCheckpoint) and found.backfill == self.key:
                self.checkpoints[found.sitemap] = found
            elif isinstance(found, SourceStatus) and found.source == self.key:
                self.queued_before = found.urls_queued or 0
        done = sum(1 for c in self.checkpoints.values() if c.done)
        if self.checkpoints:
            log.info("resuming backfill %s: %d sitemaps already done", self.url, done)

    def _report(self, finished: str | None = None, *, final: bool = False) -> None:
        if self.progress is not None:
            r = self.result
            self.progress(BackfillProgress(r.sitemaps_done, r.sitemaps_total, r.urls_queued, finished, final))

    async def crawl(self, fetcher: Fetcher) -> None:
        todo: deque[str] = deque([self.url])
        seen = {self.url}
        self.result.sitemaps_total = 1
        self._report()
        while todo and not self.stopper.stopping:
            sitemap = todo.popleft()
            if (checkpoint := self._checkpoint_of(sitemap)) is not None and checkpoint.done:
                self.result.resumed += 1
                self._finish(sitemap)
                continue
            try:
                result = parse_sitemap((await fetcher.fetch(sitemap)).content, sitemap)
            except (FetchError, SourceError) as exc:
                log.warning("backfill: sitemap %s failed: %s (rerun to retry)", sitemap, exc)
                self.result.failed.append(sitemap)
                continue
            if result.sitemaps:  # an index: crawl its children; indexes are fetched again on a rerun
                children = [c for c in result.sitemaps if c not in seen][: max(0, MAX_SITEMAPS - len(seen))]
                seen.update(children)
                recent = [c for c in children if not _older(result.sitemap_lastmod.get(c), self.since)]
                self.result.skipped_old += len(children) - len(recent)
                children = recent
                todo.extend(children)
                self.result.sitemaps_total += len(children)
                self._finish(sitemap)
                continue
            await self._queue(sitemap, list(result.candidates))
        self.result.stopped = self.result.stopped or (self.stopper.stopping and bool(todo))
        await self._commit([self._summary(finished=self.result.complete)])
        self._report(final=True)

    def _finish(self, sitemap: str) -> None:
        self.result.sitemaps_done += 1
        self._report(finished=sitemap)

    async def _queue(self, sitemap: str, candidates: list[Candidate]) -> None:
        """Publish a urlset's candidates in chunks, each with its checkpoint, in one transaction each.

        The checkpoint counts entries of the urlset (queued or skipped as old), so a
        rerun resumes at the same entry whatever ``since`` it is given.
        """
        checkpoint = self._checkpoint_of(sitemap)
        start = checkpoint.next if checkpoint is not None else 0
        size = CHUNK if self.rate is None else max(1, min(CHUNK, int(self.rate)))
        capacity = self.settings.ingest.seen_capacity
        while True:
            if await self._pace():
                self.result.stopped = True
                return
            chunk = candidates[start : start + size]
            start += len(chunk)
            done = start >= len(candidates)
            records = []
            for candidate in chunk:
                if _older(candidate.lastmod, self.since):
                    self.result.urls_old += 1
                elif candidate.url not in self.queued:
                    records.append(self._url_record(candidate))
                    if len(self.queued) < capacity:
                        self.queued.add(candidate.url)
            self.result.urls_queued += len(records)
            records.append(self._checkpoint(sitemap, start, done=done))
            records.append(self._summary(finished=False))
            await self._commit(records)
            if done:
                self._finish(sitemap)
                return
            self._report()

    async def _pace(self) -> bool:
        """Wait until the rate allows the next chunk; True when asked to stop."""
        if self.rate is None:
            return self.stopper.stopping
        due = self.started + self.result.urls_queued / self.rate
        return await self.stopper.wait(max(0.0, due - time.monotonic()))

    async def _commit(self, records: list[Record]) -> None:
        await transact(self.producer, records, {}, group_id="")  # records only: no offsets to commit

    def _url_record(self, candidate: Candidate) -> Record:
        return urls_topic.record(self.settings, dataclasses.replace(candidate, source=self.key))

    def _checkpoint_of(self, sitemap: str) -> BackfillCheckpoint | None:
        return self.checkpoints.get(masked_url_credentials(sitemap))

    def _checkpoint(self, sitemap: str, queued: int, *, done: bool) -> Record:
        # Keyed and named by the masked URL: the backfill's own URL may carry credentials.
        masked = masked_url_credentials(sitemap)
        checkpoint = BackfillCheckpoint(
            backfill=self.key, sitemap=masked, next=queued, done=done, updated=time.time()
        )
        return source_status.checkpoint_record(self.settings, checkpoint)

    def _summary(self, *, finished: bool) -> Record:
        """The backfill's row in ``newswire status``."""
        now = time.time()
        r = self.result
        status = SourceStatus(
            source=self.key,
            kind="backfill",
            url=self.url,
            sitemaps_done=r.sitemaps_done,
            sitemaps_total=r.sitemaps_total,
            urls_queued=self.queued_before + r.urls_queued,
            last_poll=now,
            last_success=now if finished else None,
            success_count=r.sitemaps_done,
            error_count=len(r.failed),
            consecutive_failures=0,
            last_error=f"sitemap failed: {r.failed[-1]}" if r.failed else None,
            next_poll=None,
            finished=finished,
        )
        return source_status.record(self.settings, status)


def stderr_progress(stream: Any = None) -> Progress:
    """Progress on stderr: a bar redrawn in place on a terminal, one line per finished sitemap otherwise."""
    out = stream or sys.stderr
    tty = bool(getattr(out, "isatty", lambda: False)())

    def show(p: BackfillProgress) -> None:
        text = f"{p.sitemaps_done}/{p.sitemaps_total} sitemaps, {p.urls_queued} URLs queued"
        if tty:
            width = 30
            filled = width * p.sitemaps_done // p.sitemaps_total if p.sitemaps_total else width
            out.write(
                f"\rbackfill [{'#' * filled}{'.' * (width - filled)}] {text}" + ("\n" if p.final else "")
            )
        elif p.finished is not None or p.final:
            out.write(f"backfill: {text}" + (f" (done: {p.finished})" if p.finished else "") + "\n")
        out.flush()

    return show


async def run(
    settings: Settings, out: Callable[[str], None], *, url: str, since: str | None, rate: float | None
) -> int:
    """``newswire backfill sitemap URL``: 0 when complete, 1 when a rerun has work left,
    2 for a bad ``--since``."""
    try:
        when = datetime.fromisoformat(since) if since else None
    except ValueError:
        print(f"newswire backfill: --since wants an ISO date or time, got {since!r}", file=sys.stderr)
        return 2
    stopper = Stopper()
    with handle_signals(stopper):
        result = await backfill_sitemap(
            settings, url, since=when, rate=rate, progress=stderr_progress(), stopper=stopper
        )
    out(result.describe())
    return 0 if result.complete else 1
