"""Web archives in and out: the HTML pages of WARC files, and WARC files of what we fetch.

Pure file work, no Kafka and no network: the CLI's ``parse`` and, later, an import role
read with these; the fetch path will write with them.

    for item in read_warc(path, max_payload_bytes=..., start=checkpoint, counts=counts):
        if isinstance(item, WarcPage): ...       # url, fetched (WARC-Date), status, headers, payload
        else: ...                                # BadRecord: item.error (path, offset, reason)
        checkpoint = item.resume                 # where to read on from after this item

    warc_files(["dir/", "crawl-*.warc.gz"])     # files, folders and globs → WARC files

Every failure to open or name a file is an :class:`~newswire.errors.ArchiveError`; a bad
record inside a file is a :class:`BadRecord` and reading goes on after it.
"""

from __future__ import annotations

from newswire.archive._files import warc_files
from newswire.archive._reader import read_warc
from newswire.archive._records import START, BadRecord, Position, ReadCounts, WarcPage

__all__ = ["START", "BadRecord", "Position", "ReadCounts", "WarcPage", "read_warc", "warc_files"]
