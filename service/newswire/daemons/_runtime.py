"""What every daemon shares: the stop flag, signal handling, readiness checks and identity."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Iterator

from newswire.bus import missing_topics
from newswire.config import Settings
from newswire.errors import BusError
from newswire.observe import Health

log = logging.getLogger(__name__)


def instance_id(configured: str) -> str:
    """The configured instance id, or ``hostname-pid``."""
    return configured or f"{socket.gethostname()}-{os.getpid()}"


class Stopper:
    """A stop flag the daemons poll; signals only set it (a second Ctrl-C kills at once)."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    @property
    def stopping(self) -> bool:
        return self.event.is_set()

    def stop(self) -> None:
        self.event.set()

    async def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if asked to stop meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.event.wait(), seconds)
        return self.event.is_set()


@contextlib.contextmanager
def handle_signals(stopper: Stopper) -> Iterator[None]:
    """SIGTERM/SIGINT set the stop flag; a second SIGINT kills the process at once."""
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        if sig == signal.SIGINT and stopper.stopping:
            # Killed by the signal, not unwound: the clean stop already running may be waiting on
            # Kafka (or on an embedded broker being stopped under it), and a KeyboardInterrupt
            # would only start another wait. Nothing is lost: uncommitted work is redone at the
            # next start, the embedded broker's JVM stops with its parent, workers with their socket.
            log.warning("second Ctrl-C: stopping at once")
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
            return
        if not stopper.stopping:  # a stop for max_events, idle_timeout or a failure is no one's Ctrl-C
            again = " (Ctrl-C again to kill)" if sig == signal.SIGINT else ""
            log.info("stopping on %s: finishing in-flight work%s", sig.name, again)
        stopper.stop()

    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, on_signal, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def watch_readiness(settings: Settings, health: Health, stopper: Stopper, every_s: float = 5.0) -> None:
    """Keep ``health.ready`` true only while Kafka answers and every topic exists."""
    while not stopper.stopping:
        try:
            missing = await asyncio.wait_for(missing_topics(settings), timeout=every_s * 2)
            if missing:
                health.set_ready(False, f"missing topics: {', '.join(missing)}")
            else:
                health.set_ready(True)
        except (BusError, TimeoutError) as exc:
            health.set_ready(False, f"kafka unreachable: {exc}")
        await stopper.wait(every_s)
