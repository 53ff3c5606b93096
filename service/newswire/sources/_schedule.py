"""When to poll each source next: pure bookkeeping, the caller owns the clock.

Rules, for a source with configured interval ``I``:

* a new source is due at once;
* after a success the next poll is ``I`` later, or later still when the
  publisher asks for it (feed ``ttl_s``, HTTP ``Cache-Control: max-age``):
  we never poll more often than ``I`` nor more often than the publisher asks,
  but a hint never pushes the wait beyond ``max_hint_s`` (a feed claiming
  ``sy:updatePeriod yearly`` must not silence a news source for a year);
* after ``n`` failures in a row the wait is ``I * 2**n``, capped at
  ``backoff_cap_s`` (never below ``I``); one success resets it.

Every method takes ``now`` (seconds, any monotonic or wall clock, as long as
the caller is consistent), so tests and the daemon drive it the same way.
"""

from __future__ import annotations

import dataclasses
import re

DEFAULT_BACKOFF_CAP_S = 3600.0
DEFAULT_MAX_HINT_S = 86_400.0

_MAX_AGE = re.compile(r"""(?:^|[,\s])(s-maxage|max-age)\s*=\s*"?(\d+)"?\s*(?=,|$)""", re.I)
_NO_CACHE = re.compile(r"(?:^|[,\s])(no-store|no-cache)\s*(?=,|=|$)", re.I)


def cache_control_max_age(header: str | None) -> float | None:
    """Seconds from a ``Cache-Control`` header's ``max-age``, or None.

    ``s-maxage`` (shared caches) is ignored: we are a private reader. None
    when the header is missing, has no usable ``max-age``, or says
    ``no-store``/``no-cache`` (the response may change at any time).

    >>> cache_control_max_age("public, max-age=600")
    600.0
    """
    if not header or _NO_CACHE.search(header):
        return None
    for match in _MAX_AGE.finditer(header):
        if match.group(1).lower() == "max-age":
            return float(min(int(match.group(2)), 10**9))
    return None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SourceStatus:
    """What ``newswire status`` shows for one source (times are the caller's ``now`` values)."""

    key: str
    interval_s: float
    next_poll: float
    last_poll: float | None
    last_success: float | None
    last_failure: float | None
    consecutive_failures: int
    error_count: int
    success_count: int
    last_error: str | None


@dataclasses.dataclass(slots=True)
class _Entry:
    interval_s: float
    next_poll: float
    last_poll: float | None = None
    last_success: float | None = None
    last_failure: float | None = None
    consecutive_failures: int = 0
    error_count: int = 0
    success_count: int = 0
    last_error: str | None = None


class SourceSchedule:
    """Per-source next-poll times with publisher hints and backoff. Not thread-safe."""

    def __init__(
        self, *, backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S, max_hint_s: float = DEFAULT_MAX_HINT_S
    ) -> None:
        if backoff_cap_s <= 0 or max_hint_s <= 0:
            raise ValueError("backoff_cap_s and max_hint_s must be positive")
        self._backoff_cap_s = backoff_cap_s
        self._max_hint_s = max_hint_s
        self._entries: dict[str, _Entry] = {}

    def add(self, key: str, interval_s: float, now: float) -> None:
        """Track ``key``, due at ``now``. Adding a known key only updates its interval."""
        if not interval_s > 0:
            raise ValueError(f"interval_s must be positive, got {interval_s!r}")
        entry = self._entries.get(key)
        if entry is None:
            self._entries[key] = _Entry(interval_s=interval_s, next_poll=now)
        else:
            entry.interval_s = interval_s

    def remove(self, key: str) -> None:
        """Stop tracking ``key`` (no error if unknown)."""
        self._entries.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def due(self, now: float) -> list[str]:
        """Keys whose next poll is at or before ``now``, most overdue first."""
        ready = [(e.next_poll, k) for k, e in self._entries.items() if e.next_poll <= now]
        return [key for _, key in sorted(ready)]

    def next_due(self) -> float | None:
        """The earliest next poll of any source (for the caller's sleep), or None if empty."""
        return min((e.next_poll for e in self._entries.values()), default=None)

    def next_poll(self, key: str) -> float:
        """When ``key`` should be polled next. ``KeyError`` if unknown."""
        return self._entries[key].next_poll

    def record_success(
        self, key: str, now: float, ttl_s: float | None = None, max_age_s: float | None = None
    ) -> float:
        """Note a successful poll at ``now``; return the next poll time."""
        entry = self._entries[key]
        hint = max((h for h in (ttl_s, max_age_s) if h is not None and h > 0), default=0.0)
        wait = max(entry.interval_s, min(hint, self._max_hint_s))
        entry.last_poll = entry.last_success = now
        entry.consecutive_failures = 0
        entry.success_count += 1
        entry.next_poll = now + wait
        return entry.next_poll

    def record_failure(self, key: str, now: float, error: str | None = None) -> float:
        """Note a failed poll at ``now`` (``error`` is kept for status); return the next poll time."""
        entry = self._entries[key]
        entry.consecutive_failures += 1
        entry.error_count += 1
        entry.last_poll = entry.last_failure = now
        entry.last_error = error
        cap = max(self._backoff_cap_s, entry.interval_s)
        # min() before the power would overflow: 2**n grows past any cap after ~60 failures.
        exponent = min(entry.consecutive_failures, 64)
        entry.next_poll = now + min(entry.interval_s * 2.0**exponent, cap)
        return entry.next_poll

    def status(self, key: str) -> SourceStatus:
        """The status view of ``key``. ``KeyError`` if unknown."""
        entry = self._entries[key]
        return SourceStatus(key=key, **dataclasses.asdict(entry))

    def statuses(self) -> list[SourceStatus]:
        """Status of every source, by key."""
        return [self.status(key) for key in sorted(self._entries)]
