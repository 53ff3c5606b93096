"""Every Prometheus metric newswire exports, defined once.

Per-host series use :func:`host_label`, which keeps the first ``top_hosts``
hosts seen and folds the rest into ``other``, so label cardinality stays
bounded however many sites a deployment crawls.
"""

from __future__ import annotations

import threading

from prometheus_client import Counter, Gauge, Histogram

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_DELAY = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600)

# --- sources and fetch (ingest)
SOURCE_POLLS = Counter("newswire_source_polls_total", "Source polls by kind and outcome", ["kind", "outcome"])
CANDIDATES = Counter("newswire_candidates_total", "Candidate article URLs discovered", ["kind"])
FETCHES = Counter(
    "newswire_fetches_total",
    "HTTP fetches by host and status class (2xx, 3xx, 304, 4xx, 5xx, error)",
    ["host", "status_class"],
)
FETCH_SECONDS = Histogram(
    "newswire_fetch_seconds", "Duration of one fetch including retries", ["status_class"], buckets=_LATENCY
)
ROBOTS_DENIED = Counter(
    "newswire_robots_denied_total", "URLs skipped because robots.txt disallows them", ["host"]
)
BLOCKED = Counter(
    "newswire_fetch_blocked_total", "URLs refused by policy (address guard, scheme, size)", ["reason"]
)
URLS_PARKED = Counter(
    "newswire_urls_parked_total",
    "URLs still in flight whose offset was released so the URLs behind them commit",
)
URLS_SKIPPED = Counter("newswire_urls_skipped_total", "Candidate URLs not fetched", ["reason"])

# --- extract and publish (ingest)
EXTRACT_SECONDS = Histogram(
    "newswire_extract_seconds", "CPU-bound extraction time per page", buckets=_LATENCY
)
ARTICLES_PUBLISHED = Counter(
    "newswire_articles_published_total", "Article events published", ["host", "change"]
)
PAYWALLED = Counter("newswire_paywalled_total", "Articles that declare they are not free to access", ["host"])
NOT_ARTICLE = Counter(
    "newswire_not_article_total",
    "Pages that were not articles: blocked, consent_wall, login_wall, soft_404, paywalled",
    ["host", "kind"],
)
EXTRACT_FALLBACK = Counter(
    "newswire_extract_fallback_total",
    "Articles whose body did not come from the main container strategy (extraction.method is "
    "blocks, trafilatura, json-ld, script or lead): the extractor was unsure of the page",
    ["host"],
)
FIELD_FILLED = Counter(
    "newswire_extracted_field_filled_total",
    "Extracted articles whose field is non-empty (divide by articles_published for fill rate)",
    ["host", "field"],
)
PUBLISH_DELAY = Histogram(
    "newswire_publish_to_ingest_seconds", "Article published time -> fetched time", ["host"], buckets=_DELAY
)

# --- WARC import
IMPORT_RECORDS = Counter(
    "newswire_import_records_total",
    "WARC records read by the import role, by what became of them (page, non_html, revisit, malformed, ...)",
    ["kind"],
)
IMPORT_PAGES = Counter(
    "newswire_import_pages_total", "HTML pages of WARC files extracted, by outcome", ["outcome"]
)
IMPORT_FILES = Counter("newswire_import_files_total", "WARC files finished by the import role")
IMPORT_BYTES = Counter(
    "newswire_import_bytes_total",
    "Bytes of WARC files read and committed by the import role (rate: MB/s; with the two gauges below: ETA)",
)
IMPORT_FILE_SIZE = Gauge(
    "newswire_import_file_size_bytes", "Size of the WARC file this import worker is reading (0 when none)"
)
IMPORT_FILE_POSITION = Gauge(
    "newswire_import_file_position_bytes",
    "How far into its WARC file this import worker has read and committed (0 when none)",
)
IMPORT_DOWNLOADS = Counter(
    "newswire_import_downloads_total",
    "WARC files of http(s) work items downloaded to the spool, by outcome (ok, reused, failed)",
    ["outcome"],
)
IMPORT_DOWNLOAD_POSITION = Gauge(
    "newswire_import_download_position_bytes",
    "Bytes on disk of the WARC file this import worker is downloading (0 when none)",
)
IMPORT_DOWNLOAD_BYTES = Counter(
    "newswire_import_download_bytes_total",
    "Size of the WARC files downloaded to the spool (a download resumed after a break counts once)",
)

# --- enrich
ENRICH_IN = Counter("newswire_enrich_events_in_total", "Article events consumed by enrich")
ENRICH_OUT = Counter("newswire_enrich_events_out_total", "Enriched events published")
ENRICH_FAILED = Counter(
    "newswire_enrich_events_failed_total", "Events sent to the dead-letter topic by enrich", ["reason"]
)
ENRICH_BATCH = Histogram(
    "newswire_enrich_batch_size", "Articles per enrich batch", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
)
ENRICH_STAGE_SECONDS = Histogram(
    "newswire_enrich_stage_seconds", "Enrichment time per batch and stage", ["stage"], buckets=_LATENCY
)
ENRICH_LATENCY = Histogram(
    "newswire_ingest_to_enriched_seconds", "Article fetched -> enriched event published", buckets=_LATENCY
)
CONSUMER_LAG = Gauge(
    "newswire_consumer_lag", "Records behind the end of the partition", ["group", "topic", "partition"]
)

# --- both daemons
DEAD_LETTERS = Counter("newswire_dead_letters_total", "Inputs sent to the dead-letter topic", ["stage"])
RECORDS_REJECTED = Counter(
    "newswire_records_rejected_total",
    "Records that could not be written (too large, invalid) and were dead-lettered instead",
    ["stage", "reason"],
)
ARTICLES_TRUNCATED = Counter(
    "newswire_articles_truncated_total", "Article events whose body was cut to fit kafka.max_message_bytes"
)
TRANSACTIONS = Counter(
    "newswire_kafka_transactions_total", "Kafka transactions by daemon and outcome", ["daemon", "outcome"]
)
REDO_STREAK = Gauge(
    "newswire_redo_streak",
    "Times in a row the daemon's current batch failed to commit and is being redone (0 when it moves)",
    ["daemon"],
)
STUCK_OFFSET = Gauge(
    "newswire_stuck_offset",
    "The offset a partition is stuck at: its batch failed to commit more than newswire's redo limit "
    "times in a row (no series while nothing is stuck)",
    ["daemon", "topic", "partition"],
)
READY = Gauge("newswire_ready", "1 when the daemon is connected to Kafka and its topics exist", ["daemon"])
IN_FLIGHT = Gauge("newswire_in_flight", "Work items accepted but not yet committed", ["daemon"])

_hosts: set[str] = set()
_hosts_lock = threading.Lock()
_top_hosts = 50


def set_top_hosts(limit: int) -> None:
    """How many distinct hosts get their own label (the rest become ``other``)."""
    global _top_hosts
    _top_hosts = limit


def host_label(host: str) -> str:
    """``host`` if it is among the first ``top_hosts`` hosts seen, else ``other``."""
    if host in _hosts:
        return host
    with _hosts_lock:
        if len(_hosts) < _top_hosts:
            _hosts.add(host)
            return host
    return "other"


def status_class(status: int | None) -> str:
    """``2xx``/``3xx``/``304``/``4xx``/``5xx``, or ``error`` when there was no response."""
    if status is None:
        return "error"
    if status == 304:
        return "304"
    return f"{status // 100}xx"
