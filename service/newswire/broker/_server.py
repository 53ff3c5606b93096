"""Run one KRaft broker as a child process on loopback: alone, or as a node of an ``EmbeddedCluster``."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from newswire.broker._jars import DEFAULT_KAFKA_VERSION, ensure_jars, require_tool
from newswire.broker._tls import TlsFiles, ensure_tls_files
from newswire.errors import BrokerError

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 90.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _in_use(port: int) -> bool:
    """Whether another socket listens on ``127.0.0.1:port`` (a port left in TIME_WAIT by a stopped
    broker is free: the JVM binds with SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _cluster_id() -> str:
    # What `StorageTool random-uuid` prints: 16 random bytes, base64url, unpadded, not starting with '-'.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


@dataclasses.dataclass(frozen=True, slots=True)
class BrokerSecurity:
    """How the client listener is secured: TLS (a throwaway CA), SCRAM users, or both.

    TLS alone asks clients for a certificate (mutual TLS); with SCRAM users the password is
    the proof. Controller and inter-broker traffic stay on plaintext loopback listeners.
    """

    tls: bool = False
    scram: tuple[tuple[str, str], ...] = ()

    @property
    def protocol(self) -> str:
        """The client listener's ``security_protocol``."""
        if self.scram:
            return "SASL_SSL" if self.tls else "SASL_PLAINTEXT"
        return "SSL" if self.tls else "PLAINTEXT"


#: SCRAM mechanisms the secured listener offers; each user gets credentials for both.
SCRAM_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256")


@dataclasses.dataclass(frozen=True, slots=True)
class _Node:
    """This broker's place in its cluster: node id, the controller quorum, the cluster size."""

    node_id: int = 1
    voters: str = ""  # "1@127.0.0.1:port,..."; empty: this node alone
    size: int = 1


def _properties(
    port: int,
    controller_port: int,
    log_dir: Path,
    *,
    node: _Node = _Node(),
    security: BrokerSecurity = BrokerSecurity(),
    internal_port: int = 0,
    tls: TlsFiles | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    client = "PLAINTEXT" if security.protocol == "PLAINTEXT" else "EXTERNAL"
    listeners = {client: port, "CONTROLLER": controller_port}
    protocols = {client: security.protocol, "CONTROLLER": "PLAINTEXT"}
    if client != "PLAINTEXT":
        listeners["INTERNAL"] = internal_port
        protocols["INTERNAL"] = "PLAINTEXT"
    inter_broker = "PLAINTEXT" if client == "PLAINTEXT" else "INTERNAL"
    # Replicas of the internal topics: as many as the cluster has (up to 3), and a transaction
    # needs two of three in sync, so one node may die without stopping anything.
    replicas = str(min(node.size, 3))
    in_sync = str(min(node.size, 2))
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": node.voters or f"{node.node_id}@127.0.0.1:{controller_port}",
        "controller.listener.names": "CONTROLLER",
        "listeners": ",".join(f"{name}://127.0.0.1:{p}" for name, p in listeners.items()),
        "advertised.listeners": ",".join(
            f"{name}://127.0.0.1:{p}" for name, p in listeners.items() if name != "CONTROLLER"
        ),
        "inter.broker.listener.name": inter_broker,
        "listener.security.protocol.map": ",".join(f"{k}:{v}" for k, v in protocols.items()),
        "log.dirs": str(log_dir),
        # Internal topics must fit the cluster, or groups and transactions hang with
        # COORDINATOR_NOT_AVAILABLE (one node: one replica).
        "offsets.topic.replication.factor": replicas,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": in_sync,
        "default.replication.factor": replicas,
        "min.insync.replicas": "1",
        "share.coordinator.state.topic.replication.factor": replicas,
        "share.coordinator.state.topic.min.isr": in_sync,
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.num.partitions": "1",
        "group.initial.rebalance.delay.ms": "0",
        "group.min.session.timeout.ms": "1000",
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        "message.max.bytes": str(16 * 1024 * 1024),
        "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
    }
    if security.scram:
        props["sasl.enabled.mechanisms"] = ",".join(SCRAM_MECHANISMS)
        for mechanism in SCRAM_MECHANISMS:
            props[f"listener.name.external.{mechanism.lower()}.sasl.jaas.config"] = (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            )
    if tls is not None:
        props |= {
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(tls.server),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(tls.ca),
            "ssl.client.auth": "none" if security.scram else "required",
        }
    props |= extra or {}
    return "".join(f"{k}={v}\n" for k, v in props.items())


def _with_parent(command: list[str]) -> list[str]:
    """``command`` run so that Linux sends it SIGTERM when the thread that started it dies.

    The JVM runs in a session of its own, so without this a SIGKILLed ``newswire broker`` left
    it running, holding the ports and the data directory. util-linux's ``setpriv`` sets the
    signal and execs the JVM (same process). A ``preexec_fn`` doing the same ``prctl`` would make
    Python fork instead of vfork, and a fork runs the ``pthread_atfork`` handlers of libraries
    loaded in this process: OpenBLAS's deadlocked a test restarting the broker while an
    in-process enricher computed. Where ``setpriv`` is missing the JVM is started plainly.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None or sys.platform != "linux":
        return command
    return [setpriv, "--pdeathsig", "TERM", "--", *command]


class EmbeddedBroker:
    """A real Apache Kafka broker (KRaft, combined broker and controller) in a child JVM.

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
        security: BrokerSecurity = BrokerSecurity(),
        tls_dir: Path | None = None,
        node: _Node = _Node(),
        cluster_id: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        self.internal_port = free_port() if security.protocol != "PLAINTEXT" else 0
        self.kafka_version = kafka_version
        self.libs_dir = libs_dir
        self.heap = heap
        self.cpus = cpus
        self.security = security
        self.tls = TlsFiles((tls_dir or self.data_dir / "tls").resolve()) if security.tls else None
        self.node = node
        self.cluster_id = cluster_id or _cluster_id()
        self.properties = dict(properties or {})  # server.properties overrides (fault tests, benchmarks)
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

    def client_settings(self) -> dict[str, object]:
        """The ``[kafka]`` keys a client needs to connect to this broker (the first SCRAM user's)."""
        out: dict[str, object] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security.protocol,
        }
        if self.security.scram:
            user, password = self.security.scram[0]
            out |= {"sasl_mechanism": SCRAM_MECHANISMS[0], "sasl_username": user, "sasl_password": password}
        if self.tls is not None:
            out["ssl_cafile"] = str(self.tls.ca)
            if not self.security.scram:
                out |= {"ssl_certfile": str(self.tls.client_cert), "ssl_keyfile": str(self.tls.client_key)}
        return out

    def _prepare(self, libs: Path) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.tls is not None:
            ensure_tls_files(self.tls.folder)
        log_dir = self.data_dir / "logs"
        config = self.data_dir / "server.properties"
        config.write_text(
            _properties(
                self.port,
                self.controller_port,
                log_dir,
                node=self.node,
                security=self.security,
                internal_port=self.internal_port,
                tls=self.tls,
                extra=self.properties,
            ),
            "utf-8",
        )
        if not (log_dir / "meta.properties").exists():
            scram = [
                arg
                for user, password in self.security.scram
                for mechanism in SCRAM_MECHANISMS
                for arg in ("--add-scram", f"{mechanism}=[name={user},password={password}]")
            ]
            proc = subprocess.run(
                self._java_command(
                    libs,
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    self.cluster_id,
                    "-c",
                    str(config),
                    *scram,
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
        self.launch()
        self.wait_ready(timeout)
        return self

    def launch(self) -> None:
        """Start the broker's JVM without waiting (a cluster starts every node before any is ready)."""
        if self._proc is not None and self._proc.poll() is None:
            raise BrokerError("broker already running")
        # Checked before the JVM starts: it would fail to bind and exit, but the readiness check
        # (a TCP connect) would first take whatever listens there for the broker.
        ports = {"client": self.port, "controller": self.controller_port, "internal": self.internal_port}
        for name, port in ports.items():
            if port and _in_use(port):
                fix = (
                    f"stop it, or use the Kafka there with KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{port}"
                    if name == "client"
                    else "stop it, or choose another port"
                )
                raise BrokerError(
                    f"the broker's {name} port 127.0.0.1:{port} is in use by another program (another "
                    f"Kafka? a `make run` still running?): {fix}"
                )
        libs = ensure_jars(self.kafka_version, self.libs_dir)
        config = self._prepare(libs)
        self._log = self.log_file.open("ab")
        self._proc = subprocess.Popen(
            _with_parent(self._java_command(libs, "kafka.Kafka", str(config))),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it cleanly
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Return once the launched broker's client port accepts connections."""
        self._wait_ready(timeout)
        assert self._proc is not None
        log.info("kafka broker ready at %s (pid %d)", self.bootstrap_servers, self._proc.pid)

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
