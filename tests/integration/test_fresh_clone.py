"""A fresh clone with nothing beside it: ``newswire run`` as ``make run`` starts it ingests the
bundled demo site, enriched events appear within a minute, and the logs hold no error.

The clone is the repository's tracked files copied into an empty folder (no ``../shared``), run
with this environment's interpreter (its code imported from the copy) against a broker started
for the test, as ``make run`` starts one: new, so no topic, group coordinator or transaction
coordinator exists yet (the start the issue saw errors on). Ports are free ones, so the test
runs beside a ``make run``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson

from newswire.broker import EmbeddedBroker, free_port
from newswire.bus.tail import read_topic
from newswire.config import Settings, load_settings
from newswire.demo import DEFAULT_ADDRESS

REPO = Path(__file__).resolve().parents[2]
ENRICHED_WITHIN_S = 60.0


def copy_tracked_files(dest: Path) -> Path:
    """The repository's tracked files (as they are in the work tree) under ``dest``."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the work tree is not part of the clone
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def reader(bootstrap: str, prefix: str) -> Settings:
    return load_settings(
        environ={},
        overrides={"kafka": {"bootstrap_servers": bootstrap, "topic_prefix": prefix}},
        default_file=False,
    )


async def test_a_fresh_clone_runs_the_demo_to_enriched_events_and_logs_no_error(
    own_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    broker = own_broker
    clone = copy_tracked_files(tmp_path / "newswire")
    assert not (tmp_path / "shared").exists()
    # The shipped config names the demo site's address twice (the feed and the guard's allow
    # list); a free port instead of the default keeps this test clear of a `make run` beside it.
    config = clone / "newswire.toml"
    demo_address = f"127.0.0.1:{free_port()}"
    text = config.read_text()
    assert text.count(DEFAULT_ADDRESS) == 2
    config.write_text(text.replace(DEFAULT_ADDRESS, demo_address))
    articles = (clone / "service/newswire/demo/site/feed.xml").read_text().count("<item>")

    tag = uuid.uuid4().hex[:8]
    prefix = f"fresh{tag}."
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSWIRE_", "KAFKA_"))}
    env.update(
        PYTHONPATH=str(clone / "service"),  # the clone's code, this environment's dependencies
        KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers,
        NEWSWIRE_KAFKA__TOPIC_PREFIX=prefix,
        NEWSWIRE_INGEST__GROUP_ID=f"fresh-ingest-{tag}",
        NEWSWIRE_ENRICH__GROUP_ID=f"fresh-enrich-{tag}",
        NEWSWIRE_OBSERVE__INGEST_PORT="0",
    )
    log_file = tmp_path / "run.log"
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswire.cli", "run", "--demo-site", demo_address],
            cwd=clone,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    settings = reader(broker.bootstrap_servers, prefix)
    try:
        deadline = time.monotonic() + ENRICHED_WITHIN_S
        enriched: list[dict[str, object]] = []
        while time.monotonic() < deadline and len(enriched) < articles and proc.poll() is None:
            await asyncio.sleep(1.0)
            records = await read_topic(settings, settings.topic("enriched"))  # [] until it exists
            enriched = [orjson.loads(r.value) for r in records]
        elapsed = ENRICHED_WITHIN_S - (deadline - time.monotonic())
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 60)
    output = log_file.read_text()

    assert len(enriched) == articles, (
        f"{len(enriched)} enriched events after {elapsed:.0f}s\n{output[-3000:]}"
    )
    assert code == 0, output[-3000:]
    assert {e["article"]["url"] for e in enriched} == {  # type: ignore[index]
        f"http://{demo_address}/{p.name}" for p in (clone / "service/newswire/demo/site").glob("*-*.html")
    }
    names = {ent["name"] for e in enriched for ent in e["entities"]}  # type: ignore[attr-defined]
    assert {"Rotterdam", "Nairobi", "Lisbon"} <= names, names
    for bad in ("ERROR", "WARNING", "Traceback"):
        assert bad not in output, output

    # What the banner tells the user to run, piped the way users do. A reader that has gone
    # (`true` exits before tail has connected) ends tail quietly, without a BrokenPipeError.
    def tail_into(reader: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            f"set -o pipefail; {sys.executable} -m newswire.cli tail enriched --from-beginning | {reader}",
            shell=True,
            executable="/bin/bash",
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    shown = tail_into("head -n 2")
    assert [orjson.loads(line)["entities"] for line in shown.stdout.splitlines()][1], shown.stderr
    gone = tail_into("true")
    assert gone.returncode == 0 and not gone.stderr, gone.stderr
    # The banner and the readable configuration a newcomer sees first.
    assert "newswire is starting the ingest and enrich daemons" in output
    assert "newswire tail enriched --from-beginning" in output
    assert "effective configuration [kafka] bootstrap_servers=" in output
    assert max(len(line) for line in output.splitlines()) < 600
