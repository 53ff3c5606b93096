"""The metrics/health endpoint: loopback by default, three paths, nothing else."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from newswire.config import load_settings
from newswire.observe import Health, HealthServer


async def test_endpoint_binds_loopback_by_default_and_serves_only_its_paths() -> None:
    settings = load_settings(environ={}, default_file=False)
    assert settings.observe.http_host == "127.0.0.1"
    health = Health("ingest", stall_after_s=0.3)
    async with HealthServer([health], settings.observe.http_host, 0) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/readyz")).status_code == 503  # not ready until Kafka checks pass
            assert "starting" in (await client.get("/readyz")).text
            health.set_ready(True)
            assert (await client.get("/readyz")).status_code == 200
            assert (await client.get("/healthz")).status_code == 200
            metrics = await client.get("/metrics")
            assert metrics.status_code == 200 and "newswire_ready" in metrics.text
            assert (await client.get("/")).status_code == 404
            assert (await client.get("/../../etc/passwd")).status_code == 404
            assert (await client.post("/metrics")).status_code == 405
            # No work progress for longer than stall_after_s (waiting on Kafka, say) is not a stall:
            # the event loop runs, so the daemon is alive; the body shows how old its progress is.
            await asyncio.sleep(0.4)  # the work loop is idle this long
            idle = await client.get("/healthz")
            assert idle.status_code == 200 and "ingest: event loop ran" in idle.text
            assert float(idle.text.split("came round ")[1].split("s")[0]) >= 0.4
        # A garbage request gets an answer or a closed connection, and the server keeps serving.
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"\x00\xff garbage\r\n\r\n")
        await writer.drain()
        await reader.read()
        writer.close()
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/healthz")).status_code == 200


async def test_a_blocked_event_loop_fails_healthz_with_a_reason_and_recovers() -> None:
    health = Health("enrich", stall_after_s=0.3)
    async with HealthServer([health], "127.0.0.1", 0) as server:
        answers: list[httpx.Response] = []
        stalled = threading.Event()

        def probe() -> None:
            """Probe from another thread, as the kubelet does, while the daemon's loop is blocked."""
            deadline = time.monotonic() + 30
            with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=5) as client:
                while not stalled.is_set() and time.monotonic() < deadline:
                    answers.append(client.get("/healthz"))
                    if answers[-1].status_code == 503:
                        stalled.set()
                    time.sleep(0.05)  # probe interval
            stalled.set()

        prober = threading.Thread(target=probe)
        prober.start()
        while not stalled.is_set():  # synchronous CPU work on the event loop: the loop is wedged
            sum(range(10_000))
        prober.join()
        assert answers[-1].status_code == 503, [a.status_code for a in answers]
        assert "stalled: enrich" in answers[-1].text and "event loop ran" in answers[-1].text
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            async with asyncio.timeout(5):
                while (await client.get("/healthz")).status_code != 200:
                    await asyncio.sleep(0.05)
