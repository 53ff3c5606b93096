"""The retry loop shared by :meth:`Fetcher.fetch` and :meth:`Fetcher.download`.

One attempt is the caller's (every hop of a GET, body included); this loop runs it
again after a retryable ``FetchError`` (timeouts, connection errors, 429, 5xx),
waiting as :class:`~newswire.fetch._retry.RetryPolicy` says, and gives up with a
``FetchError(retryable=True)`` that carries a ``retry_after`` hint. Policy
refusals (``BlockedError``), robots.txt that cannot be read
(``RobotsUnavailableError``) and non-retryable errors are raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from newswire.errors import BlockedError, FetchError
from newswire.fetch._hops import parse_url, strip_url
from newswire.fetch._retry import RetryPolicy
from newswire.fetch._robots import RobotsUnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")


async def retrying(
    url: str, attempt_once: Callable[[], Awaitable[T]], policy: RetryPolicy, rng: random.Random | None
) -> tuple[T, int]:
    """``attempt_once()``'s result and how many retries it took; retryable failures are retried."""
    parse_url(url)
    attempt = 0
    while True:
        try:
            return await attempt_once(), attempt
        except FetchError as exc:
            if isinstance(exc, BlockedError | RobotsUnavailableError) or not exc.retryable:
                raise
            if not policy.should_retry(attempt):
                raise gave_up(url, exc, attempt, policy) from None
            delay = policy.delay(attempt, exc.retry_after, rng)
            log.debug("retrying %s in %.2fs after: %s", url, delay, exc)
            await asyncio.sleep(delay)
            attempt += 1


def gave_up(url: str, exc: FetchError, attempt: int, policy: RetryPolicy) -> FetchError:
    """The error raised once retries are used up, after failed attempt ``attempt`` (0-based)."""
    # The server's own Retry-After is passed on uncapped: the cap only bounds how long a
    # fetch sleeps in-process; a scheduler may well wait as long as the server asked.
    retry_after = exc.retry_after
    if retry_after is None:
        retry_after = min(policy.max_s, policy.base_s * 2.0 ** (attempt + 1))
    attempts = f"{attempt + 1} attempt{'s' if attempt else ''}"
    return FetchError(
        f"{strip_url(exc)}; gave up after {attempts}",
        url=url,
        status=exc.status,
        retryable=True,
        retry_after=retry_after,
    )
