"""End-to-end benchmark: a generated news site → newswire ingest → enrich → Kafka, on loopback.

    .venv/bin/python bench/pipeline.py            # full: 3 repetitions, ~10 minutes
    .venv/bin/python bench/pipeline.py --quick    # 1 repetition, ~2 minutes
    .venv/bin/python bench/pipeline.py --code HEAD   # run the daemons from a clean `git archive HEAD`
    .venv/bin/python bench/pipeline.py --quick --profile /tmp/prof   # py-spy raw profile per burst

What runs (all real processes, pinned with taskset the same way every run):

* a real Kafka broker (``EmbeddedBroker``), CPU ``--pin-broker`` (1);
* the benchmark site (``bench/site/server.py``: asyncio HTTP/1.1, pages pre-rendered and
  gzipped from the fundus corpus into five publisher templates), CPU ``--pin-site`` (1);
* ``python -m newswire.cli ingest`` and ``... enrich`` as subprocesses, CPUs
  ``--pin-ingest`` (0,1) and ``--pin-enrich`` (0,1): the whole machine, shared with the
  broker and site as it would be in production; the extraction pool and the enrich pool
  (``enrich.workers``) get one worker per pinned CPU; fetch politeness is relaxed for the
  site only (``allowed_hosts``, no per-host delay, ``--fetch-concurrency`` fetches in flight,
  8 by default: on loopback 8 keep both extraction workers busy, and httpcore's pool spends
  CPU per request in proportion to its connections (64 cost ingest 30 % more CPU per
  article); robots.txt is fetched and allows all);
* this script (site control, read_committed consumers that timestamp every record), CPU
  ``--pin-bench`` (1);
* the baseline ``bench/baseline_feed_to_kafka.py`` (feedparser + httpx + trafilatura +
  aiokafka), pinned like the ingest daemon, with the same number of fetches in flight.

Every newswire run polls one RSS feed of the site every ``--poll-interval`` seconds.

Measured, per repetition (median over ``--runs``):

* **saturation**: W warm-up articles (so model loading and group joins are not timed),
  then N articles published at once; articles/s = N / (last enriched event readable by a
  read_committed consumer − publish time);
* **latency** at 25/50/90 % of that rate: articles appear in the feed at a steady rate for
  ``--phase-s`` seconds; latency = consumer-observed time − publish time, p50/p95/p99;
* CPU seconds per article per daemon (``/proc/<pid>/stat`` utime+stime of the process tree,
  extraction workers included) and per stage from the daemons' Prometheus histograms;
  peak RSS (``VmHWM``); bytes on the broker's disk and bytes read by the consumers;
* **ingest only vs baseline**: the ingest daemon alone, then the baseline script, on the same
  site/broker/pinning: N articles at once, until the topic holds all of them; ``--ingest-runs``
  pairs (5), in alternating order, the median of each side;
* the broker's CPU seconds per burst, and how many of them its JIT compiler took (its threads
  in ``/proc``). ``--broker-warmup`` untimed pairs (1) run before anything is timed, so a
  just-started broker's compiling is not charged to whichever side runs first.

Absolute numbers depend on the machine and on what else runs on it; the script records the
load average before and after so noisy runs can be spotted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SITE_SCRIPT = BENCH / "site" / "server.py"
BASELINE_SCRIPT = BENCH / "baseline_feed_to_kafka.py"
RESULTS = BENCH / "results"
LOADS = (0.25, 0.5, 0.9)


# ----------------------------------------------------------------- small helpers


def log(msg: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def median(values: list[Any]) -> Any:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def rnd(value: Any, digits: int = 3) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def path_key(url: str) -> str:
    return urlsplit(url).path


TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(path: str) -> list[str] | None:
    """The fields of a ``/proc/.../stat`` file after the command name: [0] is field 3 (state)."""
    try:
        raw = Path(path).read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(ppid, cpu seconds incl. reaped children) of one process."""
    fields = _stat_fields(f"/proc/{pid}/stat")
    if fields is None:
        return None
    # ppid=4, utime=14, stime=15, cutime=16, cstime=17
    return int(fields[1]), sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK


def process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _proc_stat(int(entry))) is not None:
            parents[int(entry)] = st[0]
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree += frontier
    return tree


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and its descendants (live ones, plus the dead ones they reaped)."""
    return sum(st[1] for pid in process_tree(root) if (st := _proc_stat(pid)) is not None)


JIT_THREADS = ("C1 CompilerThre", "C2 CompilerThre")


def jvm_cpu(pid: int) -> tuple[float, float]:
    """(CPU seconds of a JVM, of which its JIT compiler threads), from ``/proc``.

    HotSpot stops idle compiler threads, and their CPU time goes with them: a difference of the
    JIT figure over a span can come out a little low, never high.
    """
    st = _proc_stat(pid)
    jit = 0.0
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            task = f"/proc/{pid}/task/{tid}"
            try:
                name = Path(f"{task}/comm").read_text()
            except OSError:  # the thread is gone
                continue
            if name.startswith(JIT_THREADS) and (fields := _stat_fields(f"{task}/stat")) is not None:
                jit += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return (st[1] if st else 0.0), jit


def jvm_cpu_since(pid: int, start: tuple[float, float]) -> tuple[float, float]:
    total, jit = jvm_cpu(pid)
    return max(0.0, total - start[0]), max(0.0, jit - start[1])


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$")


def parse_metrics(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line.startswith("newswire_") and (m := _SAMPLE.match(line)):
            with contextlib.suppress(ValueError):
                out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def dir_bytes(path: Path, prefix: str) -> int:
    """Bytes of the segment files of the topics named ``prefix*`` under the broker's log dir."""
    total = 0
    for topic_dir in path.glob(f"{prefix}*"):
        total += sum(f.stat().st_size for f in topic_dir.glob("*.log"))
    return total


