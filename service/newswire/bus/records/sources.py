"""``sources`` (compacted): the configured sources, the set the discover role polls.

Key: the source's id (:func:`key`: its ``name``, else ``kind:url-or-path``).
No headers. Value: the :class:`~newswire.config.SourceSettings` as JSON; a
tombstone removes the source. A URL's credentials (user:password, ``?token=``...)
are masked in both, as its ``proxy`` is: they stay in each instance's local
configuration, where the discover role takes the real URL from by the key.
The record keyed :data:`CONFIGURED_KEY` lists, as a JSON array, the keys the
configuration had at ingest's last start, so the next start knows which
sources it dropped. The record keyed :func:`listing_key` of an OPML source lists,
the same way, the feeds it had at its last poll, so the next poll knows which
feeds were taken out of it. Both keys start with a NUL byte, which no source's
key does (:func:`is_source_key`).
"""

from __future__ import annotations

from typing import TypeGuard

import orjson

from newswire.bus.records._base import Record
from newswire.config import Settings, SourceSettings

#: Key of the record listing the keys the configuration had at the last start.
CONFIGURED_KEY = b"\x00configured"
_LISTING_PREFIX = b"\x00listed:"


def is_source_key(record_key: bytes | None) -> TypeGuard[bytes]:
    """Whether a sources-topic record is a source's (not a configuration or OPML listing)."""
    return record_key is not None and not record_key.startswith(b"\x00")


def listing_key(opml_key: str) -> bytes:
    """Key of the record listing the feeds an OPML source had at its last poll."""
    return _LISTING_PREFIX + opml_key.encode()


def listing_owner(record_key: bytes) -> str | None:
    """The OPML source a listing record is of; None for any other record."""
    if record_key.startswith(_LISTING_PREFIX):
        return record_key[len(_LISTING_PREFIX) :].decode()
    return None


def key(source: SourceSettings) -> str:
    """The id of a source in the sources topic, and the ``source`` of its candidates and articles."""
    return source.key


def record(settings: Settings, source: SourceSettings) -> Record:
    return Record(
        settings.topic("sources"), key(source).encode(), orjson.dumps(source.model_dump(mode="json")), []
    )


def tombstone(settings: Settings, source_key: str) -> Record:
    return Record(settings.topic("sources"), source_key.encode(), None, [])


def _keys_record(settings: Settings, record_key: bytes, keys: list[str]) -> Record:
    """A configuration or OPML listing record: its keys as a sorted JSON array (:func:`decode_keys`)."""
    return Record(settings.topic("sources"), record_key, orjson.dumps(sorted(keys)), [])


def configured_record(settings: Settings, keys: list[str]) -> Record:
    return _keys_record(settings, CONFIGURED_KEY, keys)


def listing_record(settings: Settings, opml_key: str, keys: list[str]) -> Record:
    return _keys_record(settings, listing_key(opml_key), keys)


def listing_tombstone(settings: Settings, opml_key: str) -> Record:
    return Record(settings.topic("sources"), listing_key(opml_key), None, [])


def decode_keys(value: bytes | None) -> set[str]:
    """The keys of a configuration or OPML listing record (none for its tombstone)."""
    return set(orjson.loads(value)) if value is not None else set()


def decode(value: bytes) -> SourceSettings:
    """A source record's settings; ValueError when it is not one."""
    return SourceSettings.model_validate(orjson.loads(value))
