"""The curated front door of newswire.sources."""

from __future__ import annotations

import newswire.sources


def test_exported_members() -> None:
    assert sorted(newswire.sources.__all__) == sorted(
        [
            "MAX_DECOMPRESSED_BYTES",
            "Candidate",
            "FeedResult",
            "SitemapResult",
            "SourceSchedule",
            "SourceStatus",
            "cache_control_max_age",
            "parse_feed",
            "parse_opml",
            "parse_sitemap",
            "parse_url_list",
            "scan_files",
        ]
    )
    for name in newswire.sources.__all__:
        assert getattr(newswire.sources, name) is not None
