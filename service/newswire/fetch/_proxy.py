"""Which proxy a URL is fetched through (``fetch.proxy``, ``fetch.proxy_hosts``, the environment).

One rule for pages, feeds and robots.txt alike, so a site sees one route:

1. the first ``fetch.proxy_hosts`` pattern (``fnmatch``, e.g. ``*.example.com``)
   the URL's host matches: its proxy, or none if it says ``direct``;
2. none, if ``fetch.no_proxy`` lists the host (an entry matches the host and
   its subdomains; ``*`` matches every host);
3. ``fetch.proxy``;
4. ``fetch.http_proxy`` or ``fetch.https_proxy`` by the URL's scheme (these and
   ``no_proxy`` come from ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` when
   ``fetch.proxy`` is unset, see ``config``).

A proxy changes where the connection goes, not what is allowed: the address
guard still resolves and checks every target URL before it is requested.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from newswire.config import DIRECT, FetchSettings


def _no_proxy(host: str, entries: tuple[str, ...]) -> bool:
    for entry in entries:
        name = entry.strip().lower().lstrip(".")
        if name.count(":") == 1:  # host:port; a bare IPv6 address has more colons
            name = name.partition(":")[0]
        if name in ("*", host) or host.endswith("." + name):
            return True
    return False


def proxy_for(scheme: str, host: str, settings: FetchSettings) -> str | None:
    """The proxy URL to reach ``scheme://host`` through, or ``None`` to connect directly."""
    host = host.lower().strip("[]")
    for pattern, url in settings.proxy_hosts.items():
        if fnmatchcase(host, pattern.lower()):
            value = url.get_secret_value()
            return None if value == DIRECT else value
    if _no_proxy(host, settings.no_proxy):
        return None
    chosen = settings.proxy or (settings.https_proxy if scheme == "https" else settings.http_proxy)
    return chosen.get_secret_value() if chosen is not None else None
