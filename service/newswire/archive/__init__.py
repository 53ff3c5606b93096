"""Web archives in and out: the HTML pages of WARC files, and WARC files of what we fetch.

Pure file work, no Kafka and no network: the CLI's ``parse`` and, later, an import role
read with these; the fetch path will write with them. FastWARC parses and serialises records.

    for item in read_warc(path, max_payload_bytes=..., start=checkpoint, counts=counts):
        if isinstance(item, WarcPage): ...       # url, fetched (WARC-Date), status, headers, payload
        else: ...                                # BadRecord: item.error (path, offset, reason)
        checkpoint = item.resume                 # where to read on from after this item

    warc_files(["dir/", "crawl-*.warc.gz"])     # files, folders and globs → WARC files

    with WarcFileWriter(folder, max_file_bytes=...) as archive:   # rotating .warc.gz files
        archive.write_exchange(url=..., fetched=..., status=200, response_headers=..., payload=...)

Every failure to open or name a file is an :class:`~newswire.errors.ArchiveError`; a bad
record inside a file is a :class:`BadRecord` and reading goes on after it.
"""

from __future__ import annotations

from newswire.archive._files import is_warc_name, starts_like_warc, warc_files
from newswire.archive._reader import read_warc
from newswire.archive._records import START, BadRecord, Position, ReadCounts, WarcPage
from newswire.archive._writer import DEFAULT_MAX_FILE_BYTES, WarcFileWriter

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "START",
    "BadRecord",
    "Position",
    "ReadCounts",
    "WarcFileWriter",
    "WarcPage",
    "is_warc_name",
    "read_warc",
    "starts_like_warc",
    "warc_files",
]
