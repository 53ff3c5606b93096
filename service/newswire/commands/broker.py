"""``newswire broker``: a local Apache Kafka (one node or a cluster, plain or secured) in the foreground.

It prints the bootstrap servers once every node accepts connections (and, when secured, the
``[kafka]`` keys a client needs), then runs until SIGTERM or Ctrl-C, and stops the JVMs cleanly.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from newswire.broker import BrokerSecurity, EmbeddedBroker, EmbeddedCluster
from newswire.config import Settings
from newswire.errors import BrokerError

log = logging.getLogger("newswire")


def run_broker(
    settings: Settings,
    out: Callable[[str], None],
    *,
    data_dir: str | None,
    port: int,
    controller_port: int,
    nodes: int,
    tls: bool,
    scram: tuple[tuple[str, str], ...],
) -> int:
    """Run the broker until stopped; the exit code."""
    data_path = Path(data_dir or settings.broker.data_dir)
    security = BrokerSecurity(tls=tls, scram=scram)
    common: dict[str, Any] = {
        "kafka_version": settings.broker.kafka_version,
        "libs_dir": settings.broker.libs_dir,
        "heap": settings.broker.heap,
        "security": security,
    }
    broker: EmbeddedBroker | EmbeddedCluster
    if nodes > 1:  # node n listens on port + 2(n-1), its controller on controller_port + 2(n-1)
        steps = [2 * n for n in range(nodes)]
        broker = EmbeddedCluster(
            data_path,
            nodes,
            ports=[port + s for s in steps],
            controller_ports=[controller_port + s for s in steps],
            **common,
        )
    else:
        broker = EmbeddedBroker(data_path, port=port, controller_port=controller_port, **common)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    broker.start()
    out(f"kafka ready: bootstrap servers {broker.bootstrap_servers} (data in {broker.data_dir})")
    if security.protocol != "PLAINTEXT":
        out("connect newswire with these [kafka] keys (sasl_password: the one given to --scram):")
        for key, value in broker.client_settings().items():
            if key != "sasl_password":
                out(f"  {key} = {orjson.dumps(value).decode()}")
    try:
        while not stopped.wait(0.5) and broker.running():
            pass
    finally:
        log.info("stopping broker")
        broker.stop()
    if not stopped.is_set():  # no one asked: the JVM died (its broker.log says why)
        raise BrokerError(f"the broker stopped by itself; see broker.log under {broker.data_dir}")
    return 0
