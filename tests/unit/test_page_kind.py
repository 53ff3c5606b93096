"""Pages that are not articles are recognised, each as its own kind; articles about walls are not walls.

The walls are imitations of what vendors and publishers serve (``tests/support/walls.py``);
200 pages go through the same extraction job ingest runs, so the verdict is the one a user gets.
"""

from __future__ import annotations

import pickle

import pytest

from newswire.daemons._extract_jobs import extract_page
from newswire.errors import FetchError, NotArticleError
from newswire.events import ArticleEvent
from newswire.fetch import PAGE_KINDS, redirect_kind, refusal_kind
from newswire.fetch._page_kind import THIN_BODY_CHARS
from tests.support.walls import ARTICLE_ABOUT_WALLS, ARTICLE_ABOUT_WALLS_TEXT, CLOUDFLARE, WALLS, Wall

ARTICLE_URL = "https://news.example/news/2026/12/harbour-plan"
FETCHED = "2026-12-04T12:00:00+00:00"


def run_job(html: str | bytes, url: str = ARTICLE_URL) -> ArticleEvent:
    content = html.encode() if isinstance(html, str) else html
    event, _ = extract_page(content, url, "text/html; charset=utf-8", {}, FETCHED, "test")
    return event


def test_every_outcome_is_imitated() -> None:
    assert {w.kind for w in WALLS} == set(PAGE_KINDS)


@pytest.mark.parametrize("wall", [w for w in WALLS if w.status >= 400], ids=lambda w: w.name)
def test_vendor_refusals_are_blocked(wall: Wall) -> None:
    verdict = refusal_kind(wall.status, {k.lower(): v for k, v in wall.headers}, wall.body.encode())
    assert verdict is not None and verdict.kind == wall.kind


def test_a_challenge_is_known_by_its_markup_without_the_vendor_headers() -> None:
    verdict = refusal_kind(503, {"server": "cloudflare"}, CLOUDFLARE.body.encode())
    assert verdict is not None and verdict.kind == "blocked" and "Cloudflare" in verdict.why


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (403, {"server": "cloudflare"}, b"<html><body><h1>403 Forbidden</h1></body></html>"),
        (503, {"server": "nginx"}, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"),
        (404, {}, b"<html><title>Not found</title></html>"),
        (403, {"server": "Apache"}, b""),
    ],
)
def test_plain_http_errors_stay_http_errors(status: int, headers: dict[str, str], body: bytes) -> None:
    assert refusal_kind(status, headers, body) is None


@pytest.mark.parametrize("wall", [w for w in WALLS if w.redirect_to], ids=lambda w: w.name)
def test_redirects_to_walls_are_recognised(wall: Wall) -> None:
    assert wall.redirect_to is not None
    verdict = redirect_kind(ARTICLE_URL, "https://news.example" + wall.redirect_to)
    assert verdict is not None and verdict.kind == wall.kind


@pytest.mark.parametrize(
    "final",
    [
        ARTICLE_URL,
        ARTICLE_URL + "/",
        ARTICLE_URL.replace("https:", "http:"),
        "https://www.news.example/news/2026/12/harbour-plan?utm_source=rss",
        "https://news.example/2026/12/04/harbour-plan-approved",
    ],
)
def test_ordinary_redirects_are_not_walls(final: str) -> None:
    assert redirect_kind(ARTICLE_URL, final) is None


def test_consent_host_redirect_is_a_consent_wall() -> None:
    verdict = redirect_kind(
        ARTICLE_URL, "https://consent.news.example/v2/collectConsent?sessionId=3_cc-session"
    )
    assert verdict is not None and verdict.kind == "consent_wall"


@pytest.mark.parametrize("wall", [w for w in WALLS if w.status == 200], ids=lambda w: w.name)
def test_walls_served_with_200_never_become_articles(wall: Wall) -> None:
    with pytest.raises(NotArticleError) as caught:
        run_job(wall.body)
    assert caught.value.kind == wall.kind
    assert caught.value.url == ARTICLE_URL


def test_an_article_about_cookies_paywalls_and_robots_is_an_article() -> None:
    event = run_job(ARTICLE_ABOUT_WALLS)
    assert event.body.split("\n\n") == ARTICLE_ABOUT_WALLS_TEXT


def test_vendor_sensor_scripts_on_an_article_do_not_make_it_a_challenge() -> None:
    # Bot-protection vendors put their sensors on every page; only their challenge pages are walls.
    sensors = (
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
        '<script src="https://js.datadome.co/tags.js" async></script>'
        "<script>window._pxAppId = 'PXabc123';</script>"
    )
    event = run_job(ARTICLE_ABOUT_WALLS.replace("</head>", sensors + "</head>"))
    assert event.body.split("\n\n") == ARTICLE_ABOUT_WALLS_TEXT