# ----------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def cpu(self) -> float:
        return tree_cpu(self.pid)

    def hwm(self) -> dict[str, float | None]:
        tree = process_tree(self.pid)
        peaks = [vm_hwm_mb(pid) or 0.0 for pid in tree]
        return {
            "main_mb": rnd(vm_hwm_mb(self.pid), 1),
            "tree_sum_mb": rnd(sum(peaks), 1),
            "processes": len(tree),
        }

    def stop(self, timeout: float = 20.0) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop in {timeout:.0f}s; killing its process group")
        # The process leads its own session: this also ends what it left behind (the extraction
        # pool's forkserver and workers), and nothing else.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        return ""


SPAWNED: list[subprocess.Popen[bytes]] = []  # everything this script started, for cleanup on any exit


def spawn(
    name: str,
    cmd: list[str],
    pin: str | None,
    log_path: Path,
    env: dict[str, str] | None = None,
    stdout: int | None = None,
) -> subprocess.Popen[bytes]:
    if pin:
        cmd = ["taskset", "-c", pin, *cmd]
    handle = log_path.open("ab")
    popen = subprocess.Popen(
        cmd,
        stdout=stdout if stdout is not None else handle,
        stderr=handle,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
        cwd=ROOT,
    )
    SPAWNED.append(popen)
    return popen


def kill_spawned() -> None:
    """SIGKILL the sessions of every process this script started (each leads its own session)."""
    for popen in SPAWNED:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)


class SiteClient:
    def __init__(self, proc: Proc, port: int) -> None:
        import httpx

        self.proc = proc
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.client = httpx.AsyncClient(base_url=self.base, timeout=120)

    async def publish(
        self, run: str, count: int, rate: float = 0.0, feed_limit: int | None = None
    ) -> list[tuple[str, float, int, int]]:
        r = await self.client.post(
            "/_control/publish",
            json={"run": run, "count": count, "rate": rate, "feed_limit": feed_limit, "lead_s": 0.05},
        )
        r.raise_for_status()
        return [tuple(item) for item in r.json()["items"]]  # type: ignore[misc]

    async def drop(self, run: str) -> None:
        await self.client.post("/_control/drop", json={"run": run})

    async def stats(self) -> dict[str, Any]:
        return (await self.client.get("/_control/stats")).json()  # type: ignore[no-any-return]

    def feed_url(self, run: str) -> str:
        return f"{self.base}/{run}/rss.xml"


async def start_site(opts: argparse.Namespace, workdir: Path) -> SiteClient:
    popen = spawn(
        "site",
        [sys.executable, str(SITE_SCRIPT), "--languages", opts.languages],
        opts.pin_site,
        workdir / "site.log",
        stdout=subprocess.PIPE,
    )
    assert popen.stdout is not None
    line = await asyncio.wait_for(asyncio.to_thread(popen.stdout.readline), 60)
    if not line.startswith(b"ready "):
        raise SystemExit(f"site did not start: {line!r}; see {workdir / 'site.log'}")
    port = int(line.split()[1])
    return SiteClient(Proc("site", popen, workdir / "site.log", port), port)


# ----------------------------------------------------------------- consumers that timestamp records


class Watcher:
    """A read_committed consumer over every partition of one topic; remembers when each URL showed up."""

    def __init__(self, bootstrap: str, topic: str, partitions: int, kind: str) -> None:
        self.bootstrap, self.topic, self.partitions, self.kind = bootstrap, topic, partitions, kind
        self.seen: dict[str, float] = {}
        self.bytes = 0
        self.records = 0
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    def _url(self, value: bytes) -> str | None:
        import orjson

        doc = orjson.loads(value)
        if self.kind == "enriched":
            doc = doc.get("article") or {}
        return doc.get("url")

    async def start(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            isolation_level="read_committed",
            enable_auto_commit=False,
            group_id=None,
            fetch_max_wait_ms=50,
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        consumer.assign([TopicPartition(self.topic, p) for p in range(self.partitions)])
        await consumer.seek_to_beginning()
        self._consumer = consumer
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=100, max_records=2000)
            now = time.time()
            for records in batch.values():
                for record in records:
                    self.records += 1
                    self.bytes += len(record.value or b"") + len(record.key or b"")
                    if record.value is None:
                        continue
                    with contextlib.suppress(ValueError, AttributeError):
                        url = self._url(record.value)
                        if url:
                            self.seen.setdefault(path_key(url), now)
            if batch:
                self._changed.set()

    async def wait_for(self, keys: list[str], timeout: float) -> bool:
        """Wait until every key was seen; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if all(k in self.seen for k in keys):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self._task is not None and self._task.done():
                self._task.result()
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self._consumer.stop()


# ----------------------------------------------------------------- newswire daemons


def write_config(
    path: Path,
    *,
    bootstrap: str,
    prefix: str,
    partitions: int,
    site_host: str,
    feed: str,
    poll_s: float,
    extract_workers: int,
    enrich_workers: int,
    fetch_concurrency: int,
    tag: str,
) -> None:
    path.write_text(f"""# written by bench/pipeline.py
[kafka]
bootstrap_servers = "{bootstrap}"
topic_prefix = "{prefix}"
partitions = {partitions}

[fetch]
concurrency = {fetch_concurrency}
per_host_concurrency = {fetch_concurrency}
per_host_delay_s = 0
obey_robots = true
allowed_hosts = ["{site_host}"]

[ingest]
group_id = "bench-ingest-{tag}"
instance_id = "bench-ingest-{tag}"
extract_workers = {extract_workers}

[enrich]
group_id = "bench-enrich-{tag}"
instance_id = "bench-enrich-{tag}"
entities = true
workers = {enrich_workers}

[observe]
log_level = "INFO"

