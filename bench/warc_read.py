"""Reading WARC files, one core: FastWARC vs warcio, and newswire's reader on top of FastWARC.

    .venv/bin/python bench/warc_read.py [--pages N] [--rounds R] [--cpu C] [--json OUT]

Writes a ``.warc.gz`` of N generated news-like pages (request + response records, one gzip
member each, as CC-NEWS and our archive writer lay them out; no page is downloaded or
copied from a corpus) to a temporary folder, then times, round by round and interleaved
(the box is shared, so only same-run ratios mean much):

* ``fastwarc``: iterate the response records, parse HTTP, read each payload;
* ``warcio``: the same with warcio's ``ArchiveIterator`` and ``content_stream()``;
* ``newswire``: :func:`newswire.archive.read_warc`, FastWARC plus what a page needs
  (skip rules, resume positions, decoding), i.e. what ``parse`` and an import worker pay.

CPU seconds (``process_time``) are the measure; records/s and MB/s (compressed file
bytes, and payload bytes) come from the best round, with the median beside it. For
scale, ``extract_ms_per_page`` is newswire's extraction of the same generated pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "service"))

from fastwarc import ArchiveIterator, WarcRecordType  # noqa: E402
from warcio.archiveiterator import ArchiveIterator as WarcioIterator  # noqa: E402

from newswire.archive import WarcFileWriter, WarcPage, read_warc  # noqa: E402
from newswire.extract import extract_html  # noqa: E402

FETCHED = "2026-11-05T08:09:10.000+00:00"


def _words(rng: random.Random, n: int) -> list[str]:
    letters = "etaoinshrdlucmfwypvbgkjqxz"
    weights = [26 - i for i in range(26)]
    return ["".join(rng.choices(letters, weights, k=rng.randint(2, 10))) for _ in range(n)]


def generated_page(rng: random.Random, vocabulary: list[str], n: int) -> bytes:
    """A news-like page: head metadata, a big navigation, 10-40 paragraphs, a footer (about 30-90 KB)."""

    def sentence() -> str:
        return " ".join(rng.choices(vocabulary, k=rng.randint(8, 30))).capitalize() + "."

    nav = "".join(f'<li><a href="/section/{i}">{rng.choice(vocabulary)}</a></li>' for i in range(150))
    paragraphs = "".join(
        f"<p>{' '.join(sentence() for _ in range(rng.randint(2, 6)))}</p>\n"
        for _ in range(rng.randint(10, 40))
    )
    script = "var cfg = {" + ",".join(f'"k{i}": "{rng.random()}"' for i in range(300)) + "};"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{sentence()} | The Example Post</title>"
        f'<meta property="article:published_time" content="2026-11-0{n % 9 + 1}T10:00:00Z">'
        f"<script>{script}</script></head><body><header><nav><ul>{nav}</ul></nav></header>"
        f"<main><article><h1>{sentence()}</h1><p class=byline>By {rng.choice(vocabulary).title()}</p>"
        f"{paragraphs}</article></main><footer>{sentence()} (c) The Example Post</footer></body></html>"
    ).encode()


def write_warc(directory: Path, pages: int) -> tuple[Path, list[bytes]]:
    rng = random.Random(22)
    vocabulary = _words(rng, 5000)
    bodies = [generated_page(rng, vocabulary, n) for n in range(pages)]
    with WarcFileWriter(directory, prefix="bench") as writer:
        for n, body in enumerate(bodies):
            writer.write_exchange(
                url=f"https://post.example/2026/11/story-{n}.html",
                fetched=FETCHED,
                status=200,
                response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Server", "bench")],
                payload=body,
                request_headers=[("User-Agent", "newswire-bench")],
            )
    [path] = writer.closed_files
    return path, bodies


def read_fastwarc(path: Path) -> tuple[int, int]:
    records = payload = 0
    for record in ArchiveIterator(str(path), record_types=WarcRecordType.response, parse_http=True):
        payload += len(record.reader.read())
        records += 1
    return records, payload


def read_warcio(path: Path) -> tuple[int, int]:
    records = payload = 0
    with path.open("rb") as stream:
        for record in WarcioIterator(stream):
            if record.rec_type == "response":
                payload += len(record.content_stream().read())
                records += 1
    return records, payload


def read_newswire(path: Path) -> tuple[int, int]:
    records = payload = 0
    for item in read_warc(path, max_payload_bytes=10 * 1024 * 1024):
        if isinstance(item, WarcPage):
            payload += len(item.payload)
            records += 1
    return records, payload


READERS: dict[str, Callable[[Path], tuple[int, int]]] = {
    "fastwarc": read_fastwarc,
    "warcio": read_warcio,
    "newswire": read_newswire,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--extract-sample", type=int, default=200)
    parser.add_argument("--cpu", type=int, default=min(os.sched_getaffinity(0)))
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "warc.json")
    args = parser.parse_args(argv)
    os.sched_setaffinity(0, {args.cpu})

    with tempfile.TemporaryDirectory(prefix="warc-bench-") as tmp:
        path, bodies = write_warc(Path(tmp), args.pages)
        file_mb = path.stat().st_size / 1e6
        payload_mb = sum(map(len, bodies)) / 1e6
        seconds: dict[str, list[float]] = {name: [] for name in READERS}
        for name, read in READERS.items():  # warm the page cache, and check they all agree
            assert read(path) == (len(bodies), sum(map(len, bodies))), name
        for _ in range(args.rounds):
            for name, read in READERS.items():
                started = time.process_time()
                read(path)
                seconds[name].append(time.process_time() - started)
        started = time.process_time()
        for n, body in enumerate(bodies[: args.extract_sample]):
            extract_html(
                body, f"https://post.example/{n}", content_type="text/html; charset=utf-8", fetched=FETCHED
            )
        extract_ms = (time.process_time() - started) * 1000 / min(args.extract_sample, len(bodies))

    def figures(times: list[float]) -> dict[str, float]:
        best, median = min(times), statistics.median(times)
        return {
            "best_s": round(best, 4),
            "median_s": round(median, 4),
            "records_per_s": round(len(bodies) / best),
            "records_per_s_median": round(len(bodies) / median),
            "file_mb_per_s": round(file_mb / best, 1),
            "payload_mb_per_s": round(payload_mb / best, 1),
            "ms_per_record": round(best * 1000 / len(bodies), 4),
        }

    result = {
        "cpu": args.cpu,
        "rounds": args.rounds,
        "pages": len(bodies),
        "file_mb": round(file_mb, 2),
        "payload_mb": round(payload_mb, 2),
        "readers": {name: figures(times) for name, times in seconds.items()},
        "fastwarc_vs_warcio_speedup": round(min(seconds["warcio"]) / min(seconds["fastwarc"]), 2),
        "extract_ms_per_page": round(extract_ms, 2),
        "newswire_read_share_of_page_cost": round(
            min(seconds["newswire"])
            * 1000
            / len(bodies)
            / (extract_ms + min(seconds["newswire"]) * 1000 / len(bodies)),
            4,
        ),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
