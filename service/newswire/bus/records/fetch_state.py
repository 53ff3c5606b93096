"""``fetch-state`` (compacted): what ingest remembers about each URL, co-partitioned with ``urls``.

The state of the URLs in partition *p* of ``urls`` is in partition *p* of
``fetch-state`` (records are written to a fixed partition). Key: the
canonical URL; value: :class:`~newswire.state.UrlState` as JSON; a tombstone
forgets the URL (evicted beyond capacity). A key ``\\x00parked\\x00<url>``
holds the urls record of a URL whose offset was released while it was still
being fetched (see ``daemons/_fetch_role.py``); its tombstone ends the parking.
No headers.
"""

from __future__ import annotations

from newswire.bus.records._base import Record
from newswire.config import Settings
from newswire.state import UrlState
from newswire.state.fetch_state import parked_key

#: One fetch-state record before it is given its topic: key, value (None: tombstone).
Write = tuple[bytes, bytes | None]


def state(url_state: UrlState) -> Write:
    return url_state.url.encode(), url_state.encode()


def forget(url: str) -> Write:
    return url.encode(), None


def park(url: str, urls_value: bytes) -> Write:
    return parked_key(url), urls_value


def unpark(url: str) -> Write:
    return parked_key(url), None


def record(settings: Settings, write: Write) -> Record:
    return Record(settings.topic("fetch-state"), write[0], write[1], [])
