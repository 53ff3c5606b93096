"""What ingest does with one candidate URL: decide, fetch, extract, and say what to publish.

:meth:`UrlWorker.handle` returns an :class:`Outcome` (records to publish and
the URL's new state) and never publishes anything itself: the fetch role
commits outcomes in Kafka transactions, in offset order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from newswire import events
from newswire.archive import WarcFileWriter
from newswire.bus.records import Record, articles, dead_letters, raw_pages
from newswire.bus.records import sources as sources_topic
from newswire.bus.records import urls as urls_topic
from newswire.bus.records.urls import Work
from newswire.config import Settings
from newswire.daemons._archive_out import archive_page
from newswire.daemons._extract_jobs import ExtractJob, extract_file, extract_page
from newswire.daemons._imported_page import decide_imported
from newswire.daemons._url_decision import (
    ArticleDecision,
    Reason,
    decide_article,
    decide_failure,
    retry_delay,
    skip_before_fetch,
)
from newswire.errors import BlockedError, ExtractError, FetchError, NotArticleError, RobotsDeniedError
from newswire.events import ArticleEvent
from newswire.fetch import Fetcher, Validators, redirect_kind
from newswire.observe import metrics as m
from newswire.pool import WorkerPool
from newswire.sources import Candidate
from newswire.state import PartitionState, UrlState

log = logging.getLogger(__name__)


def source_proxies(settings: Settings) -> dict[str, str]:
    """Source key -> its own proxy URL (or ``direct``), for the sources that set one."""
    return {sources_topic.key(s): s.proxy.get_secret_value() for s in settings.sources if s.proxy is not None}


@dataclasses.dataclass(slots=True)
class Outcome:
    """What handling one URL produced: records for the transaction, and the URL's new state."""

    reason: Reason
    records: list[Record] = dataclasses.field(default_factory=list)
    state: UrlState | None = None
    # Metrics about what the records publish: counted once their transaction has committed.
    on_commit: list[Callable[[], None]] = dataclasses.field(default_factory=list)


