"""The ``newswire`` command line, run as a user runs it (subprocesses)."""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from newswire import cli
from newswire.broker import free_port
from newswire.events import decode_article
from tests.conftest import SEED_ARTICLE

CLI = [sys.executable, "-m", "newswire.cli"]


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSWIRE_", "KAFKA_"))}
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, timeout=timeout, cwd=cwd, env=env, check=False
    )


def test_help_lists_the_commands() -> None:
    out = run("--help").stdout.decode()
    for command in ("broker", "topics", "ingest", "enrich", "run", "parse", "enrich-file", "tail"):
        assert command in out


def test_every_dispatched_command_has_a_parser_and_every_parser_a_handler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A handler without a subparser is a command no one can run (``replay`` was one)."""
    dispatched = set(cli._ASYNC) | set(cli._SYNC)
    [subcommands] = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(subcommands.choices) == dispatched
    for command in sorted(dispatched):
        with pytest.raises(SystemExit) as exited:
            cli.main([command, "--help"])
        assert exited.value.code == 0, command
        assert f"usage: newswire {command}" in capsys.readouterr().out


def test_every_command_says_what_it_does_and_what_each_argument_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`newswire COMMAND --help` is where a newcomer looks: no bare `paths` or `--port PORT`."""
    [subcommands] = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    for name, parser in subcommands.choices.items():
        assert parser.description, f"newswire {name} --help does not say what the command does"
        bare = [a.dest for a in parser._actions if not a.help]
        assert not bare, f"newswire {name}: no help for {bare}"
        with pytest.raises(SystemExit):
            cli.main([name, "--help"])
        assert " ".join(parser.description.split()) in " ".join(capsys.readouterr().out.split())


