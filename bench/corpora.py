"""The two extraction development corpora, their dev/check split, and their scorers.

* fundus: ``/work/shared/corpus`` (``NEWSWIRE_CORPUS``), 258 news pages, scored by its own
  ``score.py`` (title, date, body, language, authors).
* web: ``/work/shared/corpus-web`` (``NEWSWIRE_CORPUS_WEB``), 1,490 pages from four public
  benchmarks (wcxb, dragnet, readability, newspaper4k), body scored as 4-token shingles by its
  ``score.py``, the metric of the held-out benchmark.

The split: a page belongs to the *check* half when the SHA-1 of its host (lowercased, without
``www.``; the page id when it has no URL) falls in the lowest fifth. No host is in both halves,
so a rule tuned on the dev half cannot learn a check host's template. Tuning looks at dev pages
only; the check half is read only as aggregate figures.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

FUNDUS = Path(os.environ.get("NEWSWIRE_CORPUS", "/work/shared/corpus"))
WEB = Path(os.environ.get("NEWSWIRE_CORPUS_WEB", "/work/shared/corpus-web"))
CHECK_SHARE = 0.2
WEB_SOURCES = ("wcxb", "dragnet", "readability", "newspaper4k")


def host_key(url: str | None, page_id: str) -> str:
    """What the split hashes: the host without ``www.``, or the page id for a page with no URL."""
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.lower().removeprefix("www.")
    return host or page_id


def split_of(url: str | None, page_id: str) -> str:
    """``"check"`` for about a fifth of hosts, chosen by hash, else ``"dev"``."""
    digest = hashlib.sha1(host_key(url, page_id).encode("utf-8")).digest()
    return "check" if int.from_bytes(digest[:8], "big") / 2**64 < CHECK_SHARE else "dev"


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(corpus: str, *, raw: bool = True) -> list[dict[str, Any]]:
    """Truth rows of one corpus (``fundus`` or ``web``) with ``source``, ``split`` and the page bytes."""
    root = FUNDUS / "fundus" if corpus == "fundus" else WEB
    rows = [json.loads(line) for line in (root / "truth.jsonl").open(encoding="utf-8")]
    for row in rows:
        row.setdefault("source", "fundus")
        if corpus == "fundus":
            row["source"] = "fundus"
        row["split"] = split_of(row.get("url"), row["id"])
        if raw:
            row["raw"] = gzip.decompress((root / row["html"]).read_bytes())
    return rows


def page_url(row: dict[str, Any]) -> str:
    """The page's URL, or a stand-in on a host of its own for pages that have none."""
    return row.get("url") or f"https://{row['id'].lower().replace('/', '-')}.invalid/"


class Scorer:
    """Per-page body scores for both corpora, each with its own metric."""

    def __init__(self) -> None:
        self.fundus = load_module(FUNDUS / "score.py", "fundus_score")
        self.web = load_module(WEB / "score.py", "web_score")

    def page(self, truth: dict[str, Any], pred: dict[str, Any]) -> dict[str, float | None]:
        """Scores of one page: precision, recall and F1 of the body, plus title etc. on fundus."""
        if truth["source"] == "fundus":
            scores: dict[str, float | None] = dict(self.fundus.score_page(truth, pred))
            return scores
        precision, recall, *_ = self.web.page_scores(truth.get("body"), pred.get("body"))
        return {"precision": precision, "recall": recall}

    def aggregate(
        self, truth_rows: list[dict[str, Any]], rows: list[dict[str, float | None]]
    ) -> dict[str, Any]:
        """Corpus figures for one group of pages of one corpus."""
        if not rows:
            return {"pages": 0}
        if truth_rows[0]["source"] == "fundus":
            out: dict[str, Any] = {"pages": len(rows)}
            for metric in ("title", "date", "body", "language", "authors"):
                values = [v for r in rows if (v := r.get(metric)) is not None]
                out[metric] = round(sum(values) / len(values), 4) if values else None
            return out
        agg = self.web.aggregate(rows)
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in agg.items()}