[[sources]]
kind = "feed"
name = "bench-feed-{tag}"
url = "{feed}"
interval_s = {poll_s}
""")


def daemon_env(code_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if code_dir is not None:
        env["PYTHONPATH"] = f"{code_dir}{os.pathsep}{env.get('PYTHONPATH', '')}".rstrip(os.pathsep)
    # keep numpy/BLAS to the pinned CPUs' worth of threads
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    return env


async def start_daemon(
    kind: str, config: Path, pin: str | None, workdir: Path, code_dir: Path | None
) -> Proc:
    from newswire.broker import free_port  # after main() put the --code tree on sys.path

    port = free_port()
    log_path = workdir / f"{kind}.log"
    popen = spawn(
        kind,
        [sys.executable, "-m", "newswire.cli", "--config", str(config), kind, "--port", str(port)],
        pin,
        log_path,
        env=daemon_env(code_dir),
    )
    return Proc(kind, popen, log_path, port)


class Profile:
    """``py-spy record`` attached to a daemon (and its workers) for one measured burst, with ``--profile``."""

    def __init__(self, out_dir: Path | None, proc: Proc, label: str) -> None:
        self.popen: subprocess.Popen[bytes] | None = None
        if out_dir is None or not shutil.which("py-spy"):
            return
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{label}.txt"
        cmd = ["py-spy", "record", "-p", str(proc.popen.pid), "--subprocesses", "-r", "100"]
        self.popen = subprocess.Popen(
            [*cmd, "-f", "raw", "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self) -> None:
        if self.popen is not None:
            self.popen.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(60)


async def scrape(proc: Proc) -> dict[str, float]:
    import httpx

    try:
        async with httpx.AsyncClient(timeout=5) as client:
            r = await client.get(f"http://127.0.0.1:{proc.port}/metrics")
            return parse_metrics(r.text)
    except httpx.HTTPError:
        return {}


def delta(after: dict[str, float], before: dict[str, float], key: str) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


def stage_figures(m0: dict[str, float], m1: dict[str, float], n: int) -> dict[str, Any]:
    """Per-article seconds from the daemons' histograms between two scrapes."""
    out: dict[str, Any] = {}
    ext_n = delta(m1, m0, "newswire_extract_seconds_count")
    if ext_n:
        out["extract_cpu_s_per_page"] = rnd(delta(m1, m0, "newswire_extract_seconds_sum") / ext_n, 4)
    fetch_sum = sum(delta(m1, m0, k) for k in m1 if k.startswith("newswire_fetch_seconds_sum"))
    fetch_n = sum(delta(m1, m0, k) for k in m1 if k.startswith("newswire_fetch_seconds_count"))
    if fetch_n:
        out["fetch_wall_s_per_fetch"] = rnd(fetch_sum / fetch_n, 4)
        out["fetches"] = int(fetch_n)
    for key in m1:
        if key.startswith("newswire_enrich_stage_seconds_sum"):
            stage = re.search(r'stage="([^"]+)"', key)
            if stage and n:
                out[f"enrich_{stage.group(1)}_s_per_article"] = rnd(delta(m1, m0, key) / n, 4)
    return out


async def ensure_newswire_topics(config: Path) -> None:
    from newswire.bus import ensure_topics
    from newswire.config import load_settings

    await ensure_topics(load_settings(config, environ={}))


async def wait_or_die(
    watcher: Watcher, keys: list[str], timeout: float, procs: list[Proc], stall_s: float = 90.0
) -> bool:
    """Wait for keys; False after ``timeout`` or ``stall_s`` without a new key; raise if a daemon dies."""
    deadline = time.monotonic() + timeout
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        if await watcher.wait_for(keys, min(2.0, deadline - time.monotonic())):
            return True
        for p in procs:
            if not p.alive():
                raise RuntimeError(f"{p.name} exited with {p.popen.returncode}; log tail:\n{p.log_tail()}")
        count = sum(k in watcher.seen for k in keys)
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            log(f"  no progress for {stall_s:.0f} s ({count}/{len(keys)}); giving up on the rest")
            return False
    return False


# ----------------------------------------------------------------- one repetition of each measurement


@dataclass
class Env:
    opts: argparse.Namespace
    broker: Any
    site: SiteClient
    workdir: Path
    code_dir: Path | None
    page_sizes: list[tuple[int, int]] = field(default_factory=list)


def _newswire_setup(env: Env, label: str) -> tuple[str, str, Path]:
    tag = f"{label}{uuid.uuid4().hex[:6]}"
    prefix = f"bench-{tag}."
    run_dir = env.workdir / tag
    run_dir.mkdir()
    config = run_dir / "newswire.toml"
    workers = len(parse_cpus(env.opts.pin_ingest)) if env.opts.pin_ingest else (os.cpu_count() or 1)
    write_config(
        config,
        bootstrap=env.broker.bootstrap_servers,
        prefix=prefix,
        partitions=env.opts.partitions,
        site_host=f"127.0.0.1:{env.site.port}",
        feed=env.site.feed_url(tag),
        poll_s=env.opts.poll_interval,
        extract_workers=workers,
        enrich_workers=len(parse_cpus(env.opts.pin_enrich)) if env.opts.pin_enrich else 0,
        fetch_concurrency=env.opts.fetch_concurrency,
        tag=tag,
    )
    return tag, prefix, config


