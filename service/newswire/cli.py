"""``newswire`` command line: a thin layer that parses flags, sets up logging and runs one thing."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newswire.config import Settings, load_settings, masked_url_credentials
from newswire.demo import DEFAULT_ADDRESS as DEMO_ADDRESS
from newswire.errors import NewswireError
from newswire.observe import setup_logging

log = logging.getLogger("newswire")


def _out(line: str | bytes) -> None:
    """Write one line to stdout (the only place the CLI prints results)."""
    data = line if isinstance(line, bytes) else line.encode()
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, dict[str, Any]] = {}
    if getattr(args, "bootstrap", None):
        overrides["kafka"] = {"bootstrap_servers": args.bootstrap}
    if getattr(args, "log_format", None):
        overrides["observe"] = {"log_format": args.log_format}
    return load_settings(args.config, overrides=overrides)


# ----------------------------------------------------------------- commands


def cmd_broker(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.broker import run_broker

    return run_broker(
        settings,
        _out,
        data_dir=args.data_dir,
        port=args.port,
        controller_port=args.controller_port,
        nodes=args.nodes,
        tls=args.tls,
        scram=tuple(args.scram or ()),
    )


def _scram_user(value: str) -> tuple[str, str]:
    """``USER:PASSWORD`` of ``--scram``; the storage tool's syntax leaves no room for , [ ] = or quotes."""
    user, sep, password = value.partition(":")
    if not sep or not user or not password or any(c in value for c in ',[]="'):
        raise argparse.ArgumentTypeError("expected USER:PASSWORD without , [ ] = or quotes")
    return user, password


