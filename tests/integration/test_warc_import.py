"""WARC import through a real broker: ``newswire import warc`` queues files, ``newswire import-worker``
processes (real subprocesses) extract their pages and hand each article on exactly once, and
``newswire ingest``'s fetch role decides and publishes it as it does a fetched page (dedup, versions).

The WARC files are built from the fake site's generated articles (rendered as the site serves
them) with the hand-built record helpers, so a test knows every record's byte offset. A worker
is SIGKILLed in the middle of a file and another takes over from the last checkpoint; counts are
read from ``articles`` with a read-committed consumer.
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import httpx
import orjson
import pytest

from newswire.broker import EmbeddedBroker, free_port
from newswire.bus.tail import read_topic
from newswire.commands.import_warc import run as queue_files
from newswire.config import Settings
from newswire.errors import ArchiveError
from tests.conftest import make_settings
from tests.fakesite._articles import Article, generated
from tests.fakesite._render import article_html
from tests.support.daemon_procs import Daemon, decider, kafka_table, metric_sum, wait_for, write_config
from tests.support.warc_bytes import gzip_members, page_record, record
from tests.support.warc_import import (
    BASE,
    KILL_PAGES,
    article_urls,
    handed_on,
    kill_mid_file_and_resume,
    pages,
    wait_for_articles,
)

pytestmark = pytest.mark.kafka


def worker(settings: Settings, tmp_path: Path, name: str, port: int = 0, **ingest: object) -> Daemon:
    tables = {
        "kafka": kafka_table(settings),
        "ingest": {"group_id": settings.ingest.group_id, "extract_workers": 1, **ingest},
    }
    config = write_config(tmp_path / f"{name}.toml", tables, [])
    return Daemon.start("import-worker", config, port, tmp_path / f"{name}.log")


async def test_a_file_is_imported_once_and_a_malformed_record_is_a_dead_letter_with_file_and_offset(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers)
    good = pages(12)
    broken = gzip_members([record(f"{BASE}/broken", b"\x00\x01 not http at all\r\n\r\nbody")])
    head = b"".join(member for _, member in good[:5])
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(head + broken + b"".join(member for _, member in good[5:]))
    lines: list[str] = []
    assert await queue_files(settings, lines.append, [str(tmp_path)]) == 0
    assert lines[-1].startswith("1 WARC files queued")
    daemon = worker(settings, tmp_path, "worker", free_port(), commit_interval_ms=100, max_in_flight=4)
    ingest = decider(settings, tmp_path)
    try:
        expected = {url for url, _ in good}

        await wait_for_articles(settings, daemon, expected, "every article of the file")
        letters = [orjson.loads(r.value) for r in await read_topic(settings, settings.topic("dead-letters"))]
        assert [(d["stage"], d["context"]["path"], d["context"]["offset"]) for d in letters] == [
            ("import", str(path), len(head))
        ]
        counts = await article_urls(settings)
        assert max(counts.values()) == 1
        async with httpx.AsyncClient() as client:
            samples = await daemon.metrics(client)
        assert metric_sum(samples, "newswire_import_files_total") == 1
        assert metric_sum(samples, "newswire_import_records_total", kind="page") == len(good)
        assert metric_sum(samples, "newswire_import_records_total", kind="malformed") == 1
        assert metric_sum(samples, "newswire_import_pages_total", outcome="article") == len(good)
        assert daemon.stop() == 0
    finally:
        daemon.stop()
        ingest.stop()


async def test_a_worker_killed_mid_file_is_resumed_by_another_and_every_article_is_published_once(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers)
    good = pages(KILL_PAGES)
    path = tmp_path / "big.warc.gz"
    path.write_bytes(b"".join(member for _, member in good))
    small_batches = {"commit_interval_ms": 50, "max_in_flight": 3}
    expected = {url for url, _ in good}
    log = await kill_mid_file_and_resume(
        settings,
        tmp_path,
        str(path),
        expected,
        lambda name: worker(settings, tmp_path, name, **small_batches),
    )
    assert f"importing {path} from byte 0" not in log  # resumed, not restarted


def test_a_url_is_queued_as_it_is_and_a_name_that_matches_nothing_is_refused(tmp_path: Path) -> None:
    from newswire.archive import starts_like_warc
    from newswire.commands.import_warc import queued_files

    with pytest.raises(ArchiveError, match="no such file"):
        queued_files([str(tmp_path / "missing.warc.gz")])
    with pytest.raises(ArchiveError, match="host"):
        queued_files(["https:///x.warc.gz"])
    for secret_url in (
        "https://crawler:s3cret@archive.example/a.warc.gz",
        "https://archive.example/a.warc.gz?token=s3cret",
    ):
        with pytest.raises(ArchiveError, match="credentials") as refused:
            queued_files([secret_url])
        assert "s3cret" not in str(refused.value)
    with pytest.raises(ArchiveError, match="cannot read"):
        starts_like_warc(tmp_path)  # opening fails (here a folder), as for a file without read rights
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Not an archive.</p></body></html>")
    with pytest.raises(ArchiveError, match="not a WARC file"):
        queued_files([str(page)])
    tarball = tmp_path / "site.warc.gz"
    tarball.write_bytes(gzip.compress(b"page.html\0" * 100))  # gzip, but not of a WARC record
    with pytest.raises(ArchiveError, match="not a WARC file"):
        queued_files([str(tarball)])
    local = tmp_path / "a.warc.gz"
    local.write_bytes(b"".join(member for _, member in pages(1)))
    url = "https://data.commoncrawl.org/crawl-data/CC-NEWS/2026/11/CC-NEWS-20261105080910-00001.warc.gz"
    items = queued_files([url, str(local), url])
    assert [(i.path_or_url, i.size) for i in items] == [(url, None), (str(local), local.stat().st_size)]


async def test_a_second_worker_joining_mid_file_shares_the_files_and_nothing_is_published_twice(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers)
    files = []
    for n in range(4):
        path = tmp_path / f"part-{n}.warc.gz"
        path.write_bytes(b"".join(member for _, member in pages(40, first=40 * n)))
        files.append(str(path))
    await queue_files(settings, lambda _: None, files)
    # Batches long enough that the rebalance lands while one is being extracted.
    long_batches = {"commit_interval_ms": 2000, "max_in_flight": 30}
    first = worker(settings, tmp_path, "first", **long_batches)
    second = None
    ingest = decider(settings, tmp_path)
    try:

        async def started() -> bool:
            assert first.popen.poll() is None, first.log_tail()
            return len(await article_urls(settings)) >= 1

        await wait_for(started, 120, "the first articles")
        second = worker(settings, tmp_path, "second", **long_batches)  # a rebalance in mid-file
        expected = {url for n in range(4) for url, _ in pages(40, first=40 * n)}

        await wait_for_articles(
            settings, second, expected, "every article of the four files", timeout=180, at_least=True
        )
        counts = await article_urls(settings)
        assert set(counts) == expected
        assert [url for url, n in counts.items() if n != 1] == []
        assert [url for url, n in (await handed_on(settings)).items() if n != 1] == []
    finally:
        first.stop()
        if second is not None:
            second.stop()
        ingest.stop()


async def test_a_queued_file_that_is_gone_is_a_dead_letter_and_the_queue_goes_on(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers, kafka={"partitions": 1})
    gone, kept = tmp_path / "gone.warc.gz", tmp_path / "kept.warc.gz"
    gone.write_bytes(b"".join(member for _, member in pages(2)))
    kept.write_bytes(b"".join(member for _, member in pages(3, first=2)))
    await queue_files(settings, lambda _: None, [str(gone), str(kept)])
    gone.unlink()
    daemon = worker(settings, tmp_path, "worker")
    ingest = decider(settings, tmp_path)
    try:
        expected = {url for url, _ in pages(3, first=2)}

        await wait_for_articles(settings, daemon, expected, "the articles of the file that is still there")
        letters = [orjson.loads(r.value) for r in await read_topic(settings, settings.topic("dead-letters"))]
        assert [(d["context"]["reason"], d["context"]["path"]) for d in letters] == [
            ("unreadable_file", str(gone))
        ]
        assert "cannot open" in letters[0]["error"]
    finally:
        daemon.stop()
        ingest.stop()


async def test_a_page_in_two_files_is_one_article_and_only_a_later_capture_that_changed_is_a_new_version(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers)
    site = generated(3)
    urls = [f"{BASE}{a.path}" for a in site]

    def capture(article: Article, date: str, **edit: str) -> bytes:
        page = dataclasses.replace(article, **edit)
        return gzip_members(
            [page_record(f"{BASE}{page.path}", article_html(page, BASE, []).encode(), date=date)]
        )

    first = tmp_path / "november-5.warc.gz"
    first.write_bytes(b"".join(capture(a, "2026-11-05T08:00:00Z") for a in site))
    second = tmp_path / "november-4-and-6.warc.gz"
    second.write_bytes(
        capture(site[0], "2026-11-06T08:00:00Z")  # the same page captured again
        + capture(site[1], "2026-11-06T08:00:00Z", title="Corrected headline")  # edited since
        + capture(site[2], "2026-11-04T08:00:00Z", title="An older headline")  # captured before
    )
    daemon = worker(settings, tmp_path, "worker")
    ingest = decider(settings, tmp_path, free_port())
    try:
        await queue_files(settings, lambda _: None, [str(first)])

        await wait_for_articles(settings, daemon, set(urls), "the first file's articles")
        await queue_files(settings, lambda _: None, [str(second)])

        async def second_decided() -> bool:
            assert ingest.popen.poll() is None, ingest.log_tail()
            async with httpx.AsyncClient() as client:
                samples = await ingest.metrics(client)
            skipped = {
                reason: metric_sum(samples, "newswire_urls_skipped_total", reason=reason)
                for reason in ("unchanged", "older_snapshot")
            }
            return (
                skipped == {"unchanged": 1, "older_snapshot": 1}
                and sum((await article_urls(settings)).values()) == 4
            )

        await wait_for(second_decided, 120, "the second file's pages decided")
        records = await read_topic(settings, settings.topic("articles"))
        events = sorted(
            (d["url"], d["version"], d["change"], d["title"])
            for d in map(orjson.loads, (r.value for r in records))
        )
        assert events == sorted(
            [
                (urls[0], 1, "created", site[0].title),
                (urls[1], 1, "created", site[1].title),
                (urls[1], 2, "updated", "Corrected headline"),
                (urls[2], 1, "created", site[2].title),
            ]
        )
    finally:
        daemon.stop()
        ingest.stop()
