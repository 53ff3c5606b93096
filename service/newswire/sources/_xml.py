"""The one safe way newswire parses XML from the web.

Feeds and sitemaps come from servers we do not control, so every XML document
goes through here:

* no entity expansion and no entity declarations at all: a document whose DTD
  declares an entity (the "billion laughs" bomb, or an external entity that
  points at ``file:///etc/passwd`` or an intranet URL) is refused with
  :class:`~newswire.errors.SourceError`; real feeds and sitemaps never need one;
* no network and no DTD loading: ``<!DOCTYPE rss PUBLIC ... "http://...dtd">``
  of old RSS 0.91 feeds is allowed but never fetched;
* ``huge_tree=False`` keeps libxml2's limits on depth and text node size.

feedparser parses feeds itself (with expat), so feeds are first screened with
:func:`refuse_entities`, which looks at the raw bytes the same way.
"""

from __future__ import annotations

import re

from lxml import etree

from newswire.errors import SourceError

# "<!ENTITY" as it appears in the ASCII-compatible encodings, in UTF-16/32 and in EBCDIC (feedparser
# reads an IBM037 feed; the two spellings of "!" cover the EBCDIC code pages Python knows).
_ENTITY_MARKERS = tuple(
    "<!ENTITY".encode(codec)
    for codec in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037", "cp500")
)
_HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)


def looks_like_html(head: bytes) -> bool:
    """Whether a document (its first few hundred bytes) starts like an HTML page."""
    return _HTML_START.match(head) is not None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def refuse_entities(content: bytes, what: str) -> None:
    """Raise :class:`SourceError` if the document declares XML entities anywhere."""
    if any(marker in content for marker in _ENTITY_MARKERS):
        raise SourceError(
            f"{what} declares XML entities; refused (entity expansion and external entities are unsafe)"
        )


def parse_xml(content: bytes, what: str) -> etree._Element:
    """Parse ``content`` safely and return the root element.

    ``what`` names the document in error messages (``"sitemap https://..."``).
    """
    refuse_entities(content, what)
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{what} is not well-formed XML: {exc}") from None
    except (ValueError, TypeError) as exc:  # e.g. an encoding lxml does not know
        raise SourceError(f"{what} could not be read as XML: {exc}") from None
    if root is None:
        raise SourceError(f"{what} is empty")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # belt and braces
        raise SourceError(f"{what} declares XML entities; refused")
    return root


def local_name(element: etree._Element) -> str:
    """The tag of ``element`` without its namespace (``""`` for comments and the like)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def child_text(element: etree._Element, name: str) -> str | None:
    """Stripped text of the first direct child named ``name`` (any namespace), or None."""
    for child in element:
        if local_name(child) == name:
            text = (child.text or "").strip()
            return text or None
    return None
