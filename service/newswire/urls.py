"""URL canonicalisation: one spelling per article, so one Kafka key per article.

``canonicalize`` turns the many spellings of a URL that feeds, sitemaps and
links produce into one. It applies, in order:

1. resolve against ``base`` (if given) and strip surrounding whitespace;
2. accept only ``http`` and ``https`` (anything else is a ``ValueError``);
3. lower-case the scheme and host, encode an internationalised host with IDNA
   (UTS #46, falling back to IDNA 2003 for names IDNA 2008 refuses), drop a
   trailing dot of the host, drop user info (credentials never reach Kafka),
   drop the default port (80 for http, 443 for https);
4. normalise percent-encoding everywhere: escapes of unreserved characters
   (``A-Z a-z 0-9 - . _ ~``) are decoded, other escapes get upper-case hex,
   characters that may not appear raw (spaces, non-ASCII as UTF-8, a ``%`` not
   starting an escape) are encoded;
5. resolve ``.`` and ``..`` path segments (RFC 3986 §5.2.4), empty path → ``/``;
6. remove tracking parameters (:data:`TRACKING_PARAMS` and every ``utm_*``,
   compared case-insensitively), drop empty ``&&`` pieces, then sort the rest
   by name (stable, so repeated names keep their order); ``?`` goes if nothing
   is left;
7. drop the fragment.

``+`` and ``%20`` in a query are *not* unified: only form-encoded queries treat
them alike, and a wrong merge would join two different articles. ``www.`` is
kept: ``www.example.com`` and ``example.com`` may be different sites.

The result is idempotent: ``canonicalize(canonicalize(u)) == canonicalize(u)``
(a property test checks it). Anything that cannot be made into an http(s) URL
with a host raises ``ValueError`` and nothing else.

Why our own code rather than a library (``bench/urls_bench.py``, one core of
the 2-core CI machine, mean over five mixed news URLs): ``url-normalize`` 3.1
does steps 3-5 right but keeps fragments and tracking parameters (its
``filter_params`` is an allow-list that drops every parameter it does not know,
such as ``?id=123``), does not sort, and takes about 190 µs a URL. ``courlan``
1.4 (about 40 µs) removes tracking parameters and sorts, but keeps the fragment,
does not resolve dot segments and does not apply IDNA. ``w3lib`` 2.5 (about
43 µs) sorts and fixes escapes but keeps default ports and tracking parameters.
Each would need a second pass of our own on top. This module is one pass over
:func:`urllib.parse.urlsplit` plus the ``idna`` package (hosts cached) and takes
about 18 µs (about 8 µs for a plain article URL).
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote_plus, urljoin, urlsplit

import idna

__all__ = ["TRACKING_PARAMS", "canonicalize", "host_of"]

#: Query parameters that identify a campaign or a click, not a document
#: (compared lower-case). Every parameter starting with ``utm_`` goes as well.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Google Analytics / Ads
        "_ga",
        "_gl",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "srsltid",
        # Meta, Microsoft, Yandex, X, TikTok, LinkedIn, Instagram
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        # Mailchimp, HubSpot, Marketo, Vero, Olytics
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        # publishers' and platforms' own campaign tags
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "wt.mc_id",
        "__twitter_impression",
        "s_cid",
    }
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# One escape, or one character that must be escaped.
_PATH_FIX = re.compile(r"%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/]")
_QUERY_FIX = re.compile(r"%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$'()*+,;=:@/?]")
_HOST_ASCII = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")


def canonicalize(url: str, base: str | None = None) -> str:
    """The canonical spelling of ``url`` (resolved against ``base`` if relative).

    >>> canonicalize("HTTP://Example.COM:80/a/./b/../c?utm_source=x&b=2&a=1#top")
    'http://example.com/a/c?a=1&b=2'

    Raises ``ValueError`` for anything that is not an http(s) URL with a host.
    """
    if not isinstance(url, str):
        raise ValueError(f"URL must be a string, got {type(url).__name__}")
    url = url.strip()
    if base is not None:
        url = urljoin(base.strip(), url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    netloc = _netloc(scheme, parts.netloc)
    path = _remove_dot_segments(_escape(parts.path, _PATH_FIX)) or "/"
    query = _query(parts.query)
    return f"{scheme}://{netloc}{path}?{query}" if query else f"{scheme}://{netloc}{path}"


def host_of(url: str) -> str:
    """The canonical host of an http(s) URL: lower-case, IDNA, no port, no ``www`` removal.

    >>> host_of("https://WWW.Bücher.de:8443/x")
    'www.xn--bcher-kva.de'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    host, _ = _host_port(parts.netloc)
    return _host(host)


# ---------------------------------------------------------------- authority


def _host_port(netloc: str) -> tuple[str, str]:
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise ValueError(f"unclosed IPv6 literal in {netloc!r}")
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError(f"junk after IPv6 literal in {netloc!r}")
        return host, rest[1:]
    host, _, port = hostport.partition(":")
    return host, port


@functools.lru_cache(maxsize=8192)
def _host(host: str) -> str:
    # Cached: a feed or sitemap names few hosts, and IDNA costs ~100 µs a name.
    host = host.lower()
    if host.startswith("["):
        if not _IPV6.fullmatch(host):
            raise ValueError(f"bad IPv6 literal {host!r}")
        return host
    host = host.rstrip(".")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            try:
                # IDNA 2003 still admits names (symbols, emoji) that browsers resolve.
                host = host.encode("idna").decode("ascii").lower()
            except UnicodeError:
                raise ValueError(f"host is not a valid internationalised name: {host!r}") from None
        host = host.rstrip(".")
    if not _HOST_ASCII.fullmatch(host):
        raise ValueError(f"bad host {host!r}")
    return host


def _netloc(scheme: str, netloc: str) -> str:
    host_raw, port_raw = _host_port(netloc)
    if not host_raw:
        raise ValueError("URL has no host")
    host = _host(host_raw)
    if not port_raw:
        return host
    if not port_raw.isdigit() or not port_raw.isascii() or int(port_raw) > 65535:
        raise ValueError(f"bad port {port_raw!r}")
    port = int(port_raw)
    return host if port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"


# ---------------------------------------------------------------- path and query


def _fix(match: re.Match[str]) -> str:
    hexpair = match.group(1)
    if hexpair is not None:
        char = chr(int(hexpair, 16))
        return char if char in _UNRESERVED else "%" + hexpair.upper()
    try:
        raw = match.group(0).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("URL contains a lone surrogate") from None
    return "".join(f"%{b:02X}" for b in raw)


def _escape(text: str, fixer: re.Pattern[str]) -> str:
    # Raw characters allowed in this component (RFC 3986 pchar; the query adds "/?"
    # but not "&", which separates its pieces) never reach _fix.
    return fixer.sub(_fix, text) if fixer.search(text) else text


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        elif segment == ".":
            if last:
                out.append("")
        else:
            out.append(segment)
    joined = "/".join(out)
    return joined if joined.startswith("/") else "/" + joined


def _is_tracking(name: str) -> bool:
    key = unquote_plus(name).strip().lower() if "%" in name or "+" in name else name.lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


def _query(query: str) -> str:
    if not query:
        return ""
    kept: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = piece.partition("=")[0]
        if _is_tracking(name):
            continue
        fixed = _escape(piece, _QUERY_FIX)
        kept.append((fixed.partition("=")[0], fixed))
    kept.sort(key=lambda pair: pair[0])
    return "&".join(piece for _, piece in kept)
