"""``newswire import warc PATH_OR_URL...``: queue WARC files for the import workers, then exit.

Files, folders and globs are expanded with :func:`~newswire.archive.warc_files`; each
file becomes one work record on ``warc-files`` (key: its absolute path). The workers
(``newswire import-worker``, any number of processes in one consumer group) take them.
http(s) URLs are refused for now: download the file and queue the local copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from newswire.archive import warc_files
from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.bus.records import warc_files as work
from newswire.config import Settings
from newswire.errors import ArchiveError
from newswire.events import utc_now


def queued_files(paths: Sequence[str]) -> list[work.WarcFile]:
    """The work items ``paths`` name, each file once; a URL or a name matching nothing raises."""
    urls = [p for p in paths if p.lower().startswith(("http://", "https://"))]
    if urls:
        raise ArchiveError(
            "importing from a URL is not supported yet: download it and give the file", path=urls[0]
        )
    now = utc_now()
    items = []
    for path in warc_files(paths):
        resolved = Path(path).resolve()
        items.append(work.WarcFile(str(resolved), resolved.stat().st_size, now))
    return items


async def run(settings: Settings, out: Callable[[str], None], paths: Sequence[str]) -> int:
    """Queue the files and print one line per file and a total; 0 once all are on the broker."""
    items = queued_files(paths)
    await ensure_topics(settings)
    producer = make_producer(settings)
    await start_client(producer, settings.kafka.bootstrap_servers, "import producer")
    try:
        await send_all(producer, [work.record(settings, item) for item in items])
    finally:
        await producer.stop()
    for item in items:
        out(f"queued {item.path_or_url} ({item.size} bytes)")
    total = sum(item.size or 0 for item in items)
    out(f"{len(items)} WARC files queued on {settings.topic('warc-files')} ({total} bytes)")
    return 0
