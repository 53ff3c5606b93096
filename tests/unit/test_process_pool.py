"""RenewingPool keeps working through worker recycling, crashes and stuck jobs.

Ingest extracts pages and parses feeds on it, and enrich runs its NER workers on it.

A plain ``ProcessPoolExecutor(max_tasks_per_child=N)`` deadlocks on this
CPython once a worker retires with work queued (gh-115634): the soak run's
ingest stopped after 2000 pages. These tests queue far more work than one
generation of workers takes, and bound every wait, so a deadlock fails them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import wait
from concurrent.futures.process import BrokenProcessPool

import pytest

from newswire._process_pool import RenewingPool

FORKSERVER = multiprocessing.get_context("forkserver")


def test_queued_work_survives_many_renewals() -> None:
    pool = RenewingPool(1, recycle_after=3, mp_context=FORKSERVER)
    try:
        futures = [pool.submit(os.getpid) for _ in range(30)]  # all queued at once, as ingest does
        done, not_done = wait(futures, timeout=60)
        assert not not_done, f"{len(not_done)} of 30 tasks never ran: the pool deadlocked"
        pids = {f.result() for f in done}
        assert len(pids) >= 5, f"workers were not renewed: {pids}"  # 10 generations of one worker
        assert pool.renewals == 9
    finally:
        pool.shutdown(cancel_futures=True)


def test_a_dead_worker_costs_its_own_tasks_not_every_later_one() -> None:
    pool = RenewingPool(1, recycle_after=1000, mp_context=FORKSERVER)
    try:
        poison = pool.submit(os._exit, 3)  # a worker killed mid-page (out of memory, a crash in C)
        with pytest.raises(BrokenProcessPool):
            poison.result(timeout=60)
        later = [pool.submit(os.getpid) for _ in range(5)]
        done, not_done = wait(later, timeout=60)
        assert not not_done and all(f.exception() is None for f in done)
    finally:
        pool.shutdown(cancel_futures=True)


def test_shut_down_pool_refuses_work() -> None:
    pool = RenewingPool(1, recycle_after=10, mp_context=FORKSERVER)
    pool.shutdown()
    with pytest.raises(RuntimeError):
        pool.submit(os.getpid)


def _parse_deep_divs() -> int:
    """A real hostile page: lexbor is quadratic in nesting depth (found by the fuzz run)."""
    from selectolax.lexbor import LexborHTMLParser

    html = "<html><body>" + "<div>" * 200_000 + "deep" + "</div>" * 200_000
    return len(LexborHTMLParser(html).html or "")


async def test_a_page_that_hangs_the_parser_times_out_and_work_goes_on() -> None:
    import asyncio
    import time

    pool = RenewingPool(2, recycle_after=1000, mp_context=FORKSERVER)
    try:
        started = time.monotonic()
        hostile = asyncio.create_task(pool.run(2.0, _parse_deep_divs))
        await asyncio.sleep(0.2)
        beside = asyncio.create_task(pool.run(10.0, time.sleep, 2.5))  # still running when the pool is killed
        with pytest.raises(TimeoutError):
            await hostile
        assert time.monotonic() - started < 5
        assert await beside is None  # re-run in the fresh pool, not failed with the killed one
        assert await pool.run(10.0, os.getpid) > 0
        assert pool.renewals == 1
    finally:
        pool.shutdown(cancel_futures=True)
