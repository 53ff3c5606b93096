"""``newswire parse``: article events from saved pages, text dumps and WARC files, without Kafka.

Each input is a path (with ``--url`` for its address) or a line of a ``--manifest`` file
(``{"path": ..., "url": ...}``). Events go to stdout, one JSON line each; a failed input is
reported on stderr and the others go on (exit 1 if any failed). ``--explain`` prints, instead,
how the body was chosen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson

from newswire.archive import is_warc_name
from newswire.commands.parse_warc import parse_warc
from newswire.errors import NewswireError
from newswire.events import encode_event
from newswire.extract import parse_path


def parse(
    paths: Sequence[str],
    *,
    url: str | None,
    manifest: str | None,
    explain: bool,
    max_payload_bytes: int,
    out: Callable[[bytes | str], None],
) -> int:
    """Run ``newswire parse``; the exit code."""
    inputs: list[tuple[Path, str | None]] = [(Path(p), url) for p in paths]
    if manifest:
        for n, raw in enumerate(Path(manifest).read_bytes().splitlines(), 1):
            if raw.strip():
                try:
                    entry = orjson.loads(raw)
                    inputs.append((Path(entry["path"]), entry.get("url")))
                except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                    print(f"newswire parse: {manifest}:{n}: bad manifest line: {exc}", file=sys.stderr)
    if not inputs:
        print("newswire parse: give at least one PATH or --manifest FILE", file=sys.stderr)
        return 2
    if explain:
        from newswire.extract._explain import explain_path

        for path, page_url in inputs:
            if is_warc_name(path.name):
                print(f"newswire parse: {path}: --explain takes saved pages, not WARC files", file=sys.stderr)
                return 2
            try:
                out(explain_path(path, page_url))
            except NewswireError as exc:
                print(f"newswire parse: {path}: {exc}", file=sys.stderr)
                return 1
        return 0
    failed = 0
    for path, page_url in inputs:
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
