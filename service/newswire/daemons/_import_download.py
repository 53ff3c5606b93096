"""A work item that names an http(s) WARC URL: its file is downloaded to the spool, then read.

The import role (``daemons/_import_role.py``) starts the download when it takes the
work item (:func:`start_download`) and keeps polling meanwhile, so it stays in the
group while a gigabyte arrives; :func:`wait_for_download` looks in on it a moment
at a time. Once the file is in the spool (``daemons/_warc_spool.py``), :func:`start_reading`
points the file in hand at it, from the file's last checkpoint. A download that fails
(404, refused by the address guard, over ``ingest.max_warc_bytes``) is one dead letter
(``download_failed``) and settles the work item; the role writes it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

from newswire.config import Settings
from newswire.daemons._import_file import FileInHand, open_reader
from newswire.daemons._warc_spool import WarcSpool
from newswire.errors import FetchError
from newswire.fetch import Download
from newswire.observe import metrics as m

log = logging.getLogger(__name__)


def start_download(spool: WarcSpool, f: FileInHand) -> None:
    """Download ``f``'s file to the spool in the background (nothing to read until it is through)."""
    f.download = asyncio.create_task(spool.fetch(f.item.path_or_url))


async def wait_for_download(f: FileInHand) -> Download | FetchError | OSError | None:
    """``f``'s file once it is in the spool, or why it cannot be; None while it is still on its way
    (waits up to a moment for it)."""
    assert f.download is not None
    done, _ = await asyncio.wait({f.download}, timeout=0.2)
    if not done:
        return None
    try:
        return f.download.result()
    except (FetchError, OSError) as exc:
        return exc


def start_reading(settings: Settings, f: FileInHand, download: Download) -> None:
    """Read ``f`` from its downloaded file, from the file's last checkpoint on."""
    f.download, f.started = None, time.monotonic()
    f.item = dataclasses.replace(f.item, size=download.size)
    m.IMPORT_FILE_SIZE.set(download.size)
    m.IMPORT_FILE_POSITION.set(f.checkpoint.position.offset)
    f.reader = open_reader(settings, download.path, f.checkpoint, f.counts)
    log.info("importing %s (%s) from byte %d", f.item.path_or_url, download.path, f.from_offset)
