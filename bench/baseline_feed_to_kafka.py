"""The baseline: what a user would otherwise write to get a news feed into Kafka.

One straightforward asyncio script: poll an RSS feed (feedparser, with
ETag/If-None-Match so an unchanged feed costs nothing), fetch each new article
concurrently under a semaphore (httpx), extract it with trafilatura
(``bare_extraction`` with metadata) and publish a JSON document per article to
a Kafka topic (aiokafka). No enrichment, no transactions, no politeness, no
persistence of what it has seen.

    python bench/baseline_feed_to_kafka.py --feed URL --bootstrap HOST:PORT --topic T

Runs until SIGTERM/SIGINT (or ``--max-articles``). ``bench/pipeline.py``
starts it against the same site and broker as newswire, pinned the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time

import feedparser
import httpx
import trafilatura
from aiokafka import AIOKafkaProducer


async def run(args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    seen: set[str] = set()
    sem = asyncio.Semaphore(args.concurrency)
    tasks: set[asyncio.Task[None]] = set()
    published = 0
    producer = AIOKafkaProducer(
        bootstrap_servers=args.bootstrap,
        linger_ms=5,
        compression_type="zstd",
        max_request_size=4 * 1024 * 1024,
    )
    await producer.start()

    async def handle(client: httpx.AsyncClient, entry: feedparser.FeedParserDict) -> None:
        nonlocal published
        url = entry.link
        async with sem:
            try:
                response = await client.get(url)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                print(f"fetch failed {url}: {exc}", file=sys.stderr)
                return
            doc = trafilatura.bare_extraction(response.text, url=url, with_metadata=True)
        if doc is None:
            print(f"nothing extracted from {url}", file=sys.stderr)
            return
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        article = {
            "url": url,
            "title": data.get("title") or entry.get("title"),
            "author": data.get("author"),
            "date": data.get("date") or entry.get("published"),
            "sitename": data.get("sitename"),
            "description": data.get("description"),
            "language": data.get("language"),
            "categories": data.get("categories"),
            "text": data.get("text"),
            "fetched": time.time(),
        }
        await producer.send_and_wait(args.topic, json.dumps(article).encode(), key=url.encode())
        published += 1
        if args.max_articles and published >= args.max_articles:
            stop.set()

    etag = None
    try:
        async with httpx.AsyncClient(
            timeout=30, follow_redirects=True, limits=httpx.Limits(max_connections=args.concurrency + 2)
        ) as client:
            while not stop.is_set():
                try:
                    response = await client.get(args.feed, headers={"if-none-match": etag} if etag else {})
                    if response.status_code == 200:
                        etag = response.headers.get("etag")
                        feed = feedparser.parse(response.content)
                        for entry in feed.entries:
                            if entry.get("link") and entry.link not in seen:
                                seen.add(entry.link)
                                task = asyncio.create_task(handle(client, entry))
                                tasks.add(task)
                                task.add_done_callback(tasks.discard)
                except httpx.HTTPError as exc:
                    print(f"feed poll failed: {exc}", file=sys.stderr)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), args.interval)
            if tasks:
                await asyncio.wait(tasks, timeout=10)
    finally:
        await producer.stop()
    print(f"baseline published {published} articles", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feed", required=True, help="RSS/Atom feed URL to poll")
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--interval", type=float, default=0.5, help="feed poll interval, seconds")
    parser.add_argument("--concurrency", type=int, default=32, help="article fetches in flight")
    parser.add_argument(
        "--max-articles", type=int, default=0, help="stop after publishing this many (0: never)"
    )
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
