"""Entity declarations are refused whatever encoding the document declares.

The refusal screens raw bytes before any parser runs. The fuzz run found
EBCDIC (IBM037) feeds slipping past it: feedparser decodes them and returned
the entity references as literal text. Harmless there, but refused is the
contract, and the next parser might expand them.
"""

from __future__ import annotations

import pytest

from newswire.errors import SourceError
from newswire.sources import parse_feed, parse_sitemap

DTD = '<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
FEED = DTD + '<rss version="2.0"><channel><title>&lol1;</title><item><link>https://e.example/&lol1;</link>'
FEED += "</item></channel></rss>"
SITEMAP = (
    DTD + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.example/&lol1;'
)
SITEMAP += "</loc></url></urlset>"
ENCODINGS = [
    ("UTF-8", "utf-8"),
    ("UTF-16", "utf-16"),
    ("UTF-32", "utf-32"),
    ("IBM037", "cp037"),
    ("IBM500", "cp500"),
]


@pytest.mark.parametrize(("declared", "codec"), ENCODINGS)
@pytest.mark.parametrize("document", ["feed", "sitemap"])
def test_entity_declaration_refused_in_every_encoding(document: str, declared: str, codec: str) -> None:
    text = f'<?xml version="1.0" encoding="{declared}"?>' + (FEED if document == "feed" else SITEMAP)
    parse = parse_feed if document == "feed" else parse_sitemap
    with pytest.raises(SourceError) as refused:
        parse(text.encode(codec), "https://e.example/doc.xml")
    # Sitemaps refuse anything that is not UTF-8 compatible before looking further; feeds name the reason.
    assert document == "sitemap" or "entities" in str(refused.value)
