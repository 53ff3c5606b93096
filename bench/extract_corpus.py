"""Benchmark newswire's extractor against trafilatura on both development corpora, same run.

    .venv/bin/python bench/extract_corpus.py [--json OUT] [--only newswire|trafilatura] [--rounds N]

Corpora (see ``bench/corpora.py``): the fundus news corpus (258 pages, title/date/body/...
scored by its own ``score.py``) and corpus-web (1,490 pages from wcxb, dragnet, readability and
newspaper4k, body scored as 4-token shingles, the held-out benchmark's metric). Every figure is
given per source and per split: *dev* (tuned on) and *check* (a fifth of hosts, held aside and
looked at only in aggregate).

Each extractor runs in its own fresh process pinned to one CPU (os.sched_setaffinity), one
after the other, over all pages. Pages are decompressed before timing; only the extraction
calls are timed, after one untimed warm-up call on the first page (newswire loads its language
model on first use, about a second, once per process; a service pays it once, not per page: the
warm-up's seconds are reported beside the timings as ``warmup_s``). The machine is shared, so
with ``--rounds`` > 1 the passes alternate and the fastest of each counts. Predictions (first
pass) are written as JSONL outside the repo (they hold publishers' text).

The body newswire is scored on: the event's ``body`` on corpus-web (as the held-out benchmark
does); on fundus, whose truth starts with the standfirst, the visible ``lead`` before it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import WEB_SOURCES, Scorer, load_pages, page_url

RESULTS = Path(__file__).resolve().parent / "results"
CORPORA = ("fundus", "web")


def visible_lead_body(event: Any, raw: bytes) -> str:
    """What the fundus corpus calls the body: the standfirst the page shows, then the text.

    newswire keeps the standfirst in ``lead`` and the rest in ``body``; a lead that
    is only a meta description (not shown on the page) is not article text.
    """
    if not event.lead or event.lead[:60] in event.body:
        return str(event.body)
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(raw)
    shown = " ".join((tree.body.text(separator=" ") if tree.body is not None else "").split())
    probe = " ".join(event.lead.split())[:60]
    return f"{event.lead}\n\n{event.body}" if probe and probe in shown else str(event.body)


def newswire_prediction(page: dict[str, Any], event: Any) -> dict[str, Any]:
    """The fields both corpora score, from one page's article event (fundus: with its shown lead)."""
    fundus = page["source"] == "fundus"
    return {
        "id": page["id"],
        "title": event.title,
        "published": event.published,
        "body": visible_lead_body(event, page["raw"]) if fundus else event.body,
        "language": event.language,
        "authors": event.authors,
        "method": event.extraction.method if event.extraction else None,
    }


def _run_newswire(pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    from newswire.errors import ExtractError
    from newswire.extract import extract_html

    preds: list[dict[str, Any]] = []
    elapsed = dict.fromkeys(CORPORA, 0.0)
    start = time.perf_counter()
    with contextlib.suppress(ExtractError):
        extract_html(pages[0]["raw"], page_url(pages[0]))
    elapsed["warmup"] = time.perf_counter() - start
    for page in pages:
        start = time.perf_counter()
        try:
            event = extract_html(page["raw"], page_url(page), fetched="2026-01-01T00:00:00+00:00")
        except ExtractError:
            event = None
        elapsed[page["corpus"]] += time.perf_counter() - start
        if event is None:
            preds.append({"id": page["id"]})
            continue
        preds.append(newswire_prediction(page, event))
    return preds, elapsed


def _run_trafilatura(pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    import py3langid
    from trafilatura import bare_extraction

    preds: list[dict[str, Any]] = []
    elapsed = dict.fromkeys(CORPORA, 0.0)
    start = time.perf_counter()
    bare_extraction(pages[0]["raw"], url=pages[0].get("url"), with_metadata=True, include_comments=False)
    elapsed["warmup"] = time.perf_counter() - start
    for page in pages:
        start = time.perf_counter()
        doc = bare_extraction(page["raw"], url=page.get("url"), with_metadata=True, include_comments=False)
        elapsed[page["corpus"]] += time.perf_counter() - start
        if doc is None:
            preds.append({"id": page["id"]})
            continue
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        text = data.get("text") or ""
        author = data.get("author")
        preds.append(
            {
                "id": page["id"],
                "title": data.get("title"),
                "published": data.get("date"),
                "body": text,
                "language": py3langid.classify(text)[0] if text.strip() else None,
                "authors": [a.strip() for a in author.split(";")] if author else [],
            }
        )
    return preds, elapsed


def _all_pages() -> list[dict[str, Any]]:
    pages = []
    for corpus in CORPORA:
        for row in load_pages(corpus):
            row["corpus"] = corpus
            pages.append(row)
    return pages


def _worker(name: str, cpu: int, queue: Any) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    pages = _all_pages()
    runner = _run_newswire if name == "newswire" else _run_trafilatura
    queue.put(runner(pages))


def _measure(name: str, cpu: int) -> tuple[list[dict[str, Any]], dict[str, float]]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_worker, args=(name, cpu, queue))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=1.0)
            break
        except Empty:
            if not proc.is_alive():
                raise SystemExit(f"{name} worker died (exit code {proc.exitcode})") from None
    proc.join()
    return result  # type: ignore[no-any-return]


