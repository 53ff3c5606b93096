"""``newswire replay``: extract stored raw pages again and re-publish, without fetching.

With ``ingest.keep_raw = true`` every published article's page is kept in the
``raw-pages`` topic (keyed like the article). Replay reads the pages published
since a time (or one article's), keeps the newest page of each article, and
hands each to the ingest fetch role as a *replay* work item on the ``urls``
topic. The role that owns the URL's host extracts it with the current
extractor and, in its usual transaction, publishes an ``updated`` event with a
higher version when the result differs (or always, with ``force``). State stays
single-writer: replay never touches ``fetch-state`` itself.

``--warc FILE...`` takes the pages from WARC files instead (files, folders, globs; an
archive written by ``ingest.archive_warc`` or anyone's crawl): the HTML pages read by
:func:`~newswire.archive.read_warc`, the newest capture (``WARC-Date``) of each URL once,
queued the same way, so they go through the same per-URL decision as fetched pages:
``created`` for a URL newswire has not published, ``updated`` with a higher version when
the extraction differs, nothing when it is unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from newswire.archive import BadRecord, WarcPage, read_warc, warc_files
from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.bus.records import Record, raw_pages, urls
from newswire.bus.tail import read_topic
from newswire.config import Settings
from newswire.sources import Candidate
from newswire.urls import canonicalize

Progress = Callable[[int, int], None]


def stderr_progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = width * done // total if total else width
    sys.stderr.write(f"\rreplay [{'#' * filled}{'.' * (width - filled)}] {done}/{total} articles")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


async def replay(
    settings: Settings,
    *,
    since: datetime | None = None,
    article_id: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    batch: int = 100,
) -> int:
    """Queue the newest raw page of each matching article for re-extraction; return how many."""
    since_ms = int(since.timestamp() * 1000) if since is not None else None
    newest: dict[bytes, Record] = {}
    for record in await read_topic(settings, settings.topic("raw-pages"), since_ms=since_ms):
        if record.key is None or record.value is None:
            continue
        if article_id is not None and record.key != article_id.encode():
            continue
        page = raw_pages.decode(record.value, list(record.headers or ()))
        if page is None:
            continue
        candidate = Candidate(url=page.url, source=page.source or "replay")
        work = urls.Replay(
            content=page.content, final_url=page.final_url, content_type=page.content_type, force=force
        )
        newest[record.key] = urls.record(settings, candidate, replay=work)
    return await _queue(settings, newest.values(), len(newest), progress, batch)


async def replay_warc(
    settings: Settings,
    paths: Sequence[str],
    *,
    force: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    batch: int = 100,
) -> int:
    """Queue the newest archived capture of each URL in the WARC files ``paths``; return how many.

    Two reads of the files: the first picks each URL's newest capture (by ``WARC-Date``,
    the later record on a tie), the second queues those pages, so no page is held in memory
    longer than its batch. Bad records and URLs that are not http(s) are passed to ``warn``
    and skipped. Raises :class:`~newswire.errors.ArchiveError` for a path that names no
    WARC file, before anything is queued.
    """
    files = warc_files(paths)
    newest: dict[str, tuple[str, Path, int]] = {}  # url -> (fetched, file, index of the record)
    for path, index, url, page in _pages(settings, files, warn):
        if url not in newest or page.fetched >= newest[url][0]:
            newest[url] = (page.fetched, path, index)
    chosen = {(path, index) for _, path, index in newest.values()}

    def records() -> Iterator[Record]:
        for path, index, url, page in _pages(settings, files, None):
            if (path, index) in chosen:
                work = urls.Replay(
                    content=page.payload, final_url=url, content_type=page.content_type, force=force
                )
                yield urls.record(settings, Candidate(url=url, source="replay"), replay=work)

    await ensure_topics(settings)  # an archive may be replayed before any daemon has run
    return await _queue(settings, records(), len(chosen), progress, batch)


def _pages(
    settings: Settings, files: Sequence[Path], warn: Callable[[str], None] | None
) -> Iterator[tuple[Path, int, str, WarcPage]]:
    """(file, index in the file, canonical URL, page) of every HTML page of ``files``."""
    for path in files:
        items = read_warc(path, max_payload_bytes=settings.fetch.max_body_bytes)
        for index, item in enumerate(items):
            if isinstance(item, BadRecord):
                if warn is not None:
                    warn(f"bad record: {item.error}")
                continue
            try:
                url = canonicalize(item.url)
            except ValueError as exc:
                if warn is not None:
                    warn(f"{item.path}@{item.offset}: skipped: {exc}")
                continue
            yield path, index, url, item


async def _queue(
    settings: Settings, items: Iterable[Record], total: int, progress: Progress | None, batch: int
) -> int:
    """Send ``items`` (``total`` of them) to the broker in batches, reporting progress after each."""
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "replay producer")
    sent = 0
    pending: list[Record] = []
    try:
        for item in items:
            pending.append(item)
            if len(pending) >= batch:
                await send_all(producer, pending)
                sent, pending = sent + len(pending), []
                if progress is not None:
                    progress(sent, total)
        if pending or not sent:
            await send_all(producer, pending)
            sent += len(pending)
            if progress is not None:
                progress(sent, total)
    finally:
        await producer.stop()
    return sent


async def run(
    settings: Settings,
    out: Callable[[str], None],
    *,
    since: str | None,
    article_id: str | None,
    force: bool,
    warc: Sequence[str] | None = None,
) -> int:
    """``newswire replay``: queue the pages, say how many; 2 for a bad ``--from``."""
    if warc is not None:
        count = await replay_warc(
            settings, warc, force=force, progress=stderr_progress, warn=lambda m: _warn(f"replay: {m}")
        )
        out(f"queued {count} archived page{'' if count == 1 else 's'} for re-extraction by the ingest daemon")
        if not count:
            _warn("replay: the WARC files hold no HTML page")
        return 0
    when = None
    if since is not None:  # "--from ''" is a mistake, not "everything"
        try:
            when = datetime.fromisoformat(since)
        except ValueError:
            print(f"newswire replay: --from wants an ISO 8601 time, got {since!r}", file=sys.stderr)
            return 2
    count = await replay(settings, since=when, article_id=article_id, force=force, progress=stderr_progress)
    out(f"queued {count} stored page{'' if count == 1 else 's'} for re-extraction by the ingest daemon")
    if not count:
        print(
            "newswire replay: no stored page matched (pages are kept with ingest.keep_raw = true)",
            file=sys.stderr,
        )
    return 0


def _warn(message: str) -> None:
    print(f"newswire {message}", file=sys.stderr)
