"""Fast newswire-only scoring over both development corpora, for iterating on the extractor.

    .venv/bin/python bench/extract_quick.py [--per-page FILE] [--reference FILE.jsonl]

Prints body precision / recall / F1 per corpus, source and split (dev, check), and a line per
split for WCXB's annotated titles (exact as the fundus scorer counts, and the same letters and
digits; ``bench/titles.py`` lists the misses). ``--per-page``
writes dev pages only (never check pages) as TSV, worst recall first, for error analysis; keep it
outside the repo, it names publishers' pages. ``--reference`` adds a cached prediction file
(``{"id", "body"}`` per line, e.g. trafilatura's from ``bench/extract_corpus.py``) scored the
same way, so a change can be compared without re-running the slow extractor. No timing here:
``bench/extract_corpus.py`` is the speed benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import Scorer, load_pages, page_url
from extract_corpus import newswire_prediction
from headline_and_walls import same_title


def newswire_predictions(pages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """newswire's event fields per page id (missing for a page with no article text)."""
    from newswire.errors import ExtractError
    from newswire.extract import extract_html

    preds: dict[str, dict[str, Any]] = {}
    for page in pages:
        try:
            event = extract_html(page["raw"], page_url(page), fetched="2026-01-01T00:00:00+00:00")
        except ExtractError:
            continue
        preds[page["id"]] = newswire_prediction(page, event)
    return preds


def report(
    scorer: Scorer, pages: list[dict[str, Any]], preds: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Aggregates keyed ``corpus/source/split`` (source ``all`` for a corpus' total)."""
    groups: dict[str, tuple[list[dict[str, Any]], list[dict[str, float | None]]]] = {}
    for page in pages:
        scores = scorer.page(page, preds.get(page["id"], {}))
        corpus = "fundus" if page["source"] == "fundus" else "web"
        for source in {"all", page["source"]}:
            truths, rows = groups.setdefault(f"{corpus}/{source}/{page['split']}", ([], []))
            truths.append(page)
            rows.append(scores)
    out = {key: scorer.aggregate(t, r) for key, (t, r) in sorted(groups.items())}
    out.update(wcxb_titles(pages, preds))
    return out


def wcxb_titles(pages: list[dict[str, Any]], preds: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Title exact and same-letters shares on WCXB pages, keyed ``web/wcxb-title/split``."""
    from newswire.extract._title import norm

    counts: dict[str, list[int]] = {}
    for page in pages:
        if page["source"] != "wcxb" or not page.get("title"):
            continue
        title = preds.get(page["id"], {}).get("title")
        row = counts.setdefault(f"web/wcxb-title/{page['split']}", [0, 0, 0])
        row[0] += 1
        row[1] += same_title(title, page["title"])
        row[2] += norm(title or "") == norm(page["title"])
    return {
        key: {"pages": n, "exact": round(exact / n, 4), "letters": round(loose / n, 4)}
        for key, (n, exact, loose) in sorted(counts.items())
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-page", type=Path, help="TSV of dev pages, worst recall first (outside the repo)")
    ap.add_argument("--reference", type=Path, help="cached predictions JSONL to score beside newswire")
    ap.add_argument("--corpus", choices=("fundus", "web", "both"), default="both")
    args = ap.parse_args()

    scorer = Scorer()
    pages = []
    for corpus in ("fundus", "web"):
        if args.corpus in (corpus, "both"):
            pages += load_pages(corpus)
    preds = newswire_predictions(pages)
    tables = {"newswire": report(scorer, pages, preds)}
    if args.reference:
        ref = {r["id"]: r for r in map(json.loads, args.reference.open(encoding="utf-8"))}
        tables["reference"] = report(scorer, pages, ref)
    for name, table in tables.items():
        for key, agg in table.items():
            figures = " ".join(f"{k}={v}" for k, v in agg.items())
            print(f"{name:<10} {key:<28} {figures}")
    if args.per_page:
        with args.per_page.open("w", encoding="utf-8") as fh:
            rows = []
            for page in pages:
                if page["split"] != "dev":
                    continue
                pred = preds.get(page["id"], {})
                s = scorer.page(page, pred)
                recall = s.get("recall", s.get("body"))
                precision = s.get("precision", s.get("body"))
                rows.append(
                    (recall if recall is not None else 0.0, precision, page["id"], pred.get("method"))
                )
            for recall, precision, pid, method in sorted(rows, key=lambda r: r[0]):
                fh.write(f"{pid}\t{recall:.3f}\t{precision}\t{method}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