def test_parse_explain_names_the_winning_container_and_the_method(tmp_path: Path) -> None:
    text = "".join(
        f"<p>Paragraph {i} of the report says the harbour plan was approved after a long and close vote.</p>"
        for i in range(5)
    )
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><nav><a href='/a'>Home</a></nav>"
        f"<div class='article-body' id='story'>{text}</div>"
        "<div class='sidebar'><a href='/b'>More</a></div></body></html>"
    )
    result = run("parse", "--explain", str(page), "--url", "https://news.example/a", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "candidates" in out
    assert "winner: <div#story.article-body>" in out
    assert "result: method container (confidence 1.00), " in out


def test_parse_of_a_page_that_is_not_html_shows_no_library_log_lines(tmp_path: Path) -> None:
    """trafilatura's own ERROR lines ("empty HTML tree") are not the user's to act on."""
    page = tmp_path / "noise.html"
    page.write_bytes(random.Random(0).randbytes(20_000))
    result = run("parse", str(page), cwd=tmp_path)
    assert "trafilatura" not in result.stderr.decode(), result.stderr


def test_a_commands_error_line_does_not_show_the_password_of_a_url_it_quotes(tmp_path: Path) -> None:
    """stderr is a daemon's log, and a CI job's: a failed download or read names the URL masked."""
    url = f"http://reader:hunter2@127.0.0.1:{free_port()}/crawl.warc.gz?token=t0k3n"
    result = run("parse", url, cwd=tmp_path)
    said = result.stderr.decode()
    assert result.returncode == 1 and "hunter2" not in said and "t0k3n" not in said, said
    assert "newswire parse: http://***@127.0.0.1:" in said and "crawl.warc.gz?token=***" in said
    result = run("enrich-file", url, cwd=tmp_path)  # the one-line error of any failed command
    said = result.stderr.decode()
    assert result.returncode == 1 and "hunter2" not in said and "t0k3n" not in said, said
    assert said.startswith("newswire enrich-file: cannot read http://***@127.0.0.1:"), said


def test_parse_of_random_bytes_saved_as_a_page_prints_no_event_and_says_why(tmp_path: Path) -> None:
    page = tmp_path / "noise.html"
    page.write_bytes(random.Random(1).randbytes(20_000))
    result = run("parse", str(page), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == b""
    assert "noise.html: not a text or HTML page" in result.stderr.decode()
    assert "1 of 1 inputs failed" in result.stderr.decode()


def test_parse_prints_an_event_per_input_and_reports_failures_by_name(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_bytes(
        orjson.dumps({"path": str(SEED_ARTICLE), "url": "https://rt.example/news/1"}) + b"\n"
    )
    result = run("parse", str(empty), "--manifest", str(manifest), cwd=tmp_path)
    assert result.returncode == 1  # one input failed
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    article = decode_article(lines[0])
    assert article.title == "Baltics in new NATO demand"
    assert article.url == "https://rt.example/news/1"
    assert "empty.html" in result.stderr.decode()


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (
            ["parse", "--manifest", "missing.jsonl"],
            "newswire parse: cannot read manifest missing.jsonl: No such file",
        ),
        (["enrich-file", "missing.jsonl"], "newswire enrich-file: cannot read missing.jsonl: No such file"),
        (["enrich-file", "."], "newswire enrich-file: cannot read .: Is a directory"),
    ],
)
def test_an_input_file_that_cannot_be_read_is_one_line(tmp_path: Path, command: list[str], said: str) -> None:
    result = run(*command, cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.decode().splitlines()  # no traceback
    assert line.startswith(said), line


def test_enrich_file_reads_events_and_writes_enriched_events(tmp_path: Path) -> None:
    parsed = run("parse", str(SEED_ARTICLE), cwd=tmp_path)
    assert parsed.returncode == 0
    result = run("enrich-file", "-", stdin=parsed.stdout + b"{broken\n", cwd=tmp_path)
    assert result.returncode == 1
    assert "line 2" in result.stderr.decode()
    enriched = orjson.loads(result.stdout.splitlines()[0])
    names = {e["name"] for e in enriched["entities"]}
    assert {"NATO", "Kaja Kallas", "Estonia"} <= names


def test_parse_then_enrich_file_gives_seed_mentions_that_slice_back(tmp_path: Path) -> None:
    """``newswire parse seed | newswire enrich-file -``: every mention is where it says."""
    parsed = run("parse", str(SEED_ARTICLE), cwd=tmp_path)
    result = run("enrich-file", "-", stdin=parsed.stdout, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    enriched = orjson.loads(result.stdout)
    article = enriched["article"]
    by_type: dict[str, set[str]] = {}
    for entity in enriched["entities"]:
        assert entity["count"] == len(entity["mentions"]) >= 1
        for mention in entity["mentions"]:
            assert article[mention["field"]][mention["start"] : mention["end"]] == mention["text"]
            by_type.setdefault(entity["type"], set()).add(mention["text"])
    assert {"Kaja Kallas", "Kallas", "Jens Stoltenberg", "Sergey Ryabkov", "Wendy Sherman"} <= by_type[
        "person"
    ]
    assert {"NATO", "Reuters"} <= by_type["organization"]
    assert {"Estonia", "Latvia", "Lithuania", "Russia", "Ukraine", "Poland", "Georgia"} <= by_type["location"]
    fields = {m["field"] for e in enriched["entities"] for m in e["mentions"]}
    assert fields == {"title", "lead", "body"}


def test_bad_config_is_one_clear_line_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[fetch]\nper_host_concurrency = -1\n")
    result = run("--config", str(config), "topics", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert "fetch.per_host_concurrency" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize("command", [["topics", "list"], ["status"], ["tail", "articles"], ["ingest"]])
def test_unreachable_broker_is_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    """One line saying where and why, not aiokafka's ERROR line and its address-family repr too."""
    address = f"127.0.0.1:{free_port()}"
    result = run("--bootstrap", address, *command, cwd=tmp_path, timeout=90)
    assert result.returncode == 1
    errors = [line for line in result.stderr.decode().splitlines() if "effective configuration" not in line]
    assert errors == [
        f"newswire {command[0]}: cannot reach Kafka at {address} (connection refused). Is the broker "
        "running? Set KAFKA_BOOTSTRAP_SERVERS or kafka.bootstrap_servers, or run `newswire broker`."
    ]


@pytest.mark.kafka
def test_broker_command_is_ready_within_a_minute_then_topics_and_tail_work(tmp_path: Path) -> None:
    port, controller = free_port(), free_port()
    proc = subprocess.Popen(
        [
            *CLI,
            "broker",
            "--port",
            str(port),
            "--controller-port",
            str(controller),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        started = time.monotonic()
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()  # printed once the broker accepts connections
        assert f"127.0.0.1:{port}" in line and "ready" in line
        assert time.monotonic() - started < 60
        bootstrap = ("--bootstrap", f"127.0.0.1:{port}")
        assert run(*bootstrap, "topics", "create", cwd=tmp_path).returncode == 0
        listed = run(*bootstrap, "topics", "list", cwd=tmp_path).stdout.decode().split()
        assert {"newswire.articles", "newswire.enriched", "newswire.dead-letters"} <= set(listed)
        described = [
            orjson.loads(x) for x in run(*bootstrap, "topics", "describe", cwd=tmp_path).stdout.splitlines()
        ]
        assert all(d["exists"] for d in described)
        tailed = run(*bootstrap, "tail", "articles", "--from-beginning", "-n", "1", cwd=tmp_path)
        assert tailed.returncode == 0 and tailed.stdout == b""
    finally:
        proc.terminate()
        assert proc.wait(60) == 0  # SIGTERM is a clean shutdown


def test_broker_on_a_port_another_program_holds_refuses_to_start(tmp_path: Path) -> None:
    """Its readiness check would have taken the other program for Kafka and said 'kafka ready'."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = run("broker", "--port", str(port), "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith(f"newswire broker: the broker's client port 127.0.0.1:{port} is in use"), line
    assert f"KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{port}" in line
    assert result.stdout == b""  # no "kafka ready"


@pytest.mark.kafka
def test_broker_command_whose_jvm_dies_exits_1_saying_so(tmp_path: Path) -> None:
    ports = ["--port", str(free_port()), "--controller-port", str(free_port())]
    proc = subprocess.Popen(
        [*CLI, "broker", *ports, "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        assert proc.stderr is not None
        ready = ""
        while "kafka broker ready" not in ready:  # "... ready at 127.0.0.1:PORT (pid N)"
            ready = proc.stderr.readline().decode()
            assert ready, "the broker command ended before its broker was ready"
        os.kill(int(ready.rsplit("pid ", 1)[1].rstrip(")\n")), signal.SIGKILL)
        assert proc.wait(60) == 1
        assert "the broker stopped by itself; see broker.log under" in proc.stderr.read().decode()
    finally:
        proc.kill()
