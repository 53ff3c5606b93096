"""When sources are polled: interval, publisher hints, backoff; all driven by `now`."""

from __future__ import annotations

import pytest

from newswire.sources import SourceSchedule, SourceStatus, cache_control_max_age


def schedule(**sources: float) -> SourceSchedule:
    s = SourceSchedule()
    for key, interval in sources.items():
        s.add(key, interval, now=1000.0)
    return s


def test_new_sources_due_at_once_most_overdue_first() -> None:
    s = schedule(b=300, a=60)
    assert s.due(999.0) == []
    assert s.due(1000.0) == ["a", "b"]
    s.record_success("a", 1000.0)
    assert s.due(1001.0) == ["b"]
    assert s.next_poll("a") == 1060.0
    assert s.next_due() == 1000.0


def test_hints_lengthen_but_never_shorten_the_interval() -> None:
    s = schedule(feed=300)
    assert s.record_success("feed", 0.0, ttl_s=900) == 900.0
    assert s.record_success("feed", 0.0, max_age_s=60) == 300.0
    assert s.record_success("feed", 0.0, ttl_s=600, max_age_s=1200) == 1200.0
    assert s.record_success("feed", 0.0, ttl_s=0, max_age_s=None) == 300.0


def test_hint_is_capped() -> None:
    s = SourceSchedule(max_hint_s=3600)
    s.add("feed", 300, 0.0)
    assert s.record_success("feed", 0.0, ttl_s=365 * 86400) == 3600.0


def test_backoff_doubles_caps_and_resets() -> None:
    s = schedule(feed=300)
    waits = [s.record_failure("feed", 0.0, error="HTTP 503") for _ in range(6)]
    assert waits == [600.0, 1200.0, 2400.0, 3600.0, 3600.0, 3600.0]
    assert s.record_success("feed", 10.0) == 310.0
    assert s.record_failure("feed", 10.0) == 610.0


def test_backoff_never_below_a_long_interval_and_never_overflows() -> None:
    s = schedule(daily=86400)
    assert s.record_failure("daily", 0.0) == 86400.0
    for _ in range(2000):
        s.record_failure("daily", 0.0)
    assert s.next_poll("daily") == 86400.0


def test_status_view() -> None:
    s = schedule(feed=300)
    s.record_failure("feed", 1000.0, error="timeout")
    s.record_failure("feed", 1600.0, error="HTTP 500")
    s.record_success("feed", 2800.0)
    assert s.status("feed") == SourceStatus(
        key="feed",
        interval_s=300,
        next_poll=3100.0,
        last_poll=2800.0,
        last_success=2800.0,
        last_failure=1600.0,
        consecutive_failures=0,
        error_count=2,
        success_count=1,
        last_error="HTTP 500",
    )
    assert [st.key for st in s.statuses()] == ["feed"]


def test_add_remove_and_unknown_keys() -> None:
    s = schedule(feed=300)
    s.add("feed", 600, now=5000.0)  # known: only the interval changes
    assert s.next_poll("feed") == 1000.0
    assert "feed" in s
    assert len(s) == 1
    s.remove("feed")
    s.remove("feed")
    assert s.due(10**9) == []
    assert s.next_due() is None
    with pytest.raises(KeyError):
        s.record_success("feed", 0.0)
    with pytest.raises(ValueError):
        s.add("x", 0, 0.0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=600", 600.0),
        ("public, max-age=300, must-revalidate", 300.0),
        ("Public, Max-Age=120", 120.0),
        ('max-age="90"', 90.0),
        ("s-maxage=900, max-age=60", 60.0),
        ("s-maxage=900", None),
        ("max-age=0", 0.0),
        ("no-cache, max-age=600", None),
        ("no-store", None),
        ("private", None),
        ("max-age=abc", None),
        ("max-age=-5", None),
        ("", None),
        (None, None),
    ],
)
def test_cache_control_max_age(header: str | None, expected: float | None) -> None:
    assert cache_control_max_age(header) == expected
