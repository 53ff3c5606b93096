"""How often the event's ``lead`` is the standfirst the page shows, and proof the body stayed put.

    .venv/bin/python bench/leads.py [--snippets TESTS_DIR] [--save RUN.jsonl] [--compare OLD.jsonl]

The ``lead`` is the standfirst a reader sees under the headline, else the meta description
(``extract/_standfirst.py``). Three measures, each per dev/check split (``bench/corpora.py``):

* fundus: the truth's own standfirst is the ``summary`` of fundus' expected output
  (``<Publisher>.json``, the parser version the truth row names). On the pages that have one:
  how many leads equal it (whitespace and case aside), have token F1 >= 0.5 / >= 0.9 with it,
  and the mean F1.
* corpus-web: pages with a lead, and with a lead whose first 60 characters the page shows.
* the snippet set (``--snippets``: trafilatura's ``tests/`` folder, see
  ``extract_snippets.py``): wanted snippets found in the lead and not in the body (the lead
  holds them; the body's scorer misses them), and unwanted snippets found in the lead.

``--save`` writes each page's lead and a digest of its body (no body text; the leads are
publisher text, so keep the file outside the repo); ``--compare`` names the pages whose body
digest changed against a saved run (it must be none: the lead is chosen after the body) and
counts the pages whose lead changed.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import FUNDUS, load_pages, page_url, split_of

FETCHED = "2026-01-01T00:00:00+00:00"
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+"
)
_SOFT = str.maketrans("", "", "\u00ad\u200b")


def _norm(text: str | None) -> str:
    return _SPACE.sub(" ", (text or "").translate(_SOFT)).strip()


def _f1(pred: str | None, gold: str) -> float:
    p = collections.Counter(_TOKEN.findall(_norm(pred).lower()))
    g = collections.Counter(_TOKEN.findall(_norm(gold).lower()))
    common = sum((p & g).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def _event(raw: bytes, url: str) -> tuple[str | None, str | None]:
    """The page's (lead, body), or (None, None) when newswire finds no article."""
    from newswire.errors import ExtractError
    from newswire.extract import extract_html

    try:
        event = extract_html(raw, url, fetched=FETCHED)
    except ExtractError:
        return None, None
    return event.lead, event.body


def _shown(raw: bytes) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(raw)
    return _norm(tree.body.text(separator=" ") if tree.body is not None else "")


def _summary(row: dict[str, Any]) -> str | None:
    """The standfirst fundus' parser extracted for this page, or None when it has none."""
    html = Path(row["html"])
    publisher = html.name.split(".")[0].rsplit("_", 3)[0]
    expected = json.loads((FUNDUS / "fundus" / html.parent / f"{publisher}.json").read_text(encoding="utf-8"))
    body = (expected.get(row.get("fundus_version") or "") or {}).get("body") or {}
    summary = " ".join(body.get("summary") or [])
    return _norm(summary) or None


def _snippet_pages(tests: Path) -> list[dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((tests / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, item in sorted(data.items()):
        path = next(
            (p for p in (tests / "cache" / item["file"], tests / "eval" / item["file"]) if p.is_file()), None
        )
        if path is not None:
            pages.append(
                {
                    "id": f"snippets/{url}",
                    "url": url,
                    "raw": path.read_bytes(),
                    "split": split_of(url, url),
                    **item,
                }
            )
    return pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--snippets", type=Path, help="trafilatura's tests/ folder (its evaldata.json)")
    ap.add_argument("--save", type=Path, help="write each page's lead and body digest (JSONL) here")
    ap.add_argument("--compare", type=Path, help="a file --save wrote: name pages whose body changed")
    args = ap.parse_args()

    run: dict[str, dict[str, Any]] = {}
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    f1_sum: dict[str, float] = collections.defaultdict(float)

    for row in load_pages("fundus"):
        lead, body = _event(row["raw"], page_url(row))
        run[row["id"]] = {"lead": lead, "body": body}
        split = row["split"]
        table[f"fundus {split}"]["pages"] += 1
        summary = _summary(row)
        if summary is None:
            continue
        f1 = _f1(lead, summary)
        t = table[f"fundus {split}"]
        t["with summary"] += 1
        t["lead = summary"] += _norm(lead).lower() == summary.lower()
        t["F1 >= 0.5"] += f1 >= 0.5
        t["F1 >= 0.9"] += f1 >= 0.9
        f1_sum[split] += f1

    for row in load_pages("web"):
        lead, body = _event(row["raw"], page_url(row))
        run[row["id"]] = {"lead": lead, "body": body}
        t = table[f"web {row['split']}"]
        t["pages"] += 1
        t["with a lead"] += bool(lead)
        t["lead shown"] += bool(lead) and _norm(lead)[:60] in _shown(row["raw"])

    if args.snippets:
        for page in _snippet_pages(args.snippets):
            lead, body = _event(page["raw"], page["url"])
            run[page["id"]] = {"lead": lead, "body": body}
            t = table[f"snippets {page['split']}"]
            t["pages"] += 1
            lead_text, body_text = _norm(lead), _norm(body)
            wanted = [_norm(w) for w in page["with"]]
            t["wanted snippets"] += len(wanted)
            t["wanted, in body"] += sum(w in body_text for w in wanted)
            t["wanted, in lead only"] += sum(w in lead_text and w not in body_text for w in wanted)
            t["unwanted, in lead"] += sum(_norm(w) in lead_text for w in page["without"] if _norm(w))

    for name in sorted(table):
        figures = dict(table[name])
        if name.startswith("fundus") and figures.get("with summary"):
            split = name.split()[1]
            figures["mean F1"] = round(f1_sum[split] / figures["with summary"], 4)  # type: ignore[assignment]
        print(f"{name:<15} " + "  ".join(f"{k}: {v}" for k, v in figures.items()))

    digests = {
        page_id: {
            "lead": item["lead"],
            "body": hashlib.sha256((item["body"] or "").encode("utf-8")).hexdigest()
            if item["body"]
            else None,
        }
        for page_id, item in run.items()
    }
    if args.save:
        with args.save.open("w", encoding="utf-8") as out:
            for page_id, item in digests.items():
                out.write(json.dumps({"id": page_id, **item}, ensure_ascii=False) + "\n")
    if args.compare:
        old = {r["id"]: r for r in map(json.loads, args.compare.open(encoding="utf-8"))}
        body_changed = [k for k, v in digests.items() if k in old and old[k]["body"] != v["body"]]
        lead_changed = [k for k, v in digests.items() if k in old and old[k]["lead"] != v["lead"]]
        print(
            f"against {args.compare}: {len(body_changed)} bodies changed, {len(lead_changed)} leads changed"
        )
        for page_id in body_changed:
            print(f"  body changed: {page_id}")
        return 1 if body_changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
