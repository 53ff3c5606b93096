"""``urls``: candidate article URLs waiting to be fetched (and replays of stored pages).

Key: the URL's host (:func:`key`), so the instance owning a partition owns its
hosts' politeness and fetch state; local files share one key, ``local-files``.
No headers. Value (JSON): the :class:`~newswire.sources.Candidate` fields
(``url``, ``source``, ``title``, ``published``, ``authors``, ``summary``,
``lastmod``, ``language``) plus ``attempt`` (retries so far), ``not_before``
(epoch seconds before which a retry waits), for ``newswire replay``
``replay`` = ``{content (base64), final_url, content_type, force}``, and for a page
read from a WARC file ``imported`` = its extracted article event (the fetch role
decides it against the URL's state as it does a fetched page: ``docs/warc.md``).
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any
from urllib.parse import urlsplit

import orjson

from newswire import events
from newswire.bus.records._base import Record
from newswire.config import Settings
from newswire.events import ArticleEvent
from newswire.sources import Candidate

#: The key of every local-file URL.
FILE_HOST = "local-files"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Replay:
    """A stored raw page to extract again instead of fetching (``newswire replay``)."""

    content: bytes
    final_url: str
    content_type: str | None
    force: bool = False


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Work:
    """One urls-topic record: a candidate, its retry bookkeeping, a replay, or an imported article."""

    candidate: Candidate
    attempt: int = 0
    not_before: float | None = None
    replay: Replay | None = None
    imported: ArticleEvent | None = None


def key(url: str) -> bytes:
    """The urls-topic key: the host, so one instance owns each host's politeness and state."""
    if url.startswith("file:"):
        return FILE_HOST.encode()
    return (urlsplit(url).hostname or "").encode()


def encode(
    candidate: Candidate,
    *,
    attempt: int = 0,
    not_before: float | None = None,
    replay: Replay | None = None,
    imported: ArticleEvent | None = None,
) -> bytes:
    doc: dict[str, Any] = dataclasses.asdict(candidate)
    doc["attempt"] = attempt
    doc["not_before"] = not_before
    if replay is not None:
        doc["replay"] = {
            "content": base64.b64encode(replay.content).decode(),
            "final_url": replay.final_url,
            "content_type": replay.content_type,
            "force": replay.force,
        }
    if imported is not None:
        doc["imported"] = orjson.Fragment(events.encode_event(imported))
    return orjson.dumps(doc)


def decode(data: bytes) -> Work:
    """Parse a urls-topic record; ValueError/TypeError/KeyError when it is not one."""
    doc: dict[str, Any] = orjson.loads(data)
    if not isinstance(doc, dict) or not all(isinstance(doc.get(k), str) for k in ("url", "source")):
        raise TypeError("a candidate is a JSON object with string url and source")
    attempt = int(doc.pop("attempt", 0) or 0)
    not_before = doc.pop("not_before", None)
    replay_doc = doc.pop("replay", None)
    imported_doc = doc.pop("imported", None)
    doc["authors"] = tuple(doc.get("authors") or ())
    replay = None
    if replay_doc is not None:
        replay = Replay(
            content=base64.b64decode(replay_doc["content"]),
            final_url=replay_doc["final_url"],
            content_type=replay_doc.get("content_type"),
            force=bool(replay_doc.get("force")),
        )
    imported = None if imported_doc is None else events.article_from_dict(imported_doc)
    return Work(
        candidate=Candidate(**doc), attempt=attempt, not_before=not_before, replay=replay, imported=imported
    )


def record(
    settings: Settings,
    candidate: Candidate,
    *,
    attempt: int = 0,
    not_before: float | None = None,
    replay: Replay | None = None,
    imported: ArticleEvent | None = None,
) -> Record:
    """The urls record that queues ``candidate`` (again, after ``attempt`` tries, as a replay, or
    with the article imported for it)."""
    value = encode(candidate, attempt=attempt, not_before=not_before, replay=replay, imported=imported)
    return Record(settings.topic("urls"), key(candidate.url), value, [])
