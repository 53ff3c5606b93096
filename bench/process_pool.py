"""Micro-benchmark of the hand-off to worker processes: ProcessPoolExecutor vs newswire's WorkerPool.

    .venv/bin/python bench/process_pool.py [--json OUT] [--rounds R] [--jobs N]

Ingest sends every fetched page to an extraction worker and gets an article
event back. This measures only that hand-off: the job is a stand-in for
extraction that costs next to nothing (it slices the page into an event-sized
dict), so what is left is pickling, the pipes or sockets, helper threads and
wake-ups. 2 workers, 8 jobs in flight (as ingest runs), a 135 KB page in and
an 18 KB result out, on the CPUs this process may use.

Figures per job: CPU milliseconds of the calling process (what ingest's event
loop pays) and of all processes (caller, workers, forkserver), from
/proc/<pid>/stat; the two pools interleaved round by round (the box is shared);
best and median of the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "service"))

from newswire.pool import WorkerPool  # noqa: E402
from pipeline import tree_cpu  # noqa: E402 - the same /proc accounting as the pipeline bench

PAGE = os.urandom(135_000)
IN_FLIGHT = 8
WORKERS = 2


def extract_stand_in(content: bytes, n: int) -> dict[str, Any]:
    """An article event's worth of result for a page, at no extraction cost."""
    body = content[:6_000].hex()
    return {"n": n, "title": "x" * 80, "body": body, "paragraphs": ["p" * 200] * 30}


async def _jobs(call: Any, n: int) -> None:
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(i: int) -> None:
        async with slots:
            result = await call(i)
            assert result["n"] == i

    await asyncio.gather(*(one(i) for i in range(n)))


async def executor_round(n: int) -> tuple[float, float]:
    pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("forkserver"))
    loop = asyncio.get_running_loop()

    async def call(i: int) -> Any:
        return await loop.run_in_executor(pool, extract_stand_in, PAGE, i)

    try:
        await _jobs(call, 2 * IN_FLIGHT)  # workers started and warm
        return await _measure(call, n)
    finally:
        pool.shutdown()


async def worker_pool_round(n: int) -> tuple[float, float]:
    pool = WorkerPool(WORKERS, jobs_per_worker=None)

    async def call(i: int) -> Any:
        return await pool.run(30.0, extract_stand_in, PAGE, i)

    try:
        await _jobs(call, 2 * IN_FLIGHT)
        return await _measure(call, n)
    finally:
        pool.shutdown()


async def _measure(call: Any, n: int) -> tuple[float, float]:
    """(caller, all processes) CPU ms per job: this process, its forkserver and the workers it forked."""
    own0, all0 = time.process_time(), tree_cpu(os.getpid())
    await _jobs(call, n)
    own1, all1 = time.process_time(), tree_cpu(os.getpid())
    return (own1 - own0) * 1000 / n, (all1 - all0) * 1000 / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "process_pool.json")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2000, help="jobs per round and pool")
    args = parser.parse_args(argv)
    rounds: dict[str, list[tuple[float, float]]] = {"executor": [], "worker_pool": []}
    for _ in range(args.rounds):
        rounds["executor"].append(asyncio.run(executor_round(args.jobs)))
        rounds["worker_pool"].append(asyncio.run(worker_pool_round(args.jobs)))

    def summary(kind: str, index: int) -> dict[str, float]:
        values = [r[index] for r in rounds[kind]]
        return {"best": round(min(values), 4), "median": round(statistics.median(values), 4)}

    result = {
        "cpus": sorted(os.sched_getaffinity(0)),
        "workers": WORKERS,
        "in_flight": IN_FLIGHT,
        "rounds": args.rounds,
        "jobs_per_round": args.jobs,
        "page_bytes": len(PAGE),
        "caller_cpu_ms_per_job": {k: summary(k, 0) for k in rounds},
        "all_processes_cpu_ms_per_job": {k: summary(k, 1) for k in rounds},
    }
    best_all = result["all_processes_cpu_ms_per_job"]
    saving = 1 - best_all["worker_pool"]["best"] / best_all["executor"]["best"]
    result["saving_all_processes"] = round(saving, 3)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    out = sys.stdout.write
    out(
        f"hand-off to {WORKERS} worker processes, {IN_FLIGHT} jobs in flight, {len(PAGE) // 1000} KB in, "
        f"event-sized result out; CPU ms per job, best (median) of {args.rounds} rounds\n\n"
    )
    out(f"{'pool':<34}{'caller':>16}{'all processes':>20}\n")
    labels = (("executor", "ProcessPoolExecutor"), ("worker_pool", "newswire WorkerPool"))
    for kind, label in labels:
        own = result["caller_cpu_ms_per_job"][kind]  # type: ignore[index]
        every = best_all[kind]
        mine = f"{own['best']:.3f} ({own['median']:.3f})"
        theirs = f"{every['best']:.3f} ({every['median']:.3f})"
        out(f"{label:<34}{mine:>16}{theirs:>20}\n")
    out(f"\nall-process CPU saved per job: {result['saving_all_processes']:.0%}; written to {args.json}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
