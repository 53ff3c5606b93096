"""WorkerPool keeps working through worker recycling, crashes, stuck jobs and cancellations.

Ingest extracts pages and parses feeds on it, and enrich runs its NER workers on it.

A plain ``ProcessPoolExecutor(max_tasks_per_child=N)`` deadlocks on this
CPython once a worker retires with work queued (gh-115634): the soak run's
ingest stopped after 2000 pages. These tests queue far more work than one
generation of workers takes, and bound every wait, so a deadlock fails them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from newswire.pool import RemoteTraceback, WorkerPool


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _meet(folder: str, parties: int) -> tuple[int, bool]:
    """Check in at ``folder`` and wait (up to 20 s) for ``parties`` jobs there: only jobs that
    run at the same time all meet; jobs run one after the other leave the first waiting alone."""
    Path(folder, str(os.getpid())).touch()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if len(list(Path(folder).iterdir())) >= parties:
            return os.getpid(), True
        time.sleep(0.01)
    return os.getpid(), False


def _a_lock() -> threading.Lock:
    return threading.Lock()  # cannot be pickled back to the caller


def _reply_then_die(value: int) -> int:
    threading.Timer(0.05, os._exit, (9,)).start()  # the worker dies just after sending the reply
    return value


def _length(data: bytes) -> int:
    return len(data)


class _KeywordOnlyError(Exception):
    """Pickles, but does not unpickle (the default reduce passes args by position)."""

    def __init__(self, *, url: str) -> None:
        super().__init__(f"cannot fetch {url}")


def _raise_keyword_only() -> None:
    raise _KeywordOnlyError(url="https://example.org/")


def _slow_start() -> None:
    time.sleep(1.5)  # a model load


def _failed_start() -> None:
    raise ImportError("no module named 'the_model'")


def _parse_deep_divs() -> int:
    """A real hostile page: lexbor is quadratic in nesting depth (found by the fuzz run)."""
    from selectolax.lexbor import LexborHTMLParser

    html = "<html><body>" + "<div>" * 200_000 + "deep" + "</div>" * 200_000
    return len(LexborHTMLParser(html).html or "")


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} still alive")


async def test_queued_work_survives_many_renewals() -> None:
    pool = WorkerPool(1, jobs_per_worker=3)
    try:
        jobs = [pool.run(30, os.getpid) for _ in range(30)]  # all queued at once, as ingest does
        pids = await asyncio.wait_for(asyncio.gather(*jobs), 60)
        assert len(set(pids)) == 10, f"one worker should do 3 jobs, then a fresh one: {pids}"
        assert pool.renewals == 10
    finally:
        pool.shutdown()


async def test_a_dead_worker_costs_its_own_job_not_every_later_one() -> None:
    pool = WorkerPool(2, jobs_per_worker=None)
    try:
        beside = asyncio.create_task(pool.run(30, _pid_after, 1.0))
        await asyncio.sleep(0.1)
        with pytest.raises(BrokenProcessPool, match="_exit"):  # died mid-page twice (OOM kill, C crash)
            await pool.run(30, os._exit, 3)
        assert await beside > 0  # the worker beside it finished its own job
        later = await asyncio.wait_for(asyncio.gather(*(pool.run(30, os.getpid) for _ in range(6))), 60)
        assert all(pid > 0 for pid in later)
    finally:
        pool.shutdown()


async def test_a_page_that_hangs_the_parser_times_out_and_only_its_worker_goes() -> None:
    pool = WorkerPool(2, jobs_per_worker=None)
    try:
        started = time.monotonic()
        hostile = asyncio.create_task(pool.run(2.0, _parse_deep_divs))
        await asyncio.sleep(0.2)
        beside = asyncio.create_task(pool.run(10.0, _pid_after, 2.5))  # running when the other is killed
        with pytest.raises(TimeoutError):
            await hostile
        assert time.monotonic() - started < 5
        survivor = await beside
        assert survivor in pool.pids()  # not killed with the stuck one, not run again
        assert await pool.run(10.0, os.getpid) > 0
        assert pool.renewals == 1
    finally:
        pool.shutdown()


async def test_a_failing_job_raises_its_own_error_with_the_worker_traceback() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        first = await pool.run(10, os.getpid)
        with pytest.raises(ValueError, match="invalid literal") as raised:
            await pool.run(10, int, "not a number")
        assert isinstance(raised.value.__cause__, RemoteTraceback)
        assert "ValueError" in str(raised.value.__cause__)
        with pytest.raises(TypeError, match="pickle"):
            await pool.run(10, _a_lock)
        assert await pool.run(10, os.getpid) == first  # the worker survived both
    finally:
        pool.shutdown()


async def test_a_cancelled_job_does_not_hand_its_reply_to_the_next_one() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        slow = asyncio.create_task(pool.run(30, _pid_after, 0.5))
        await asyncio.sleep(0.2)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert await pool.run(30, int, "7") == 7
    finally:
        pool.shutdown()


async def test_run_all_runs_side_by_side_and_recovers_from_a_killed_worker(tmp_path: Path) -> None:
    pool = WorkerPool(2, jobs_per_worker=None)
    try:
        met = await pool.run_all(30, [(_meet, (str(tmp_path), 2)), (_meet, (str(tmp_path), 2))])
        assert all(together for _, together in met)  # in parallel, not one after the other
        pids = [pid for pid, _ in met]
        assert len(set(pids)) == 2 and set(pids) == pool.pids()
        os.kill(pids[0], signal.SIGKILL)
        _wait_gone(pids[0])  # dead before the job is sent: the send fails, not the read
        with pytest.raises(BrokenProcessPool):
            await pool.run_all(30, [(os.getpid, ()), (os.getpid, ())])
        again = await pool.run_all(30, [(os.getpid, ()), (os.getpid, ())])
        assert pids[0] not in again and len(set(again)) == 2
    finally:
        pool.shutdown()


async def test_shut_down_pool_refuses_work_and_leaves_no_process() -> None:
    pool = WorkerPool(2, jobs_per_worker=5)
    await asyncio.gather(pool.run(10, _pid_after, 0.2), pool.run(10, _pid_after, 0.2))
    pids = pool.pids()
    assert len(pids) == 2
    pool.shutdown()
    assert pool.pids() == set()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(RuntimeError, match="shut down"):
        await pool.run(10, os.getpid)


async def test_start_up_does_not_count_against_a_jobs_time_limit() -> None:
    pool = WorkerPool(1, jobs_per_worker=None, initializer=_slow_start)
    try:
        assert await pool.run(1.0, int, "3") == 3
    finally:
        pool.shutdown()


async def test_a_worker_that_cannot_start_is_a_broken_pool_not_a_hang() -> None:
    pool = WorkerPool(1, jobs_per_worker=None, initializer=_failed_start)
    try:
        with pytest.raises(BrokenProcessPool, match="failed to start"):
            await asyncio.wait_for(pool.run(10, os.getpid), 60)
        assert pool.pids() == set()
    finally:
        pool.shutdown()


async def test_a_job_queued_behind_a_stuck_one_moves_to_a_fresh_worker() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        first = await pool.run(10, os.getpid)
        hostile = asyncio.create_task(pool.run(1.5, _parse_deep_divs))
        await asyncio.sleep(0.1)
        behind = asyncio.create_task(pool.run(10, os.getpid))  # queued in the same worker
        with pytest.raises(TimeoutError):
            await hostile
        moved = await asyncio.wait_for(behind, 30)
        assert moved != first and moved in pool.pids()
    finally:
        pool.shutdown()


async def test_a_queued_jobs_time_limit_starts_when_its_turn_comes() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        await pool.run(10, os.getpid)
        ahead = asyncio.create_task(pool.run(10, _pid_after, 1.5))
        await asyncio.sleep(0.05)
        assert await pool.run(1.0, int, "3") == 3  # waited 1.5 s in the queue, ran in far less than 1 s
        await ahead
    finally:
        pool.shutdown()


async def test_a_job_cancelled_in_the_queue_leaves_the_worker_and_the_next_reply_alone() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        first = await pool.run(10, os.getpid)
        ahead = asyncio.create_task(pool.run(10, _pid_after, 0.5))
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(pool.run(10, int, "5"))
        await asyncio.sleep(0.05)
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert await ahead == first
        assert await pool.run(10, int, "7") == 7  # not the cancelled job's 5
        assert await pool.run(10, os.getpid) == first  # the worker was not killed for it
    finally:
        pool.shutdown()


async def test_a_job_cancelled_just_as_its_turn_comes_does_not_stall_the_worker() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        first = await pool.run(10, os.getpid)
        ahead = asyncio.create_task(pool.run(10, _pid_after, 0.3))
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(pool.run(10, int, "5"))
        await asyncio.sleep(0.05)
        [worker] = pool._all
        turn = worker.queue[1].turn
        assert turn is not None
        while not turn.done():  # the reply ahead was read and the turn handed on ...
            await asyncio.sleep(0)
        queued.cancel()  # ... but its caller is cancelled before it reads its own reply
        assert await ahead == first
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert await asyncio.wait_for(pool.run(10, int, "7"), 10) == 7
        assert await pool.run(10, os.getpid) == first
    finally:
        pool.shutdown()


async def test_a_reply_read_after_its_worker_died_still_reaches_its_caller() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        await pool.run(10, os.getpid)
        replied = asyncio.create_task(pool.run(10, _reply_then_die, 42))
        await asyncio.sleep(0.05)
        time.sleep(0.5)  # noqa: ASYNC251 - a busy event loop: the reply waits, the worker dies
        behind = asyncio.create_task(pool.run(10, int, "2"))  # its send fails: the worker is gone
        assert await replied == 42
        assert await behind == 2  # in a fresh worker
    finally:
        pool.shutdown()


async def test_cancelling_a_queued_job_spares_the_one_running() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        first = await pool.run(10, os.getpid)
        running = asyncio.create_task(pool.run(10, _pid_after, 0.5))
        await asyncio.sleep(0.05)
        big = asyncio.create_task(pool.run(10, _length, b"x" * (8 << 20)))  # more than a socket buffer
        await asyncio.sleep(0.01)
        big.cancel()  # mid-send
        with pytest.raises(asyncio.CancelledError):
            await big
        assert await running == first  # not killed for it
        assert await pool.run(10, os.getpid) == first
    finally:
        pool.shutdown()


async def test_an_error_that_cannot_be_unpickled_fails_its_job_not_the_worker() -> None:
    pool = WorkerPool(1, jobs_per_worker=None)
    try:
        first = await pool.run(10, os.getpid)
        with pytest.raises(TypeError):
            await pool.run(10, _raise_keyword_only)
        assert await pool.run(10, os.getpid) == first
    finally:
        pool.shutdown()
