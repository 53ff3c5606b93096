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
    ("enrich", "enrich_bench.py", "enrich.json", []),
    ("stories", "stories_eval.py", "stories.json", []),
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
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
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
        print(f"== {name}: {script}", flush=True)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(path), "--json", str(RESULTS / result), *extra], check=False
        )
        if proc.returncode != 0:
            failed.append(name)
            print(f"== {name} failed with exit code {proc.returncode}", file=sys.stderr)
            continue
        summary[name] = json.loads((RESULTS / result).read_text())
        summary[name]["wall_s"] = round(time.monotonic() - started, 1)
    (RESULTS / "latest.json").write_text(json.dumps(summary, indent=2) + "\n")
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
