"""Headlines and wall verdicts on both development corpora: the figures of issue #16.

    .venv/bin/python bench/headline_and_walls.py [--manifest FILE] [--dev-pages]

* **Titles**: exact match (the fundus scorer's rule: whitespace collapsed, soft hyphens and
  zero-width characters dropped) of the event's ``title`` against each corpus' truth, per corpus,
  source and split. Corpus-web gives a title for wcxb (the annotated headline) and readability
  (its expected ``<title>``, site name included, so not a headline target; shown apart).
* **Wall verdicts**: every page of both corpora is an article a reader sees, so every verdict
  of :func:`newswire.fetch.page_kind` on them is a false positive. Counted three ways: with the
  body as extracted (what ingest does), with no body (as when extraction fails), and with the
  body cut to 300 characters (each page as a news brief, where every wall rule gets to look).
* **No body**: pages whose extraction raises (``no article text found`` and the like).

``--manifest FILE`` writes a ``newswire parse --manifest`` file for every page, to run the real
command over both corpora. ``--dev-pages`` lists the dev pages behind the counts (never check
pages: those are read only as totals).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import FUNDUS, WEB, load_pages, page_url

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"), None)
_BRIEF_CHARS = 300


def same_title(pred: str | None, truth: str) -> bool:
    def clean(text: str | None) -> str:
        return " ".join((text or "").translate(_INVISIBLE).split())

    return clean(pred) == clean(truth)


def write_manifest(pages: list[dict[str, Any]], out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for page in pages:
            root = FUNDUS / "fundus" if page["source"] == "fundus" else WEB
            fh.write(json.dumps({"path": str(root / page["html"]), "url": page_url(page)}) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--manifest", type=Path, help="write a newswire parse manifest of every page here")
    ap.add_argument("--dev-pages", action="store_true", help="list the dev pages behind each count")
    args = ap.parse_args()

    from newswire.errors import ExtractError
    from newswire.extract import extract_html
    from newswire.fetch import page_kind

    pages = load_pages("fundus") + load_pages("web")
    if args.manifest:
        write_manifest(pages, args.manifest)
    titles: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    verdicts: collections.Counter[str] = collections.Counter()
    listed: list[str] = []
    for page in pages:
        corpus = "fundus" if page["source"] == "fundus" else "web"
        where = f"{corpus}/{page['source']}/{page['split']}"
        try:
            event = extract_html(page["raw"], page_url(page), fetched="2026-01-01T00:00:00+00:00")
            title, body, free = event.title, event.body, event.free_access
        except ExtractError as exc:
            title, body, free = None, None, None
            verdicts[f"{where} no-body"] += 1
            listed.append(f"{page['id']}\tno body\t{exc}")
        if page.get("title"):
            for key in (where, f"{corpus}/all/{page['split']}", f"{corpus}/all/all"):
                if page["source"] == "readability" and "/all/" in key:
                    continue  # its titles are <title> strings, site name included
                titles[key][0] += same_title(title, page["title"])
                titles[key][1] += 1
        for mode, text in (("extracted", body), ("no-body", None), ("brief", (body or "")[:_BRIEF_CHARS])):
            verdict = page_kind(page["raw"], body=text, free_access=free)
            if verdict is not None:
                verdicts[f"{where} {mode}:{verdict.kind}"] += 1
                listed.append(f"{page['id']}\t{mode}\t{verdict.kind}: {verdict.why}")
    for key, (hits, total) in sorted(titles.items()):
        print(f"title      {key:<28} {hits}/{total} = {hits / total:.4f}")
    for key, count in sorted(verdicts.items()):
        print(f"verdict    {key:<28} {count}")
    if not verdicts:
        print("verdict    none: no wall verdict and no page without a body")
    if args.dev_pages:
        dev = {p["id"] for p in pages if p["split"] == "dev"}
        for line in listed:
            if line.split("\t", 1)[0] in dev:
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
