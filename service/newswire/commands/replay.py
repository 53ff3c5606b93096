"""``newswire replay``: extract stored raw pages again and re-publish, without fetching.

With ``ingest.keep_raw = true`` every published article's page is kept in the
``raw-pages`` topic (keyed like the article). Replay reads the pages published
since a time (or one article's), keeps the newest page of each article, and
hands each to the ingest fetch role as a *replay* work item on the ``urls``
topic. The role that owns the URL's host extracts it with the current
extractor and, in its usual transaction, publishes an ``updated`` event with a
higher version when the result differs (or always, with ``force``). State stays
single-writer: replay never touches ``fetch-state`` itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

from newswire.bus import make_producer, send_all, start_client
from newswire.bus.records import Record, raw_pages, urls
from newswire.bus.tail import read_topic
from newswire.config import Settings
from newswire.sources import Candidate

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
    items = list(newest.values())
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "replay producer")
    try:
        for start in range(0, len(items), batch):
            await send_all(producer, items[start : start + batch])
            if progress is not None:
                progress(min(start + batch, len(items)), len(items))
    finally:
        await producer.stop()
    if progress is not None and not items:
        progress(0, 0)
    return len(items)


async def run(
    settings: Settings,
    out: Callable[[str], None],
    *,
    since: str | None,
    article_id: str | None,
    force: bool,
) -> int:
    """``newswire replay``: queue the pages, say how many; 2 for a bad ``--from``."""
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
