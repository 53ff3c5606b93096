"""What ingest decides about one URL, as pure functions: no Kafka, no network, no clock of its own.

:class:`~newswire.daemons._url_work.UrlWorker` does the I/O (fetch, extract
in the pool, build records) and asks these functions what it means: whether to
fetch at all (:func:`skip_before_fetch`), whether an extracted article is new,
an edit, a duplicate or unchanged (:func:`decide_article`), what a failed
fetch leads to (:func:`decide_failure`), and whether a page read from a web
archive is older than what the URL's state already holds (:func:`skip_imported`).
Every outcome has a :class:`Reason`.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Mapping

import orjson

from newswire.events import ArticleEvent
from newswire.revisions import paragraph_digests, remember_text, text_diff
from newswire.state import TRACKED_FIELDS, UrlState

#: Tries of a URL whose fetch failed with a retryable error, the first included.
MAX_ATTEMPTS = 3


class Reason(enum.StrEnum):
    """Why handling a URL ended as it did: a metric label, and a dead letter's ``context.reason``."""

    CREATED = "created"
    UPDATED = "updated"
    REMOVED = "removed"
    UNCHANGED = "unchanged"
    UNCHANGED_LASTMOD = "unchanged_lastmod"
    RECENTLY_CHECKED = "recently_checked"
    NOT_MODIFIED = "not_modified"
    DUPLICATE_CONTENT = "duplicate_content"
    IN_FLIGHT_DUPLICATE = "in_flight_duplicate"
    OLDER_SNAPSHOT = "older_snapshot"
    ROBOTS_DENIED = "robots_denied"
    REQUEUED = "requeued"
    PARKED = "parked"
    # dead-lettered
    BLOCKED = "blocked"
    FETCH_FAILED = "fetch_failed"
    EXTRACT_FAILED = "extract_failed"
    INVALID_CANDIDATE = "invalid_candidate"
    INTERNAL_ERROR = "internal_error"
    # not an article (the page kinds of newswire.fetch.page_kind), dead-lettered
    CONSENT_WALL = "consent_wall"
    LOGIN_WALL = "login_wall"
    SOFT_404 = "soft_404"
    PAYWALLED = "paywalled"


def skip_before_fetch(
    prev: UrlState | None, *, lastmod: str | None, now: float, recheck_after_s: float
) -> Reason | None:
    """Why not to fetch a candidate at all (its lastmod has not moved, or it was checked lately), or None."""
    if prev is None or prev.removed:
        return None
    if lastmod and prev.lastmod and lastmod <= prev.lastmod:
        return Reason.UNCHANGED_LASTMOD
    if now - prev.checked < recheck_after_s:
        return Reason.RECENTLY_CHECKED
    return None


def skip_imported(prev: UrlState | None, *, captured: float) -> Reason | None:
    """Why not to decide a page read from a web archive (captured at epoch ``captured``) at all:
    the URL was last checked (fetched live, found gone, or read from a later capture) after
    it, so the archived copy is an older snapshot, not an edit. None: decide it as a fetched page."""
    if prev is not None and prev.checked > captured:
        return Reason.OLDER_SNAPSHOT
    return None


def _digest(value: object) -> str:
    return hashlib.blake2b(orjson.dumps(value), digest_size=8).hexdigest()


def field_digests(article: ArticleEvent) -> dict[str, str]:
    return {name: _digest(getattr(article, name)) for name in TRACKED_FIELDS}


#: The tracked fields ``ArticleEvent.fingerprint`` covers. It is blind to whitespace and case, so
#: a refetch whose title and body differ only in those is re-rendering noise, not an edit.
FINGERPRINTED = frozenset({"title", "body"})


def edited_fields(prev: UrlState, article: ArticleEvent, digests: Mapping[str, str]) -> list[str]:
    """The tracked fields in which ``article`` differs from the version ``prev`` published,
    or ``[]`` when it is no edit.

    A byline change or a new standfirst leaves the fingerprint alone, so the
    fingerprint cannot decide this on its own: any other tracked field's digest
    moving is an edit too. When it is one, every differing field is listed, so
    ``changed_fields`` agrees with the event's ``diff``.
    """
    differ = [name for name in TRACKED_FIELDS if prev.fields.get(name) != digests[name]]
    text_edited = prev.fingerprint != article.fingerprint
    if text_edited or any(name not in FINGERPRINTED for name in differ):
        return differ
    return []


@dataclasses.dataclass(frozen=True, slots=True)
class ArticleDecision:
    """What to do with an extracted article: publish ``article`` (None: nothing) and remember ``state``."""

    reason: Reason
    state: UrlState
    article: ArticleEvent | None = None


def decide_article(
    article: ArticleEvent,
    prev: UrlState | None,
    base: UrlState,
    *,
    owner: str | None,
    force: bool = False,
) -> ArticleDecision:
    """Decide whether ``article`` (just extracted from ``base.url``) is created, updated or neither.

    ``prev`` is the URL's last state, ``base`` its state after this fetch (validators,
    time checked), ``owner`` the URL that already published this exact text, if any.
    ``force`` publishes an unchanged article as an update anyway (``newswire replay --force``).
    The article to publish has its version, change, changed fields and diff set.
    """
    url = base.url
    if owner is not None and owner != url:
        return ArticleDecision(Reason.DUPLICATE_CONTENT, base)
    digests = field_digests(article)
    if prev is not None and prev.article_id and not prev.removed:
        changed = edited_fields(prev, article, digests)
        if not changed and not force:
            kept = dataclasses.replace(
                prev,
                checked=base.checked,
                etag=base.etag,
                last_modified=base.last_modified,
                lastmod=base.lastmod,
            )
            return ArticleDecision(Reason.UNCHANGED, kept)
        article.version = prev.version + 1
        article.change = "updated"
        article.changed_fields = changed
        article.diff = text_diff(prev.text, prev.paragraphs, article)
    elif prev is not None and prev.article_id:
        article.version = prev.version + 1  # re-published after removal
    state = dataclasses.replace(
        base,
        article_id=article.article_id,
        version=article.version,
        fingerprint=article.fingerprint,
        fields=digests,
        text=remember_text(article),
        paragraphs=paragraph_digests(article.body),
    )
    return ArticleDecision(Reason(article.change), state, article)


def decide_failure(prev: UrlState | None, *, status: int | None, retryable: bool, attempt: int) -> Reason:
    """A failed fetch: ``REMOVED`` (a published article's page is gone), ``REQUEUED`` (try again
    later) or ``FETCH_FAILED`` (dead-letter it)."""
    if status in (404, 410) and prev is not None and prev.article_id and not prev.removed:
        return Reason.REMOVED
    if retryable and attempt + 1 < MAX_ATTEMPTS:
        return Reason.REQUEUED
    return Reason.FETCH_FAILED


def retry_delay(attempt: int, retry_after: float | None) -> float:
    """Seconds before retrying a URL whose ``attempt``-th fetch failed (at least what the server asked)."""
    return max(retry_after or 0.0, 30.0 * 2.0**attempt)
