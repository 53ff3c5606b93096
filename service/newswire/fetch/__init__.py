"""The fetch stage: polite, SSRF-guarded, retrying HTTP GETs.

    async with Fetcher(settings.fetch) as fetcher:
        result = await fetcher.fetch(url, validators=Validators(etag=previous_etag))
        if not result.not_modified:
            event = extract(result.content, result.final_url, result.content_type)

Errors are ``newswire.errors.FetchError`` (``retryable``, ``status``,
``retry_after``) and its subclass ``BlockedError`` (robots.txt, address guard,
scheme, size); httpx exceptions never leave this package.
``fetcher.download(url, path, max_bytes=...)`` streams a large file (a WARC) to
disk through the same guard, robots.txt, politeness and proxies, resuming with
HTTP Range after a break.
A bot-protection vendor's refusal raises ``NotArticleError(kind="blocked")``;
``page_kind``/``redirect_kind`` tell a 200 page that is a wall from an article.
``RobotsUnavailableError`` is the retryable ``FetchError`` raised while an
origin's robots.txt cannot be read.
"""

from newswire.fetch._client import Fetcher
from newswire.fetch._download import Download
from newswire.fetch._models import FetchResult, ResponseObserver, Validators
from newswire.fetch._page_kind import PAGE_KINDS, PageKind, Verdict, page_kind, redirect_kind, refusal_kind
from newswire.fetch._robots import RobotsUnavailableError

__all__ = [
    "PAGE_KINDS",
    "Download",
    "FetchResult",
    "Fetcher",
    "PageKind",
    "ResponseObserver",
    "RobotsUnavailableError",
    "Validators",
    "Verdict",
    "page_kind",
    "redirect_kind",
    "refusal_kind",
]
