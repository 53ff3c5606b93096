"""A fake news site on a real loopback HTTP server, for integration tests.

    from tests.fakesite import FakeSite
    with FakeSite() as site:
        site.base_url                     # http://127.0.0.1:<port>
        site.article_urls()               # regular articles, newest first
        site.edit_article(slug, title=...) ; site.hits("/robots.txt")

Or take the ``fake_site`` fixture from ``tests.fakesite.fixtures``. The routes
are listed in ``tests/fakesite/_app.py``.
"""

from tests.fakesite._app import BOMB_DECODED_BYTES, MEMBER_PASSWORD, MEMBER_TOKEN, MEMBER_USER, RequestRecord
from tests.fakesite._articles import SEED_SLUG, Article
from tests.fakesite._server import FakeSite

__all__ = [
    "BOMB_DECODED_BYTES",
    "MEMBER_PASSWORD",
    "MEMBER_TOKEN",
    "MEMBER_USER",
    "SEED_SLUG",
    "Article",
    "FakeSite",
    "RequestRecord",
]
