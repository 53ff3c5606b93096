"""Recognise answers that are not articles: bot challenges, consent and login walls, soft 404s, paywalls.

Pure functions, no I/O. Three entry points:

* :func:`refusal_kind` looks at a non-2xx answer (status, headers, the first
  bytes of its body) and names the bot-protection vendor that sent it, if any;
* :func:`redirect_kind` looks at where a request for an article ended (a
  consent host, a login page, the home page);
* :func:`page_kind` looks at a 200 page (its HTML and what extraction made of
  it) and says whether it is a wall instead of an article.

Each verdict is one of :data:`PAGE_KINDS`. A real article must never be
refused, so every rule needs either a vendor's own fingerprint (a marker that
only its challenge page carries, not the sensor script it adds to ordinary
pages) or a wall phrase on a page whose text is *thin*: extraction found no
article or fewer than :data:`THIN_BODY_CHARS` characters. An article that
mentions cookies, subscriptions or robots has a body and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

PageKind = Literal["blocked", "consent_wall", "login_wall", "soft_404", "paywalled"]
PAGE_KINDS: tuple[PageKind, ...] = ("blocked", "consent_wall", "login_wall", "soft_404", "paywalled")

#: Below this many characters of extracted body a page is thin: wall phrases may decide it.
THIN_BODY_CHARS = 1000
#: A wall page shows little text of its own; a page with more visible text than this is judged
#: by vendor markers and its extracted body only, never by phrases in its navigation or footer.
WALL_VISIBLE_CHARS = 2500
#: How much of a page the markers are looked for in (challenge and wall markup comes early).
_SCAN_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Verdict:
    """A page that is not an article: its ``kind`` and the signal that gave it away (``why``)."""

    kind: PageKind
    why: str


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


# --- bot challenges: markers only the challenge page carries -------------------------------------

#: Literal markers, looked for in the lower-cased markup (substring search: a page costs microseconds).
_CHALLENGE_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Cloudflare challenge",
        (
            "window._cf_chl_opt",
            "cf-browser-verification",
            'id="challenge-error-text"',
            "<title>just a moment...</title>",
            "<title>attention required! | cloudflare</title>",
        ),
    ),
    ("DataDome captcha", ("geo.captcha-delivery.com", "ct.captcha-delivery.com")),
    ("PerimeterX captcha", ('id="px-captcha"', "captcha.px-cdn.net", "_pxcaptcha")),
    # Not "_incapsula_resource" alone: Imperva loads its sensor from that path on every page it
    # protects; only the block page frames it (``main-iframe``) or names an incident.
    ("Imperva/Incapsula challenge", ('id="main-iframe" src="/_incapsula_resource', "incapsula incident id")),
    ("AWS WAF challenge", ("awswafintegration.gettoken", "token.awswaf.com")),
)
#: Akamai's denial page: its title and text, with the reference it writes as character references.
_AKAMAI_TEXT = ("<title>access denied</title>", "you don't have permission to access")
_AKAMAI_REFERENCE = (
    "errors.edgesuite.net",
    "errors&#46;edgesuite&#46;net",
    "reference #",
    "reference&#32;&#35;",
)
_ROBOT_PHRASES = _rx(
    r"are you a (ro)?bot",
    r"verify (that )?you are (a )?human",
    r"checking (if the site connection is secure|your browser)",
    r"enable javascript and cookies to continue",
    r"unusual traffic from your (computer|network)",
    r"press (&amp;|&) hold",
    r"complete the security check",
    r"request (was|has been) blocked",
    r"bot (detection|protection)",
)

#: Notes that many ordinary pages carry for readers without scripts: a bot check only on a refusal.
_SCRIPT_NOTES = _rx(r"please enable (javascript|js)\b", r"javascript is (disabled|required)")

# --- consent, login, not-found and paywall walls ----------------------------------------------------

_CONSENT_HOSTS = _rx(
    r"^consent\.",
    r"^guce\.",
    r"^myprivacy\.",
    r"^privacy\.",
    r"^cmp\.",
    r"^cookies?\.",
)
_CONSENT_PATHS = _rx(
    r"/(cookie|consent|privacy)[-_]?(wall|gate|consent|settings|check)\b",
    r"/consent(/|$)",
    r"/collectConsent",
    r"/privacy-gate",
)
_CONSENT_PHRASES = _rx(
    r"accept all cookies",
    r"reject all cookies",
    r"(accept|agree) and (continue|close)",
    r"we (and our|value your) (partners|privacy)",
    r"manage (cookie|consent|privacy) (settings|preferences|options)",
    r"cookie (settings|preferences|consent)",
    r"your privacy choices",
    r"(alle|cookies) akzeptieren",
    r"tout accepter",
    r"aceptar (todo|todas)",
    r"accetta (tutto|tutti)",
    r"zustimmen und weiter",
    r"consent to (the use of )?(cookies|your data)",
)
_LOGIN_PATHS = _rx(
    r"/(log-?in|sign-?in|signon|auth(enticate)?|sso|account/(log-?in|sign-?in)|session/new|anmelden)(/|$|\?)",
    r"[?&](return_?to|redirect(_uri|_url)?|next|continue)=https?%3a",
)
_LOGIN_PHRASES = _rx(
    r"(log|sign) ?in to (continue|read|view|access)",
    r"please (log|sign) ?in",
    r"forgot (your )?password",
    r"create (an|your) account",
    r"bitte (melden sie sich an|einloggen)",
    r"connectez-vous",
)
_PASSWORD_FIELD = _rx(r"<input[^>]+type=[\"']?password")
_NOT_FOUND_TITLE = _rx(
    r"\b404\b",
    r"page (was )?not found",
    r"\bnot found\b",
    r"page (does not|doesn't) exist",
    r"(seite|artikel) nicht gefunden",
    r"page introuvable",
    r"p[aá]gina no encontrada",
    r"pagina non trovata",
    r"pagina niet gevonden",
    r"an error (has )?occurred",
    r"\berror\b",
    r"no longer available",
)
#: Words that say the article goes on behind the wall: on a page with little text, a teaser.
_TEASER_PHRASES = _rx(
    r"subscribe (now )?to (continue|keep) reading",
    r"(this|the rest of this) (article|story|content) is (only )?(available )?(for|to) (subscribers|members)",
    r"(subscribers|members) only",
    r"to continue reading",
    r"unlock (this|the full) (article|story)",
    r"jetzt weiterlesen",
    r"r[ée]serv[ée] aux abonn[ée]s",
    r"article r[ée]serv[ée]",
    r"contenido (exclusivo )?para suscriptores",
    r"riservato agli abbonati",
)
#: Subscription offers that sit in the header or footer of every page of some publishers.
_SUBSCRIBE_PHRASES = _rx(
    r"already a subscriber",
    r"(mit|als) (plus|abo)",
    r"abonnieren sie",
)

_TITLE_SEPARATOR = re.compile(r"\s[|\-–—:·]\s|[|｜]")
_ERROR_TITLE_WORDS = 5
_TITLE = re.compile(r"<title[^>]*>([^<]{0,300})", re.IGNORECASE)
_H1 = re.compile(r"<h1[^>]*>(.{0,300}?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style|noscript)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _markup(html: bytes) -> str:
    """The start of a page, lower-cased: every marker and pattern here is lower-case."""
    return html[:_SCAN_BYTES].decode("utf-8", "replace").lower()


def _challenge(markup: str) -> Verdict | None:
    for vendor, markers in _CHALLENGE_MARKERS:
        if any(marker in markup for marker in markers):
            return Verdict("blocked", vendor)
    if all(text in markup for text in _AKAMAI_TEXT) and any(ref in markup for ref in _AKAMAI_REFERENCE):
        return Verdict("blocked", "Akamai denial")
    return None


def refusal_kind(status: int, headers: Mapping[str, str], body: bytes) -> Verdict | None:
    """A bot-protection vendor's refusal of a request (403, 429, 503, ...), or ``None``.

    ``headers`` keys are lower-case. Only the vendor's own signature counts: a
    plain 403 or 503 stays an ordinary HTTP error (retried or dead-lettered as
    ``fetch_failed``).
    """
    if status < 400:
        return None
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return Verdict("blocked", "Cloudflare challenge (cf-mitigated)")
    if "x-datadome" in headers or "x-datadome-cid" in headers:
        return Verdict("blocked", "DataDome (x-datadome)")
    if "x-px-blocked" in headers:
        return Verdict("blocked", "PerimeterX (x-px-blocked)")
    found = _challenge(_markup(body))
    if found is not None:
        return found
    server = headers.get("server", "").lower()
    if status == 403 and "akamaighost" in server:
        return Verdict("blocked", "Akamai denial (Server: AkamaiGHost)")
    visible = _visible_text(_markup(body))
    if status in (403, 429) and (_ROBOT_PHRASES.search(visible) or _SCRIPT_NOTES.search(visible)):
        return Verdict("blocked", f"HTTP {status} bot check")
    return None


def _visible_text(markup: str) -> str:
    return " ".join(_TAG.sub(" ", _SCRIPT.sub(" ", markup)).split())


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


def redirect_kind(url: str, final_url: str) -> Verdict | None:
    """A request for an article that ended on a consent, login or home page."""
    if not final_url or final_url == url:
        return None
    final = urlsplit(final_url)
    target = final.path + ("?" + final.query if final.query else "")
    if _CONSENT_HOSTS.search(final.hostname or "") or _CONSENT_PATHS.search(target):
        return Verdict("consent_wall", f"redirected to consent page {final.hostname}{final.path}")
    if _LOGIN_PATHS.search(target) and not _LOGIN_PATHS.search(urlsplit(url).path):
        return Verdict("login_wall", f"redirected to login page {final.hostname}{final.path}")
    if _path(url) and not _path(final_url) and not final.query:
        return Verdict("soft_404", "redirected to the home page")
    return None


def page_kind(html: bytes, *, body: str | None, free_access: bool | None = None) -> Verdict | None:
    """Whether a 200 page is a wall rather than an article; ``None`` for an article.

    ``body`` is the extracted article text, or ``None`` when extraction found
    none. ``free_access`` is what the page declares (``isAccessibleForFree``); it never
    decides alone, since metered sites declare ``false`` on articles they serve whole.
    """
    text = body or ""
    if len(text) >= THIN_BODY_CHARS:
        return None
    markup = _markup(html)
    found = _challenge(markup)
    if found is not None:
        return found
    visible = _visible_text(markup)
    title_match = _TITLE.search(markup)
    title = title_match.group(1) if title_match else ""
    h1_match = _H1.search(markup)
    heading = _TAG.sub(" ", h1_match.group(1)) if h1_match else ""
    return _thin_page_kind(
        visible=visible, text=text, title=title, heading=heading, markup=markup, free_access=free_access
    )


def _error_title(title: str) -> bool:
    """Whether a title or heading names an error ("Page not found | Site", "404"), not a story.

    The error words must make up a short segment of their own: a headline such as
    "Counting error delays the result in the north" is news about an error.
    """
    return any(
        _NOT_FOUND_TITLE.search(segment) and len(segment.split()) <= _ERROR_TITLE_WORDS
        for segment in _TITLE_SEPARATOR.split(title)
    )


def _thin_page_kind(
    *, visible: str, text: str, title: str, heading: str, markup: str, free_access: bool | None
) -> Verdict | None:
    """The verdict on a page with thin text, one rule per wall, in order of certainty."""
    small = len(visible) < WALL_VISIBLE_CHARS
    if small and _ROBOT_PHRASES.search(visible) and len(text) < THIN_BODY_CHARS // 2:
        return Verdict("blocked", "bot check text on a page without article text")
    error_title = next((t for t in (heading, title) if _error_title(t)), None)
    if error_title is not None and len(text) < THIN_BODY_CHARS // 2:
        return Verdict("soft_404", f"error page served with 200: {error_title.strip()[:80]!r}")
    if small and _PASSWORD_FIELD.search(markup) and _LOGIN_PHRASES.search(visible):
        return Verdict("login_wall", "login form instead of article text")
    consent = _CONSENT_PHRASES.search(text) or (small and not text and _CONSENT_PHRASES.search(visible))
    if consent:
        return Verdict("consent_wall", f"consent text instead of article text: {consent.group(0)!r}")
    if not small:
        return None
    teaser = _TEASER_PHRASES.search(visible)
    if teaser and (free_access is False or len(text) < THIN_BODY_CHARS // 2):
        return Verdict("paywalled", f"paywall text on a teaser: {teaser.group(0)!r}")
    # "Already a subscriber? Sign in" in a page's header does not make a short free story a
    # teaser: with it, only the page's own declaration or an empty body does.
    offer = _SUBSCRIBE_PHRASES.search(visible)
    if offer and (free_access is False or not text):
        return Verdict("paywalled", f"subscription offer on a page without free text: {offer.group(0)!r}")
    return None
