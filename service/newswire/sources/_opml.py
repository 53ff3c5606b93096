"""OPML subscription lists: every ``<outline xmlUrl=...>`` becomes a feed source."""

from __future__ import annotations

from collections import Counter

from newswire.config import SourceSettings, masked_url_credentials
from newswire.errors import SourceError
from newswire.sources._xml import local_name, parse_xml
from newswire.urls import canonicalize


def parse_opml(content: bytes) -> list[SourceSettings]:
    """The feeds an OPML document subscribes to, in document order, each once.

    Outlines are found at any depth (folders are flattened). The source name is
    the outline's ``title`` or ``text``; a name that several feeds share ("Politics" from two
    publishers) gets each feed's URL after it, because the name is the source's key and two
    feeds under one key would be one source. Outlines whose ``xmlUrl`` is not an
    http(s) URL are skipped; ``type="include"`` outlines (links to other OPML
    files) are not followed.

    Raises :class:`SourceError` if ``content`` is not safe, well-formed OPML.
    """
    root = parse_xml(content, "OPML document")
    if local_name(root).lower() != "opml":
        raise SourceError(f"not an OPML document (root element <{local_name(root)}>)")
    found: dict[str, SourceSettings] = {}
    for outline in root.iter("{*}outline"):
        attrs = {str(k).lower(): str(v) for k, v in outline.attrib.items()}
        raw = attrs.get("xmlurl", "").strip()
        if not raw:
            continue
        name = (attrs.get("title") or attrs.get("text") or "").strip() or None
        try:
            url = canonicalize(raw)
            found.setdefault(url, SourceSettings(kind="feed", url=url, name=name))
        except ValueError:  # not a URL, or not one newswire polls (validation says why)
            continue
    shared = Counter(f.name for f in found.values() if f.name)
    return [
        f.model_copy(update={"name": f"{f.name} ({masked_url_credentials(url)})"})
        if f.name and shared[f.name] > 1
        else f
        for url, f in found.items()
    ]
