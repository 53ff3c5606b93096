"""Pages that are not articles, written to look like what bot-protection vendors and publishers serve.

Each :class:`Wall` is one answer a site gives instead of an article: its status,
headers and markup (the vendors' own markers, the wording and the layout of such
pages), and the outcome newswire must give it. ``redirect_to`` makes the page a
redirect to another path of the same server. :data:`ARTICLE_ABOUT_WALLS` is a
real article *about* cookie banners, paywalls and bot checks: it must stay an article.
"""

from __future__ import annotations

import dataclasses

_NAV = "".join(f'<li><a href="/section/{n}">Section {n}</a></li>' for n in range(12))


@dataclasses.dataclass(frozen=True)
class Wall:
    name: str
    kind: str
    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()
    redirect_to: str | None = None
    #: Text from the page that must never reach an article body.
    marker: str = ""


CLOUDFLARE = Wall(
    "cloudflare",
    "blocked",
    403,
    """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"><meta name="robots" content="noindex,nofollow"></head>
<body><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">news.example</h1>
<p id="challenge-body-text">Verifying you are human. This may take a few seconds.</p>
<div id="challenge-error-text">Enable JavaScript and cookies to continue</div></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "news.example",
cType: 'managed',cRay: '8f1c2d3e4f5a6b7c'};
var cpo = document.createElement('script');
cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1';
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>""",
    headers=(
        ("server", "cloudflare"),
        ("cf-mitigated", "challenge"),
        ("cf-ray", "8f1c2d3e4f5a6b7c-FRA"),
        ("cache-control", "private, max-age=0, no-store"),
    ),
    marker="Verifying you are human",
)
DATADOME = Wall(
    "datadome",
    "blocked",
    403,
    """<html lang="en"><head><title>news.example</title><style>#cmsg{animation: A 1.5s;}</style></head>
<body style="margin:0"><p id="cmsg">Please enable JS and disable any ad blocker</p>
<script data-cfasync="false">var dd={'rt':'c','cid':'AHrlqAAAAAMA1x','hsh':'2211F522B61E269B869FA6EAFFB5E1',
't':'fe','s':17434,'e':'8e1d','host':'geo.captcha-delivery.com','cookie':'datadome'}</script>
<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script></body></html>""",
    headers=(
        ("x-datadome", "protected"),
        ("x-dd-b", "1"),
        ("set-cookie", "datadome=abc; Max-Age=31536000; Path=/"),
        ("content-type", "text/html;charset=utf-8"),
    ),
    marker="disable any ad blocker",
)
PERIMETERX = Wall(
    "perimeterx",
    "blocked",
    403,
    """<!DOCTYPE html><html lang="en"><head><title>Access to this page has been denied</title>
<script>window._pxAppId = 'PXabc123';window._pxJsClientSrc = '/abc123/init.js';
window._pxHostUrl = '/abc123/xhr';
window._pxreCaptchaTheme = 'light';</script></head><body><section class="container">
<div class="page-title-wrapper"><h1 class="page-title">Before we continue...</h1></div>
<p class="page-subtitle">Press &amp; Hold to confirm you are a human (and not a bot).</p>
<div id="px-captcha"></div><p>Reference ID 7e1a2b3c-0000-11ef-a0a0-000000000000</p></section>
<script src="https://captcha.px-cdn.net/PXabc123/captcha.js?a=c&u=7e1a2b3c&m=0"></script></body></html>""",
    marker="confirm you are a human",
)
AKAMAI = Wall(
    "akamai",
    "blocked",
    403,
    """<HTML><HEAD>
<TITLE>Access Denied</TITLE>
</HEAD><BODY>
<H1>Access Denied</H1>

You don't have permission to access
"http&#58;&#47;&#47;news&#46;example&#47;politics&#47;story" on this server.<P>
Reference&#32;&#35;18&#46;6f1d3e17&#46;1733310000&#46;1a2b3c4d
<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;6f1d3e17&#46;1733310000&#46;1a2b3c4d</P>
</BODY>
</HTML>""",
    headers=(
        ("server", "AkamaiGHost"),
        ("mime-version", "1.0"),
        ("expires", "Wed, 04 Dec 2026 15:00:00 GMT"),
    ),
    marker="permission to access",
)
ROBOT_CHECK = Wall(
    "robot-check",
    "blocked",
    200,
    f"""<!doctype html><html><head><title>News Example</title></head><body>
<header><ul>{_NAV}</ul></header><main><h1>Are you a robot?</h1>
<p>We have detected unusual traffic from your computer network. Please enable JavaScript and cookies
in your browser, then complete the security check to continue reading.</p>
<noscript>Please enable JavaScript to view this page.</noscript></main></body></html>""",
    marker="unusual traffic",
)
CONSENT_REDIRECT = Wall(
    "consent-redirect",
    "consent_wall",
    302,
    "",
    redirect_to="/privacy-gate/consent?continue=%2Fnews%2Fconsent-redirect",
)
CONSENT_PAGE = Wall(
    "consent-page",
    "consent_wall",
    200,
    f"""<!doctype html><html lang="en"><head><title>Before you continue to News Example</title></head>
<body><header><ul>{_NAV}</ul></header><div class="cmp-dialog" role="dialog" aria-modal="true">
<h2>We value your privacy</h2>
<p>We and our partners store and/or access information on a device, such as cookies, and process personal
data, such as unique identifiers and standard information sent by a device, for personalised advertising
and content, advertising and content measurement, audience research and services development.</p>
<p>With your permission we and our partners may use precise geolocation data. You may click to consent to
our and our partners' processing as described above.</p>
<button class="accept">Accept all</button><button class="reject">Reject all</button>
<a href="/privacy/settings">Manage cookie settings</a></div></body></html>""",
    marker="We and our partners store",
)
LOGIN_REDIRECT = Wall(
    "login-redirect",
    "login_wall",
    302,
    "",
    redirect_to="/account/login?next=%2Fnews%2Flogin-redirect",
)
LOGIN_PAGE = Wall(
    "login-page",
    "login_wall",
    200,
    f"""<!doctype html><html><head><title>Sign in | News Example</title></head><body>
<header><ul>{_NAV}</ul></header><main class="auth"><h1>Sign in to continue reading</h1>
<form method="post" action="/session"><label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label><button>Sign in</button></form>
<p><a href="/password/reset">Forgot your password?</a> New here? <a href="/register">Create an account</a></p>
</main></body></html>""",
    marker="Forgot your password",
)
SOFT_404 = Wall(
    "soft-404",
    "soft_404",
    200,
    f"""<!doctype html><html><head><title>Page not found | News Example</title></head><body>
<header><ul>{_NAV}</ul></header><main><h1>Sorry, we couldn't find that page</h1>
<p>The page you were looking for may have been moved or deleted. Try the search, or go back to the
<a href="/">home page</a>.</p></main><footer>© News Example</footer></body></html>""",
    marker="may have been moved or deleted",
)
HOME_REDIRECT = Wall("home-redirect", "soft_404", 301, "", redirect_to="/")
PAYWALL = Wall(
    "paywall",
    "paywalled",
    200,
    f"""<!doctype html><html lang="en"><head>
<title>Council approves the new harbour plan | News Example</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Council approves the new harbour plan", "datePublished": "2026-12-01T08:00:00Z",
"isAccessibleForFree": false, "hasPart": {{"@type": "WebPageElement", "isAccessibleForFree": false,
"cssSelector": ".paywalled"}}}}</script></head>
<body><header><ul>{_NAV}</ul></header><article><h1>Council approves the new harbour plan</h1>
<p class="lead">The city council voted on Tuesday evening to go ahead with the harbour plan that has divided
the town for three years, after a debate that ran past midnight.</p>
<p>Twenty-three members voted in favour and eleven against.</p>
<div class="paywalled"><p>Subscribe to continue reading. Already a subscriber? Sign in.</p>
<a href="/subscribe">Get unlimited access for 1 € a month</a></div></article></body></html>""",
    marker="Subscribe to continue reading",
)

