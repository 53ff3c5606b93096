"""The embedded Apache Kafka broker: jars from Maven Central, KRaft config, TLS/SCRAM, clusters, start, stop.

Used by ``newswire broker``, ``make run`` when no ``KAFKA_BOOTSTRAP_SERVERS``
is given, the test suite and the benchmarks. Production deployments point
newswire at their own Kafka cluster instead.
"""

from newswire.broker._cluster import EmbeddedCluster
from newswire.broker._jars import DEFAULT_KAFKA_VERSION, default_libs_dir, ensure_jars, resolved_jars
from newswire.broker._server import BrokerSecurity, EmbeddedBroker, free_port
from newswire.broker._tls import TlsFiles, ensure_tls_files

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "BrokerSecurity",
    "EmbeddedBroker",
    "EmbeddedCluster",
    "TlsFiles",
    "default_libs_dir",
    "ensure_jars",
    "ensure_tls_files",
    "free_port",
    "resolved_jars",
]
