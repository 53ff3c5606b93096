"""``make bench``: run every benchmark, print one summary table, write bench/results/latest.json.

Each benchmark is its own script (runnable alone) that writes a JSON file in
bench/results/; this runner calls them in turn, then gathers the headline
figures with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"

# name, script, result file, extra args
BENCHMARKS: list[tuple[str, str, str, list[str]]] = [
    ("extract", "extract_corpus.py", "extract.json", []),
    ("extract_perturbed", "extract_perturbed.py", "extract_perturbed.json", ["--trafilatura"]),
    ("enrich", "enrich_bench.py", "enrich.json", []),
    ("stories", "stories_eval.py", "stories.json", []),
    ("langid", "langid_bench.py", "langid.json", []),
    ("warc", "warc_read.py", "warc.json", []),
    ("http", "http_backend.py", "http_backend.json", []),
    ("pool", "process_pool.py", "process_pool.json", []),
    ("pipeline", "pipeline.py", "pipeline.json", []),
]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def get(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


HEADLINES = [
    (
        "extract pages/s (1 core, fundus)",
        "extract.extractors.newswire.pages_per_s.fundus",
        "trafilatura: extract.extractors.trafilatura.pages_per_s.fundus",
    ),
    (
        "extract pages/s (1 core, corpus-web)",
        "extract.extractors.newswire.pages_per_s.web",
        "trafilatura: extract.extractors.trafilatura.pages_per_s.web",
    ),
    (
        "extract body F1 (corpus-web)",
        "extract.extractors.newswire.scores.web/all/all.f1",
        "trafilatura: extract.extractors.trafilatura.scores.web/all/all.f1",
    ),
    (
        "extract body F1, no class or id",
        "extract_perturbed.variants.no class or id.newswire.f1",
        "trafilatura: extract_perturbed.variants.no class or id.trafilatura.f1",
    ),
    ("extract body F1 (fundus)", "extract.extractors.newswire.scores.fundus/fundus/all.body", "goal 0.96"),
    ("extract title exact", "extract.extractors.newswire.scores.fundus/fundus/all.title", "goal 0.90"),
    ("extract date same day", "extract.extractors.newswire.scores.fundus/fundus/all.date", "goal 0.98"),
    ("extract language", "extract.extractors.newswire.scores.fundus/fundus/all.language", "goal 0.99"),
    ("extract authors F1", "extract.extractors.newswire.scores.fundus/fundus/all.authors", "goal 0.85"),
    ("enrich articles/s (1 core, entities)", "enrich.throughput.enricher.articles_per_s", "goal 25"),
    ("enrich entity F1", "enrich.quality.enricher.f1", "plain spaCy: enrich.quality.plain.f1"),
    (
        "language ID ms per 1000 chars",
        "langid.cases.0.best_ms.newswire",
        "py3langid: langid.cases.0.best_ms.py3langid",
    ),
    (
        "WARC pages read/s (1 core)",
        "warc.readers.newswire.records_per_s",
        "warcio: warc.readers.warcio.records_per_s",
    ),
    (
        "fetch CPU ms per page (asyncio backend)",
        "http.best_cpu_ms_per_page.asyncio",
        "anyio: http.best_cpu_ms_per_page.anyio",
    ),
    (
        "pool hand-off CPU ms per job (all procs)",
        "pool.all_processes_cpu_ms_per_job.worker_pool.best",
        "ProcessPoolExecutor: pool.all_processes_cpu_ms_per_job.executor.best",
    ),
    ("stories cluster pair precision", "stories.end_to_end.0.cluster_pair_precision", ""),
    ("stories cluster pair recall", "stories.end_to_end.0.cluster_pair_recall", ""),
    ("pipeline articles/s", "pipeline.articles_per_s", "goal 25"),
    ("pipeline p99 latency s at 50%", "pipeline.latency_p99_s", "goal 2.0"),
    ("ingest-only articles/s", "ingest.articles_per_s", "baseline: baseline.articles_per_s"),
    ("ingest / baseline", "ingest.ratio_vs_baseline", "goal 3.0"),
]


def print_headlines(summary: dict[str, Any]) -> None:
    print(f"\n{'figure':<40} {'value':>10}  note")
    print("-" * 80)
    for label, path, note in HEADLINES:
        value = get(summary, path)
        if value is None:
            continue
        shown = note
        if ": " in note:
            other_label, other_path = note.split(": ", 1)
            other = get(summary, other_path)
            shown = f"{other_label}: {other}" if other is not None else ""
        text = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        print(f"{label:<40} {text:>10}  {shown}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    parser.add_argument(
        "--collect",
        action="store_true",
        help="run nothing: gather the results the scripts last wrote into latest.json",
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    summary: dict[str, Any] = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    failed = []
    for name, script, result, extra in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        path = BENCH / script
        if not path.exists():
            print(f"== {name}: {script} not present, skipped", flush=True)
            continue
        if args.collect:
            if not (RESULTS / result).exists():
                continue
        else:
            print(f"== {name}: {script}", flush=True)
            started = time.monotonic()
            proc = subprocess.run(
                [sys.executable, str(path), "--json", str(RESULTS / result), *extra], check=False
            )
            if proc.returncode != 0:
                failed.append(name)
                print(f"== {name} failed with exit code {proc.returncode}", file=sys.stderr)
                continue
        doc = json.loads((RESULTS / result).read_text())
        if name == "pipeline":  # its sections (pipeline, ingest, baseline, ...) are headline keys
            summary.update({k: v for k, v in doc.items() if k not in ("machine", "wall_s")})
        else:
            summary[name] = doc
        if not args.collect:
            summary.setdefault("bench_wall_s", {})[name] = round(time.monotonic() - started, 1)
    (RESULTS / "latest.json").write_text(json.dumps(summary, indent=2) + "\n")
    print_headlines(summary)
    print(
        f"\nwrote {RESULTS / 'latest.json'}; machine: {summary['machine']['cpu']}, "
        f"{summary['machine']['cores']} cores"
    )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