async def pipeline_rep(env: Env, rep: int) -> dict[str, Any]:
    o = env.opts
    tag, prefix, config = _newswire_setup(env, f"p{rep}")
    run_dir = config.parent
    await ensure_newswire_topics(config)
    articles = Watcher(env.broker.bootstrap_servers, f"{prefix}articles", o.partitions, "articles")
    enriched = Watcher(env.broker.bootstrap_servers, f"{prefix}enriched", o.partitions, "enriched")
    await articles.start()
    await enriched.start()
    ingest = await start_daemon("ingest", config, o.pin_ingest, run_dir, env.code_dir)
    enrich = await start_daemon("enrich", config, o.pin_enrich, run_dir, env.code_dir)
    procs = [ingest, enrich]
    out: dict[str, Any] = {"topic_prefix": prefix}
    try:
        t_start = time.monotonic()
        warm = await env.site.publish(tag, o.warmup)
        if not await wait_or_die(enriched, [path_key(u) for u, *_ in warm], o.startup_timeout, procs):
            raise RuntimeError(
                f"warm-up articles not enriched within {o.startup_timeout}s; ingest log:\n"
                f"{ingest.log_tail()}\nenrich log:\n{enrich.log_tail()}"
            )
        out["startup_s"] = rnd(time.monotonic() - t_start, 1)
        log(f"  warm: {o.warmup} articles through the pipeline after {out['startup_s']} s")

        # saturation: N at once
        profiles = [Profile(o.profile, p, f"pipeline-{p.name}-{rep}") for p in procs]
        cpu0 = {p.name: p.cpu() for p in procs}
        broker0 = jvm_cpu(env.broker.pid)
        m0 = {p.name: await scrape(p) for p in procs}
        bytes0 = (articles.bytes, enriched.bytes)
        items = await env.site.publish(tag, o.n_sat, feed_limit=o.n_sat + o.warmup + 100)
        env.page_sizes += [(raw, gz) for _, _, raw, gz in items]
        t0 = min(ts for _, ts, *_ in items)
        keys = [path_key(u) for u, *_ in items]
        complete = await wait_or_die(enriched, keys, o.phase_timeout, procs)
        done = [enriched.seen[k] for k in keys if k in enriched.seen]
        t_end = max(done) if done else time.time()
        ingest_done = [articles.seen[k] for k in keys if k in articles.seen]
        cpu1 = {p.name: p.cpu() for p in procs}
        broker_cpu, broker_jit = jvm_cpu_since(env.broker.pid, broker0)
        m1 = {p.name: await scrape(p) for p in procs}
        for profile in profiles:
            profile.stop()
        n = len(done)
        sat_rate = n / (t_end - t0) if n else 0.0
        out["saturation"] = {
            "articles": o.n_sat,
            "enriched": n,
            "complete": complete,
            "seconds": rnd(t_end - t0, 2),
            "articles_per_s": rnd(sat_rate, 2),
            "ingest_articles_per_s": rnd(len(ingest_done) / (max(ingest_done) - t0), 2)
            if ingest_done
            else None,
            "cpu_s_per_article": {p.name: rnd((cpu1[p.name] - cpu0[p.name]) / max(n, 1), 4) for p in procs},
            "cpu_utilisation": {
                p.name: rnd((cpu1[p.name] - cpu0[p.name]) / max(t_end - t0, 1e-9), 2) for p in procs
            },
            "broker_cpu_s": rnd(broker_cpu, 2),
            "broker_jit_cpu_s": rnd(broker_jit, 2),
            "stages": {
                **stage_figures(m0["ingest"], m1["ingest"], n),
                **stage_figures(m0["enrich"], m1["enrich"], n),
            },
            "consumer_bytes_per_article": {
                "articles": rnd((articles.bytes - bytes0[0]) / max(n, 1), 0),
                "enriched": rnd((enriched.bytes - bytes0[1]) / max(n, 1), 0),
            },
        }
        log(
            f"  saturation: {n}/{o.n_sat} enriched in {t_end - t0:.1f} s = {sat_rate:.1f} articles/s; "
            f"broker {broker_cpu:.2f} CPU-s, {broker_jit:.2f} of them compiling"
        )

        # latency at fractions of the saturation rate
        out["latency"] = []
        for frac in o.loads:
            rate = max(0.2, frac * sat_rate)
            count = max(5, round(rate * o.phase_s))
            items = await env.site.publish(tag, count, rate=rate, feed_limit=100)
            keys = [path_key(u) for u, *_ in items]
            published = {path_key(u): ts for u, ts, *_ in items}
            complete = await wait_or_die(enriched, keys, count / rate + o.drain_timeout, procs)
            lat = [enriched.seen[k] - published[k] for k in keys if k in enriched.seen]
            ing = [articles.seen[k] - published[k] for k in keys if k in articles.seen]
            span = (
                max(enriched.seen[k] for k in keys if k in enriched.seen) - min(published.values())
                if lat
                else 0.0
            )
            row = {
                "fraction": frac,
                "offered_per_s": rnd(rate, 2),
                "articles": count,
                "enriched": len(lat),
                "complete": complete,
                "achieved_per_s": rnd(len(lat) / span, 2) if span else None,
                "p50_s": rnd(pct(lat, 0.5)),
                "p95_s": rnd(pct(lat, 0.95)),
                "p99_s": rnd(pct(lat, 0.99)),
                "max_s": rnd(max(lat) if lat else None),
                "ingest_p50_s": rnd(pct(ing, 0.5)),
                "ingest_p99_s": rnd(pct(ing, 0.99)),
            }
            out["latency"].append(row)
            log(
                f"  load {frac:.0%} ({rate:.1f}/s, {count} articles): p50 {row['p50_s']} s, "
                f"p95 {row['p95_s']} s, p99 {row['p99_s']} s{'' if complete else ' (INCOMPLETE)'}"
            )
        out["rss"] = {p.name: p.hwm() for p in procs}
        total = len(enriched.seen)
        out["bytes"] = {
            "broker_disk_bytes": dir_bytes(env.broker.data_dir / "logs", prefix),
            "broker_disk_bytes_per_article": rnd(
                dir_bytes(env.broker.data_dir / "logs", prefix) / max(total, 1), 0
            ),
            "consumer_bytes_read": {"articles": articles.bytes, "enriched": enriched.bytes},
            "articles_total": total,
        }
    finally:
        for p in procs:
            p.stop()
        await articles.stop()
        await enriched.stop()
        await env.site.drop(tag)
    return out


