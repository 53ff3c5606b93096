"""Prove that a refactor of the extractor changed no event: one digest per page, before and after.

    .venv/bin/python bench/extract_identity.py --save /tmp/base.jsonl     # on the old code
    .venv/bin/python bench/extract_identity.py --check /tmp/base.jsonl    # on the new code

Runs ``newswire.extract.extract_html`` over every page of both development corpora (see
``bench/corpora.py``) with a fixed ``fetched`` time, and digests the whole event (every field,
as JSON with sorted keys) or, for a page with no article, the error message. ``--check`` exits
non-zero and names the pages whose digest changed, with the fields that differ when the saved
file holds the events (``--full``). The digests hold no publisher text, the full events do:
keep both files outside the repo. Also prints newswire's own pages/s (same process, not pinned:
``bench/extract_corpus.py`` is the speed benchmark).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import load_pages, page_url

FETCHED = "2026-01-01T00:00:00+00:00"


def page_events(pages: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Each page's event as a plain dict (``{"error": ...}`` when it has none), and seconds per corpus."""
    from newswire.errors import ExtractError
    from newswire.extract import extract_html

    out: dict[str, dict[str, Any]] = {}
    elapsed: dict[str, float] = {}
    for page in pages:
        start = time.perf_counter()
        try:
            event: dict[str, Any] = dataclasses.asdict(
                extract_html(page["raw"], page_url(page), fetched=FETCHED)
            )
        except ExtractError as exc:
            event = {"error": str(exc)}
        elapsed[page["corpus"]] = elapsed.get(page["corpus"], 0.0) + time.perf_counter() - start
        out[page["id"]] = event
    return out, elapsed


def digest(event: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(event, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path, help="write the digests (JSONL) here")
    mode.add_argument("--check", type=Path, help="compare against digests saved earlier")
    ap.add_argument(
        "--full", action="store_true", help="with --save: keep the events too, to show what changed"
    )
    args = ap.parse_args()

    pages = []
    for corpus in ("fundus", "web"):
        for row in load_pages(corpus):
            row["corpus"] = corpus
            pages.append(row)
    events, elapsed = page_events(pages)
    for corpus, seconds in elapsed.items():
        count = sum(1 for p in pages if p["corpus"] == corpus)
        print(f"{corpus}: {count} pages, {count / seconds:.1f} pages/s (unpinned, this process)")

    if args.save:
        with args.save.open("w", encoding="utf-8") as fh:
            for page_id, event in events.items():
                row: dict[str, Any] = {"id": page_id, "digest": digest(event)}
                if args.full:
                    row["event"] = event
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"saved {len(events)} digests to {args.save}")
        return 0

    saved = {r["id"]: r for r in map(json.loads, args.check.open(encoding="utf-8"))}
    changed = [pid for pid, event in events.items() if saved.get(pid, {}).get("digest") != digest(event)]
    missing = sorted(set(saved) - set(events))
    for pid in changed:
        before = saved.get(pid, {}).get("event")
        fields = sorted(k for k in events[pid] if before is not None and before.get(k) != events[pid][k])
        print(f"changed: {pid} {' '.join(fields)}")
    for pid in missing:
        print(f"missing: {pid}")
    print(f"{len(changed)} changed, {len(missing)} missing of {len(saved)} pages")
    return 1 if changed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
