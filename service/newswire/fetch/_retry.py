"""The retry policy: which outcomes are worth another try, and how long to wait first.

Pure functions (the clock and the random source are parameters) so they are
unit-tested without sleeping. Back-off is "full jitter" (AWS architecture blog,
"Exponential Backoff And Jitter"): wait ``uniform(0, min(cap, base * 2**attempt))``,
which spreads retries of many clients better than a fixed exponential.
A server's ``Retry-After`` wins over the computed back-off, but is capped too:
a server asking for a day must not park a worker for a day.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

#: Statuses after which the same request may succeed later.
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def is_retryable_status(status: int) -> bool:
    """429, 408, 425 and every 5xx except 501 Not Implemented / 505 version errors."""
    if status in RETRYABLE_STATUSES:
        return True
    return 500 <= status <= 599 and status not in (501, 505)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date).

    Returns ``None`` when absent or unparseable, ``0.0`` for dates in the past.
    ``now`` is a Unix timestamp (defaults to ``time.time()``).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:  # non-standard but common: "1.5"; negative or NaN means nothing useful
        return seconds if seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime form carries no zone; RFC 9110 dates are always GMT
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def backoff_delay(attempt: int, *, base_s: float, max_s: float, rng: random.Random | None = None) -> float:
    """Full-jitter exponential back-off before retry number ``attempt + 1`` (``attempt`` from 0)."""
    ceiling = min(max_s, base_s * (2.0 ** min(attempt, 62)))
    return (rng or random).uniform(0.0, ceiling) if ceiling > 0 else 0.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to retry and how long to wait between tries."""

    retries: int = 3
    base_s: float = 1.0
    max_s: float = 300.0

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait after failed attempt ``attempt`` (0-based).

        A server-given ``retry_after`` is honoured (never undercut by jitter) up to
        ``max_s``; otherwise full-jitter back-off.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_s)
        return backoff_delay(attempt, base_s=self.base_s, max_s=self.max_s, rng=rng)

    def should_retry(self, attempt: int) -> bool:
        """Whether failed attempt ``attempt`` (0-based) may be followed by another."""
        return attempt < self.retries