WALLS: tuple[Wall, ...] = (
    CLOUDFLARE,
    DATADOME,
    PERIMETERX,
    AKAMAI,
    ROBOT_CHECK,
    CONSENT_REDIRECT,
    CONSENT_PAGE,
    LOGIN_REDIRECT,
    LOGIN_PAGE,
    SOFT_404,
    HOME_REDIRECT,
    PAYWALL,
)

_ABOUT = [
    "Most readers in Europe now meet a cookie banner before they meet the news. Under the ePrivacy rules a "
    "site must ask before it stores anything on a device, and the answer has become a button: Accept all, "
    "or Reject all, or Manage cookie settings, which few people ever open.",
    "Publishers say the banners cost them readers. A regional daily in the north told us that one visitor in "
    "five leaves at the consent dialog, and that the share is higher on phones. Others ask readers to "
    "subscribe to continue reading, and find that a paywall loses fewer of them than a wall of legal text.",
    "Bot checks add a third barrier. Pages that ask 'Are you a robot?' or tell visitors to enable JavaScript "
    "are meant for scrapers, yet they catch screen readers, old browsers and anyone on a busy network. One "
    "accessibility group counted forty complaints in a month from blind readers who could not get past them.",
    "Regulators have noticed. The data protection authority said this autumn that rejecting must be as easy "
    "as accepting, and several large sites have since moved the Reject all button to the first screen. "
    "Whether readers come back is another question, and the publishers we spoke to are not yet sure.",
]
ARTICLE_ABOUT_WALLS = f"""<!doctype html><html lang="en"><head>
<title>Cookie banners, paywalls and bot checks: the new front page | News Example</title>
<meta property="og:type" content="article"><meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2026-11-30T09:00:00Z"></head>
<body><header><ul>{_NAV}</ul><a href="/login">Sign in</a> <a href="/subscribe">Subscribe</a></header>
<article><h1>Cookie banners, paywalls and bot checks: the new front page</h1>
{"".join(f"<p>{p}</p>" for p in _ABOUT)}</article>
<footer><a href="/privacy">Cookie settings</a> ·
<a href="/privacy">Your privacy choices</a></footer></body></html>"""
ARTICLE_ABOUT_WALLS_TEXT = _ABOUT
