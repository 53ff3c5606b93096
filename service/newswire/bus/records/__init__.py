"""Every topic's records, one module per topic: key, value, headers, encoding and decoding.

Opening this folder shows newswire's whole data model:

============== ==================== =================================================
module         topic                what a record is
============== ==================== =================================================
``sources``    sources (compacted)  a configured source; the list of configured keys
``urls``       urls                 a candidate URL to fetch (or a page to replay)
``fetch_state`` fetch-state (comp.) what ingest remembers about a URL; parked URLs
``articles``   articles             an article event (created, updated, removed)
``latest``     latest (compacted)   the newest article event per article id
``raw_pages``  raw-pages            a published article's page as fetched
``enriched``   enriched             an enriched article event
``dead_letters`` dead-letters       an input that failed, with why, where and when
``source_status`` source-status     a source's or backfill's status; backfill checkpoints
``warc_files`` warc-files           a WARC file to import (``newswire import warc``)
``import_state`` import-state (comp.) how far each WARC file's import got
============== ==================== =================================================

:class:`Record` (topic, key, value, headers) is what every producer writes.
"""

from newswire.bus.records._base import (
    CE_TYPE_ARTICLE,
    CE_TYPE_DEAD_LETTER,
    CE_TYPE_ENRICHED,
    CE_TYPE_RAW_PAGE,
    Headers,
    Record,
    cloudevent_headers,
    header,
)
from newswire.bus.records.dead_letters import dead_letter, with_origin

__all__ = [
    "CE_TYPE_ARTICLE",
    "CE_TYPE_DEAD_LETTER",
    "CE_TYPE_ENRICHED",
    "CE_TYPE_RAW_PAGE",
    "Headers",
    "Record",
    "cloudevent_headers",
    "dead_letter",
    "header",
    "with_origin",
]
