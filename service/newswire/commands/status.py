"""``newswire status``: what every source and every host did lately, read back from Kafka.

The discover role records each poll in the compacted ``source-status`` topic;
articles per source in the last hour are counted from the ``articles`` topic,
starting at the offsets of one hour ago. Per host (:func:`host_status`),
articles and updates come from ``articles`` and dead letters by reason (``blocked``,
``consent_wall``, ``fetch_failed``, ...) from ``dead-letters``, over a window.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from newswire.bus.records import source_status as status_topic
from newswire.bus.records.source_status import SourceStatus
from newswire.bus.tail import read_topic
from newswire.config import Settings


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


async def source_status(settings: Settings) -> list[dict[str, Any]]:
    """One row per source: last poll, last success, articles in the last hour, error rate, next poll."""
    latest: dict[str, SourceStatus] = {}
    for record in await read_topic(settings, settings.topic("source-status")):
        if record.value is None and record.key is not None:  # a source no longer configured
            latest.pop(record.key.decode(), None)
        row = status_topic.decode(record.value)
        if isinstance(row, SourceStatus):  # backfill checkpoints share the topic; backfill summaries are rows
            latest[row.source] = row
    hour_ago_ms = int((time.time() - 3600) * 1000)
    per_source: Counter[str] = Counter()
    for value in [
        r.value for r in await read_topic(settings, settings.topic("articles"), since_ms=hour_ago_ms)
    ]:
        source = orjson.loads(value).get("source")
        if source:
            per_source[source] += 1
    rows = []
    for key in sorted(latest):
        row = latest[key]
        polls = row.error_count + row.success_count
        rows.append(
            {
                "source": key,
                "kind": row.kind,
                "last_poll": _iso(row.last_poll),
                "last_success": _iso(row.last_success),
                "articles_last_hour": per_source.get(key, 0),
                "error_rate": (row.error_count / polls) if polls else 0.0,
                "consecutive_failures": row.consecutive_failures,
                "last_error": row.last_error,
                "next_poll": _iso(row.next_poll),
            }
        )
    return rows


def _host(url: object) -> str:
    return (urlsplit(url).hostname or "?") if isinstance(url, str) and url else "?"


def _new_host_row(host: str) -> dict[str, Any]:
    return {"host": host, "articles": 0, "updates": 0, "dead_letters": Counter(), "last_success": None}


async def host_status(settings: Settings, *, window_s: float = 24 * 3600) -> list[dict[str, Any]]:
    """One row per host seen in the last ``window_s``: articles, updates, dead letters by reason,
    the share of its answers that were bot challenges (``blocked_share``), its last article."""
    since_ms = int((time.time() - window_s) * 1000)
    rows: dict[str, dict[str, Any]] = {}
    for record in await read_topic(settings, settings.topic("articles"), since_ms=since_ms):
        doc = orjson.loads(record.value) if record.value else {}
        row = rows.setdefault(_host(doc.get("url")), _new_host_row(_host(doc.get("url"))))
        change = doc.get("change")
        if change in ("created", "updated"):
            row["articles" if change == "created" else "updates"] += 1
            row["last_success"] = max(row["last_success"] or "", doc.get("fetched") or "") or None
    for record in await read_topic(settings, settings.topic("dead-letters"), since_ms=since_ms):
        doc = orjson.loads(record.value) if record.value else {}
        context = doc.get("context") or {}
        if doc.get("stage") != "ingest" or "reason" not in context:
            continue
        host = _host(context.get("url"))
        rows.setdefault(host, _new_host_row(host))["dead_letters"][context["reason"]] += 1
    out = []
    for host in sorted(rows):
        row = rows[host]
        letters: Counter[str] = row["dead_letters"]
        answered = row["articles"] + row["updates"] + letters.total()
        row["blocked_share"] = letters["blocked"] / answered if answered else 0.0
        row["dead_letters"] = dict(letters.most_common())
        out.append(row)
    return out


Out = Callable[[str | bytes], None]


async def show_sources(settings: Settings, out: Out, *, as_json: bool = False) -> int:
    """``newswire status``: a table (or JSON lines) of every source's polling."""
    rows = await source_status(settings)
    if as_json:
        for row in rows:
            out(orjson.dumps(row))
        return 0
    out(
        f"{'source':<50} {'last poll':<19} {'last success':<19} {'art/1h':>6} {'errors':>6} {'next poll':<19}"
    )
    for r in rows:
        out(
            f"{r['source'][:50]:<50} {r['last_poll'] or '-':<19} {r['last_success'] or '-':<19} "
            f"{r['articles_last_hour']:>6} {r['error_rate']:>6.0%} {r['next_poll'] or '-':<19}"
        )
    if not rows:
        out("(no source has been polled yet: is the ingest daemon running with this config?)")
    return 0


def _shown(fetched: str | None) -> str:
    """An event's ISO 8601 ``fetched`` time as the source table shows its times (UTC, to the second)."""
    if not fetched:
        return "-"
    return datetime.fromisoformat(fetched).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


async def show_hosts(settings: Settings, out: Out, *, hours: float, as_json: bool = False) -> int:
    """``newswire status --hosts``: a table (or JSON lines) of every host's articles and dead letters."""
    rows = await host_status(settings, window_s=hours * 3600)
    if as_json:
        for row in rows:
            out(orjson.dumps(row))
        return 0
    out(f"{'host':<40} {'articles':>8} {'updates':>7} {'blocked':>7} {'last success':<19} dead letters")
    for r in rows:
        letters = ", ".join(f"{reason} {n}" for reason, n in r["dead_letters"].items()) or "-"
        out(
            f"{r['host'][:40]:<40} {r['articles']:>8} {r['updates']:>7} {r['blocked_share']:>7.0%} "
            f"{_shown(r['last_success']):<19} {letters}"
        )
    if not rows:
        out(f"(no article or dead letter in the last {hours:g} h)")
    return 0
