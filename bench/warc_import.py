"""WARC import through a real broker: pages/s with one and with two ``newswire import-worker`` processes.

    .venv/bin/python bench/warc_import.py [--files F] [--pages P] [--bootstrap HOST:PORT] [--out JSON]
        [--rounds R] [--baseline DIR]

Writes F ``.warc.gz`` files of P generated news-like pages each (``bench/warc_read.py``'s
generator: request + response records, one gzip member each, as CC-NEWS lays them out;
nothing downloaded), starts an embedded Kafka broker (or uses ``--bootstrap``), and for one
and then two worker processes (each with ``ingest.extract_workers = 1``, i.e. one extraction
process per worker): queues the same files on fresh topics with ``newswire import warc``,
starts the workers and one ``newswire ingest`` (whose fetch role decides and publishes what
they hand on), and times from their start until every file is done (their
``newswire_import_files_total``). pages/s = HTML pages extracted / that time, start-up
included; ``published_seconds`` runs on until ingest has published every article, and its
CPU is reported apart (``ingest_cpu_s``). The box is shared, so the one- and two-worker
figures of one run are what compare. The run checks that every page became exactly one
article event.

``--baseline DIR`` (a checkout of other code, e.g. ``git archive REV service | tar -x -C DIR``)
also runs the workers from ``DIR/service``, interleaved with this tree's (baseline 1, this 1,
baseline 2, this 2; ``--rounds R`` times over), so a change is compared with what it replaces
under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make tests/support and bench importable
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402
from aiokafka.partitioner import murmur2  # noqa: E402
from bench.warc_read import FETCHED, _words, generated_page  # noqa: E402
from tests.support.daemon_procs import Daemon, kafka_table, metric_sum, process_tree, write_config  # noqa: E402

from newswire.archive import WarcFileWriter  # noqa: E402
from newswire.broker import free_port  # noqa: E402
from newswire.bus.tail import read_topic  # noqa: E402
from newswire.config import Settings, load_settings  # noqa: E402


def _settings(bootstrap: str, partitions: int) -> Settings:
    tag = uuid.uuid4().hex[:8]
    return load_settings(
        environ={},
        overrides={
            "kafka": {"bootstrap_servers": bootstrap, "topic_prefix": f"wb{tag}.", "partitions": partitions},
            "ingest": {"group_id": f"warc-bench-{tag}"},
        },
        default_file=False,
    )


def make_files(folder: Path, files: int, pages: int) -> list[Path]:
    """``files`` WARC files of ``pages`` generated pages each, every page at a URL of its own."""
    rng = random.Random(22)
    vocabulary = _words(rng, 5000)
    out = []
    for f in range(files):
        sub = folder / f"f{f}"
        with WarcFileWriter(sub, prefix="bench") as writer:
            for n in range(pages):
                writer.write_exchange(
                    url=f"https://post.example/2026/11/file-{f}/story-{n}.html",
                    fetched=FETCHED,
                    status=200,
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    payload=generated_page(rng, vocabulary, n),
                    request_headers=[("User-Agent", "newswire-bench")],
                )
        [path] = writer.closed_files
        out.append(path.rename(_name_for_partition(folder, f, files)))
    return out


def _name_for_partition(folder: Path, partition: int, partitions: int) -> Path:
    """A file name whose work item lands in ``partition`` (Kafka's default partitioner on the key,
    the absolute path), so the files spread evenly over the workers as a long queue does on average."""
    for salt in range(100_000):
        path = (folder / f"bench-{partition:02d}-{salt}.warc.gz").resolve()
        if (murmur2(str(path).encode()) & 0x7FFFFFFF) % partitions == partition:
            return path
    raise RuntimeError("no name found")


@contextlib.contextmanager
def _code(code: Path | None) -> Iterator[None]:
    """Processes started inside run newswire from ``code/service`` (None: this tree)."""
    if code is None:
        yield
        return
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(code / "service")
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


async def run_once(
    bootstrap: str, files: list[Path], pages: int, workers: int, work: Path, code: Path | None = None
) -> dict[str, object]:
    with _code(code):
        return await _run_once(bootstrap, files, pages, workers, work, code)


async def _run_once(
    bootstrap: str, files: list[Path], pages: int, workers: int, work: Path, code: Path | None
) -> dict[str, object]:
    settings = _settings(bootstrap, partitions=len(files))
    config = write_config(
        work / f"w{workers}.toml",
        {
            "kafka": kafka_table(settings),
            "ingest": {"group_id": settings.ingest.group_id, "extract_workers": 1},
            "observe": {"log_level": "WARNING"},
        },
        [],
    )
    queue = [
        sys.executable,
        "-m",
        "newswire.cli",
        "--config",
        str(config),
        "import",
        "warc",
        *map(str, files),
    ]
    await asyncio.to_thread(subprocess.run, queue, check=True, capture_output=True)
    started = time.monotonic()
    first: tuple[float, float] | None = None  # when the first pages were extracted, and how many
    # The ingest daemon whose fetch role decides (dedup, versions) and publishes what the
    # workers extracted; it fetches nothing here (no sources).
    ingest = Daemon.start("ingest", config, free_port(), work / f"w{workers}-ingest.log")
    daemons = [
        Daemon.start("import-worker", config, free_port(), work / f"w{workers}-{n}.log")
        for n in range(workers)
    ]
    total = len(files) * pages
    waiting: Counter[str] = Counter()  # extraction-process samples: asleep (waiting for a page) or not
    sampling: asyncio.Task[None] | None = None
    try:
        async with httpx.AsyncClient() as client:
            while True:
                for d in [*daemons, ingest]:
                    if d.popen.poll() is not None:
                        raise RuntimeError(f"{d.name} exited:\n{d.log_tail()}")
                samples = [s for d in daemons for s in await d.metrics(client)]
                extracted = metric_sum(samples, "newswire_import_pages_total")
                if first is None and extracted > 0:
                    first = (time.monotonic(), extracted)
                    sampling = asyncio.create_task(_sample_waiting([d.pid for d in daemons], waiting))
                if metric_sum(samples, "newswire_import_files_total") >= len(files):
                    break
                await asyncio.sleep(0.2)
            ended = time.monotonic()
            if sampling is not None:
                sampling.cancel()
            cpu_s = sum(_cpu_seconds(d.pid) for d in daemons)
            per_worker = [metric_sum(await d.metrics(client), "newswire_import_files_total") for d in daemons]
            # Code from before the import handed articles to ingest published them itself.
            if len(await read_topic(settings, settings.topic("articles"))) < total:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    ingested = await ingest.metrics(client)
                    if metric_sum(ingested, "newswire_articles_published_total") >= total:
                        break
                    await asyncio.sleep(0.2)
            published = time.monotonic()
            ingest_cpu_s = _cpu_seconds(ingest.pid)
    finally:
        for d in [*daemons, ingest]:
            d.stop()
    records = await read_topic(settings, settings.topic("articles"))
    urls = Counter(orjson.loads(r.value)["url"] for r in records)
    seconds = ended - started
    return {
        "code": str(code) if code is not None else "this tree",
        "workers": workers,
        "pages": total,
        "articles": len(urls),
        "each_once": len(urls) == total and max(urls.values()) == 1,
        # the import workers: reading, decompressing, extracting, handing each article on
        "seconds": round(seconds, 2),
        "pages_per_s": round(total / seconds, 1),
        # from the first extracted pages on: without process start-up and joining the group
        "pages_per_s_working": round((total - first[1]) / (ended - first[0]), 1) if first else None,
        "files_per_worker": per_worker,
        # CPU of the workers' process trees (main + extraction process), start-up included
        "cpu_s": round(cpu_s, 2),
        "pages_per_cpu_s": round(total / cpu_s, 1),
        # share of 100 Hz samples (once working) in which an extraction process was asleep, i.e.
        # waiting for its next page rather than extracting or waiting for a CPU (load-independent)
        "extraction_waiting": round(waiting["asleep"] / max(1, sum(waiting.values())), 3),
        # until the ingest daemon had published every article (decided against the URL state)
        "published_seconds": round(published - started, 2),
        "ingest_cpu_s": round(ingest_cpu_s, 2),
        "pages_per_cpu_s_with_ingest": round(total / (cpu_s + ingest_cpu_s), 1),
        "loadavg_after": os.getloadavg()[0],
    }


async def _sample_waiting(workers: list[int], counts: Counter[str]) -> None:
    """Count, every 10 ms, whether each worker's extraction processes (the children of its
    forkserver, i.e. its grandchildren) are asleep or running / runnable."""
    extractors: list[int] = []
    refreshed = 0.0
    while True:
        if time.monotonic() - refreshed > 1.0:  # workers are replaced now and then
            extractors = [p for w in workers for p in process_tree(w) if _ppid(_ppid(p) or 0) == w]
            refreshed = time.monotonic()
        for pid in extractors:
            with contextlib.suppress(OSError, IndexError):
                stat = Path(f"/proc/{pid}/stat").read_text()
                counts["asleep" if stat[stat.rindex(")") + 2] in "SD" else "running"] += 1
        await asyncio.sleep(0.01)


def _ppid(pid: int) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2 :].split()[1])
    return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in process_tree(pid):
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{each}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def _main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="newswire-warc-import-") as tmp:
        work = Path(tmp)
        files = make_files(work / "warc", args.files, args.pages)
        size = sum(p.stat().st_size for p in files)

        codes = [args.baseline.resolve(), None] if args.baseline else [None]

        async def both(bootstrap: str) -> list[dict[str, object]]:
            return [
                await run_once(bootstrap, files, args.pages, n, work, code)
                for _ in range(args.rounds)
                for n in (1, 2)
                for code in codes
            ]

        if args.bootstrap:
            runs = await both(args.bootstrap)
        else:
            from newswire.broker import EmbeddedBroker

            with EmbeddedBroker(work / "kafka", heap="768m") as broker:
                runs = await both(broker.bootstrap_servers)
    one, two = (
        statistics.median(
            float(str(r["pages_per_s_working"]))
            for r in runs
            if r["code"] == "this tree" and r["workers"] == n
        )
        for n in (1, 2)
    )
    result = {
        "command": "python bench/warc_import.py " + " ".join(sys.argv[1:]),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": args.files,
        "pages_per_file": args.pages,
        "warc_gz_bytes": size,
        "runs": runs,
        "speedup_two_workers": round(two / one, 2),
        "loadavg_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    for r in runs:
        sys.stderr.write(
            f"{r['code']}: {r['workers']} worker(s): {r['pages']} pages in {r['seconds']}s = "
            f"{r['pages_per_s']} pages/s "
            f"({r['pages_per_s_working']} once working), {r['pages_per_cpu_s']} pages per CPU second, "
            f"extraction process waiting {r['extraction_waiting']:.0%} of the time, "
            f"all published after {r['published_seconds']}s (ingest CPU {r['ingest_cpu_s']}s), "
            f"each article once: {r['each_once']}, files per worker {r['files_per_worker']}\n"
        )
    sys.stderr.write(f"two workers / one (once working, medians): {result['speedup_two_workers']}x\n")
    return 0 if all(r["each_once"] for r in runs) else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--bootstrap", help="an existing broker (default: start an embedded one)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat the whole comparison (medians compared)"
    )
    parser.add_argument("--baseline", type=Path, help="also run the workers from DIR/service, interleaved")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "warc_import.json")
    sys.exit(asyncio.run(_main(parser.parse_args())))


if __name__ == "__main__":
    main()
