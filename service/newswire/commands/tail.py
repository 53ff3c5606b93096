"""``newswire tail TOPIC``: a topic's records as JSON lines."""

from __future__ import annotations

from collections.abc import Callable

from newswire.bus import list_topics
from newswire.bus.tail import tail
from newswire.config import Settings
from newswire.errors import BusError


async def tail_topic(
    settings: Settings,
    name: str,
    out: Callable[[bytes], None],
    *,
    from_beginning: bool,
    n: int | None,
    follow: bool,
) -> int:
    """Print the records of topic ``name`` (a short name gets the configured prefix)."""
    topic = name if "." in name else settings.topic(name)  # type: ignore[arg-type]
    if topic not in await list_topics(settings):  # else the consumer logs an error per metadata refresh
        raise BusError(f"topic {topic} does not exist (`newswire topics list` shows the ones that do)")
    async for line in tail(settings, topic, from_beginning=from_beginning, limit=n, follow=follow):
        out(line)
    return 0
