"""The metrics/health endpoint: loopback by default, three paths, nothing else."""

from __future__ import annotations

import asyncio

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
            await asyncio.sleep(0.4)  # the loop stops ticking: health must say so
            stalled = await client.get("/healthz")
            assert stalled.status_code == 503 and "ingest" in stalled.text
            health.tick()
            assert (await client.get("/healthz")).status_code == 200
        # A garbage request gets an answer or a closed connection, and the server keeps serving.
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"\x00\xff garbage\r\n\r\n")
        await writer.drain()
        await reader.read()
        writer.close()
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/healthz")).status_code == 200
