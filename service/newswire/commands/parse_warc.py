"""``newswire parse FILE.warc.gz``: the article events of a WARC file's HTML pages, without Kafka.

Every HTML response goes through the same extraction as a saved page given to ``parse``, with
``url`` = the record's target URI and ``fetched`` = its ``WARC-Date``. A page without an article
and a bad record are reported on stderr (file and byte offset) and do not stop the file; a file
that cannot be opened fails. One summary line per file says what was read and skipped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from newswire.archive import BadRecord, ReadCounts, read_warc
from newswire.errors import ExtractError
from newswire.events import encode_event
from newswire.extract import extract_html


@dataclasses.dataclass(slots=True)
class WarcParseSummary:
    """What one WARC file gave: the reader's counts, and how many pages became articles."""

    counts: ReadCounts
    articles: int = 0
    no_article: int = 0

    def line(self, path: Path) -> str:
        skipped = {k: v for k, v in self.counts.as_dict().items() if k not in {"records", "pages"} and v}
        return (
            f"{path}: {self.counts.records} records, {self.counts.pages} HTML pages, "
            f"{self.articles} articles, {self.no_article} pages without an article; skipped: "
            + (", ".join(f"{k} {v}" for k, v in skipped.items()) or "none")
        )


def parse_warc(
    path: Path, *, max_payload_bytes: int, emit: Callable[[bytes], None], warn: Callable[[str], None]
) -> WarcParseSummary:
    """Extract every HTML page of ``path``, ``emit`` each event as JSON and ``warn`` about the rest.

    Raises :class:`ArchiveError` when the file cannot be opened.
    """
    summary = WarcParseSummary(ReadCounts())
    for item in read_warc(path, max_payload_bytes=max_payload_bytes, counts=summary.counts):
        if isinstance(item, BadRecord):
            warn(f"bad record: {item.error}")
            continue
        try:
            event = extract_html(item.payload, item.url, content_type=item.content_type, fetched=item.fetched)
        except ExtractError as exc:
            summary.no_article += 1
            warn(f"{item.path}@{item.offset}: {item.url}: {exc}")
            continue
        summary.articles += 1
        emit(encode_event(event))
    return summary
