"""Archive out: ingest's fetched pages also written as WARC files (``ingest.archive_warc``)."""

from __future__ import annotations

import logging

from newswire import events
from newswire.archive import WarcFileWriter
from newswire.errors import ArchiveError
from newswire.fetch import FetchResult

log = logging.getLogger(__name__)


def archive_page(archive: WarcFileWriter, result: FetchResult) -> None:
    """Write a 2xx page as a request + response record pair, at least once.

    A page fetched again after a crash is written again (readers can drop repeats by
    ``WARC-Payload-Digest``); a failed write is logged, and the article is published all
    the same. The stored body is the decoded one extraction sees.
    """
    if not 200 <= result.status < 300 or result.not_modified:
        return
    try:
        archive.write_exchange(
            url=result.final_url,
            fetched=events.utc_now(),
            status=result.status,
            response_headers=list(result.headers.items()),
            payload=result.content,
        )
    except ArchiveError as exc:
        log.warning("archiving %s failed: %s", result.final_url, exc)
