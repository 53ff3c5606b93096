"""The embedded Apache Kafka broker: jars from Maven Central, KRaft config, start, readiness, stop.

Used by ``newswire broker``, ``make run`` when no ``KAFKA_BOOTSTRAP_SERVERS``
is given, the test suite and the benchmarks. Production deployments point
newswire at their own Kafka cluster instead.
"""

from newswire.broker._jars import DEFAULT_KAFKA_VERSION, default_libs_dir, ensure_jars, resolved_jars
from newswire.broker._server import EmbeddedBroker, free_port

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "EmbeddedBroker",
    "default_libs_dir",
    "ensure_jars",
    "free_port",
    "resolved_jars",
]
