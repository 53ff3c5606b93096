"""``newswire topics create|list|describe``: newswire's topics on the broker."""

from __future__ import annotations

import logging
from collections.abc import Callable

import orjson

from newswire.bus import describe_topics, ensure_topics, limit_mismatches, list_topics
from newswire.config import Settings

log = logging.getLogger("newswire")


async def topics(settings: Settings, action: str, out: Callable[[str | bytes], None]) -> int:
    if action == "create":
        created = await ensure_topics(settings)
        out(f"created: {', '.join(created) if created else 'nothing (all topics exist)'}")
    elif action == "list":
        for name in await list_topics(settings):
            out(name)
    else:
        described = await describe_topics(settings)
        for doc in described:
            out(orjson.dumps(doc))
        for problem in await limit_mismatches(settings, described):
            log.warning("mismatch: %s", problem)
    return 0
