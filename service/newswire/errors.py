"""The one exception tree of newswire.

    NewswireError
    ├── ConfigError            bad configuration; names the offending key
    ├── BrokerError            the embedded Kafka broker could not be set up or started
    ├── FetchError             an HTTP fetch failed (``url``, ``status``, ``retryable``)
    │   ├── BlockedError       refused by policy: robots.txt, address guard, scheme, size
    │   │   └── RobotsDeniedError  robots.txt disallows the URL for our user agent
    │   └── NotArticleError    a bot challenge, consent/login wall, soft 404 or paywall (``kind``)
    ├── SourceError            a feed, sitemap or URL list could not be read
    ├── ArchiveError           a WARC file or record could not be read or written (``path``, ``offset``)
    ├── ExtractError           a page or text dump gave no article
    ├── EventError             an event is not valid JSON or breaks the schema
    ├── EnrichError            enrichment of one article failed
    └── BusError               Kafka is unreachable or refused an operation

Foreign exceptions (httpx, aiokafka, lxml) are translated at the boundary of
``fetch/`` and ``bus/``, so daemons only ever catch these classes.
"""

from __future__ import annotations


class NewswireError(Exception):
    """Root of every error newswire raises on purpose."""


class ConfigError(NewswireError):
    """Configuration is invalid. ``key`` is the dotted path of the bad setting."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


class BrokerError(NewswireError):
    """The embedded broker could not be prepared or started."""


class FetchError(NewswireError):
    """A fetch failed. ``retryable`` says whether trying again later may help."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class BlockedError(FetchError):
    """A fetch was refused by policy before or during the request (never retried)."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message, url=url, retryable=False)


class RobotsDeniedError(BlockedError):
    """robots.txt disallows the URL: a publisher's choice to respect, not a failure to report."""


class NotArticleError(FetchError):
    """The site answered, but with a page that is not the article; never retried at once.

    ``kind`` is one of ``blocked``, ``consent_wall``, ``login_wall``,
    ``soft_404``, ``paywalled`` (see ``newswire.fetch.page_kind``).
    """

    def __init__(self, message: str, *, url: str, kind: str, status: int | None = None) -> None:
        super().__init__(message, url=url, status=status, retryable=False)
        self.kind = kind
        self.message = message

    def __reduce__(self) -> tuple[object, tuple[str, str, str, int | None]]:
        # Raised inside extraction worker processes: keyword-only arguments need their own recipe.
        return _not_article, (self.message, self.url, self.kind, self.status)


def _not_article(message: str, url: str, kind: str, status: int | None) -> NotArticleError:
    return NotArticleError(message, url=url, kind=kind, status=status)


class SourceError(NewswireError):
    """A source (feed, sitemap, URL list, folder) could not be read or parsed."""


class ArchiveError(NewswireError):
    """A WARC file or one of its records could not be read or written.

    ``path`` is the file and ``offset`` the byte offset in it where the bad data begins
    (``None`` when the whole file is at fault), so a dead letter can point at it.
    """

    def __init__(self, message: str, *, path: str, offset: int | None = None) -> None:
        super().__init__(f"{path}@{offset}: {message}" if offset is not None else f"{path}: {message}")
        self.path = path
        self.offset = offset
        self.reason = message

    def __reduce__(self) -> tuple[object, tuple[str, str, int | None]]:
        return _archive_error, (self.reason, self.path, self.offset)


def _archive_error(message: str, path: str, offset: int | None) -> ArchiveError:
    return ArchiveError(message, path=path, offset=offset)


class ExtractError(NewswireError):
    """No article could be extracted from an input."""


class EventError(NewswireError):
    """An event could not be decoded or does not match its schema."""


class EnrichError(NewswireError):
    """Enrichment of one article failed."""


class BusError(NewswireError):
    """A Kafka operation failed (unreachable broker, missing topic, refused write)."""
