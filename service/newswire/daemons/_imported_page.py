"""A ``urls`` record that carries an ``imported`` event: a page read from a WARC file, decided here.

An import worker (``daemons/_import_role.py``) extracts the page and hands the
article on, keyed like a candidate URL, to the ingest fetch role that owns the
URL's state. That role decides it as it decides a fetched page
(:func:`~newswire.daemons._url_decision.decide_article`): created, updated with
the next version, unchanged, or a duplicate of another URL's text. The capture
time (the article's ``fetched``, the record's ``WARC-Date``) stands for the check
time, so a capture older than the URL's last check is skipped as an older
snapshot, not published as an edit; the URL's validators stay those of its last
live fetch. So the same page in two files, or in a file and on the live site, is
published once, and its versions stay in one place.

Pure: no Kafka, no network, no clock; :class:`~newswire.daemons._url_work.UrlWorker`
turns the decision into records.
"""

from __future__ import annotations

from datetime import datetime

from newswire.daemons._url_decision import ArticleDecision, Reason, decide_article, skip_imported
from newswire.events import ArticleEvent
from newswire.state import UrlState


def decide_imported(
    article: ArticleEvent, url: str, prev: UrlState | None, *, owner: str | None
) -> ArticleDecision | Reason:
    """The decision on ``article``, imported for ``url`` (whose last state is ``prev``; ``owner``
    is the URL that already published this exact text, if any), or ``Reason.OLDER_SNAPSHOT``
    when it is not decided at all and the URL's state stays as it is."""
    captured = datetime.fromisoformat(article.fetched).timestamp()
    skip = skip_imported(prev, captured=captured)
    if skip is not None:
        return skip
    base = UrlState(
        url=url,
        checked=captured,
        etag=prev.etag if prev else None,
        last_modified=prev.last_modified if prev else None,
        lastmod=prev.lastmod if prev else None,
    )
    return decide_article(article, prev, base, owner=owner)
