"""WARC import through real import workers: the fake site's pages as WARC records, what reached Kafka,
and the kill-mid-file-and-resume sequence that local files and http(s) URLs both go through."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson

from newswire.bus.tail import read_topic
from newswire.commands.import_warc import run as queue_files
from newswire.config import Settings
from tests.fakesite._articles import generated
from tests.fakesite._render import article_html
from tests.support.daemon_procs import Daemon, decider, wait_for
from tests.support.warc_bytes import gzip_members, page_record

BASE = "https://news.example"

#: Pages of the file a worker is killed in the middle of: enough that the pipelined worker is
#: still reading when the test sees its first pages committed and kills it.
KILL_PAGES = 300


def pages(n: int, first: int = 0) -> list[tuple[str, bytes]]:
    """``n`` article pages of the fake site: (URL, gzip member of its response record)."""
    out = []
    for article in generated(first + n)[first:]:
        url = f"{BASE}{article.path}"
        out.append((url, gzip_members([page_record(url, article_html(article, BASE, []).encode())])))
    return out


async def article_urls(settings: Settings) -> Counter[str]:
    records = await read_topic(settings, settings.topic("articles"))
    return Counter(orjson.loads(r.value)["url"] for r in records)


async def handed_on(settings: Settings) -> Counter[str]:
    """Per URL, the articles the import workers handed to ingest (committed ``urls`` records)."""
    records = await read_topic(settings, settings.topic("urls"))
    docs = [orjson.loads(r.value) for r in records]
    return Counter(d["imported"]["url"] for d in docs if d.get("imported"))


async def wait_for_articles(
    settings: Settings,
    worker: Daemon,
    expected: set[str],
    what: str,
    *,
    timeout: float = 120,
    at_least: bool = False,
) -> None:
    """Wait until ``articles`` holds the URLs ``expected`` (``at_least``: them and maybe others), failing
    at once, with its log, if ``worker`` exits meanwhile."""

    async def published() -> bool:
        assert worker.popen.poll() is None, worker.log_tail()
        urls = set(await article_urls(settings))
        return urls >= expected if at_least else urls == expected

    await wait_for(published, timeout, what)


async def kill_mid_file_and_resume(
    settings: Settings, tmp_path: Path, source: str, expected: set[str], start_worker: Callable[[str], Daemon]
) -> str:
    """Queue the WARC file ``source`` (a path or an http(s) URL), SIGKILL the import worker
    ``start_worker("first")`` once it has handed its first pages on, let ``start_worker("second")``
    finish the file, and check that every article of ``expected`` was handed on and published
    exactly once. Returns the second worker's log, for what the caller checks of how it resumed.
    """
    await queue_files(settings, lambda _: None, [source])
    first = start_worker("first")
    second = None
    ingest = decider(settings, tmp_path)
    try:

        async def some_committed() -> bool:
            assert first.popen.poll() is None, first.log_tail()
            return len(await handed_on(settings)) >= 10

        await wait_for(some_committed, 120, "the first pages handed on")
        os.killpg(first.pid, signal.SIGKILL)
        first.popen.wait(10)
        before = len(await handed_on(settings))
        assert before < len(expected), "the file was done before the kill: make it bigger"
        second = start_worker("second")
        await wait_for_articles(
            settings, second, expected, "every article after the restart", timeout=180, at_least=True
        )
        counts = await article_urls(settings)
        assert set(counts) == expected
        assert [url for url, n in counts.items() if n != 1] == []
        assert [url for url, n in (await handed_on(settings)).items() if n != 1] == []
        return second.log_tail(100_000)
    finally:
        first.stop()
        if second is not None:
            second.stop()
        ingest.stop()
