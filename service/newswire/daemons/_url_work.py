"""What ingest does with one candidate URL: decide, fetch, extract, and say what to publish.

:meth:`UrlWorker.handle` returns an :class:`Outcome` (records to publish and
the URL's new state) and never publishes anything itself: the fetch role
commits outcomes in Kafka transactions, in offset order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import os
import time
from concurrent.futures import Executor
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import orjson

from newswire import events
from newswire.bus import CE_TYPE_ARTICLE, CE_TYPE_DEAD_LETTER, cloudevent_headers, dead_letter
from newswire.bus.clients import Record
from newswire.config import Settings
from newswire.errors import BlockedError, ExtractError, FetchError
from newswire.events import ArticleEvent
from newswire.fetch import Fetcher, Validators
from newswire.observe import metrics as m
from newswire.sources import Candidate
from newswire.state import TRACKED_FIELDS, PartitionState, UrlState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
FILE_HOST = "local-files"


# ----------------------------------------------------------------- candidates on the wire


def encode_candidate(candidate: Candidate, *, attempt: int = 0, not_before: float | None = None) -> bytes:
    doc = dataclasses.asdict(candidate)
    doc["attempt"] = attempt
    doc["not_before"] = not_before
    return orjson.dumps(doc)


def decode_candidate(data: bytes) -> tuple[Candidate, int, float | None]:
    """Parse a urls-topic record; ValueError/TypeError/KeyError when it is not one."""
    doc: dict[str, Any] = orjson.loads(data)
    attempt = int(doc.pop("attempt", 0) or 0)
    not_before = doc.pop("not_before", None)
    doc["authors"] = tuple(doc.get("authors") or ())
    return Candidate(**doc), attempt, not_before


def url_key(url: str) -> bytes:
    """The urls-topic key: the host, so one instance owns each host's politeness and state."""
    if url.startswith("file:"):
        return FILE_HOST.encode()
    return (urlsplit(url).hostname or "").encode()


# ----------------------------------------------------------------- extraction jobs (run in a process pool)


def extract_page(  # noqa: PLR0917 - a process-pool job: executors pass arguments by position
    content: bytes,
    url: str,
    content_type: str | None,
    hints: dict[str, Any],
    fetched: str,
    source: str | None,
) -> tuple[ArticleEvent, float]:
    """Extract one fetched page; returns the event and the CPU seconds it took."""
    from newswire.extract import Hints, extract_html

    started = time.process_time()
    hints["authors"] = tuple(hints.get("authors") or ())
    event = extract_html(
        content, url, content_type=content_type, hints=Hints(**hints), fetched=fetched, source=source
    )
    return event, time.process_time() - started


def extract_file(path: str, url: str) -> tuple[ArticleEvent, float]:
    """Extract one local page or text dump."""
    from newswire.extract import parse_path

    started = time.process_time()
    return parse_path(Path(path), url=url), time.process_time() - started


# ----------------------------------------------------------------- outcomes


@dataclasses.dataclass(slots=True)
class Outcome:
    """What handling one URL produced: records for the transaction, and the URL's new state."""

    reason: str
    records: list[Record] = dataclasses.field(default_factory=list)
    state: UrlState | None = None


def _digest(value: object) -> str:
    return hashlib.blake2b(orjson.dumps(value), digest_size=8).hexdigest()


def field_digests(article: ArticleEvent) -> dict[str, str]:
    return {name: _digest(getattr(article, name)) for name in TRACKED_FIELDS}


