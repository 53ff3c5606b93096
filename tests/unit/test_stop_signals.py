"""What a daemon says when it is asked to stop: a signal is named, a stop of its own is silent."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import pytest

from newswire.daemons._runtime import Stopper, handle_signals

RUNTIME_LOG = "newswire.daemons._runtime"


@pytest.mark.parametrize(
    ("sig", "said"),
    [
        (signal.SIGTERM, "stopping on SIGTERM: finishing in-flight work"),
        (signal.SIGINT, "stopping on SIGINT: finishing in-flight work (Ctrl-C again to kill)"),
    ],
)
async def test_a_signal_is_named_once_with_what_a_second_ctrl_c_does(
    caplog: pytest.LogCaptureFixture, sig: signal.Signals, said: str
) -> None:
    stopper = Stopper()
    with caplog.at_level(logging.INFO, logger=RUNTIME_LOG), handle_signals(stopper):
        os.kill(os.getpid(), sig)
        assert await stopper.wait(10)
        os.kill(os.getpid(), signal.SIGTERM)  # a SIGTERM after it changes nothing
        await stopper.wait(0.1)
    assert [r.getMessage() for r in caplog.records if r.name == RUNTIME_LOG] == [said]


async def test_a_stop_no_one_asked_for_does_not_mention_ctrl_c(caplog: pytest.LogCaptureFixture) -> None:
    """``--idle-timeout``, ``--max-events`` and a failed start stop the daemons themselves."""
    stopper = Stopper()
    with caplog.at_level(logging.INFO, logger=RUNTIME_LOG), handle_signals(stopper):
        stopper.stop()
        assert await stopper.wait(0)
    assert [r.getMessage() for r in caplog.records if r.name == RUNTIME_LOG] == []


_SLOW_STOP = """
import asyncio
from newswire.daemons._runtime import Stopper, handle_signals

async def main() -> None:
    stopper = Stopper()
    with handle_signals(stopper):
        print("ready", flush=True)
        await stopper.event.wait()
        print("stopping", flush=True)
        await asyncio.sleep(120)  # a clean stop that waits, as one on an unreachable Kafka does

asyncio.run(main())
"""


def test_a_second_ctrl_c_kills_the_process_while_its_clean_stop_still_waits() -> None:
    """The first Ctrl-C starts a clean stop; the second ends the process by the signal, not by
    an exception the event loop would unwind (and wait again) through."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_STOP],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline().strip() == "stopping"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == -signal.SIGINT
        assert "second Ctrl-C: stopping at once" in (proc.stderr.read() if proc.stderr else "")
    finally:
        proc.kill()
        proc.wait()