def score_table(scorer: Scorer, pages: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures keyed ``corpus/source/split``; split ``all`` joins dev and check."""
    by_id = {p["id"]: p for p in preds}
    groups: dict[str, tuple[list[dict[str, Any]], list[dict[str, float | None]]]] = {}
    for page in pages:
        scores = scorer.page(page, by_id.get(page["id"], {}))
        for source in {"all", page["source"]}:
            for split in ("all", page["split"]):
                truths, rows = groups.setdefault(f"{page['corpus']}/{source}/{split}", ([], []))
                truths.append(page)
                rows.append(scores)
    return {key: scorer.aggregate(t, r) for key, (t, r) in sorted(groups.items())}


def _line(key: str, figures: dict[str, dict[str, Any]]) -> str:
    cells = []
    for name, fig in figures.items():
        if "f1" in fig:
            cells.append(
                f"{name} F1 {fig['f1']:.3f} P {fig['precision']:.3f} R {fig['recall']:.3f} "
                f"empty {fig['empty_predictions']:>3}"
            )
        else:
            cells.append(f"{name} body {fig['body']:.3f} title {fig['title']:.3f}")
    pages = next(iter(figures.values()))["pages"]
    return f"{key:<26} {pages:>5}  " + " | ".join(cells)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=RESULTS / "extract.json", help="where to write the results")
    ap.add_argument("--only", choices=("newswire", "trafilatura"))
    ap.add_argument("--rounds", type=int, default=1, help="timed passes per extractor; the fastest counts")
    ap.add_argument(
        "--predictions",
        type=Path,
        default=Path(tempfile.gettempdir()) / "newswire-bench",
        help="where to write predictions_<extractor>.jsonl (they hold publishers' text: not for the repo)",
    )
    args = ap.parse_args()

    scorer = Scorer()
    pages = _all_pages()
    counts = {c: sum(1 for p in pages if p["corpus"] == c) for c in CORPORA}
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    names = [args.only] if args.only else ["newswire", "trafilatura"]
    timings: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    first: dict[str, list[dict[str, Any]]] = {}
    for round_no in range(max(args.rounds, 1)):
        order = names if round_no % 2 == 0 else list(reversed(names))
        for name in order:
            preds, elapsed = _measure(name, cpus[0])
            timings[name].append(elapsed)
            first.setdefault(name, preds)

    results: dict[str, Any] = {
        "pages": counts,
        "cpu": cpus[0],
        "split": "check = hosts whose SHA-1 falls in the lowest fifth (bench/corpora.py)",
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "extractors": {},
    }
    for name in names:
        out = args.predictions / f"predictions_{name}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for pred in first[name]:
                fh.write(json.dumps(pred, ensure_ascii=False) + "\n")
        speed = {c: round(counts[c] / min(t[c] for t in timings[name]), 2) for c in CORPORA}
        results["extractors"][name] = {
            "pages_per_s": speed,
            "seconds_per_round": [{c: round(t[c], 3) for c in CORPORA} for t in timings[name]],
            "warmup_s": [round(t["warmup"], 3) for t in timings[name]],
            "predictions": str(out),
            "scores": score_table(scorer, pages, first[name]),
        }
        methods: dict[str, int] = {}
        for pred in first[name]:
            if "method" in pred:
                methods[str(pred["method"])] = methods.get(str(pred["method"]), 0) + 1
        if methods:
            results["extractors"][name]["methods"] = methods

    lines = []
    keys = list(next(iter(results["extractors"].values()))["scores"])
    order = [f"fundus/fundus/{s}" for s in ("all", "dev", "check")]
    order += [f"web/{src}/{s}" for src in ("all", *WEB_SOURCES) for s in ("all", "dev", "check")]
    for key in [k for k in order if k in keys]:
        lines.append(_line(key, {n: r["scores"][key] for n, r in results["extractors"].items()}))
    for name, res in results["extractors"].items():
        lines.append(f"{name} pages/s: " + ", ".join(f"{c} {v:.1f}" for c, v in res["pages_per_s"].items()))
    if len(names) == 2:
        ratio = {
            c: round(
                results["extractors"]["newswire"]["pages_per_s"][c]
                / results["extractors"]["trafilatura"]["pages_per_s"][c],
                2,
            )
            for c in CORPORA
        }
        results["speedup"] = ratio
        lines.append(
            "speed-up newswire / trafilatura: " + ", ".join(f"{c} {v:.2f}x" for c, v in ratio.items())
        )
    sys.stdout.write("\n".join(lines) + "\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
