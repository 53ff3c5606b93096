"""Import progress on ``/metrics``: scraped from a running ``newswire import-worker --port`` while it
imports, the bytes read move through the file towards its size, and at the end the counters add up."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from newswire.broker import EmbeddedBroker, free_port
from newswire.commands.import_warc import run as queue_files
from tests.conftest import make_settings
from tests.integration.test_warc_import import worker
from tests.support.daemon_procs import Sample, metric_sum, wait_for
from tests.support.warc_import import pages

pytestmark = pytest.mark.kafka


def queue_lag(samples: list[Sample]) -> list[Sample]:
    """The ``warc-files`` lag series: exported from the worker's next poll after it commits the file."""
    lags = [s for s in samples if s.name == "newswire_consumer_lag"]
    return [s for s in lags if s.labels["topic"].endswith("warc-files")]


async def test_import_progress_moves_on_metrics_while_a_file_is_imported(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings(broker.bootstrap_servers)
    good = pages(150)
    path = tmp_path / "progress.warc.gz"
    path.write_bytes(b"".join(member for _, member in good))
    size = path.stat().st_size
    await queue_files(settings, lambda _: None, [str(path)])
    daemon = worker(settings, tmp_path, "worker", free_port(), commit_interval_ms=50, max_in_flight=3)
    seen: list[tuple[float, float, float]] = []  # (bytes read, file position, file size) per scrape
    last: list[Sample] = []
    try:
        async with httpx.AsyncClient() as client:

            async def done() -> bool:
                nonlocal last
                assert daemon.popen.poll() is None, daemon.log_tail()
                last = await daemon.metrics(client)
                read = metric_sum(last, "newswire_import_bytes_total")
                position = metric_sum(last, "newswire_import_file_position_bytes")
                seen.append((read, position, metric_sum(last, "newswire_import_file_size_bytes")))
                return metric_sum(last, "newswire_import_files_total") == 1 and bool(queue_lag(last))

            await wait_for(done, 180, "the file to be imported")
        mid_file = [(read, pos, total) for read, pos, total in seen if 0 < read < size]
        assert len({read for read, _, _ in mid_file}) >= 2, f"no progress seen mid-file: {seen}"
        assert all(pos == read and total == size for read, pos, total in mid_file)  # one file, from byte 0
        reads = [read for read, _, _ in seen]
        assert reads == sorted(reads)
        assert metric_sum(last, "newswire_import_bytes_total") == size
        assert metric_sum(last, "newswire_import_records_total", kind="page") == len(good)
        assert metric_sum(last, "newswire_import_file_size_bytes") == 0  # no file in hand any more
        assert sum(s.value for s in queue_lag(last)) == 0  # files left in the queue
        assert daemon.stop() == 0
    finally:
        daemon.stop()