class UrlWorker:
    """Turns candidates into outcomes with a shared Fetcher and extraction pool."""

    def __init__(
        self,
        settings: Settings,
        fetcher: Fetcher,
        pool: WorkerPool | None,
        *,
        source_id: str,
        file_roots: tuple[Path, ...] = (),
        extract: ExtractJob = extract_page,
        archive: WarcFileWriter | None = None,
    ) -> None:
        self.settings = settings
        self.extract = extract
        self.archive = archive
        self.fetcher = fetcher
        self.pool = pool
        self.source_id = source_id
        self.file_roots = tuple(p.resolve() for p in file_roots)
        self.proxies = source_proxies(settings)
        self.blocked_strikes: dict[str, int] = {}  # host -> bot challenges since its last article

    async def _run(self, fn: Any, *args: Any) -> Any:
        if self.pool is None:
            return fn(*args)
        try:
            return await self.pool.run(self.settings.ingest.extract_timeout_s, fn, *args)
        except TimeoutError:
            limit = self.settings.ingest.extract_timeout_s
            raise ExtractError(
                f"extraction took over ingest.extract_timeout_s={limit:g} s; the page is refused"
            ) from None

    async def handle(self, work: Work, state: PartitionState, raw: bytes) -> Outcome:
        candidate = work.candidate
        url = candidate.url
        prev = state.get(url)
        now = time.time()
        if work.imported is not None:
            owner = state.owner_of(work.imported.fingerprint)
            decided = decide_imported(work.imported, url, prev, owner=owner)
            return Outcome(decided) if isinstance(decided, Reason) else self._outcome(decided, url)
        if work.replay is not None:
            return await self._extract_and_publish(
                candidate,
                work.replay.content,
                work.replay.final_url,
                work.replay.content_type,
                prev,
                state,
                raw,
                now,
                validators=Validators(prev.etag, prev.last_modified) if prev else Validators(),
                force=work.replay.force,
            )
        if work.not_before is not None and work.not_before > now:
            await asyncio.sleep(min(work.not_before - now, 60.0))
            now = time.time()
        recheck = self.settings.ingest.recheck_after_s
        skip = skip_before_fetch(prev, lastmod=candidate.lastmod, now=now, recheck_after_s=recheck)
        if skip is not None:
            return Outcome(skip)
        if url.startswith("file:"):
            return await self._handle_file(candidate, prev, raw, now)
        validators = Validators(prev.etag, prev.last_modified) if prev and not prev.removed else None
        try:
            result = await self.fetcher.fetch(
                url, validators=validators, proxy=self.proxies.get(candidate.source)
            )
        except NotArticleError as exc:
            return self._not_article(exc, url, prev, raw, now)
        except RobotsDeniedError:
            m.ROBOTS_DENIED.labels(m.host_label(urls_topic.key(url).decode())).inc()
            return Outcome(Reason.ROBOTS_DENIED, state=UrlState(url=url, checked=now))
        except BlockedError as exc:
            m.BLOCKED.labels("policy").inc()
            return self.dead_letter(raw, exc, Reason.BLOCKED, url)
        except FetchError as exc:
            return self._fetch_failed(candidate, prev, exc, raw, now=now, attempt=work.attempt)
        if result.not_modified and prev is not None:
            return Outcome(Reason.NOT_MODIFIED, state=dataclasses.replace(prev, checked=now))
        if self.archive is not None:
            archive_page(self.archive, result)
        return await self._extract_and_publish(
            candidate,
            result.content,
            result.final_url,
            result.content_type,
            prev,
            state,
            raw,
            now,
            validators=result.validators,
        )

    async def _extract_and_publish(  # noqa: PLR0917 - one step of handle(), all of its context
        self,
        candidate: Candidate,
        content: bytes,
        final_url: str,
        content_type: str | None,
        prev: UrlState | None,
        state: PartitionState,
        raw: bytes,
        now: float,
        *,
        validators: Validators,
        force: bool = False,
    ) -> Outcome:
        url = candidate.url
        hints = {
            "title": candidate.title,
            "published": candidate.published,
            "authors": candidate.authors,
            "summary": candidate.summary,
            "language": candidate.language,
        }
        base = UrlState(
            url=url,
            checked=now,
            etag=validators.etag,
            last_modified=validators.last_modified,
            lastmod=candidate.lastmod,
        )
        redirect = redirect_kind(url, final_url)
        if redirect is not None:
            refused = NotArticleError(redirect.why, url=final_url, kind=redirect.kind)
            return self._not_article(refused, url, prev, raw, now, base=base)
        try:
            article, cpu_s = await self._run(
                self.extract, content, final_url, content_type, hints, events.utc_now(), candidate.source
            )
        except NotArticleError as exc:
            return self._not_article(exc, url, prev, raw, now, base=base)
        except ExtractError as exc:
            out = self.dead_letter(raw, exc, Reason.EXTRACT_FAILED, url)
            out.state = base
            return out
        m.EXTRACT_SECONDS.observe(cpu_s)
        outcome = self._publish(article, prev, base, state, force=force)
        if self.settings.ingest.keep_raw and outcome.records and outcome.reason != Reason.REMOVED:
            outcome.records.append(self._raw_record(article, candidate, content, final_url, content_type))
        return outcome

    def _raw_record(
        self,
        article: ArticleEvent,
        candidate: Candidate,
        content: bytes,
        final_url: str,
        content_type: str | None,
    ) -> Record:
        """The fetched page as it came, for ``newswire replay`` (keyed like the article)."""
        page = raw_pages.RawPage(
            url=candidate.url,
            final_url=final_url,
            content_type=content_type,
            source=candidate.source,
            content=content,
        )
        return raw_pages.record(self.settings, self.source_id, article, page)

    @staticmethod
    def _stat_local(url: str) -> tuple[Path, os.stat_result | OSError]:
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        try:
            return path, path.stat()
        except OSError as exc:
            return path, exc

    async def _handle_file(
        self, candidate: Candidate, prev: UrlState | None, raw: bytes, now: float
    ) -> Outcome:
        path, stat = await asyncio.to_thread(self._stat_local, candidate.url)
        if not any(path.is_relative_to(root) for root in self.file_roots):
            return self.dead_letter(
                raw, f"{path} is not under a configured files source", Reason.BLOCKED, candidate.url
            )
        if isinstance(stat, OSError):
            return self.dead_letter(raw, f"cannot read {path}: {stat}", Reason.FETCH_FAILED, candidate.url)
        stamp = f"{stat.st_mtime_ns}-{stat.st_size}"
        if prev is not None and prev.etag == stamp and not prev.removed:
            return Outcome(Reason.NOT_MODIFIED, state=dataclasses.replace(prev, checked=now))
        base = UrlState(url=candidate.url, checked=now, etag=stamp, lastmod=candidate.lastmod)
        try:
            article, _ = await self._run(extract_file, str(path), candidate.url)
        except (ExtractError, OSError) as exc:
            out = self.dead_letter(raw, exc, Reason.EXTRACT_FAILED, candidate.url)
            out.state = base
            return out
        article.source = candidate.source
        return self._publish(article, prev, base, None)

    def _publish(
        self,
        article: ArticleEvent,
        prev: UrlState | None,
        base: UrlState,
        state: PartitionState | None,
        *,
        force: bool = False,
    ) -> Outcome:
        owner = state.owner_of(article.fingerprint) if state is not None else None
        return self._outcome(decide_article(article, prev, base, owner=owner, force=force), base.url)

    def _outcome(self, decision: ArticleDecision, url: str) -> Outcome:
        """The records and state of ``decision`` on an article extracted for ``url``."""
        if decision.article is None:
            return Outcome(decision.reason, state=decision.state)
        self.blocked_strikes.pop(urls_topic.key(url).decode(), None)
        host = m.host_label(urls_topic.key(url).decode())
        published = decision.article
        return Outcome(
            decision.reason,
            records=self._article_records(published),
            state=decision.state,
            on_commit=[lambda: self._observe(published, host)],
        )

    def _article_records(self, article: ArticleEvent) -> list[Record]:
        return articles.records(self.settings, self.source_id, article)

    def _observe(self, article: ArticleEvent, host: str) -> None:
        m.ARTICLES_PUBLISHED.labels(host, article.change).inc()
        for name in ("title", "published", "authors", "body", "lead", "language"):
            if getattr(article, name):
                m.FIELD_FILLED.labels(host, name).inc()
        if article.free_access is False:
            m.PAYWALLED.labels(host).inc()
        if article.extraction is not None and article.extraction.method != "container":
            m.EXTRACT_FALLBACK.labels(host).inc()
        if article.published:
            try:
                delay = datetime.fromisoformat(article.fetched) - datetime.fromisoformat(article.published)
                m.PUBLISH_DELAY.labels(host).observe(max(0.0, delay.total_seconds()))
            except (ValueError, TypeError):
                pass

    def _fetch_failed(
        self,
        candidate: Candidate,
        prev: UrlState | None,
        exc: FetchError,
        raw: bytes,
        *,
        now: float,
        attempt: int,
    ) -> Outcome:
        url = candidate.url
        verdict = decide_failure(prev, status=exc.status, retryable=exc.retryable, attempt=attempt)
        if verdict is Reason.REMOVED:
            assert prev is not None and prev.article_id is not None
            removed = ArticleEvent(
                article_id=prev.article_id,
                url=url,
                canonical_url=url,
                body="",
                fetched=events.utc_now(),
                fingerprint=prev.fingerprint or "0" * 32,
                version=prev.version + 1,
                change="removed",
                source=candidate.source,
            )
            counter = m.ARTICLES_PUBLISHED.labels(m.host_label(urls_topic.key(url).decode()), "removed")
            return Outcome(
                Reason.REMOVED,
                records=self._article_records(removed),
                state=dataclasses.replace(prev, checked=now, removed=True, version=removed.version),
                on_commit=[counter.inc],
            )
        if verdict is Reason.REQUEUED:
            delay = retry_delay(attempt, exc.retry_after)
            record = urls_topic.record(self.settings, candidate, attempt=attempt + 1, not_before=now + delay)
            return Outcome(Reason.REQUEUED, records=[record])
        return self.dead_letter(raw, exc, Reason.FETCH_FAILED, url)

    def _not_article(
        self,
        exc: NotArticleError,
        url: str,
        prev: UrlState | None,
        raw: bytes,
        now: float,
        *,
        base: UrlState | None = None,
    ) -> Outcome:
        """Dead-letter a wall under its own reason; after a bot challenge, leave its host alone a while.

        The URL counts as checked (so it waits ``ingest.recheck_after_s`` like any
        other) and keeps what it last published, so a later real answer is an
        update, not a new article.
        """
        host = urls_topic.key(url).decode()
        m.NOT_ARTICLE.labels(m.host_label(host), exc.kind).inc()
        if exc.kind == "blocked":
            strikes = self.blocked_strikes[host] = self.blocked_strikes.get(host, 0) + 1
            fetch = self.settings.fetch
            pause = min(fetch.blocked_backoff_max_s, fetch.blocked_backoff_s * 2.0 ** (strikes - 1))
            self.fetcher.hold_off(host, pause)
            log.warning(
                "%s answers with a bot challenge (%d in a row): no request to it for %.0f s",
                host,
                strikes,
                pause,
            )
        out = self.dead_letter(raw, exc, Reason(exc.kind), url)
        if prev is not None:
            out.state = dataclasses.replace(prev, checked=now)
        else:
            out.state = base or UrlState(url=url, checked=now)
        return out

    def dead_letter(self, raw: bytes, error: BaseException | str, reason: Reason, url: str) -> Outcome:
        """Dead-letter a urls record (its partition, offset and key are filled in by the fetch role)."""
        log.warning("dead-lettering %s: %s", url, error)
        m.URLS_SKIPPED.labels(reason).inc()
        record = dead_letters.letter(
            self.settings,
            stage="ingest",
            source_id=self.source_id,
            error=error,
            reason=reason,
            payload=raw,
            origin=dead_letters.Origin(self.settings.topic("urls")),
            key=url.encode(),
            context={"url": url},
        )
        return Outcome(reason, records=[record])
