"""Run a single-node KRaft broker as a child process, on loopback."""

from __future__ import annotations

import base64
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import time
import uuid
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from newswire.broker._jars import DEFAULT_KAFKA_VERSION, ensure_jars, require_tool
from newswire.errors import BrokerError

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 90.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cluster_id() -> str:
    # What `StorageTool random-uuid` prints: 16 random bytes, base64url, unpadded, not starting with '-'.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def _properties(port: int, controller_port: int, log_dir: Path) -> str:
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "controller.listener.names": "CONTROLLER",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(log_dir),
        # One node: every internal topic must live with one replica, or groups and
        # transactions hang with COORDINATOR_NOT_AVAILABLE.
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.num.partitions": "1",
        "group.initial.rebalance.delay.ms": "0",
        "group.min.session.timeout.ms": "1000",
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        "message.max.bytes": str(16 * 1024 * 1024),
        "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


def _stop_with_parent() -> None:
    """In the JVM's process before exec: ask Linux for SIGTERM when the starting thread dies.

    The JVM runs in a session of its own, so without this a SIGKILLed ``newswire broker`` left
    it running, holding the ports and the data directory. Elsewhere this does nothing.
    """
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1
_LIBC: ctypes.CDLL | None = None
with contextlib.suppress(OSError, AttributeError):
    _LIBC = ctypes.CDLL(None, use_errno=True) if hasattr(ctypes.CDLL(None), "prctl") else None


class EmbeddedBroker:
    """A real Apache Kafka broker (KRaft, one node) in a child JVM.

    ``data_dir`` holds ``server.properties``, the log dirs and ``broker.log``.
    It is formatted on first start and reused afterwards, so a restart on the
    same folder keeps every topic and offset. Use as a context manager, or
    call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        controller_port: int | None = None,
        kafka_version: str = DEFAULT_KAFKA_VERSION,
        libs_dir: Path | None = None,
        heap: str = "1g",
        cpus: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        self.kafka_version = kafka_version
        self.libs_dir = libs_dir
        self.heap = heap
        self.cpus = cpus
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "broker.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _java_command(self, libs: Path, main: str, *args: str) -> list[str]:
        java = require_tool("java", "Install Java 17+ (Debian: apt-get install openjdk-17-jre-headless).")
        log4j = resources.files("newswire.broker").joinpath("log4j2.properties")
        cmd = [
            java,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            # C1 only. This broker serves tests, benchmarks and one-box runs: with C2 as well, on
            # a 2-core machine, HotSpot spent more CPU compiling the broker than the broker spent
            # serving requests (15.7 vs 8.7 CPU-s in 2.5 minutes of bench/pipeline.py), and ready
            # took 6 s instead of 4.6 s; C1's code serves a small broker's load as cheaply.
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            "-cp",
            f"{libs}/*",
            main,
            *args,
        ]
        if self.cpus:
            cmd = ["taskset", "-c", self.cpus, *cmd]
        return cmd

    def _prepare(self, libs: Path) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_dir = self.data_dir / "logs"
        config = self.data_dir / "server.properties"
        config.write_text(_properties(self.port, self.controller_port, log_dir), "utf-8")
        if not (log_dir / "meta.properties").exists():
            proc = subprocess.run(
                self._java_command(
                    libs, "kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(config)
                ),
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise BrokerError(
                    f"formatting {log_dir} failed: {(proc.stdout + proc.stderr).strip()[-2000:]}"
                )
        return config

    def start(self, timeout: float = READY_TIMEOUT_S) -> Self:
        """Start the broker and return once its client port accepts connections."""
        if self._proc is not None and self._proc.poll() is None:
            raise BrokerError("broker already running")
        libs = ensure_jars(self.kafka_version, self.libs_dir)
        config = self._prepare(libs)
        self._log = self.log_file.open("ab")
        self._proc = subprocess.Popen(
            self._java_command(libs, "kafka.Kafka", str(config)),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it cleanly
            # Runs one prctl call through a libc handle loaded at import: nothing that could
            # wait on a lock another thread held at fork.
            preexec_fn=_stop_with_parent,  # noqa: PLW1509
        )
        self._wait_ready(timeout)
        log.info("kafka broker ready at %s (pid %d)", self.bootstrap_servers, self._proc.pid)
        return self

    def _wait_ready(self, timeout: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BrokerError(
                    f"broker exited with code {self._proc.returncode}; log tail:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.2)
        self.kill()
        raise BrokerError(f"broker not ready after {timeout:.0f}s; log tail:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait(self) -> int:
        """Block until the broker process exits; return its exit code."""
        assert self._proc is not None
        return self._proc.wait()

    def stop(self, timeout: float = 30.0) -> None:
        """Clean shutdown (SIGTERM); SIGKILL if it takes longer than ``timeout``."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("broker did not stop within %.0fs; killing it", timeout)
                self.kill()
        self._close()

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (used by fault tests)."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        self._close()

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
