"""Pytest fixtures for the fake news site.

Use from a test module or conftest with::

    pytest_plugins = ["tests.fakesite.fixtures"]

``fake_site`` is function-scoped: every test gets a freshly started site with
fresh articles, counters and robots.txt settings.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakesite import FakeSite


@pytest.fixture
def fake_site() -> Iterator[FakeSite]:
    """A running fake news site with fresh state (no generated articles, no Crawl-delay)."""
    with FakeSite() as site:
        yield site
