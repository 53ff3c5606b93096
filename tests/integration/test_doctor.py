"""``newswire doctor`` against the real broker, run as a user runs it: one line per check,
what to do for each failure, exit code 1 when anything failed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from newswire.broker import free_port
from newswire.bus import ensure_topics
from newswire.config import Settings


def doctor(config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSWIRE_", "KAFKA_"))}
    return subprocess.run(
        [sys.executable, "-m", "newswire.cli", "--config", str(config), "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=config.parent,
        check=False,
    )


def lines_by_check(out: str) -> dict[str, str]:
    """``{check name: its line plus the fix line under it}``."""
    found: dict[str, str] = {}
    name = ""
    for line in out.splitlines():
        if line.startswith(("ok ", "FAIL", "skip")):
            name = line[6:16].strip()
            found[name] = line
        elif line.lstrip().startswith("->") and name:
            found[name] += "\n" + line
    return found


def write_config(path: Path, bootstrap: str, prefix: str, partitions: int, extra: str = "") -> Path:
    path.write_text(
        f'[kafka]\nbootstrap_servers = "{bootstrap}"\ntopic_prefix = "{prefix}"\npartitions = {partitions}\n'
        f'[broker]\ndata_dir = "{path.parent / "kafka-data"}"\n{extra}'
        f'[[sources]]\nname = "local"\nkind = "files"\npath = "{path.parent}"\n'
    )
    return path


async def test_doctor_names_missing_topics_then_passes_once_they_exist(
    settings: Settings, tmp_path: Path
) -> None:
    k = settings.kafka
    config = write_config(tmp_path / "newswire.toml", k.bootstrap_servers, k.topic_prefix, k.partitions)

    before = await asyncio.to_thread(doctor, config)
    checks = lines_by_check(before.stdout)
    assert before.returncode == 1, before.stdout + before.stderr
    assert checks["topics"].startswith("FAIL") and "newswire topics create" in checks["topics"]
    assert f"{k.topic_prefix}articles" in checks["topics"]
    for name in ("config", "sources", "kafka", "java", "kafka jars", "ner model", "data dir"):
        assert checks[name].startswith("ok"), checks[name]

    await ensure_topics(settings)
    after = await asyncio.to_thread(doctor, config)
    assert after.returncode == 0, after.stdout + after.stderr
    assert lines_by_check(after.stdout)["topics"].startswith("ok")
    assert after.stdout.rstrip().endswith("all checks passed")
    assert not after.stderr  # the report is the output; nothing else is logged


async def test_doctor_flags_topics_whose_partitions_differ_from_the_config(
    settings: Settings, tmp_path: Path
) -> None:
    await ensure_topics(settings)
    k = settings.kafka
    config = write_config(tmp_path / "newswire.toml", k.bootstrap_servers, k.topic_prefix, k.partitions + 1)
    result = await asyncio.to_thread(doctor, config)
    topics = lines_by_check(result.stdout)["topics"]
    assert result.returncode == 1
    assert f"{k.topic_prefix}urls has {k.partitions} partitions, config says {k.partitions + 1}" in topics


def test_doctor_reports_each_broken_thing_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "kafka-data").write_text("a file where the data dir should be")
    config = write_config(
        tmp_path / "newswire.toml",
        f"127.0.0.1:{free_port()}",  # nothing listens there
        "doc.",
        2,
        extra='[[sources]]\nname = "gone"\nkind = "files"\npath = "/nonexistent/pages"\n'
        '[[sources]]\nname = "lan"\nkind = "feed"\nurl = "http://127.0.0.1:8999/feed.xml"\n',
    )
    result = doctor(config)
    checks = lines_by_check(result.stdout)
    assert result.returncode == 1
    assert checks["kafka"].startswith("FAIL") and "KAFKA_BOOTSTRAP_SERVERS" in checks["kafka"]
    assert checks["topics"].startswith("skip")
    assert "gone: folder /nonexistent/pages does not exist" in checks["sources"]
    assert "lan: 127.0.0.1:8999 is refused by the address guard" in checks["sources"]
    assert "fetch.allowed_hosts" in checks["sources"]
    assert checks["data dir"].startswith("FAIL") and "broker.data_dir" in checks["data dir"]
    assert "3 of 8 checks failed: sources, kafka, data dir" in result.stdout
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr


def test_doctor_names_a_source_by_its_url_without_the_password_and_the_file_to_fix(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "site.toml",
        f"127.0.0.1:{free_port()}",
        "doc.",
        2,
        extra='[[sources]]\nkind = "feed"\nurl = "http://reader:hunter2@127.0.0.1:8999/feed.xml"\n',
    )
    result = doctor(config)
    sources = lines_by_check(result.stdout)["sources"]
    assert "http://***@127.0.0.1:8999/feed.xml: 127.0.0.1:8999 is refused" in sources
    assert f"fix the source's path or url in {config};" in sources  # the file given, not newswire.toml
    assert "hunter2" not in result.stdout + result.stderr


def test_doctor_reports_an_invalid_config_instead_of_crashing(tmp_path: Path) -> None:
    config = tmp_path / "newswire.toml"
    config.write_text("[kafka]\npartitions = 0\n")
    result = doctor(config)
    assert result.returncode == 1
    line = lines_by_check(result.stdout)["config"]
    assert line.startswith("FAIL") and "kafka.partitions" in line and "NEWSWIRE_<SECTION>__<KEY>" in line
