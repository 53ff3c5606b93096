"""Hand-made sources: a text file of URLs, a folder of saved pages."""

from __future__ import annotations

import os
from pathlib import Path

from newswire.errors import SourceError
from newswire.sources._models import Candidate
from newswire.urls import canonicalize

#: File names ``scan_files`` picks up (compared lower-case).
FILE_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".html.gz", ".txt")


def parse_url_list(text: str, source: str) -> list[Candidate]:
    """The URLs of a list: one per line; blank lines and ``#`` comment lines are skipped.

    Anything after the URL on its line (whitespace, then e.g. ``# note``) is
    ignored. URLs are canonicalised and kept once, in order. A line that is not
    an absolute http(s) URL is a :class:`SourceError` naming the line, so a typo
    is noticed rather than silently dropped.
    """
    found: dict[str, Candidate] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped or stripped.startswith("#"):
            continue
        token = stripped.split()[0]
        try:
            url = canonicalize(token)
        except ValueError as exc:
            raise SourceError(f"{source} line {number}: {exc}") from None
        found.setdefault(url, Candidate(url=url, source=source))
    return list(found.values())


def _wanted(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(FILE_SUFFIXES)


def scan_files(path: Path) -> list[Path]:
    """Saved pages under ``path`` (or ``path`` itself), sorted, hidden files and folders skipped.

    Picks :data:`FILE_SUFFIXES`. Symbolic links to folders are not followed (no
    loops). Raises :class:`SourceError` if ``path`` does not exist, cannot be
    read, or is a single file of another kind.
    """
    path = Path(path)
    if path.is_file():
        if not path.name.lower().endswith(FILE_SUFFIXES):
            raise SourceError(f"{path} is not a saved page (expected one of {', '.join(FILE_SUFFIXES)})")
        return [path]
    if not path.is_dir():
        raise SourceError(f"{path} does not exist or is not a file or folder")
    errors: list[OSError] = []
    found: list[Path] = []
    for folder, dirs, files in os.walk(path, onerror=errors.append):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(folder, name) for name in files if _wanted(name))
    if errors:
        raise SourceError(f"cannot read {errors[0].filename}: {errors[0].strerror}")
    return sorted(found)
