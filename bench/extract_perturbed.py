"""Body extraction on corpus-web pages whose markup is rewritten, newswire beside trafilatura.

    .venv/bin/python bench/extract_perturbed.py [--trafilatura] [--split dev|check|all] [--json OUT]

A page nobody tuned on differs from the development pages first in its markup: class names
the cleaning rules do not know, ``<div>`` or ``<br>`` runs where the corpus has ``<p>``, no
``<article>`` element. Each variant below takes away one kind of signal from every page and
scores the bodies again, with corpus-web's own metric, so the table shows how much of each
extractor's figure rests on that signal. The truth is unchanged: the text a reader sees is the
same in every variant. No timing here (``bench/extract_corpus.py`` is the speed benchmark).
Writes ``bench/results/extract_perturbed.json`` unless ``--json`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import Scorer, load_pages, page_url

RESULTS = Path(__file__).resolve().parent / "results"

_CLASS_ID = re.compile(rb"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_SEMANTIC = re.compile(rb"<(/?)(?:article|main|aside|nav|header|footer|section)\b", re.I)
_JSON_LD = re.compile(rb"<script[^>]*ld\+json[^>]*>.*?</script\s*>", re.I | re.S)
_P_OPEN = re.compile(rb"<p(\s[^>]*)?>", re.I)
_P_CLOSE = re.compile(rb"</p\s*>", re.I)


def _p_to_div(html: bytes) -> bytes:
    opened = _P_OPEN.sub(lambda m: b"<div" + (m.group(1) or b"") + b">", html)
    return _P_CLOSE.sub(b"</div>", opened)


def _p_to_br(html: bytes) -> bytes:
    return _P_CLOSE.sub(b"<br><br>", _P_OPEN.sub(b"", html))


#: Each variant's name, what it takes away, and the rewrite.
VARIANTS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "as published": ("nothing", lambda html: html),
    "no class or id": ("every class and id attribute (names of boxes)", lambda h: _CLASS_ID.sub(b"", h)),
    "no <p>, <div>s": ("paragraph elements, each turned into a <div>", _p_to_div),
    "no <p>, <br> runs": ("paragraph elements, their text separated by <br><br>", _p_to_br),
    "no HTML5 sections": (
        "<article>, <main>, <aside>, <nav>, <header>, <footer>, <section> (turned into <div>)",
        lambda h: _SEMANTIC.sub(lambda m: b"<" + m.group(1) + b"div", h),
    ),
    "no JSON-LD": ("JSON-LD blocks (articleBody, headline...)", lambda h: _JSON_LD.sub(b"", h)),
}


def newswire_body(html: bytes, url: str) -> str:
    from newswire.errors import ExtractError
    from newswire.extract import extract_html

    try:
        return str(extract_html(html, url, fetched="2026-01-01T00:00:00+00:00").body)
    except ExtractError:
        return ""


def trafilatura_body(html: bytes, url: str) -> str:
    from trafilatura import bare_extraction

    doc = bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return ""
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return str(data.get("text") or "")


def score(
    scorer: Scorer,
    pages: list[dict[str, Any]],
    rewrite: Callable[[bytes], bytes],
    extract: Callable[[bytes, str], str],
) -> dict[str, Any]:
    rows, empty = [], 0
    for page in pages:
        body = extract(rewrite(page["raw"]), page_url(page))
        empty += not body.strip()
        rows.append(scorer.page(page, {"body": body}))
    agg = scorer.aggregate(pages, rows)
    return {
        "f1": round(agg["f1"], 4),
        "precision": round(agg["precision"], 4),
        "recall": round(agg["recall"], 4),
        "empty": empty,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--trafilatura", action="store_true", help="score trafilatura too (about 1 min a variant)"
    )
    ap.add_argument("--split", choices=("dev", "check", "all"), default="all")
    ap.add_argument(
        "--json", type=Path, default=RESULTS / "extract_perturbed.json", help="where to write the results"
    )
    args = ap.parse_args()
    scorer = Scorer()
    pages = [p for p in load_pages("web") if args.split in ("all", p["split"])]
    extractors: dict[str, Callable[[bytes, str], str]] = {"newswire": newswire_body}
    if args.trafilatura:
        extractors["trafilatura"] = trafilatura_body
    results: dict[str, Any] = {}
    print(f"{'variant':<20} " + " ".join(f"{name + ' F1 (P / R)':>28}" for name in extractors))
    for variant, (takes_away, rewrite) in VARIANTS.items():
        row = {name: score(scorer, pages, rewrite, fn) for name, fn in extractors.items()}
        results[variant] = {"takes_away": takes_away, **row}
        cells = (
            f"{r['f1']:.3f} ({r['precision']:.3f} / {r['recall']:.3f}) {r['empty']:>2}e" for r in row.values()
        )
        print(f"{variant:<20} " + " ".join(f"{c:>28}" for c in cells), flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    out = {
        "pages": len(pages),
        "split": args.split,
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    args.json.write_text(json.dumps({**out, "variants": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