async def ingest_rep(env: Env, rep: int) -> dict[str, Any]:
    o = env.opts
    tag, prefix, config = _newswire_setup(env, f"i{rep}")
    await ensure_newswire_topics(config)
    articles = Watcher(env.broker.bootstrap_servers, f"{prefix}articles", o.partitions, "articles")
    await articles.start()
    ingest = await start_daemon("ingest", config, o.pin_ingest, config.parent, env.code_dir)
    try:
        return await _timed_burst(env, tag, articles, ingest, "ingest")
    finally:
        ingest.stop()
        await articles.stop()
        await env.site.drop(tag)


async def baseline_rep(env: Env, rep: int) -> dict[str, Any]:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    o = env.opts
    tag = f"b{rep}{uuid.uuid4().hex[:6]}"
    topic = f"bench-{tag}.baseline"
    run_dir = env.workdir / tag
    run_dir.mkdir()
    admin = AIOKafkaAdminClient(bootstrap_servers=env.broker.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(topic, o.partitions, 1, topic_configs={"max.message.bytes": str(4 * 1024 * 1024)})]
        )
    finally:
        await admin.close()
    watcher = Watcher(env.broker.bootstrap_servers, topic, o.partitions, "baseline")
    await watcher.start()
    popen = spawn(
        "baseline",
        [
            sys.executable,
            str(BASELINE_SCRIPT),
            "--feed",
            env.site.feed_url(tag),
            "--bootstrap",
            env.broker.bootstrap_servers,
            "--topic",
            topic,
            "--interval",
            str(o.poll_interval),
            "--concurrency",
            str(o.fetch_concurrency),
        ],
        o.pin_ingest,
        run_dir / "baseline.log",
        env=daemon_env(None),
    )
    proc = Proc("baseline", popen, run_dir / "baseline.log")
    try:
        return await _timed_burst(env, tag, watcher, proc, "baseline")
    finally:
        proc.stop()
        await watcher.stop()
        await env.site.drop(tag)


