"""OPML subscription lists: every ``<outline xmlUrl=...>`` becomes a feed source."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from newswire.config import SourceSettings, masked_url_credentials
from newswire.errors import SourceError
from newswire.sources._xml import local_name, parse_xml
from newswire.urls import canonicalize


def parse_opml(content: bytes) -> list[SourceSettings]:
    """The feeds an OPML document subscribes to, in document order, each once.

    Outlines are found at any depth (folders are flattened). The source name is
    the outline's ``title`` or ``text``; a name an earlier outline already has ("Politics" from a
    second publisher) gets the feed's URL after it, because the name is the source's key and two
    feeds under one key would be one source. The first keeps the bare name, so a feed's key does
    not change when a same-named one is added after it (feed readers export new feeds last).
    A feed's URL keeps its user and password. Outlines whose ``xmlUrl`` is not an http(s) URL
    are skipped; ``type="include"`` outlines
    (links to other OPML files) are not followed.

    Raises :class:`SourceError` if ``content`` is not safe, well-formed OPML.
    """
    root = parse_xml(content, "OPML document")
    if local_name(root).lower() != "opml":
        raise SourceError(f"not an OPML document (root element <{local_name(root)}>)")
    found: dict[str, SourceSettings] = {}
    named: set[str] = set()
    for outline in root.iter("{*}outline"):
        attrs = {str(k).lower(): str(v) for k, v in outline.attrib.items()}
        raw = attrs.get("xmlurl", "").strip()
        if not raw:
            continue
        name = (attrs.get("title") or attrs.get("text") or "").strip() or None
        try:
            url = _with_userinfo(canonicalize(raw), raw)
            if url in found:
                continue
            if name in named:
                name = f"{name} ({masked_url_credentials(url)})"
            found[url] = SourceSettings(kind="feed", url=url, name=name)
        except ValueError:  # not a URL, or not one newswire polls (validation says why)
            continue
        if name:
            named.add(name)
    return list(found.values())


def _with_userinfo(canonical: str, raw: str) -> str:
    """``canonical`` with the user and password ``raw`` has: canonical URLs drop them, and a
    private feed needs them to be fetched (they are masked wherever the source is shown)."""
    netloc = urlsplit(raw).netloc
    if "@" not in netloc:
        return canonical
    parts = urlsplit(canonical)
    return urlunsplit(parts._replace(netloc=f"{netloc.rsplit('@', 1)[0]}@{parts.netloc}"))
