"""Benchmark newswire's extractor against trafilatura on the fundus news corpus.

    .venv/bin/python bench/extract_corpus.py [--json OUT] [--only newswire|trafilatura] [--worst N]

Each extractor runs in its own fresh process pinned to one CPU (os.sched_setaffinity), one
after the other, over all pages of /work/shared/corpus/fundus (truth.jsonl). Pages are
decompressed before timing; only the extraction calls are timed. The machine is shared, so
the pass is repeated --rounds times (extractors alternating) and the fastest pass of each
counts. Predictions (first pass) are written as JSONL (outside the repo by default: they hold
publishers' text) and scored with the corpus' own score.py --json.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from types import ModuleType
from typing import Any

CORPUS = Path(os.environ.get("NEWSWIRE_CORPUS", "/work/shared/corpus"))
RESULTS = Path(__file__).resolve().parent / "results"
SUBSETS = ("all", "en", "de", "other")
METRICS = ("title", "date", "body", "language", "authors")


def _score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_pages() -> list[dict[str, Any]]:
    truth = [json.loads(line) for line in (CORPUS / "fundus" / "truth.jsonl").open(encoding="utf-8")]
    for row in truth:
        row["raw"] = gzip.decompress((CORPUS / "fundus" / row["html"]).read_bytes())
    return truth


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def _run_newswire(pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    from newswire.errors import ExtractError
    from newswire.extract import extract_html

    preds: list[dict[str, Any]] = []
    elapsed = 0.0
    for page in pages:
        start = time.perf_counter()
        try:
            event = extract_html(page["raw"], page["url"], fetched="2026-01-01T00:00:00+00:00")
        except ExtractError:
            event = None
        elapsed += time.perf_counter() - start
        if event is None:
            preds.append({"id": page["id"]})
        else:
            preds.append(
                {
                    "id": page["id"],
                    "title": event.title,
                    "published": event.published,
                    "body": _article_text(event, page["raw"]),
                    "language": event.language,
                    "authors": event.authors,
                }
            )
    return preds, elapsed


def _article_text(event: Any, raw: bytes) -> str:
    """What the corpus calls the body: the standfirst the page shows, then the text.

    newswire keeps the standfirst in ``lead`` and the rest in ``body``; a lead that
    is only a meta description (not shown on the page) is not article text.
    """
    if not event.lead:
        return str(event.body)
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(raw)
    shown = " ".join((tree.body.text(separator=" ") if tree.body is not None else "").split())
    probe = " ".join(event.lead.split())[:60]
    return f"{event.lead}\n\n{event.body}" if probe and probe in shown else str(event.body)


def _run_trafilatura(pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    import py3langid
    from trafilatura import bare_extraction

    preds: list[dict[str, Any]] = []
    elapsed = 0.0
    for page in pages:
        html = page["raw"].decode("utf-8", "replace")
        start = time.perf_counter()
        doc = bare_extraction(html, url=page["url"], with_metadata=True, include_comments=False)
        elapsed += time.perf_counter() - start
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


def _worker(name: str, cpu: int, queue: Any) -> None:
    _pin(cpu)
    pages = _load_pages()
    runner = _run_newswire if name == "newswire" else _run_trafilatura
    preds, elapsed = runner(pages)
    queue.put((preds, elapsed, len(pages)))


def _measure(name: str, cpu: int) -> tuple[list[dict[str, Any]], float, int]:
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


def _official_scores(predictions: Path) -> dict[str, dict[str, float]]:
    """The corpus' own scorer, run as documented: score.py PREDICTIONS --json."""
    done = subprocess.run(
        [sys.executable, str(CORPUS / "score.py"), str(predictions), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    summary: dict[str, dict[str, float]] = json.loads(done.stdout)
    return summary


def _page_scores(
    score: ModuleType, truth: list[dict[str, Any]], preds: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, float | None]]]:
    by_id = {p["id"]: p for p in preds}
    return [(t, score.score_page(t, by_id.get(t["id"], {}))) for t in truth]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=RESULTS / "extract.json", help="where to write the results")
    ap.add_argument("--only", choices=("newswire", "trafilatura"))
    ap.add_argument("--worst", type=int, default=12, help="list this many worst pages per metric")
    ap.add_argument("--rounds", type=int, default=3, help="timed passes per extractor; the fastest counts")
    ap.add_argument(
        "--predictions",
        type=Path,
        default=Path(tempfile.gettempdir()) / "newswire-bench",
        help="where to write predictions_<extractor>.jsonl (they hold publishers' text: not for the repo)",
    )
    args = ap.parse_args()

    score = _score_module()
    truth = [json.loads(line) for line in (CORPUS / "fundus" / "truth.jsonl").open(encoding="utf-8")]
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    names = [args.only] if args.only else ["newswire", "trafilatura"]
    results: dict[str, Any] = {"corpus_pages": len(truth), "cpu": cpus[0], "extractors": {}}
    rows_by_name = {}
    timings: dict[str, list[float]] = {name: [] for name in names}
    first: dict[str, tuple[list[dict[str, Any]], int]] = {}
    for round_no in range(max(args.rounds, 1)):
        order = names if round_no % 2 == 0 else list(reversed(names))
        for name in order:
            preds, elapsed, count = _measure(name, cpus[0])
            timings[name].append(elapsed)
            first.setdefault(name, (preds, count))
    results["load_average"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    for name in names:
        preds, count = first[name]
        elapsed = min(timings[name])
        out = args.predictions / f"predictions_{name}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for pred in preds:
                fh.write(json.dumps(pred, ensure_ascii=False) + "\n")
        summary = _official_scores(out)
        rows = _page_scores(score, truth, preds)
        rows_by_name[name] = rows
        results["extractors"][name] = {
            "pages_per_s": round(count / elapsed, 2),
            "seconds": round(elapsed, 3),
            "seconds_per_round": [round(t, 3) for t in timings[name]],
            "predictions": str(out),
            "scores": summary,
        }

    header = f"{'extractor':<12} {'pages/s':>8} {'subset':<6} " + " ".join(f"{m:>8}" for m in METRICS)
    lines = [header, "-" * len(header)]
    for name, res in results["extractors"].items():
        for subset in SUBSETS:
            s = res["scores"][subset]
            speed = f"{res['pages_per_s']:>8.1f}" if subset == "all" else " " * 8
            lines.append(f"{name:<12} {speed} {subset:<6} " + " ".join(f"{s[m]:>8.3f}" for m in METRICS))
    if "newswire" in results["extractors"] and "trafilatura" in results["extractors"]:
        ratio = (
            results["extractors"]["newswire"]["pages_per_s"]
            / results["extractors"]["trafilatura"]["pages_per_s"]
        )
        results["speedup"] = round(ratio, 2)
        lines.append(f"speed-up newswire / trafilatura: {ratio:.2f}x")
    if "newswire" in rows_by_name:
        worst: dict[str, list[dict[str, Any]]] = {}
        for metric in METRICS:
            scored = [(v, t["id"]) for t, s in rows_by_name["newswire"] if (v := s[metric]) is not None]
            worst[metric] = [
                {"id": i, "score": round(v, 3)} for v, i in sorted(scored)[: args.worst] if v < 1.0
            ]
        results["newswire_worst"] = worst
        lines.append(
            "newswire worst body F1: " + ", ".join(f"{w['id']} {w['score']:.2f}" for w in worst["body"])
        )
    sys.stdout.write("\n".join(lines) + "\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
