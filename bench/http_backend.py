"""Micro-benchmark of the fetcher's network backend: httpcore's anyio one vs newswire's asyncio one.

    .venv/bin/python bench/http_backend.py [--json OUT] [--rounds R] [--requests N]

A local asyncio server (its own process, pinned to the last CPU) serves corpus
pages gzipped, with keep-alive. The real ``Fetcher`` (address guard, robots off,
politeness, size-limited inflating) fetches them 8 at a time on the first CPU,
once through each backend, interleaved round by round (the box is shared). The
figure is the fetcher process's CPU milliseconds per page: what ingest's event
loop pays per fetch. The best round is the headline, the median beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "corpus" / "fundus" / "pages"
CONCURRENCY = 8


def load_pages(limit: int = 64) -> list[bytes]:
    files = sorted(p for p in PAGES.rglob("*") if p.is_file() and p.suffix in (".html", ".gz"))[:limit]
    out = []
    for path in files:
        raw = path.read_bytes()
        out.append(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    return out


def serve(pages: list[bytes], cpu: int, ready: Any) -> None:
    os.sched_setaffinity(0, {cpu})
    bodies = [gzip.compress(p, 6, mtime=0) for p in pages]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                path = request.split(b" ", 2)[1]
                body = bodies[int(path.rsplit(b"/", 1)[1]) % len(bodies)]
                head = (
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n"
                    f"content-encoding: gzip\r\ncontent-length: {len(body)}\r\n\r\n"
                )
                writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        ready.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


async def one_round(port: int, backend: str, n: int) -> float:
    """CPU ms per fetched page for ``n`` pages through ``backend``."""
    import httpcore

    from newswire.config import FetchSettings
    from newswire.fetch import Fetcher
    from newswire.fetch._guard import GuardedNetworkBackend

    settings = FetchSettings(
        allowed_hosts=(f"127.0.0.1:{port}",),
        obey_robots=False,
        per_host_delay_s=0.0,
        per_host_concurrency=CONCURRENCY,
        concurrency=CONCURRENCY,
    )
    async with Fetcher(settings) as fetcher:
        if backend == "anyio":  # what httpx would use: httpcore's default, behind the same guard
            pool = fetcher._require_client()._transport._pool  # type: ignore[attr-defined]
            pool._network_backend = GuardedNetworkBackend(fetcher._guard, httpcore.AnyIOBackend())
        sem = asyncio.Semaphore(CONCURRENCY)

        async def get(i: int) -> int:
            async with sem:
                return len((await fetcher.fetch(f"http://127.0.0.1:{port}/page/{i}")).content)

        await asyncio.gather(*(get(i) for i in range(2 * CONCURRENCY)))  # connections open, warm
        started = time.process_time()
        sizes = await asyncio.gather(*(get(i) for i in range(n)))
        spent = time.process_time() - started
    assert all(sizes)
    return spent * 1000 / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "http_backend.json")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1000, help="pages per round and backend")
    args = parser.parse_args(argv)
    cpus = sorted(os.sched_getaffinity(0))
    client_cpu, server_cpu = cpus[0], cpus[-1]
    sys.path.insert(0, str(ROOT / "service"))

    pages = load_pages()
    ready: Any = multiprocessing.get_context("fork").Queue()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(pages, server_cpu, ready), daemon=True
    )
    server.start()
    port = ready.get(timeout=30)
    os.sched_setaffinity(0, {client_cpu})
    times: dict[str, list[float]] = {"anyio": [], "asyncio": []}
    try:
        for _ in range(args.rounds):
            for backend, spent in times.items():
                spent.append(asyncio.run(one_round(port, backend, args.requests)))
    finally:
        server.kill()

    best = {k: round(min(v), 4) for k, v in times.items()}
    med = {k: round(statistics.median(v), 4) for k, v in times.items()}
    result = {
        "client_cpu": client_cpu,
        "server_cpu": server_cpu,
        "rounds": args.rounds,
        "requests_per_round": args.requests,
        "concurrency": CONCURRENCY,
        "pages": len(pages),
        "mean_page_bytes": round(statistics.mean(len(p) for p in pages)),
        "best_cpu_ms_per_page": best,
        "median_cpu_ms_per_page": med,
        "speedup": round(best["anyio"] / best["asyncio"], 2),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    out = sys.stdout.write
    out(
        f"fetcher CPU ms per page ({len(pages)} corpus pages, mean {result['mean_page_bytes']} bytes, "
        f"gzip), {CONCURRENCY} in flight, CPU #{client_cpu}; best (median) of {args.rounds} rounds\n\n"
    )
    out(f"{'backend':<28}{'ms/page':>18}\n")
    for name, label in (("anyio", "httpcore anyio (httpx default)"), ("asyncio", "newswire asyncio")):
        out(f"{label:<28}{f'{best[name]:.3f} ({med[name]:.3f})':>18}\n")
    out(f"\nspeed-up {result['speedup']}x; written to {args.json}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