def burst_shape(done: list[float], t0: float) -> tuple[float, float]:
    """(seconds from publishing to the first article out, articles/s between 10% and 90% out).

    The burst rate (all articles over the whole time) includes the feed poll, the feed
    parse and the first commit once; the middle of the burst is the rate at saturation.
    """
    if not done:
        return 0.0, 0.0
    ts = sorted(done)
    lo, hi = ts[len(ts) // 10], ts[len(ts) * 9 // 10]
    return ts[0] - t0, (len(ts) * 9 // 10 - len(ts) // 10) / (hi - lo) if hi > lo else 0.0


async def _timed_burst(env: Env, tag: str, watcher: Watcher, proc: Proc, label: str) -> dict[str, Any]:
    o = env.opts
    warm = await env.site.publish(tag, o.warmup)
    if not await wait_or_die(watcher, [path_key(u) for u, *_ in warm], o.startup_timeout, [proc]):
        raise RuntimeError(f"{label}: warm-up not done in {o.startup_timeout}s; log:\n{proc.log_tail()}")
    profile = Profile(o.profile, proc, f"{label}-{tag}")
    cpu0 = proc.cpu()
    broker0 = jvm_cpu(env.broker.pid)
    bytes0 = watcher.bytes
    items = await env.site.publish(tag, o.n_ingest, feed_limit=o.n_ingest + o.warmup + 100)
    t0 = min(ts for _, ts, *_ in items)
    keys = [path_key(u) for u, *_ in items]
    complete = await wait_or_die(watcher, keys, o.phase_timeout, [proc])
    done = [watcher.seen[k] for k in keys if k in watcher.seen]
    t_end = max(done) if done else time.time()
    cpu = proc.cpu() - cpu0
    broker_cpu, broker_jit = jvm_cpu_since(env.broker.pid, broker0)
    profile.stop()
    rate = len(done) / (t_end - t0) if done else 0.0
    first_s, steady = burst_shape(done, t0)
    log(
        f"  {label}: {len(done)}/{len(keys)} articles in {t_end - t0:.1f} s = {rate:.1f} articles/s "
        f"(first after {first_s:.2f} s, {steady:.1f}/s from 10% to 90% done); "
        f"broker {broker_cpu:.2f} CPU-s, {broker_jit:.2f} of them compiling"
    )
    return {
        "articles": len(keys),
        "published": len(done),
        "complete": complete,
        "seconds": rnd(t_end - t0, 2),
        "articles_per_s": rnd(rate, 2),
        "first_article_s": rnd(first_s, 3),
        "steady_articles_per_s": rnd(steady, 2),
        "cpu_s_per_article": rnd(cpu / max(len(done), 1), 4),
        "broker_cpu_s": rnd(broker_cpu, 2),
        "broker_jit_cpu_s": rnd(broker_jit, 2),
        "bytes_per_article": rnd((watcher.bytes - bytes0) / max(len(done), 1), 0),
        "rss": proc.hwm(),
    }


# ----------------------------------------------------------------- summary, table, plot


def summarise(
    reps: list[dict[str, Any]],
    ingest: list[dict[str, Any]],
    base: list[dict[str, Any]],
    env: Env,
    meta: dict[str, Any],
) -> dict[str, Any]:
    o = env.opts
    sat = [r["saturation"] for r in reps]
    by_load = []
    for i, frac in enumerate(o.loads):
        rows = [r["latency"][i] for r in reps if len(r["latency"]) > i]
        by_load.append(
            {
                "fraction": frac,
                **{
                    k: rnd(median([row[k] for row in rows]))
                    for k in (
                        "offered_per_s",
                        "achieved_per_s",
                        "p50_s",
                        "p95_s",
                        "p99_s",
                        "max_s",
                        "ingest_p50_s",
                        "ingest_p99_s",
                    )
                },
                "complete": all(row["complete"] for row in rows),
                "runs": rows,
            }
        )
    half = next(
        (row for row in by_load if row["fraction"] == 0.5), by_load[len(by_load) // 2] if by_load else {}
    )
    pipe_rate = median([s["articles_per_s"] for s in sat])
    ing_rate = median([r["articles_per_s"] for r in ingest])
    base_rate = median([r["articles_per_s"] for r in base])
    ratio = ing_rate / base_rate if ing_rate and base_rate else None
    sizes = env.page_sizes
    raw = [s[0] for s in sizes]
    gz = [s[1] for s in sizes]

    def med_dict(dicts: list[dict[str, Any]]) -> dict[str, Any]:
        keys = {k for d in dicts for k in d}
        return {k: rnd(median([d.get(k) for d in dicts]), 4) for k in sorted(keys)}

    return {
        "pipeline": {
            "articles_per_s": pipe_rate,
            "latency_p50_s": half.get("p50_s"),
            "latency_p95_s": half.get("p95_s"),
            "latency_p99_s": half.get("p99_s"),
            "latency_load_fraction": half.get("fraction"),
            "saturation_complete": all(s["complete"] for s in sat),
            "entities": True,
            "latency": [{k: v for k, v in row.items() if k != "runs"} for row in by_load],
            "cpu_s_per_article": med_dict([s["cpu_s_per_article"] for s in sat]),
            "cpu_utilisation_at_saturation": med_dict([s["cpu_utilisation"] for s in sat]),
            "broker_cpu_s_per_burst": median([s["broker_cpu_s"] for s in sat]),
            "broker_jit_cpu_s_per_burst": median([s["broker_jit_cpu_s"] for s in sat]),
            "stages": med_dict([s["stages"] for s in sat]),
            "ingest_stage_articles_per_s": median([s["ingest_articles_per_s"] for s in sat]),
            "startup_s": median([r["startup_s"] for r in reps]),
        },
        "ingest": {
            "articles_per_s": ing_rate,
            "ratio_vs_baseline": rnd(ratio, 2),
            "first_article_s": median([r["first_article_s"] for r in ingest]),
            "steady_articles_per_s": median([r["steady_articles_per_s"] for r in ingest]),
            "cpu_s_per_article": median([r["cpu_s_per_article"] for r in ingest]),
            "broker_cpu_s_per_burst": median([r["broker_cpu_s"] for r in ingest]),
            "broker_jit_cpu_s_per_burst": median([r["broker_jit_cpu_s"] for r in ingest]),
            "complete": all(r["complete"] for r in ingest),
        },
        "baseline": {
            "articles_per_s": base_rate,
            "first_article_s": median([r["first_article_s"] for r in base]),
            "steady_articles_per_s": median([r["steady_articles_per_s"] for r in base]),
            "cpu_s_per_article": median([r["cpu_s_per_article"] for r in base]),
            "broker_cpu_s_per_burst": median([r["broker_cpu_s"] for r in base]),
            "broker_jit_cpu_s_per_burst": median([r["broker_jit_cpu_s"] for r in base]),
            "complete": all(r["complete"] for r in base),
            "what": "feedparser + httpx + trafilatura.bare_extraction + aiokafka "
            "(bench/baseline_feed_to_kafka.py)",
        },
        "rss_mb": {
            "ingest": med_dict([r["rss"]["ingest"] for r in reps]),
            "enrich": med_dict([r["rss"]["enrich"] for r in reps]),
            "ingest_only": med_dict([r["rss"] for r in ingest]),
            "baseline": med_dict([r["rss"] for r in base]),
        },
        "bytes": {
            "broker_disk_bytes_per_article": median(
                [r["bytes"]["broker_disk_bytes_per_article"] for r in reps]
            ),
            "broker_disk_bytes": median([r["bytes"]["broker_disk_bytes"] for r in reps]),
            "consumer_bytes_per_article": med_dict([s["consumer_bytes_per_article"] for s in sat]),
            "note": "broker: zstd-compressed segment files of all the run's topics "
            "(articles, latest, enriched, "
            "urls, fetch-state, sources, dead-letters); consumer: uncompressed key+value bytes read",
        },
        "goals": {
            "pipeline_articles_per_s>=25": bool(pipe_rate and pipe_rate >= 25),
            "latency_p99_at_50pct<=2s": bool(half.get("p99_s") is not None and half["p99_s"] <= 2.0),
            "ingest_ratio_vs_baseline>=3": bool(ratio and ratio >= 3),
        },
        "article_sizes": {
            "pages": len(raw),
            "html_bytes_median": median(raw),
            "html_bytes_p90": rnd(pct(raw, 0.9), 0),
            "gzip_bytes_median": median(gz),
            "languages": o.languages,
            "templates": ["wordpress", "arc", "nextjs", "classic", "microdata"],
        },
        "pinning": {
            "broker": o.pin_broker,
            "site": o.pin_site,
            "ingest": o.pin_ingest,
            "enrich": o.pin_enrich,
            "baseline": o.pin_ingest,
            "bench": o.pin_bench,
            "extract_workers": len(parse_cpus(o.pin_ingest)) if o.pin_ingest else 0,
        },
        "config": {
            "runs": o.runs,
            "ingest_runs": o.ingest_runs,
            "quick": o.quick,
            "warmup": o.warmup,
            "saturation_articles": o.n_sat,
            "ingest_articles": o.n_ingest,
            "phase_s": o.phase_s,
            "loads": list(o.loads),
            "poll_interval_s": o.poll_interval,
            "partitions": o.partitions,
            "code": o.code or "worktree",
            "fetch": {
                "concurrency": o.fetch_concurrency,
                "per_host_concurrency": o.fetch_concurrency,
                "per_host_delay_s": 0,
            },
        },
        "runs": {"pipeline": reps, "ingest": ingest, "baseline": base},
        **meta,
    }


def print_table(doc: dict[str, Any]) -> None:
    p, i, b = doc["pipeline"], doc["ingest"], doc["baseline"]
    lines = [
        f"pipeline (ingest+enrich, entities on)  {p['articles_per_s']} articles/s at saturation   goal >= 25",
        f"latency at 50% load                    p50 {p['latency_p50_s']} s  p95 {p['latency_p95_s']} s  "
        f"p99 {p['latency_p99_s']} s   goal p99 <= 2",
        f"ingest only                            {i['articles_per_s']} articles/s   (first after "
        f"{i['first_article_s']} s, {i['steady_articles_per_s']}/s mid-burst)",
        f"baseline (feedparser+trafilatura)      {b['articles_per_s']} articles/s   (first after "
        f"{b['first_article_s']} s, {b['steady_articles_per_s']}/s mid-burst)",
        f"ingest / baseline                      {i['ratio_vs_baseline']}x   goal >= 3",
        "",
        f"{'load':>6} {'offered/s':>10} {'achieved/s':>11} {'p50 s':>8} {'p95 s':>8} {'p99 s':>8} "
        f"{'max s':>8}",
    ]
    for row in p["latency"]:
        lines.append(
            f"{row['fraction']:>6.0%} {row['offered_per_s']!s:>10} {row['achieved_per_s']!s:>11} "
            f"{row['p50_s']!s:>8} {row['p95_s']!s:>8} {row['p99_s']!s:>8} {row['max_s']!s:>8}"
        )
    lines += [
        "",
        f"cpu s/article: {p['cpu_s_per_article']}   (baseline {b['cpu_s_per_article']}, "
        f"ingest only {i['cpu_s_per_article']})",
        f"stages: {p['stages']}",
        f"peak RSS MB: ingest {doc['rss_mb']['ingest']}, enrich {doc['rss_mb']['enrich']}, "
        f"baseline {doc['rss_mb']['baseline']}",
        f"bytes: {doc['bytes']['broker_disk_bytes_per_article']} on broker disk per article; consumer "
        f"{doc['bytes']['consumer_bytes_per_article']}",
        f"pages: median {doc['article_sizes']['html_bytes_median']} B html, "
        f"{doc['article_sizes']['gzip_bytes_median']} B gzip",
        f"machine: {doc['machine']['cpu']}, {doc['machine']['cores']} cores; load avg before "
        f"{doc['loadavg_before']} after {doc['loadavg_after']}; pinning {doc['pinning']}",
        f"goals: {doc['goals']}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def plot(doc: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = doc["pipeline"]["latency"]
    offered = [r["offered_per_s"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.plot(offered, [r["achieved_per_s"] for r in rows], "o-", label="achieved")
    ax1.plot(offered, offered, ":", color="grey", label="offered")
    sat = doc["pipeline"]["articles_per_s"]
    if sat:
        ax1.axhline(sat, color="tab:red", ls="--", label=f"saturation {sat}/s")
    ax1.axhline(25, color="tab:green", ls=":", label="goal 25/s")
    ax1.set_xlabel("offered load (articles/s)")
    ax1.set_ylabel("throughput (articles/s)")
    ax1.set_title("newswire ingest+enrich throughput")
    ax1.legend(fontsize=8)
    for key, style in (("p50_s", "o-"), ("p95_s", "s-"), ("p99_s", "^-")):
        ax2.plot(offered, [r[key] for r in rows], style, label=key[:3])
    ax2.axhline(2.0, color="tab:green", ls=":", label="goal p99 2 s")
    ax2.set_xlabel("offered load (articles/s)")
    ax2.set_ylabel("publish → enriched readable (s)")
    ax2.set_title("end-to-end latency")
    ax2.legend(fontsize=8)
    pins = doc["pinning"]
    fig.suptitle(
        f"{doc['machine']['cpu']}, {doc['machine']['cores']} cores; CPUs: broker {pins['broker']}, "
        f"ingest {pins['ingest']}, enrich {pins['enrich']}; median of {doc['config']['runs']} run(s)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ----------------------------------------------------------------- main


def parse_cpus(spec: str) -> list[int]:
    cpus: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            cpus += range(int(lo), int(hi) + 1)
        elif part.strip():
            cpus.append(int(part))
    return cpus


def export_code(ref: str, workdir: Path) -> Path:
    """``git archive REF service/newswire`` into workdir; returns the dir to put on PYTHONPATH."""
    dest = workdir / "code"
    dest.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "service/newswire"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "service"


async def run(opts: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="newswire-bench-"))
    code_dir = export_code(opts.code, workdir) if opts.code else None
    if code_dir is not None:  # this process creates topics with the same code as the daemons
        sys.path.insert(0, str(code_dir))
    from newswire.broker import EmbeddedBroker

    if opts.pin_bench:
        os.sched_setaffinity(0, set(parse_cpus(opts.pin_bench)))
    log(f"work dir {workdir}; code {opts.code or 'worktree'}")
    meta = {
        "machine": machine(),
        "loadavg_before": loadavg(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    started = time.monotonic()
    broker = EmbeddedBroker(workdir / "kafka", heap="1g", cpus=opts.pin_broker)
    await asyncio.to_thread(broker.start)
    site = await start_site(opts, workdir)
    env = Env(opts, broker, site, workdir, code_dir)
    reps: list[dict[str, Any]] = []
    ingest: list[dict[str, Any]] = []
    base: list[dict[str, Any]] = []
    try:
        for rep in range(opts.broker_warmup):
            # A broker in service has run for weeks; this one has just started, and its JIT
            # compiler spends up to 0.6 CPU-s of the first burst on the broker's CPU (0.15 at most
            # after one pair), whichever side runs then. An untimed pair first, so neither pays.
            for label, fn in (("ingest", ingest_rep), ("baseline", baseline_rep)):
                log(f"broker warm-up {rep + 1}/{opts.broker_warmup}: {label} (not counted)")
                await fn(env, -1 - rep)
        pipeline_runs = 0 if opts.ingest_only else opts.runs
        for rep in range(max(pipeline_runs, opts.ingest_runs)):
            if rep < pipeline_runs:
                log(f"repetition {rep + 1}/{pipeline_runs}: pipeline")
                reps.append(await pipeline_rep(env, rep))
            if rep >= opts.ingest_runs:
                continue
            # alternate the order so slow drift in background load hits both alike
            order = [("ingest", ingest_rep, ingest), ("baseline", baseline_rep, base)]
            for label, fn, sink in order if rep % 2 == 0 else order[::-1]:
                log(f"repetition {rep + 1}/{opts.ingest_runs}: {label} only")
                sink.append(await fn(env, rep))
        meta["site"] = await site.stats()
    finally:
        site.proc.stop(5)
        await site.client.aclose()
        await asyncio.to_thread(broker.stop)
        if not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    meta["loadavg_after"] = loadavg()
    meta["wall_s"] = round(time.monotonic() - started, 1)
    if opts.ingest_only:
        return {"ingest": ingest, "baseline": base, **meta}
    return summarise(reps, ingest, base, env, meta)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "pipeline.json", help="result file")
    parser.add_argument("--png", type=Path, default=None, help="plot (default: next to --json, .png)")
    parser.add_argument("--quick", action="store_true", help="one small repetition (~2 minutes)")
    parser.add_argument("--runs", type=int, help="repetitions; each figure is the median (3, quick: 1)")
    parser.add_argument(
        "--ingest-runs",
        type=int,
        help="ingest-only/baseline pairs, alternating order (5, quick: 1): short bursts on a shared "
        "box vary more than the pipeline runs, so they get more repetitions",
    )
    parser.add_argument("--saturation-articles", dest="n_sat", type=int, help="(600, quick: 100)")
    parser.add_argument(
        "--ingest-articles", dest="n_ingest", type=int, help="ingest-only/baseline burst (400, quick: 150)"
    )
    parser.add_argument(
        "--phase-s", type=float, help="seconds of steady load per latency level (15, quick: 6)"
    )
    parser.add_argument("--warmup", type=int, default=12, help="untimed articles before each measurement")
    parser.add_argument(
        "--broker-warmup",
        type=int,
        default=1,
        help="untimed ingest/baseline pairs before anything is timed, so the new broker's JIT "
        "compiler is done (1)",
    )
    parser.add_argument(
        "--loads",
        type=lambda s: tuple(float(x) for x in s.split(",")),
        default=LOADS,
        help="fractions of the saturation rate for the latency runs (0.25,0.5,0.9)",
    )
    parser.add_argument(
        "--poll-interval", type=float, default=0.5, help="feed poll interval, newswire and baseline"
    )
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument(
        "--fetch-concurrency",
        type=int,
        default=8,
        help="fetches in flight, newswire (fetch.concurrency, per host too) and baseline alike",
    )
    parser.add_argument(
        "--ingest-only", action="store_true", help="only the ingest and baseline bursts, for tuning; no JSON"
    )
    parser.add_argument(
        "--languages",
        default="en",
        help="corpus articles to re-render: en (default: every article gets NER), all, or en,de,...",
    )
    parser.add_argument("--pin-broker", default="1")
    parser.add_argument("--pin-site", default="1")
    parser.add_argument("--pin-ingest", default="0,1", help="also the baseline's CPUs")
    parser.add_argument("--pin-enrich", default="0,1", help="enrich.workers = the number of these CPUs")
    parser.add_argument("--pin-bench", default="1")
    parser.add_argument(
        "--code", help="git ref to run the daemons from (git archive), e.g. HEAD; default: worktree"
    )
    parser.add_argument("--startup-timeout", type=float, default=180.0)
    parser.add_argument("--phase-timeout", type=float, default=240.0, help="max wait for a saturation burst")
    parser.add_argument("--drain-timeout", type=float, default=30.0, help="max wait after a latency phase")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs, configs, broker data)")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy raw profiles of each measured burst here (slows the run)"
    )
    opts = parser.parse_args()
    q = opts.quick
    opts.runs = opts.runs or (1 if q else 3)
    opts.ingest_runs = opts.ingest_runs or (1 if q else max(5, opts.runs))
    opts.n_sat = opts.n_sat or (100 if q else 600)
    opts.n_ingest = opts.n_ingest or (150 if q else 400)
    opts.phase_s = opts.phase_s or (6.0 if q else 15.0)
    if q:
        opts.drain_timeout = min(opts.drain_timeout, 20.0)
    if not shutil.which("taskset"):
        log("taskset not found: running unpinned")
        opts.pin_broker = opts.pin_site = opts.pin_ingest = opts.pin_enrich = opts.pin_bench = None
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop the daemons, the site and the broker
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        doc = asyncio.run(run(opts))
    finally:
        kill_spawned()
    if opts.ingest_only:
        for label in ("ingest", "baseline"):
            rates = [r["articles_per_s"] for r in doc[label]]
            cpu = [r["cpu_s_per_article"] for r in doc[label]]
            jit = [r["broker_jit_cpu_s"] for r in doc[label]]
            log(
                f"{label}: articles/s {rates} (median {median(rates)}), cpu s/article {cpu}, "
                f"broker JIT CPU-s per burst {jit}"
            )
        return 0
    opts.json.parent.mkdir(parents=True, exist_ok=True)
    opts.json.write_text(json.dumps(doc, indent=2) + "\n")
    png = opts.png or opts.json.with_suffix(".png")
    try:
        plot(doc, png)
    except ImportError as exc:
        log(f"no plot ({exc}); install the bench extra")
    print_table(doc)
    log(f"wrote {opts.json} and {png} in {doc['wall_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