async def cmd_topics(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.topics import topics

    return await topics(settings, args.action, _out)


async def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.tail import tail_topic

    return await tail_topic(
        settings, args.topic, _out, from_beginning=args.from_beginning, n=args.n, follow=args.follow
    )


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.parse import parse

    return parse(
        args.paths,
        url=args.url,
        manifest=args.manifest,
        explain=args.explain,
        max_payload_bytes=settings.fetch.max_body_bytes,
        out=_out,
        fetch=settings.fetch,
        max_warc_bytes=settings.ingest.max_warc_bytes,
    )


def cmd_enrich_file(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.enrich_file import enrich_file

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise NewswireError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    return enrich_file(settings, data, _out)


async def _serve(settings: Settings, names: Sequence[str], port: int, **kwargs: Any) -> int:
    from newswire.daemons import serve

    return await serve(settings, names, port=port, **kwargs)


async def cmd_daemon(args: argparse.Namespace, settings: Settings) -> int:
    names = ["ingest", "enrich"] if args.command == "run" else [args.command]
    port = (
        args.port
        if args.port is not None
        else (settings.observe.enrich_port if args.command == "enrich" else settings.observe.ingest_port)
    )
    demo = None
    if getattr(args, "demo_site", None):
        from newswire.demo import DemoSite

        demo = DemoSite(args.demo_site).start()
    broker = None
    try:
        if getattr(args, "embedded_broker", False):
            from newswire.broker import EmbeddedBroker

            embedded = EmbeddedBroker(
                Path(settings.broker.data_dir),
                port=9092,
                controller_port=9093,
                kafka_version=settings.broker.kafka_version,
                libs_dir=settings.broker.libs_dir,
                heap=settings.broker.heap,
            )
            log.info("starting the embedded Kafka broker (data in %s)", embedded.data_dir)
            await asyncio.to_thread(embedded.start)
            broker = embedded
            settings = settings.override(kafka={"bootstrap_servers": broker.bootstrap_servers})
        if args.command == "run":
            from newswire.observe.banner import log_banner

            log_banner(settings, port, broker=broker, demo=demo)
        return await _serve(
            settings, names, port, max_events=args.max_events, idle_timeout_s=args.idle_timeout
        )
    finally:
        if broker is not None:
            await asyncio.to_thread(broker.stop)
        if demo is not None:
            demo.stop()


async def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.doctor import run_checks

    return await run_checks(settings, args.config, _out)


async def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.status import show_hosts, show_sources

    if args.hosts:
        return await show_hosts(settings, _out, hours=args.hours, as_json=args.json)
    return await show_sources(settings, _out, as_json=args.json)


async def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.replay import run

    return await run(
        settings, _out, since=args.since, article_id=args.article, force=args.force, warc=args.warc
    )


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.import_warc import run

    return await run(settings, _out, args.paths)


async def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.commands.backfill import run

    return await run(settings, _out, url=args.url, since=args.since, rate=args.rate)


# ----------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswire", description="Kafka-native news ingestion and enrichment."
    )
    parser.add_argument("--config", help="TOML config file (default: ./newswire.toml if present)")
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers (overrides config and env)")
    parser.add_argument("--log-format", choices=["human", "json"], help="log lines as text or JSON")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("broker", help="run a local Apache Kafka broker (or cluster) in the foreground")
    p.add_argument("--port", type=int, default=9092, help="client port (default 9092)")
    p.add_argument("--controller-port", type=int, default=9093, help="KRaft controller port (default 9093)")
    p.add_argument("--data-dir", help="broker data (formatted on first start, reused after)")
    p.add_argument(
        "--tls",
        action="store_true",
        help="TLS client listener with a throwaway CA (in DATA_DIR/tls); without --scram, clients need "
        "the generated client certificate (mutual TLS)",
    )
    p.add_argument(
        "--scram",
        action="append",
        type=_scram_user,
        metavar="USER:PASSWORD",
        help="a SCRAM-SHA-512/256 user (repeatable): the client listener then wants SASL",
    )
    p.add_argument(
        "--nodes",
        type=int,
        default=1,
        choices=range(1, 10),
        metavar="N",
        help="brokers in one cluster, node n on port + 2(n-1) (default 1)",
    )

    p = sub.add_parser("topics", help="create, list or describe newswire's topics")
    p.add_argument(
        "action",
        choices=["create", "list", "describe"],
        help="create the missing topics; list them; describe their settings, flagging any that "
        "differ from the config",
    )

    for name, text in (
        ("ingest", "run the ingest daemon"),
        ("enrich", "run the enrich daemon"),
        ("run", "run the ingest and enrich daemons in one process"),
        ("import-worker", "run a WARC import worker (files queued with 'newswire import warc')"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--port", type=int, help="metrics/health port (0 = any free port)")
        p.add_argument("--max-events", type=int, help="stop after this many events (testing, backfills)")
        p.add_argument("--idle-timeout", type=float, help="stop after this many idle seconds")
        if name == "run":
            p.add_argument(
                "--embedded-broker",
                action="store_true",
                help="start the local broker first (data under broker.data_dir)",
            )
            p.add_argument(
                "--demo-site",
                nargs="?",
                const=DEMO_ADDRESS,
                metavar="HOST:PORT",
                help=f"serve the bundled demo news site on loopback (default {DEMO_ADDRESS}), "
                "which the default newswire.toml ingests",
            )

    p = sub.add_parser(
        "parse",
        help="extract article events from local pages, text files or WARC files (also by URL); no Kafka",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="saved pages (.html, ...), .txt text dumps, WARC files (.warc, .warc.gz) or a WARC file's "
        "http(s) URL",
    )
    p.add_argument("--url", help="the URL the page came from")
    p.add_argument("--manifest", help='JSON lines of {"path": ..., "url": ...}')
    p.add_argument(
        "--explain", action="store_true", help="print the candidate containers, their scores and the winner"
    )

    p = sub.add_parser("import", help="queue WARC files (files, folders, globs) for the import workers")
    p.add_argument("kind", choices=["warc"], help="what to queue: WARC files")
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH_OR_URL",
        help="WARC files, folders, globs, or http(s) URLs of WARC files (downloaded by the workers)",
    )

    p = sub.add_parser("enrich-file", help="enrich article events from a JSON lines file or - (no Kafka)")
    p.add_argument("file", help="article events as JSON lines (what `newswire parse` prints), or - for stdin")

    p = sub.add_parser("tail", help="print a topic's events as JSON lines")
    p.add_argument("topic", help="articles, enriched, dead-letters, ... or a full topic name")
    p.add_argument(
        "--from-beginning",
        action="store_true",
        help="start at the oldest event kept (default: only events that arrive from now on)",
    )
    p.add_argument("-n", type=int, default=None, help="stop after N events")
    p.add_argument(
        "--follow",
        action="store_true",
        help="keep waiting for new events (default: stop after 2 s without one)",
    )

    sub.add_parser(
        "doctor",
        help="check config, sources, Kafka, topics, Java and jars, NER model and data dir; say what to fix",
    )

    p = sub.add_parser(
        "status", help="table of sources: last poll, last success, articles, errors, next poll"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per source")
    p.add_argument(
        "--hosts",
        action="store_true",
        help="per host: articles, updates, blocked share, last success, dead letters by reason",
    )
    p.add_argument("--hours", type=float, default=24.0, help="window of --hosts (default 24)")

    p = sub.add_parser(
        "replay",
        help="re-extract stored raw pages (ingest.keep_raw) or WARC pages, re-publish changed articles",
    )
    # Exactly one selector: replaying everything ever stored is never what a user means by accident.
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--from",
        dest="since",
        metavar="TIMESTAMP",
        help="pages stored since this ISO 8601 time (local time unless it carries an offset)",
    )
    which.add_argument("--article", metavar="ID", help="the newest stored page of one article_id")
    which.add_argument(
        "--warc",
        nargs="+",
        metavar="PATH",
        help="the HTML pages of WARC files (files, folders, globs) instead: the newest capture of each URL",
    )
    p.add_argument("--force", action="store_true", help="re-publish even when the extraction is unchanged")

    p = sub.add_parser(
        "backfill", help="queue every article URL of an archive sitemap once (resumable) for ingest"
    )
    p.add_argument("kind", choices=["sitemap"], help="what to backfill from: an archive sitemap")
    p.add_argument("url", help="a sitemap index (or urlset), gzip or not")
    p.add_argument("--since", help="skip sitemaps and entries whose lastmod is older (ISO date or time)")
    p.add_argument("--rate", type=float, help="queue at most this many URLs per second")
    for command in sub._choices_actions:  # `newswire COMMAND --help` opens with what COMMAND does
        sub.choices[command.dest].description = command.help
    return parser


_ASYNC = {
    "topics": cmd_topics,
    "tail": cmd_tail,
    "ingest": cmd_daemon,
    "enrich": cmd_daemon,
    "run": cmd_daemon,
    "import-worker": cmd_daemon,
    "import": cmd_import,
    "status": cmd_status,
    "doctor": cmd_doctor,
    "replay": cmd_replay,
    "backfill": cmd_backfill,
}
_SYNC = {"broker": cmd_broker, "parse": cmd_parse, "enrich-file": cmd_enrich_file}
#: One-shot commands that talk to Kafka: a security mismatch stops them with one line first.
_ONE_SHOT = {"topics", "tail", "status", "replay", "backfill", "import"}


async def _connected(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in _ONE_SHOT:
        from newswire.bus.preflight import check_connection

        await check_connection(settings)
    return await _ASYNC[args.command](args, settings)


def _one_blas_thread() -> None:
    """Single-threaded BLAS unless the user says otherwise, set before numpy loads.

    Enrich already spreads batches over processes (``enrich.workers``); OpenBLAS's own
    threads on top oversubscribe the cores: 21-64 instead of 93-138 articles/s were
    measured on a busy 2-core box.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


_M_ARENA_MAX = -8  # mallopt parameter, <malloc.h>


def _two_malloc_arenas() -> None:
    """At most two glibc malloc arenas unless ``MALLOC_ARENA_MAX`` says otherwise.

    The enrich daemon enriches one batch in a thread while another thread clusters the
    previous one; glibc gives each allocating thread an arena of its own, and the soak
    run saw enrich's RSS climb 37 MiB over 2,000 articles that way (flat with two
    arenas: +0.9 MiB, and the same throughput).
    """
    if os.environ.get("MALLOC_ARENA_MAX") or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 2)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; Ctrl-C at any point after the imports exits 130 without a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130


def _main(argv: Sequence[str] | None) -> int:
    _one_blas_thread()
    _two_malloc_arenas()
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
    except NewswireError as exc:
        if args.command == "doctor":  # a bad config is the doctor's first finding, not a crash
            from newswire.commands.doctor import config_failure

            _out(config_failure(exc, args.config).line())
            return 1
        print(f"newswire: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.observe.log_format, settings.observe.log_level)
    try:
        if args.command in _SYNC:
            return _SYNC[args.command](args, settings)
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(_connected(args, settings))
        return 130
    except NewswireError as exc:
        # A daemon's stderr is its log: an error quoting a source's URL must not show its password.
        print(f"newswire {args.command}: {masked_url_credentials(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `newswire tail enriched | head`: the reader has had enough
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
