"""``python -m tests.fuzz --examples N``: fuzz every input kind, print counts, write bench/results/fuzz.json.

Exits 1 if any input crashed, hung, ran out of memory or returned a bad
result (other than the hostile documents listed as known open findings in
``runner.KNOWN_OPEN``), or if a document declaring XML entities was not refused.
``passed`` in the JSON is stricter: no failure at all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from tests.fuzz.runner import KNOWN_OPEN, KindReport, Limits, run_fuzz
from tests.fuzz.seeds import KINDS, ROOT

ENTITY_MARKS = ("laughs", "xxe", "external_entity", "quadratic")
XML_SOURCES = ("feed", "sitemap", "opml")


def entity_documents(reports: dict[str, KindReport]) -> list[dict[str, Any]]:
    """Every hostile document that declares entities, and whether it was refused.

    Feeds, sitemaps and OPML must reject it (SourceError). HTML and text never
    expand entities, so any result without expanded text (checked by the target)
    counts as refused there.
    """
    out = []
    for kind, report in reports.items():
        for name, result in report.hostile.items():
            if not any(mark in name for mark in ENTITY_MARKS):
                continue
            outcome = result["outcome"]
            harmless = outcome == "ok" or outcome.startswith("rejected")
            refused = outcome.startswith("rejected") if kind in XML_SOURCES else harmless
            out.append({"kind": kind, "name": name, "outcome": outcome, "refused": refused})
    return out


def summary(reports: dict[str, KindReport], entities: list[dict[str, Any]]) -> str:
    head = (
        f"{'kind':<10} {'inputs':>7} {'ok':>7} {'rejected':>8} {'crash':>5} {'bad':>4} {'oom':>4} {'hang':>4}"
    )
    lines = [head + f" {'died':>4} {'slow':>4} {'max s':>6} {'max RSS MiB':>11}"]
    for kind, r in reports.items():
        lines.append(
            f"{kind:<10} {r.inputs:>7} {r.ok:>7} {sum(r.rejected.values()):>8} {r.crashes:>5} "
            f"{r.bad_results:>4} {r.ooms:>4} {r.hangs:>4} {r.worker_deaths:>4} {r.slow:>4} "
            f"{r.max_seconds:>6.2f} {r.max_rss_mib:>11.1f}"
        )
    refused = sum(e["refused"] for e in entities)
    lines.append(f"entity-declaring documents refused: {refused}/{len(entities)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=1000, help="inputs per kind (hostile ones included)")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument(
        "--per-kind",
        nargs="*",
        default=[],
        metavar="KIND=N",
        help="inputs for some kinds instead of --examples (html and text are ~100x slower than events)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes at a time")
    parser.add_argument("--seed", type=int, default=20240513, help="the run's seed: same seed, same inputs")
    parser.add_argument("--memory-mib", type=int, default=Limits.memory_mib, help="RLIMIT_AS per worker")
    parser.add_argument("--seconds", type=float, default=Limits.seconds, help="time limit per input")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fuzz.json")
    args = parser.parse_args(argv)

    limits = Limits(memory_mib=args.memory_mib, seconds=args.seconds)
    started = time.monotonic()
    counts = dict.fromkeys(args.kinds, args.examples)
    for item in args.per_kind:
        kind, _, n = item.partition("=")
        if kind not in counts or not n.isdigit():
            parser.error(f"--per-kind wants KIND=N with KIND one of {', '.join(args.kinds)}: {item}")
        counts[kind] = int(n)
    reports = run_fuzz(counts, jobs=args.jobs, run_seed=args.seed, limits=limits)
    duration = time.monotonic() - started
    entities = entity_documents(reports)
    totals = {
        field: sum(getattr(r, field) for r in reports.values())
        for field in ("inputs", "ok", "crashes", "bad_results", "ooms", "hangs", "worker_deaths", "slow")
    }
    totals["rejected"] = sum(sum(r.rejected.values()) for r in reports.values())
    failed = sum(r.failed for r in reports.values())
    known = sum(
        1
        for r in reports.values()
        for name, h in r.hostile.items()
        if name in KNOWN_OPEN and h["outcome"] != "ok"
    )
    refused = all(e["refused"] for e in entities)
    passed = failed == 0 and refused
    result = {
        "command": "python -m tests.fuzz " + " ".join(sys.argv[1:] if argv is None else argv),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "seed": args.seed,
        "limits": {"memory_mib_per_process": limits.memory_mib, "seconds_per_input": limits.seconds},
        "duration_s": round(duration, 1),
        "passed": passed,
        "failures_not_known_open": failed - known,
        "totals": totals,
        "entity_documents": entities,
        "known_open": KNOWN_OPEN,
        "kinds": {kind: r.as_dict() for kind, r in reports.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=str) + "\n")
    sys.stderr.write(
        f"{summary(reports, entities)}\n{totals['inputs']} inputs in {duration:.0f}s -> {args.out}\n"
    )
    return 0 if failed == known and refused else 1


if __name__ == "__main__":
    sys.exit(main())
