"""``newswire import warc PATH_OR_URL...``: queue WARC files for the import workers, then exit.

Files, folders and globs are expanded with :func:`~newswire.archive.warc_files`; each
file becomes one work record on ``warc-files`` (key: its absolute path). An http(s) URL
is queued as it is (key: the URL); the worker that takes it downloads the file into its
own spool through the guarded fetcher (``daemons/_warc_spool.py``). The workers
(``newswire import-worker``, any number of processes in one consumer group) take them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from newswire.archive import starts_like_warc, warc_files
from newswire.bus import ensure_topics, make_producer, send_all, start_client
from newswire.bus.records import warc_files as work
from newswire.config import Settings, masked_url_credentials
from newswire.daemons._warc_spool import is_url
from newswire.errors import ArchiveError
from newswire.events import utc_now


def queued_files(paths: Sequence[str]) -> list[work.WarcFile]:
    """The work items ``paths`` name, in order, each file or URL once.

    A name that matches nothing, a file that is not a WARC file or cannot be read, a URL
    without a host or with credentials (user:password, or a token the URL masker knows) raises
    :class:`ArchiveError` before anything is queued.
    """
    now = utc_now()
    items: dict[str, work.WarcFile] = {}
    for path in paths:
        if is_url(path):
            if not urlsplit(path).hostname:
                raise ArchiveError("not a URL with a host", path=masked_url_credentials(path))
            if masked_url_credentials(path) != path:
                # The URL is the work item's key on warc-files and is quoted in dead letters.
                raise ArchiveError(
                    "a WARC URL with credentials would be written to Kafka: serve the file without them "
                    "or download it and import the local file",
                    path=masked_url_credentials(path),
                )
            items.setdefault(path, work.WarcFile(path, None, now))
            continue
        for found in warc_files([path]):
            resolved = Path(found).resolve()
            if not starts_like_warc(resolved):
                raise ArchiveError("not a WARC file (no WARC/1.x record at its start)", path=str(found))
            items.setdefault(str(resolved), work.WarcFile(str(resolved), resolved.stat().st_size, now))
    return list(items.values())


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
        out(f"queued {item.path_or_url}" + (f" ({item.size} bytes)" if item.size is not None else ""))
    total = sum(item.size or 0 for item in items)
    out(f"{len(items)} WARC files queued on {settings.topic('warc-files')} ({total} bytes)")
    return 0
