"""newswire daemons as real subprocesses, watched from outside the way an operator watches them.

Memory, readiness and shutdown are properties of the process a user runs, so
the soak and backpressure checks start ``python -m newswire.cli ingest|enrich``
with a config file, read its ``/metrics`` and ``/readyz`` over HTTP, and read
its resident memory (and its extraction workers') from ``/proc``. Shared by
``tests/integration`` and ``bench/soak.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
from prometheus_client.parser import text_string_to_metric_families


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return orjson.dumps(str(value)).decode()  # a JSON string is a valid TOML basic string


def kafka_table(settings: Any) -> dict[str, object]:
    """The ``[kafka]`` table of a daemon config that talks to the same broker and topics as ``settings``."""
    k = settings.kafka
    return {
        "bootstrap_servers": k.bootstrap_servers,
        "topic_prefix": k.topic_prefix,
        "partitions": k.partitions,
        "transaction_timeout_ms": k.transaction_timeout_ms,
        "session_timeout_ms": k.session_timeout_ms,
        "request_timeout_ms": k.request_timeout_ms,
        "replication_factor": k.replication_factor,
        "security_protocol": k.security_protocol,
        **{
            key: str(getattr(k, key))
            for key in ("sasl_mechanism", "sasl_username", "ssl_cafile", "ssl_certfile", "ssl_keyfile")
            if getattr(k, key) is not None
        },
        **({"sasl_password": k.sasl_password.get_secret_value()} if k.sasl_password is not None else {}),
    }


def write_config(path: Path, tables: dict[str, dict[str, Any]], sources: list[dict[str, Any]]) -> Path:
    """Write a newswire TOML config: ``tables`` are sections (``kafka``, ``fetch``, ...)."""
    lines: list[str] = []
    for name, values in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    for source in sources:
        lines.append("[[sources]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in source.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def crawl_config(
    path: Path,
    settings: Any,
    site: Any,
    instance_id: str,
    *,
    ingest: dict[str, Any] | None = None,
    fetch: dict[str, Any] | None = None,
    observe: dict[str, Any] | None = None,
) -> Path:
    """Write the config of an ingest daemon that crawls a :class:`tests.fakesite.FakeSite`'s generated
    sitemap once, with one extraction worker and JSON logs; ``ingest``, ``fetch`` and ``observe``
    add to or override those tables, so a test states only what it is about."""
    return write_config(
        path,
        {
            "kafka": kafka_table(settings),
            "ingest": {
                "group_id": settings.ingest.group_id,
                "instance_id": instance_id,
                "extract_workers": 1,
                **(ingest or {}),
            },
            "fetch": {
                "allowed_hosts": [site.host_port],
                "per_host_delay_s": 0.05,
                "per_host_concurrency": 2,
                "retries": 1,
                "backoff_base_s": 0.05,
                **(fetch or {}),
            },
            "observe": {"log_format": "json", **(observe or {})},
        },
        [{"kind": "sitemap", "url": site.url("/sitemaps/generated.xml.gz"), "interval_s": 3600}],
    )


async def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``condition`` (sync or async) until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.05)  # polling a condition, not waiting for time to pass


# ----------------------------------------------------------------- memory from /proc


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])  # the name may contain spaces: skip past ")"


def process_tree(root: int) -> list[int]:
    """``root`` and every live descendant (ingest's forkserver and extraction workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (parent := _ppid(int(entry))) is not None:
            children.setdefault(parent, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def rss_kb(pid: int) -> int:
    """Resident set size of one process in KiB (``VmRSS``), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclasses.dataclass(frozen=True)
class Memory:
    """One RSS sample: the daemon process itself and its whole tree (children included)."""

    main_kb: int
    tree_kb: int
    processes: int


# ----------------------------------------------------------------- daemons


@dataclasses.dataclass(frozen=True)
class Sample:
    """One Prometheus sample as a daemon exported it."""

    name: str
    labels: dict[str, str]
    value: float


@dataclasses.dataclass
class Daemon:
    """A running ``newswire <command>`` subprocess with its metrics port and log file."""

    name: str
    popen: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @classmethod
    def start(cls, command: str, config: Path, port: int, log_path: Path, *args: str) -> Daemon:
        """Start ``newswire <command>`` in its own session (so its workers can be cleaned up with it)."""
        cli = [sys.executable, "-m", "newswire.cli", "--config", str(config), command, "--port", str(port)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                [*cli, *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        return cls(command, popen, port, log_path)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory(self) -> Memory:
        tree = process_tree(self.pid)
        return Memory(rss_kb(self.pid), sum(rss_kb(p) for p in tree), len(tree))

    async def metrics(self, client: httpx.AsyncClient) -> list[Sample]:
        """Every sample on ``/metrics``; empty while the endpoint does not answer."""
        try:
            response = await client.get(f"{self.base_url}/metrics", timeout=5)
        except httpx.TransportError:
            return []
        return [
            Sample(s.name, dict(s.labels), s.value)
            for family in text_string_to_metric_families(response.text)
            for s in family.samples
        ]

    async def ready(self, client: httpx.AsyncClient) -> bool | None:
        """``/readyz`` as True/False, None when the endpoint does not answer."""
        try:
            response = await client.get(f"{self.base_url}/readyz", timeout=5)
        except httpx.TransportError:
            return None
        return response.status_code == 200

    def notable_lines(self, limit: int = 40) -> str:
        """The daemon's own warnings and errors and its closing line: what a failed outage test
        needs to tell a lost record from a slow recovery (the clients' connection noise left out)."""
        with contextlib.suppress(OSError):
            lines = self.log_path.read_text(errors="replace").splitlines()
            picked = [
                line
                for line in lines
                if '"logger":"newswire' in line
                and ('"level":"warning"' in line or '"level":"error"' in line or "daemon stopped" in line)
            ]
            return "\n".join(picked[-limit:])
        return ""

    def log_tail(self, chars: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-chars:]
        return ""

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM (a graceful drain), then SIGKILL of the whole session if it does not exit in time."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        code = self.popen.poll()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # leftovers of its session (extraction workers)
        if code is None:
            self.popen.wait(10)
        return code


def decider(settings: Any, tmp_path: Path, port: int = 0) -> Daemon:
    """``newswire ingest`` without sources: its fetch role decides what the import workers hand on."""
    tables = {"kafka": kafka_table(settings), "ingest": {"group_id": settings.ingest.group_id}}
    config = write_config(tmp_path / "ingest.toml", tables, [])
    return Daemon.start("ingest", config, port, tmp_path / "ingest.log")


def metric_sum(samples: list[Sample], name: str, **labels: str) -> float:
    """Sum of every sample of ``name`` whose labels include ``labels``."""
    return sum(
        s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )
