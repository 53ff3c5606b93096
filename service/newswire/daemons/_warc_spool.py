"""The import worker's spool: an http(s) work item's WARC file downloaded to a local folder.

The work item of a URL is the URL itself (``newswire import warc https://...``), and the
worker that takes it downloads the file here before reading it from its checkpoint, so any
worker on any machine can take any file and nothing needs a shared disk. The download goes
through the polite, guarded fetcher (address guard, robots.txt, proxies, timeouts) with its
own size cap (``ingest.max_warc_bytes``), streamed to disk and resumed with HTTP Range after
a break. A checkpoint's byte offsets are offsets in the file the URL names, so they hold for
whichever worker downloads it (WARC files are published once and never rewritten).

A file is removed once imported (or once its download failed); a file downloaded whole by a
worker that then stopped is reused by the next worker on the same machine that takes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from newswire.errors import FetchError
from newswire.fetch import Download, Fetcher
from newswire.observe import metrics as m

log = logging.getLogger(__name__)

_FOLDER_NAME = "newswire-warc-spool"
_PROGRESS_EVERY_S = 1.0


def is_url(path_or_url: str) -> bool:
    """Whether a work item names an http(s) URL rather than a local file."""
    return path_or_url.lower().startswith(("http://", "https://"))


def default_folder() -> Path:
    """The spool when ``ingest.warc_spool`` is empty: a folder in the system's temporary directory."""
    return Path(tempfile.gettempdir()) / _FOLDER_NAME


class WarcSpool:
    """Downloads the WARC files of URL work items into ``folder`` through ``fetcher``."""

    def __init__(self, folder: Path, fetcher: Fetcher, *, max_bytes: int) -> None:
        self.folder = folder
        self.fetcher = fetcher
        self.max_bytes = max_bytes

    def path_for(self, url: str) -> Path:
        """The local file of ``url``: its name kept for people, a hash of the URL to keep it unique."""
        name = Path(urlsplit(url).path).name or "download.warc.gz"
        digest = hashlib.sha256(url.encode()).hexdigest()[:16]
        return self.folder / f"{digest}-{name}"

    async def fetch(self, url: str) -> Download:
        """The file of ``url`` on disk: downloaded (or resumed), or the whole copy already here.

        Raises ``FetchError``/``BlockedError`` when it cannot be downloaded, ``OSError`` when
        it cannot be written.
        """
        dest = self.path_for(url)
        if dest.is_file():
            log.info("%s is in the spool already (%s)", url, dest)
            m.IMPORT_DOWNLOADS.labels("reused").inc()
            return Download(url, url, dest, dest.stat().st_size, dest.stat().st_size)
        self.folder.mkdir(parents=True, exist_ok=True)
        log.info("downloading %s to %s", url, dest)
        progress = asyncio.create_task(_show_progress(Download.files_of(dest)[1]))
        try:
            download = await self.fetcher.download(url, dest, max_bytes=self.max_bytes)
        except (FetchError, OSError):
            m.IMPORT_DOWNLOADS.labels("failed").inc()
            raise
        finally:
            progress.cancel()
            m.IMPORT_DOWNLOAD_POSITION.set(0)
        m.IMPORT_DOWNLOADS.labels("ok").inc()
        m.IMPORT_DOWNLOAD_BYTES.inc(download.size)
        log.info(
            "downloaded %s: %d bytes%s",
            url,
            download.size,
            f" (resumed at byte {download.resumed_from})" if download.resumed_from else "",
        )
        return download

    def release(self, url: str) -> None:
        """Remove what the spool holds of ``url`` (the file, or a partial download)."""
        for path in Download.files_of(self.path_for(url)):
            path.unlink(missing_ok=True)


async def _show_progress(part: Path) -> None:
    """Keep ``newswire_import_download_position_bytes`` at the size of the partial file, every second."""
    while True:
        m.IMPORT_DOWNLOAD_POSITION.set(_size_on_disk(part))
        await asyncio.sleep(_PROGRESS_EVERY_S)


def _size_on_disk(path: Path) -> int:
    """``path``'s size; 0 while it does not exist (not created yet, or renamed into place)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0
