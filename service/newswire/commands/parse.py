"""``newswire parse``: article events from saved pages, text dumps and WARC files, without Kafka.

Each input is a path (with ``--url`` for its address) or a line of a ``--manifest`` file
(``{"path": ..., "url": ...}``). Events go to stdout, one JSON line each; a failed input is
reported on stderr and the others go on (exit 1 if any failed). ``--explain`` prints, instead,
how the body was chosen. An http(s) URL of a WARC file is downloaded first through the guarded
fetcher (``fetch.*`` settings, capped by ``ingest.max_warc_bytes``) into a temporary folder
that is removed once the file is parsed.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from newswire.archive import is_warc_name
from newswire.commands.parse_warc import parse_warc
from newswire.config import FetchSettings, IngestSettings, masked_url_credentials
from newswire.daemons._warc_spool import is_url
from newswire.errors import NewswireError
from newswire.events import encode_event
from newswire.extract import parse_path
from newswire.fetch import Fetcher


def parse(
    paths: Sequence[str],
    *,
    url: str | None,
    manifest: str | None,
    explain: bool,
    max_payload_bytes: int,
    out: Callable[[bytes | str], None],
    fetch: FetchSettings | None = None,
    max_warc_bytes: int = IngestSettings().max_warc_bytes,
) -> int:
    """Run ``newswire parse``; the exit code."""
    inputs: list[tuple[str, str | None]] = [(p, url) for p in paths]
    if manifest:
        try:
            lines = Path(manifest).read_bytes().splitlines()
        except OSError as exc:
            print(f"newswire parse: cannot read manifest {manifest}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        for n, raw in enumerate(lines, 1):
            if raw.strip():
                try:
                    entry = orjson.loads(raw)
                    inputs.append((str(entry["path"]), entry.get("url")))
                except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                    why = 'no "path"' if isinstance(exc, KeyError | TypeError) else str(exc)
                    print(f"newswire parse: {manifest}:{n}: bad manifest line: {why}", file=sys.stderr)
    if not inputs:
        print("newswire parse: give at least one PATH or --manifest FILE", file=sys.stderr)
        return 2
    if explain:
        from newswire.extract._explain import explain_path

        for name, page_url in inputs:
            path = Path(name)
            if is_url(name) or is_warc_name(path.name):
                print(f"newswire parse: {name}: --explain takes saved pages, not WARC files", file=sys.stderr)
                return 2
            try:
                out(explain_path(path, page_url))
            except NewswireError as exc:
                print(f"newswire parse: {path}: {exc}", file=sys.stderr)
                return 1
        return 0
    failed = 0
    for name, page_url in inputs:
        if is_url(name):
            failed += not _parse_warc_url(
                name, fetch or FetchSettings(), max_warc_bytes, max_payload_bytes, out
            )
            continue
        path = Path(name)
        if is_warc_name(path.name):
            failed += not _parse_warc(path, max_payload_bytes, out)
            continue
        try:
            out(encode_event(parse_path(path, url=page_url)))
        except (NewswireError, OSError) as exc:
            failed += 1
            print(f"newswire parse: {path}: {exc}", file=sys.stderr)
    if failed:
        print(f"newswire parse: {failed} of {len(inputs)} inputs failed", file=sys.stderr)
    return 1 if failed else 0


def _parse_warc(path: Path, max_payload_bytes: int, out: Callable[[bytes | str], None]) -> bool:
    def warn(line: str) -> None:
        print(f"newswire parse: {line}", file=sys.stderr)

    try:
        summary = parse_warc(path, max_payload_bytes=max_payload_bytes, emit=out, warn=warn)
    except NewswireError as exc:
        warn(str(exc))
        return False
    warn(summary.line(path))
    return True


def _parse_warc_url(
    url: str,
    fetch: FetchSettings,
    max_warc_bytes: int,
    max_payload_bytes: int,
    out: Callable[[bytes | str], None],
) -> bool:
    """Download the WARC file at ``url`` into a temporary folder and parse it; False if either fails."""

    async def download(dest: Path) -> Path:
        async with Fetcher(fetch) as fetcher:
            return (await fetcher.download(url, dest, max_bytes=max_warc_bytes)).path

    with tempfile.TemporaryDirectory(prefix="newswire-parse-") as folder:
        dest = Path(folder) / (Path(urlsplit(url).path).name or "download.warc.gz")
        try:
            path = asyncio.run(download(dest))
        except (NewswireError, OSError) as exc:
            # The URL, and the error quoting it, may carry the archive's credentials.
            said = masked_url_credentials(f"{url}: cannot download: {exc}")
            print(f"newswire parse: {said}", file=sys.stderr)
            return False
        return _parse_warc(path, max_payload_bytes, out)
