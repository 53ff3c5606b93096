"""The ``record`` kind: what newswire writes to Kafka never exceeds ``kafka.max_message_bytes``.

A record that cannot be written used to stall its partition (the transaction failed and was
redone forever). Each input here is a candidate record value: if it is an article event it
goes the ingest way (cut to fit by :func:`newswire.bus.limits.fit_article`), and in any case
the enrich way (dead-lettered when it does not fit). A result larger than the limit, or a
dead letter that lost the payload's size or digest, is a *stall*: the partition would stop.

The limit is 64 KiB here so inputs at, just under and just over it stay cheap.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os

import orjson

from newswire import events
from newswire.bus import cloudevent_headers
from newswire.bus.limits import RecordGuard, fit_article, record_size, value_room
from newswire.bus.records import CE_TYPE_ARTICLE, CE_TYPE_DEAD_LETTER, dead_letter
from newswire.config import KafkaSettings, Settings
from newswire.errors import EventError
from newswire.events import ArticleEvent

LIMIT = 64 * 1024
SETTINGS = Settings(kafka=KafkaSettings(max_message_bytes=LIMIT, batch_bytes=LIMIT))
GUARD = RecordGuard(SETTINGS, "fuzz", "/fuzz")
logging.getLogger("newswire.bus.limits").setLevel(logging.CRITICAL)  # it logs each rejection


class Stall(Exception):
    """What was produced for a record would not fit: in a daemon its partition would stop."""


def check(data: bytes) -> None:
    """Raise :class:`Stall` unless every record made from ``data`` fits (see the module docstring)."""
    key = b"fuzz-key"
    try:
        article = events.decode_article(data)
    except EventError:
        article = None
    if article is not None:
        _check_ingest(article)
    headers = cloudevent_headers(ce_type=CE_TYPE_DEAD_LETTER, source="/fuzz")
    if record_size(key, data, []) > GUARD.budget:
        letter = dead_letter(
            stage="fuzz",
            error="too large",
            payload=data,
            topic="articles",
            key=key,
            max_bytes=value_room(SETTINGS, key, headers),
        )
        _check_letter(key, letter, headers, data)
    replacement = GUARD.reject(("articles", key, data, []), "too_large", "fuzz")
    if replacement is None or not GUARD.fits(replacement):
        raise Stall("the guard's dead letter does not fit")


def _check_ingest(article: ArticleEvent) -> None:
    key = article.article_id.encode()
    headers = cloudevent_headers(ce_type=CE_TYPE_ARTICLE.format(change=article.change), source="/fuzz")
    fitted = fit_article(article, value_room(SETTINGS, key, headers))
    if fitted is None:
        return  # dead-lettered as too_large by the transaction's guard (checked in check())
    value = events.encode_event(fitted)
    if record_size(key, value, headers) > GUARD.budget:
        raise Stall(f"a cut article event of {len(value)} bytes is over the limit")
    if fitted is not article:
        if not (fitted.truncated and fitted.original_body_chars == len(article.body)):
            raise Stall("a cut article does not say it was cut")
        if not article.body.startswith(fitted.body) or fitted.fingerprint != article.fingerprint:
            raise Stall("a cut article's body is not the head of the original, or its fingerprint moved")
        events.validate("article", dataclasses.asdict(fitted))


def _check_letter(key: bytes, letter: bytes, headers: list[tuple[str, bytes]], payload: bytes) -> None:
    if record_size(key, letter, headers) > GUARD.budget:
        raise Stall(f"a dead letter of {len(letter)} bytes is over the limit")
    doc = orjson.loads(letter)
    if doc["payload_bytes"] != len(payload) or doc["payload_sha256"] != hashlib.sha256(payload).hexdigest():
        raise Stall("a dead letter lost its payload's size or digest")


def boundary_inputs(article: ArticleEvent) -> dict[str, bytes]:
    """Article events and garbage at, just under and just over the limit and the budget."""
    out: dict[str, bytes] = {}
    units = {
        "paragraphs": "A paragraph of plain words that goes on for a while.\n\n",
        "one-paragraph": "word ",
        "escapes": '\u0001"\\',  # each character takes 2 to 6 bytes in JSON
        "multibyte": "\u00e9\u4e2d\U0001f600 ",
    }
    for target in (LIMIT, GUARD.budget):
        for delta in (-1, 0, 1):
            size = target + delta
            for name, unit in units.items():
                out[f"record-article-{name}-{size}"] = _article_of_size(article, unit, size)
            out[f"record-garbage-{size}"] = os.urandom(size)
            out[f"record-text-{size}"] = b"x" * size
    huge_title = dataclasses.replace(article, title="t" * (LIMIT * 2))
    out["record-article-huge-title"] = events.encode_event(huge_title)
    return out


def _article_of_size(article: ArticleEvent, unit: str, size: int) -> bytes:
    """``article`` with a body of repeated ``unit`` whose encoding is ``size`` bytes (or just under)."""
    empty = len(events.encode_event(dataclasses.replace(article, body="")))
    per_unit = len(orjson.dumps(unit)) - 2
    body = unit * max(0, (size - empty) // per_unit)
    pad = size - empty - (len(orjson.dumps(body)) - 2)
    return events.encode_event(dataclasses.replace(article, body=body + "x" * max(0, pad)))
