"""Several KRaft brokers on one machine: a cluster whose topics can have three replicas.

Each node is a combined broker and controller with its own data dir and ports; the controller
quorum is static (every node a voter), so any one node may die and the others elect a new
controller and new partition leaders. Fault tests kill a node by id and start it again.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from types import TracebackType
from typing import Self

from newswire.broker._jars import DEFAULT_KAFKA_VERSION
from newswire.broker._server import (
    READY_TIMEOUT_S,
    BrokerSecurity,
    EmbeddedBroker,
    _cluster_id,
    _Node,
    free_port,
)


class EmbeddedCluster:
    """``nodes`` brokers (node ids 1..n) in child JVMs; a context manager like :class:`EmbeddedBroker`.

    ``ports`` and ``controller_ports`` fix each node's ports (default: free ones). A secured
    cluster shares one throwaway CA (in ``data_dir/tls``) and one set of SCRAM users.
    """

    def __init__(
        self,
        data_dir: Path,
        nodes: int = 3,
        *,
        ports: list[int] | None = None,
        controller_ports: list[int] | None = None,
        kafka_version: str = DEFAULT_KAFKA_VERSION,
        libs_dir: Path | None = None,
        heap: str = "512m",
        security: BrokerSecurity | None = None,
        properties: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        ports = ports or [free_port() for _ in range(nodes)]
        controller_ports = controller_ports or [free_port() for _ in range(nodes)]
        voters = ",".join(f"{i + 1}@127.0.0.1:{controller_ports[i]}" for i in range(nodes))
        cluster_id = _cluster_id()
        self.brokers = {
            i + 1: EmbeddedBroker(
                self.data_dir / f"node-{i + 1}",
                port=ports[i],
                controller_port=controller_ports[i],
                kafka_version=kafka_version,
                libs_dir=libs_dir,
                heap=heap,
                security=security or BrokerSecurity(),
                tls_dir=self.data_dir / "tls",
                node=_Node(i + 1, voters, nodes),
                cluster_id=cluster_id,
                properties=properties,
            )
            for i in range(nodes)
        }

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(b.bootstrap_servers for b in self.brokers.values())

    def client_settings(self) -> dict[str, object]:
        """The ``[kafka]`` keys a client needs to connect to this cluster."""
        return {**self.brokers[1].client_settings(), "bootstrap_servers": self.bootstrap_servers}

    def start(self, timeout: float = READY_TIMEOUT_S) -> Self:
        """Start every node, then wait until each serves (no node is ready before a quorum is up)."""
        # Launched from this thread: each JVM is asked to stop when the thread that started it ends.
        try:
            for broker in self.brokers.values():
                broker.launch()  # formats storage on the first start
            for broker in self.brokers.values():
                broker.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every node (SIGTERM, then SIGKILL after ``timeout``), all at once."""
        with concurrent.futures.ThreadPoolExecutor(len(self.brokers)) as pool:
            list(pool.map(lambda b: b.stop(timeout), self.brokers.values()))

    def running(self) -> bool:
        """Whether every node is running."""
        return all(b.running() for b in self.brokers.values())

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
