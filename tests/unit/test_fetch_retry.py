"""The retry policy: Retry-After parsing, full-jitter back-off, which statuses retry."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswire.fetch._retry import (
    RetryPolicy,
    backoff_delay,
    is_retryable_status,
    parse_retry_after,
)

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        (None, None),
        ("", None),
        ("soon", None),
        ("-3", None),
        ("nan", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_http_date_in_the_future() -> None:
    assert parse_retry_after(formatdate(NOW + 90, usegmt=True), now=NOW) == pytest.approx(90.0)


def test_retry_after_http_date_in_the_past_means_now() -> None:
    assert parse_retry_after(formatdate(NOW - 90, usegmt=True), now=NOW) == 0.0


def test_retry_after_obsolete_date_formats() -> None:
    # RFC 850 and asctime forms are still legal HTTP-dates
    now = 784111717.0  # Sun, 06 Nov 1994 08:48:37 GMT
    assert parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now=now) == pytest.approx(60.0)
    assert parse_retry_after("Sun Nov  6 08:50:37 1994", now=now) == pytest.approx(120.0)


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504, 520, 599])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [200, 301, 304, 400, 401, 403, 404, 410, 451, 501, 505])
def test_not_retryable_statuses(status: int) -> None:
    assert not is_retryable_status(status)


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    rng = random.Random(1)
    for attempt in range(8):
        ceiling = min(10.0, 0.5 * 2**attempt)
        samples = [backoff_delay(attempt, base_s=0.5, max_s=10.0, rng=rng) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8  # really spread over the range, not a fixed value
        assert min(samples) < ceiling * 0.2


def test_backoff_huge_attempt_does_not_overflow() -> None:
    assert 0.0 <= backoff_delay(10_000, base_s=1.0, max_s=30.0) <= 30.0


def test_zero_base_means_no_wait() -> None:
    assert backoff_delay(3, base_s=0.0, max_s=30.0) == 0.0


@given(
    attempt=st.integers(0, 100),
    base=st.floats(0, 100),
    cap=st.floats(0, 1000),
    retry_after=st.none() | st.floats(0, 1e6),
)
def test_policy_delay_is_always_within_bounds(
    attempt: int, base: float, cap: float, retry_after: float | None
) -> None:
    delay = RetryPolicy(retries=3, base_s=base, max_s=cap).delay(attempt, retry_after, random.Random(0))
    assert 0.0 <= delay <= cap


def test_policy_honours_retry_after_exactly_when_under_the_cap() -> None:
    policy = RetryPolicy(retries=3, base_s=100.0, max_s=60.0)
    assert policy.delay(0, 2.0) == 2.0  # not jittered below what the server asked
    assert policy.delay(0, 3600.0) == 60.0  # but capped


def test_policy_counts_retries() -> None:
    policy = RetryPolicy(retries=2)
    assert [policy.should_retry(a) for a in range(4)] == [True, True, False, False]
    assert not RetryPolicy(retries=0).should_retry(0)
