"""Body extraction on trafilatura's own evaluation pages, scored by their snippets.

    .venv/bin/python bench/extract_snippets.py TESTS_DIR [--trafilatura] [--json OUT]

``TESTS_DIR`` is the ``tests/`` folder of a checkout of github.com/adbar/trafilatura: its
``evaldata.json`` names about 990 pages (in ``tests/eval/`` and ``tests/cache/``, many hosts and
languages, news, blogs and other pages) with, for each, up to six snippets the extracted text
should hold and up to six it should not. A snippet counts as found when it occurs in the body,
whitespace aside: precision is found "with" snippets over all found snippets, recall is found
"with" snippets over all "with" snippets, the counts summed over pages as trafilatura's
``tests/evaluate.py`` does.

Why it is here: corpus-web and fundus are where newswire is tuned, and this set is not, so it
is a third check on whether a change generalises. Trafilatura was tuned on these pages, so
its own figure here flatters it; read newswire's figure against its own earlier runs, per
split. Hosts are split into dev and check the same way as ``bench/corpora.py`` splits the
corpora; look at dev pages one by one, read check only as totals. The pages are not ours to
copy: the checkout stays outside the repository. No timing here.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_sets import Extractor, run_check_set
from corpora import split_of

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def load(tests: Path) -> list[dict[str, Any]]:
    """Every page named in ``evaldata.json`` whose file is present: URL, bytes, snippets, split."""
    data: dict[str, dict[str, Any]] = json.loads((tests / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, item in sorted(data.items()):
        places = (tests / "cache" / item["file"], tests / "eval" / item["file"])
        path = next((p for p in places if p.is_file()), None)
        if path is None:
            continue
        pages.append(
            {
                "url": url,
                "raw": path.read_bytes(),
                "with": [_norm(w) for w in item["with"]],
                "without": [_norm(w) for w in item["without"]],
                "split": split_of(url, url),
            }
        )
    return pages


def counts(page: dict[str, Any], body: str | None) -> tuple[int, int, int, int]:
    """(true positives, false positives, false negatives, true negatives) of one page's snippets."""
    text = _norm(body or "")
    tp = sum(1 for w in page["with"] if w in text) if text else 0
    fp = sum(1 for w in page["without"] if w in text) if text else 0
    return tp, fp, len(page["with"]) - tp, len(page["without"]) - fp


def trafilatura_body(page: dict[str, Any]) -> str | None:
    from trafilatura import extract

    # The options trafilatura's own evaluation uses.
    text: str | None = extract(
        page["raw"], url=page["url"], include_comments=False, include_tables=True, include_formatting=False
    )
    return text


def score(pages: list[dict[str, Any]], extractor: Extractor) -> dict[str, Any]:
    """Precision, recall and F1 per split (dev, check, all) and the raw counts."""
    totals: dict[str, list[int]] = {split: [0, 0, 0, 0] for split in ("dev", "check", "all")}
    pages_per: dict[str, int] = dict.fromkeys(totals, 0)
    for page in pages:
        page_counts = counts(page, extractor(page))
        for split in (page["split"], "all"):
            totals[split] = [a + b for a, b in zip(totals[split], page_counts, strict=True)]
            pages_per[split] += 1
    out: dict[str, Any] = {}
    for split, (tp, fp, fn, tn) in totals.items():
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[split] = {
            "pages": pages_per[split],
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "counts": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        }
    return out


def lines(name: str, table: dict[str, Any]) -> Iterator[str]:
    """One line per split of an extractor's figures."""
    for split, figures in table.items():
        yield (
            f"{name:<12} {split:<6} pages={figures['pages']:<4} precision={figures['precision']:.3f} "
            f"recall={figures['recall']:.3f} f1={figures['f1']:.3f}"
        )


def main() -> int:
    return run_check_set(
        __doc__,
        folder_help="the tests/ folder of a trafilatura checkout",
        load=load,
        score=score,
        trafilatura_body=trafilatura_body,
        lines=lines,
    )


if __name__ == "__main__":
    sys.exit(main())
