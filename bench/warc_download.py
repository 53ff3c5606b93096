"""Downloading a WARC file over HTTP: newswire's guarded ``Fetcher.download`` vs plain httpx streaming.

    .venv/bin/python bench/warc_download.py [--mb N] [--rounds R] [--json OUT]

Writes N MB of random bytes (incompressible, like a ``.warc.gz``) to a temporary folder, serves
it with ``python -m http.server`` on 127.0.0.1 in a separate process (so the server's CPU is
not counted), and downloads it to disk, round by round and interleaved (the box is shared, so
only same-run ratios mean much):

* ``newswire``: ``Fetcher.download`` (address guard, robots.txt lookup, politeness slot,
  size cap, ``.part`` file renamed when whole), what an import worker pays per URL;
* ``httpx``: ``AsyncClient.stream`` + ``aiter_raw`` written to a file, the reference.

Reported per variant: MB/s (wall) and client CPU seconds per GB, best round and median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "service"))

from newswire.config import FetchSettings  # noqa: E402
from newswire.fetch import Fetcher  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"http.server did not listen on {port}")


async def _newswire(url: str, dest: Path, settings: FetchSettings) -> None:
    async with Fetcher(settings) as fetcher:
        await fetcher.download(url, dest, max_bytes=1 << 40)


async def _httpx(url: str, dest: Path) -> None:
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        response.raise_for_status()
        with dest.open("wb") as out:
            async for chunk in response.aiter_raw():
                out.write(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "warc_download.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newswire-bench-download-") as folder:
        served, out = Path(folder) / "served", Path(folder) / "out"
        served.mkdir()
        out.mkdir()
        source = served / "CC-NEWS-bench.warc.gz"
        with source.open("wb") as f:
            for _ in range(args.mb):
                f.write(os.urandom(1 << 20))
        size = source.stat().st_size
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(port),
                "--bind",
                "127.0.0.1",
                "--directory",
                str(served),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_listening(port)
            url = f"http://127.0.0.1:{port}/{source.name}"
            settings = FetchSettings(allowed_hosts=(f"127.0.0.1:{port}",), per_host_delay_s=0)
            runs: dict[str, list[tuple[float, float]]] = {"newswire": [], "httpx": []}
            for _ in range(args.rounds):
                for name, times in runs.items():
                    dest = out / f"{name}.warc.gz"
                    dest.unlink(missing_ok=True)
                    wall, cpu = time.perf_counter(), time.process_time()
                    asyncio.run(_newswire(url, dest, settings) if name == "newswire" else _httpx(url, dest))
                    times.append((time.perf_counter() - wall, time.process_time() - cpu))
                    assert dest.stat().st_size == size, f"{name} wrote {dest.stat().st_size} of {size} bytes"
        finally:
            server.terminate()
            server.wait(10)
    result: dict[str, object] = {"mb": args.mb, "rounds": args.rounds, "load_average": os.getloadavg()[0]}
    for name, times in runs.items():
        walls = sorted(w for w, _ in times)
        cpus = sorted(c for _, c in times)
        result[name] = {
            "mb_per_s_best": round(size / 1e6 / walls[0], 1),
            "mb_per_s_median": round(size / 1e6 / statistics.median(walls), 1),
            "cpu_s_per_gb_best": round(cpus[0] / (size / 1e9), 2),
            "cpu_s_per_gb_median": round(statistics.median(cpus) / (size / 1e9), 2),
        }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
