"""Title scores on both development corpora, without extracting bodies (a few seconds).

    PYTHONPATH=service .venv/bin/python bench/titles.py [--misses FILE] [--corpus fundus|wcxb|both]

The event's ``title`` is chosen before the body and apart from it (``_html.headline_of``), so
this runs only that step on every page with a title truth:

* **fundus** (258 pages): exact match as the fundus ``score.py`` counts it (whitespace collapsed,
  soft hyphens and zero-width characters dropped).
* **wcxb** (707 corpus-web pages with an annotated displayed headline): the same exact match.
* beside each, a looser figure: the same letters and digits (``_title.norm``: case, accents,
  punctuation and spaces ignored), so a quote or dash convention shows apart from a wrong wording.

Figures per corpus and split. ``--misses FILE`` writes the dev misses only (never check pages:
those are read only as totals) as TSV with the page's declared titles, its first ``<h1>`` and a
guessed cause, for error analysis; keep the file outside the repo, it holds publishers' titles.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import load_pages, page_url
from headline_and_walls import same_title


def page_titles(page: dict[str, Any]) -> dict[str, Any]:
    """The chosen title of one page and the candidates it was chosen from."""
    from selectolax.lexbor import LexborHTMLParser

    from newswire.extract import _html, _title
    from newswire.extract._charset import decode_html
    from newswire.extract._metadata import ld_text, parse_metadata
    from newswire.extract._page_dates import states_published

    url = page_url(page)
    html = decode_html(page["raw"])[: _html._MAX_CHARS].replace("\x00", "")
    tree = LexborHTMLParser(html)
    md = parse_metadata(tree)
    for node in tree.css("script, style"):
        node.decompose()
    _site, section, keys = _html.site_context(md, url)
    title = _html.headline_of(tree, md, url, keys, section, h1=tree.css_first("h1"))
    title_node = tree.css_first("title")
    sections = frozenset(_title.section_keys(url))

    def cleaned(text: str | None) -> str | None:
        return _title._cleaned(text, keys, section, sections) if text else None

    return {
        "title": title,
        "og": cleaned(md.first("og:title")),
        "ld": cleaned(ld_text(md.article.get("headline"))),
        "tw": cleaned(md.first("twitter:title")),
        "tt": cleaned(title_node.text(deep=True)) if title_node is not None else None,
        "tt_raw": title_node.text(deep=True) if title_node is not None else None,
        "h1": cleaned(_title.first_h1(tree)),
        "headings": [" ".join(h.split()) for h in _title.headings(tree)],
        "dated": states_published(md),
        "ld_type": str(md.article.get("@type") or ""),
        "og_type": md.first("og:type") or "",
    }


def cause(truth: str, got: dict[str, Any]) -> str:
    """A first guess at why the chosen title is not the truth (refined by reading the pages)."""
    from newswire.extract._title import norm

    pred, t = got["title"] or "", norm(truth)
    if norm(pred) == t:
        return "punctuation"
    same = [k for k in ("og", "ld", "tw", "h1", "tt") if got[k] and norm(got[k]) == t]
    shown = any(norm(h) == t for h in got["headings"])
    if same:
        src = "+".join(same)
    elif shown:
        src = "heading"
    elif got["tt_raw"] and t and t in norm(got["tt_raw"]):
        src = "in-title-tag"
    else:
        src = "nowhere"
    if t and norm(pred).endswith(t):
        return f"kicker-or-prefix-kept ({src})"
    if t and t.endswith(norm(pred)):
        return f"truth-longer ({src})"
    if t and norm(pred).startswith(t):
        return f"suffix-kept ({src})"
    return f"other-wording (truth={src})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--misses", type=Path, help="TSV of dev misses (outside the repo)")
    ap.add_argument("--corpus", choices=("fundus", "wcxb", "both"), default="both")
    args = ap.parse_args()

    from newswire.extract._title import norm

    pages: list[dict[str, Any]] = []
    if args.corpus in ("fundus", "both"):
        pages += load_pages("fundus")
    if args.corpus in ("wcxb", "both"):
        pages += [p for p in load_pages("web") if p["source"] == "wcxb"]
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    misses: list[tuple[str, ...]] = []
    causes: collections.Counter[str] = collections.Counter()
    for page in pages:
        if not page.get("title"):
            continue
        got = page_titles(page)
        exact = same_title(got["title"], page["title"])
        loose = norm(got["title"] or "") == norm(page["title"])
        for split in (page["split"], "all"):
            row = counts[f"{page['source']}/{split}"]
            row[0] += exact
            row[1] += loose
            row[2] += 1
        if not exact and page["split"] == "dev":
            why = cause(page["title"], got)
            causes[f"{page['source']} {why}"] += 1
            misses.append(
                (
                    page["id"],
                    why,
                    page["title"],
                    got["title"] or "",
                    got["og"] or "",
                    got["ld"] or "",
                    got["h1"] or "",
                    "dated" if got["dated"] else "undated",
                )
            )
    for key, (exact, loose, total) in sorted(counts.items()):
        hit, loose_sh = exact / total, loose / total
        print(f"title {key:<13} exact {exact}/{total} = {hit:.4f}  letters {loose}/{total} = {loose_sh:.4f}")
    for key, count in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"dev miss {count:>4}  {key}")
    if args.misses:
        with args.misses.open("w", encoding="utf-8") as fh:
            fh.write("id\tcause\ttruth\tours\tog\tld\th1\tdated\n")
            for row in misses:
                fh.write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
