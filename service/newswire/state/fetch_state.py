"""What ingest remembers about each URL: validators, fingerprint, version, a digest of its text —
per partition, bounded.

The authoritative copy lives in the compacted ``fetch-state`` topic, keyed by
canonical URL and co-partitioned with ``urls`` (the state of the URLs in
partition *p* of ``urls`` is in partition *p* of ``fetch-state``). An instance
that is assigned partition *p* reads that partition from the beginning into a
:class:`PartitionState`; it writes every change back in the same transaction
that consumes the URL and publishes the article. Entries beyond ``capacity``
are evicted least-recently-checked first, with a tombstone, so neither memory
nor the topic grows without bound.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from typing import Any

import orjson

TRACKED_FIELDS = ("title", "authors", "published", "modified", "lead", "body", "section", "tags", "image")


@dataclasses.dataclass(slots=True, kw_only=True)
class UrlState:
    """The last known state of one URL."""

    url: str
    checked: float  # epoch seconds of the last fetch attempt that got an answer
    article_id: str | None = None
    version: int = 0
    fingerprint: str | None = None
    fields: dict[str, str] = dataclasses.field(default_factory=dict)  # field -> short digest
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # sitemap lastmod at the last fetch
    removed: bool = False
    # What the published version said, for the next update's diff (newswire.revisions): short
    # text fields verbatim and one 8-byte digest per body paragraph (base64). None in records
    # written before diffs existed: the next update then carries changed_fields only.
    text: dict[str, Any] | None = None
    paragraphs: str | None = None

    def encode(self) -> bytes:
        return orjson.dumps(self)

    @classmethod
    def decode(cls, data: bytes) -> UrlState:
        doc: dict[str, Any] = orjson.loads(data)
        return cls(**{k: v for k, v in doc.items() if k in _FIELDS})


_FIELDS = frozenset(f.name for f in dataclasses.fields(UrlState))


#: Key prefix of a parked URL's record in ``fetch-state``: its value is the urls record whose
#: offset was released while the URL was still being fetched (see ``daemons/_fetch_role.py``).
PARKED_PREFIX = b"\x00parked\x00"


def parked_key(url: str) -> bytes:
    return PARKED_PREFIX + url.encode()


class PartitionState:
    """URL states of one partition, with an index of published fingerprints, bounded in size."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._urls: OrderedDict[str, UrlState] = OrderedDict()
        self._fingerprints: dict[str, str] = {}  # fingerprint -> url that published it
        self.in_flight: set[str] = set()
        self.parked: dict[str, bytes] = {}  # url -> its urls record, while parked (read on rebuild)

    def __len__(self) -> int:
        return len(self._urls)

    def get(self, url: str) -> UrlState | None:
        return self._urls.get(url)

    def owner_of(self, fingerprint: str) -> str | None:
        """The URL that already published this exact text, if any."""
        return self._fingerprints.get(fingerprint)

    def load(self, key: bytes, value: bytes | None) -> None:
        """Apply one record of the fetch-state topic while rebuilding (tombstones delete)."""
        if key.startswith(PARKED_PREFIX):
            url = key[len(PARKED_PREFIX) :].decode()
            if value is None:
                self.parked.pop(url, None)
            else:
                self.parked[url] = value
            return
        url = key.decode()
        if value is None:
            self._drop(url)
        else:
            self._put(UrlState.decode(value))

    def put(self, state: UrlState) -> list[str]:
        """Store a new state; return the URLs evicted to stay within capacity (write tombstones for them)."""
        self._put(state)
        evicted = []
        while len(self._urls) > self.capacity:
            url = next(iter(self._urls))  # least recently checked
            self._drop(url)  # also forgets its fingerprint, so the index stays bounded too
            evicted.append(url)
        return evicted

    def _put(self, state: UrlState) -> None:
        old = self._urls.pop(state.url, None)
        if old is not None and old.fingerprint and self._fingerprints.get(old.fingerprint) == old.url:
            del self._fingerprints[old.fingerprint]
        self._urls[state.url] = state
        if state.fingerprint and not state.removed:
            self._fingerprints[state.fingerprint] = state.url

    def _drop(self, url: str) -> None:
        old = self._urls.pop(url, None)
        if old is not None and old.fingerprint and self._fingerprints.get(old.fingerprint) == url:
            del self._fingerprints[old.fingerprint]