def test_not_article_error_survives_the_trip_from_an_extraction_process() -> None:
    error = NotArticleError("Cloudflare challenge", url=ARTICLE_URL, kind="blocked", status=403)
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, NotArticleError) and isinstance(back, FetchError) and not back.retryable
    assert (back.kind, back.url, back.status, str(back)) == ("blocked", ARTICLE_URL, 403, str(error))


# --- short articles that carry a wall's signal are still articles -----------------------------------

_BRIEF = (
    "<p>The harbour board met on Tuesday and agreed to keep the ferry running through the winter, after "
    "a season in which more islanders used it than in any year since the bridge opened.</p>"
    "<p>The board will review the timetable in March, when the new boats are due.</p>"
)


def short_article(
    headline: str = "Ferry keeps running through the winter",
    *,
    head: str = "",
    paragraphs: str = _BRIEF,
    extra: str = "",
) -> str:
    """A news brief well under ``THIN_BODY_CHARS``, so every wall rule gets to look at it."""
    return (
        f"<!doctype html><html lang='en'><head><title>{headline} | News Example</title>{head}</head>"
        f"<body><header><ul><li><a href='/'>Home</a></li></ul></header><article><h1>{headline}</h1>"
        f"{paragraphs}</article>{extra}<footer>© News Example</footer></body></html>"
    )


_NOT_FREE = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
    '"headline": "Ferry keeps running through the winter", "isAccessibleForFree": false}</script>'
)
_IMPERVA_SENSOR = (
    '<script src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3&ns=1&cb=1"></script>'
)
_COOKIE_BANNER = (
    '<div class="cookie-banner" role="dialog"><p>We use cookies to improve your experience.</p>'
    "<button>Accept all</button><button>Reject all</button><a href='/privacy'>Cookie settings</a></div>"
)
_SUBSCRIBE_BOX = (
    '<div class="newsletter"><h2>Subscribe now</h2><p>Already a subscriber? Sign in. '
    "Get our morning briefing every day.</p></div>"
)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(short_article(extra=_IMPERVA_SENSOR), id="imperva-sensor-script"),
        pytest.param(short_article(head=_NOT_FREE), id="declared-not-free-without-a-paywall"),
        pytest.param(short_article("Counting error delays the result in the north"), id="error-in-headline"),
        pytest.param(
            short_article("Hikers not found after two days on the ridge"), id="not-found-in-headline"
        ),
        pytest.param(
            short_article(
                "Gewerkschaft lehnt das Angebot ab",
                paragraphs="<p>Die Gewerkschaft will das Angebot der Arbeitgeber nicht akzeptieren und ruft "
                "für Donnerstag zu einem Warnstreik an allen Standorten im Norden auf.</p>"
                "<p>Die nächste Verhandlungsrunde ist für März angesetzt.</p>",
            ),
            id="akzeptieren-in-text",
        ),
        pytest.param(
            short_article(extra=_COOKIE_BANNER + _SUBSCRIBE_BOX), id="cookie-banner-and-subscribe-box"
        ),
    ],
)
def test_a_short_article_with_a_walls_signal_is_an_article(page: str) -> None:
    event = run_job(page)
    assert 0 < len(event.body) < THIN_BODY_CHARS
    assert "winter" in event.body or "Warnstreik" in event.body


def test_a_metered_article_keeps_its_declaration() -> None:
    assert run_job(short_article(head=_NOT_FREE)).free_access is False


_IMPERVA_BLOCK = (
    '<html style="height:100%"><head><meta name="ROBOTS" content="NOINDEX, NOFOLLOW"></head>'
    '<body style="margin:0px;height:100%"><iframe id="main-iframe" src="/_Incapsula_Resource?'
    'CWUDNSAI=9&xinfo=1-2-3&incident_id=4-5&edet=12" frameborder=0 width="100%" height="100%">'
    "Request unsuccessful. Incapsula incident ID: 4-5</iframe></body></html>"
)


def test_an_imperva_block_page_is_blocked_whatever_its_status() -> None:
    refused = refusal_kind(403, {}, _IMPERVA_BLOCK.encode())
    assert refused is not None and refused.kind == "blocked" and "Imperva" in refused.why
    with pytest.raises(NotArticleError) as caught:
        run_job(_IMPERVA_BLOCK)
    assert caught.value.kind == "blocked"


def test_a_teaser_that_says_the_story_goes_on_for_subscribers_is_paywalled_undeclared() -> None:
    teaser = short_article(
        paragraphs="<p>The harbour board met on Tuesday and agreed to keep the ferry running.</p>"
        "<div class='wall'><p>Subscribe to continue reading.</p></div>"
    )
    with pytest.raises(NotArticleError) as caught:
        run_job(teaser)
    assert caught.value.kind == "paywalled"
