"""Resolve the broker's runtime jars from Maven Central into a local folder, once."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
from importlib import resources
from pathlib import Path

from newswire.config import environment_flag
from newswire.errors import BrokerError

log = logging.getLogger(__name__)

#: 4.2.2, not 4.3+/4.4.0: from 4.3.0 (KAFKA-17573) the metadata cache reports a
#: partition whose leader is briefly unknown as missing, and the transaction
#: coordinator then skips that partition's commit markers "as likely deleted" and
#: marks the transaction complete. A single node killed with SIGKILL restarts into
#: exactly that window, so an acknowledged commit could lose its records or its
#: offsets (seen in tests/integration/test_broker_failure.py). 4.2.x queues the
#: markers until the leader is back. The fix upstream (KAFKA-20734) is unreleased.
DEFAULT_KAFKA_VERSION = "4.2.2"
# log4j2 version each Kafka release ships with; the SLF4J bridge must match it.
_LOG4J_FOR_KAFKA = {
    "4.4.0": "2.25.5",
    "4.2.2": "2.25.5",
    "4.3.0": "2.24.3",
    "4.2.0": "2.24.3",
    "4.1.1": "2.24.3",
    "4.1.0": "2.24.3",
}
_MARKER = ".newswire-complete"
_ATTEMPTS = 3


def default_libs_dir(version: str = DEFAULT_KAFKA_VERSION) -> Path:
    """Where jars live: ``$NEWSWIRE_KAFKA_LIBS``, else ``~/.cache/newswire/kafka-<version>``."""
    if configured := environment_flag("NEWSWIRE_KAFKA_LIBS"):
        return Path(configured)
    cache = environment_flag("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newswire" / f"kafka-{version}"


def require_tool(name: str, hint: str) -> str:
    """The path of a command, or a one-line :class:`BrokerError` saying what to install."""
    found = shutil.which(name)
    if found is None:
        raise BrokerError(f"'{name}' was not found on PATH: the embedded Kafka broker needs it. {hint}")
    return found


def resolved_jars(version: str = DEFAULT_KAFKA_VERSION, libs_dir: Path | None = None) -> Path | None:
    """The folder of Kafka ``version``'s jars if they were resolved completely, else None."""
    libs = libs_dir or default_libs_dir(version)
    marker = libs / _MARKER
    return libs if marker.is_file() and marker.read_text().strip() == version else None


def ensure_jars(version: str = DEFAULT_KAFKA_VERSION, libs_dir: Path | None = None) -> Path:
    """Return a folder holding every runtime jar of Kafka ``version``, downloading it if needed.

    The folder is wiped before a download (``copy-dependencies`` never deletes
    stale jars, and two versions on one classpath break the broker) and marked
    complete only after a successful copy. Network failures are retried.
    """
    if (resolved := resolved_jars(version, libs_dir)) is not None:
        return resolved
    libs = libs_dir or default_libs_dir(version)
    marker = libs / _MARKER
    if version not in _LOG4J_FOR_KAFKA:
        raise BrokerError(f"unsupported Kafka version {version}; use one of {sorted(_LOG4J_FOR_KAFKA)}")
    mvn = require_tool("mvn", "Install Maven (Debian: apt-get install maven).")
    require_tool("java", "Install Java 17+ (Debian: apt-get install openjdk-17-jre-headless).")
    pom = resources.files("newswire.broker").joinpath("pom.xml").read_text("utf-8")
    pom = pom.replace("@KAFKA_VERSION@", version).replace("@LOG4J_VERSION@", _LOG4J_FOR_KAFKA[version])
    with tempfile.TemporaryDirectory(prefix="newswire-pom-") as tmp:
        pom_file = Path(tmp) / "pom.xml"
        pom_file.write_text(pom, "utf-8")
        last_error = ""
        for attempt in range(1, _ATTEMPTS + 1):
            shutil.rmtree(libs, ignore_errors=True)
            libs.mkdir(parents=True, exist_ok=True)
            log.info(
                "resolving Apache Kafka %s jars from Maven Central (attempt %d/%d)",
                version,
                attempt,
                _ATTEMPTS,
            )
            proc = subprocess.run(
                [
                    mvn,
                    "-B",
                    "-q",
                    "-f",
                    str(pom_file),
                    "dependency:copy-dependencies",
                    f"-DoutputDirectory={libs}",
                    "-DincludeScope=runtime",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode == 0 and any(libs.glob("kafka_2.13-*.jar")):
                marker.write_text(version)
                return libs
            last_error = (proc.stdout + proc.stderr).strip().splitlines()[-15:].__str__()
            time.sleep(2 * attempt)
    raise BrokerError(
        f"could not resolve Apache Kafka {version} from Maven Central after {_ATTEMPTS} attempts; "
        f"check network access to Maven Central and ~/.m2/settings.xml. Last output: {last_error}"
    )
