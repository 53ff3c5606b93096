"""``sources`` (compacted): the configured sources, the set the discover role polls.

Key: the source's id (:func:`key`: its ``name``, else ``kind:url-or-path``).
No headers. Value: the :class:`~newswire.config.SourceSettings` as JSON; a
tombstone removes the source. A URL's credentials (user:password, ``?token=``...)
are masked in both, as its ``proxy`` is: they stay in each instance's local
configuration, where the discover role takes the real URL from by the key.
The record keyed :data:`CONFIGURED_KEY` lists, as a JSON array, the keys the
configuration had at ingest's last start, so the next start knows which
sources it dropped.
"""

from __future__ import annotations

import orjson

from newswire.bus.records._base import Record
from newswire.config import Settings, SourceSettings

#: Key of the record listing the keys the configuration had at the last start.
CONFIGURED_KEY = b"\x00configured"


def key(source: SourceSettings) -> str:
    """The id of a source in the sources topic, and the ``source`` of its candidates and articles."""
    return source.key


def record(settings: Settings, source: SourceSettings) -> Record:
    return Record(
        settings.topic("sources"), key(source).encode(), orjson.dumps(source.model_dump(mode="json")), []
    )


def tombstone(settings: Settings, source_key: str) -> Record:
    return Record(settings.topic("sources"), source_key.encode(), None, [])


def configured_record(settings: Settings, keys: list[str]) -> Record:
    return Record(settings.topic("sources"), CONFIGURED_KEY, orjson.dumps(sorted(keys)), [])


def decode_configured(value: bytes | None) -> set[str]:
    return set(orjson.loads(value)) if value is not None else set()


def decode(value: bytes) -> SourceSettings:
    """A source record's settings; ValueError when it is not one."""
    return SourceSettings.model_validate(orjson.loads(value))
