"""Which WARC files a list of command-line paths names: files, folders and glob patterns."""

from __future__ import annotations

import glob
import zlib
from collections.abc import Iterable
from pathlib import Path

from newswire.errors import ArchiveError

WARC_SUFFIXES = (".warc", ".warc.gz")


_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 4096


def starts_like_warc(path: Path) -> bool:
    """Whether a file opens with a WARC record (``WARC/1.``), plain or in a gzip member.

    Read from the first few kilobytes only: a file named by mistake (a page, a tarball) is
    refused when it is queued, not dead-lettered by a worker later. A file that cannot be read
    raises :class:`ArchiveError`.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        raise ArchiveError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/1.")


def is_warc_name(name: str) -> bool:
    """Whether a file name says WARC (``.warc`` or ``.warc.gz``, any case)."""
    return name.lower().endswith(WARC_SUFFIXES)


def warc_files(paths: Iterable[str | Path]) -> list[Path]:
    """The WARC files ``paths`` name, in order, each once.

    A file is taken whatever its name; a folder gives its ``.warc``/``.warc.gz`` files
    (recursively, sorted); a pattern with ``*``, ``?`` or ``[`` is expanded like a shell glob
    (``**`` included). A path or pattern that names nothing raises :class:`ArchiveError`, so
    a typo is not an empty import.
    """
    found: dict[Path, None] = {}
    for raw in paths:
        text = str(raw)
        if glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            files = [p for p in matches if p.is_file() and is_warc_name(p.name)]
        elif Path(text).is_dir():
            files = sorted(p for p in Path(text).rglob("*") if p.is_file() and is_warc_name(p.name))
        elif Path(text).is_file():
            files = [Path(text)]
        else:
            raise ArchiveError("no such file or folder", path=text)
        if not files:
            raise ArchiveError("names no .warc or .warc.gz file", path=text)
        found.update(dict.fromkeys(files))
    return list(found)
