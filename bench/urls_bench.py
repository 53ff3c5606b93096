"""Micro-benchmark: our canonicalize against the URL libraries we considered.

Run: ``.venv/bin/python bench/urls_bench.py``. Libraries that are not installed
are skipped (``url-normalize``, ``courlan`` and ``w3lib`` are not dependencies;
install them by hand to compare). Prints microseconds per URL, best of 5.
"""

from __future__ import annotations

import importlib
import timeit
from collections.abc import Callable

from newswire.urls import canonicalize

URLS = [
    "https://www.example.com/news/2024/06/01/story-title.html",
    "HTTP://Example.COM:80/news/2024/./x/../story-title.html?utm_source=tw&id=5&b=2#frag",
    "https://bücher.de/%7euser/%41?q=%e2%82%ac&fbclid=abc",
    "https://example.com/a%2Fb?x=a+b&y=a%20b&gclid=1&page=2",
    "https://news.example.org/politics/article-12345?ref=home&mc_cid=x&mc_eid=y",
]


def _candidates() -> dict[str, Callable[[str], object]]:
    found: dict[str, Callable[[str], object]] = {"newswire.urls.canonicalize": canonicalize}
    for label, module, name in [
        ("url_normalize.url_normalize", "url_normalize", "url_normalize"),
        ("courlan.normalize_url", "courlan", "normalize_url"),
        ("w3lib.url.canonicalize_url", "w3lib.url", "canonicalize_url"),
    ]:
        try:
            found[label] = getattr(importlib.import_module(module), name)
        except ImportError:
            print(f"{label}: not installed, skipped")
    return found


def main() -> None:
    rounds = 2000
    for label, func in _candidates().items():
        best = min(timeit.repeat(lambda f=func: [f(u) for u in URLS], number=rounds, repeat=5))
        print(f"{label:32s} {best / rounds / len(URLS) * 1e6:7.1f} µs/URL")


if __name__ == "__main__":
    main()