class UrlWorker:
    """Turns candidates into outcomes with a shared Fetcher and extraction pool."""

    def __init__(
        self,
        settings: Settings,
        fetcher: Fetcher,
        pool: Executor | None,
        *,
        source_id: str,
        file_roots: tuple[Path, ...] = (),
    ) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.pool = pool
        self.source_id = source_id
        self.file_roots = tuple(p.resolve() for p in file_roots)

    async def _run(self, fn: Any, *args: Any) -> Any:
        if self.pool is None:
            return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    async def handle(
        self,
        candidate: Candidate,
        state: PartitionState,
        raw: bytes,
        *,
        attempt: int = 0,
        not_before: float | None = None,
    ) -> Outcome:
        url = candidate.url
        prev = state.get(url)
        now = time.time()
        if not_before is not None and not_before > now:
            await asyncio.sleep(min(not_before - now, 60.0))
            now = time.time()
        if prev is not None and not prev.removed:
            if candidate.lastmod and prev.lastmod and candidate.lastmod <= prev.lastmod:
                return Outcome("unchanged_lastmod")
            if now - prev.checked < self.settings.ingest.recheck_after_s:
                return Outcome("recently_checked")
        if url.startswith("file:"):
            return await self._handle_file(candidate, prev, raw, now)
        validators = Validators(prev.etag, prev.last_modified) if prev and not prev.removed else None
        try:
            result = await self.fetcher.fetch(url, validators=validators)
        except BlockedError as exc:
            if "robots.txt" in str(exc):
                m.ROBOTS_DENIED.labels(m.host_label(url_key(url).decode())).inc()
                return Outcome("robots_denied", state=UrlState(url=url, checked=now))
            m.BLOCKED.labels("policy").inc()
            return self.dead_letter(raw, exc, "blocked", url)
        except FetchError as exc:
            return self._fetch_failed(candidate, prev, exc, raw, now=now, attempt=attempt)
        if result.not_modified and prev is not None:
            return Outcome("not_modified", state=dataclasses.replace(prev, checked=now))
        hints = {
            "title": candidate.title,
            "published": candidate.published,
            "authors": candidate.authors,
            "summary": candidate.summary,
            "language": candidate.language,
        }
        try:
            article, cpu_s = await self._run(
                extract_page,
                result.content,
                result.final_url,
                result.content_type,
                hints,
                events.utc_now(),
                candidate.source,
            )
        except ExtractError as exc:
            out = self.dead_letter(raw, exc, "extract_failed", url)
            out.state = UrlState(
                url=url,
                checked=now,
                etag=result.validators.etag,
                last_modified=result.validators.last_modified,
                lastmod=candidate.lastmod,
            )
            return out
        m.EXTRACT_SECONDS.observe(cpu_s)
        base = UrlState(
            url=url,
            checked=now,
            etag=result.validators.etag,
            last_modified=result.validators.last_modified,
            lastmod=candidate.lastmod,
        )
        return self._publish(article, prev, base, state)

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
                raw, f"{path} is not under a configured files source", "blocked", candidate.url
            )
        if isinstance(stat, OSError):
            return self.dead_letter(raw, f"cannot read {path}: {stat}", "fetch_failed", candidate.url)
        stamp = f"{stat.st_mtime_ns}-{stat.st_size}"
        if prev is not None and prev.etag == stamp and not prev.removed:
            return Outcome("not_modified", state=dataclasses.replace(prev, checked=now))
        try:
            article, _ = await self._run(extract_file, str(path), candidate.url)
        except (ExtractError, OSError) as exc:
            out = self.dead_letter(raw, exc, "extract_failed", candidate.url)
            out.state = UrlState(url=candidate.url, checked=now, etag=stamp, lastmod=candidate.lastmod)
            return out
        article.source = candidate.source
        base = UrlState(url=candidate.url, checked=now, etag=stamp, lastmod=candidate.lastmod)
        return self._publish(article, prev, base, None)

    def _publish(
        self, article: ArticleEvent, prev: UrlState | None, base: UrlState, state: PartitionState | None
    ) -> Outcome:
        url = base.url
        owner = state.owner_of(article.fingerprint) if state is not None else None
        if owner is not None and owner != url:
            return Outcome("duplicate_content", state=base)
        digests = field_digests(article)
        if prev is not None and prev.article_id and not prev.removed:
            if prev.fingerprint == article.fingerprint:
                return Outcome(
                    "unchanged",
                    state=dataclasses.replace(
                        prev,
                        checked=base.checked,
                        etag=base.etag,
                        last_modified=base.last_modified,
                        lastmod=base.lastmod,
                    ),
                )
            article.version = prev.version + 1
            article.change = "updated"
            article.changed_fields = [f for f in TRACKED_FIELDS if prev.fields.get(f) != digests[f]]
        elif prev is not None and prev.article_id:
            article.version = prev.version + 1  # re-published after removal
        new_state = dataclasses.replace(
            base,
            article_id=article.article_id,
            version=article.version,
            fingerprint=article.fingerprint,
            fields=digests,
        )
        host = m.host_label(url_key(url).decode())
        self._observe(article, host)
        return Outcome(article.change, records=self._article_records(article), state=new_state)

    def _article_records(self, article: ArticleEvent) -> list[Record]:
        value = events.encode_event(article)
        key = article.article_id.encode()
        headers = cloudevent_headers(
            ce_type=CE_TYPE_ARTICLE.format(change=article.change),
            source=self.source_id,
            subject=article.article_id,
            event_id=f"{article.article_id}-v{article.version}",
            time=article.fetched,
        )
        return [
            (self.settings.topic("articles"), key, value, headers),
            (self.settings.topic("latest"), key, value, headers),
        ]

    def _observe(self, article: ArticleEvent, host: str) -> None:
        m.ARTICLES_PUBLISHED.labels(host, article.change).inc()
        for name in ("title", "published", "authors", "body", "lead", "language"):
            if getattr(article, name):
                m.FIELD_FILLED.labels(host, name).inc()
        if article.free_access is False:
            m.PAYWALLED.labels(host).inc()
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
        if exc.status in (404, 410) and prev is not None and prev.article_id and not prev.removed:
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
            m.ARTICLES_PUBLISHED.labels(m.host_label(url_key(url).decode()), "removed").inc()
            return Outcome(
                "removed",
                records=self._article_records(removed),
                state=dataclasses.replace(prev, checked=now, removed=True, version=removed.version),
            )
        if exc.retryable and attempt + 1 < MAX_ATTEMPTS:
            delay = max(exc.retry_after or 0.0, 30.0 * 2**attempt)
            record: Record = (
                self.settings.topic("urls"),
                url_key(url),
                encode_candidate(candidate, attempt=attempt + 1, not_before=now + delay),
                [],
            )
            return Outcome("requeued", records=[record])
        return self.dead_letter(raw, exc, "fetch_failed", url)

    def dead_letter(self, raw: bytes, error: BaseException | str, reason: str, url: str) -> Outcome:
        log.warning("dead-lettering %s: %s", url, error)
        m.DEAD_LETTERS.labels("ingest").inc()
        m.URLS_SKIPPED.labels(reason).inc()
        value = dead_letter(
            stage="ingest",
            error=error,
            payload=raw,
            topic=self.settings.topic("urls"),
            context={"reason": reason, "url": url},
        )
        headers = cloudevent_headers(ce_type=CE_TYPE_DEAD_LETTER, source=self.source_id)
        return Outcome(reason, records=[(self.settings.topic("dead-letters"), url.encode(), value, headers)])
