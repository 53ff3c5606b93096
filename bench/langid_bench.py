"""Micro-benchmark of language identification: py3langid vs newswire._langid, one core.

    .venv/bin/python bench/langid_bench.py [--json OUT] [--rounds R] [--cpu C]

Samples are the first 1000 characters (extract's ``classify``) and the first 1500
(enrich's ``rank``) of every corpus truth body (/work/shared/corpus). Pins itself to
one CPU before numpy is imported. Both identifiers run on the same samples,
interleaved round by round (the box is shared): the best round is the headline, the
median is printed beside it. Also checks that every answer is identical.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRUTH = ROOT.parent / "shared" / "corpus" / "fundus" / "truth.jsonl"


def _pin(cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _ms_per_call(fn: Callable[[str], object], samples: list[str]) -> float:
    start = time.process_time()
    for text in samples:
        fn(text)
    return (time.process_time() - start) * 1000 / len(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "langid.json")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cpu", type=int, default=min(os.sched_getaffinity(0)))
    args = parser.parse_args(argv)
    _pin(args.cpu)

    sys.path.insert(0, str(ROOT / "service"))
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from newswire import _langid

    bodies = [json.loads(line)["body"] for line in TRUTH.read_text(encoding="utf-8").splitlines()]
    bodies = [b for b in bodies if b]
    t0 = time.perf_counter()
    ref = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    t1 = time.perf_counter()
    _langid.identifier()
    t2 = time.perf_counter()

    cases: list[dict[str, object]] = []
    for chars, op in ((1000, "classify"), (1500, "rank")):
        samples = [b[:chars] for b in bodies]
        theirs = getattr(ref, op)
        ours = getattr(_langid, op)
        identical = sum(theirs(s) == ours(s) for s in samples)  # also warms both up
        times: dict[str, list[float]] = {"py3langid": [], "newswire": []}
        for _ in range(args.rounds):
            times["py3langid"].append(_ms_per_call(theirs, samples))
            times["newswire"].append(_ms_per_call(ours, samples))
        cases.append(
            {
                "chars": chars,
                "op": op,
                "samples": len(samples),
                "mean_bytes": round(
                    statistics.mean(len(s.encode("utf-8", "surrogatepass")) for s in samples)
                ),
                "identical": identical,
                "best_ms": {k: round(min(v), 4) for k, v in times.items()},
                "median_ms": {k: round(statistics.median(v), 4) for k, v in times.items()},
            }
        )

    result = {
        "cpu": args.cpu,
        "rounds": args.rounds,
        "load_s": {"py3langid": round(t1 - t0, 3), "newswire": round(t2 - t1, 3)},
        "span": _langid.identifier().span,
        "cases": cases,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    out = sys.stdout.write
    out(f"language ID, CPU ms per call, one CPU (#{args.cpu}), best (median) of {args.rounds} rounds\n\n")
    out(f"{'sample':<16}{'py3langid':>18}{'newswire':>18}{'speed-up':>10}{'identical':>12}\n")
    for case in cases:
        best, med = case["best_ms"], case["median_ms"]
        assert isinstance(best, dict) and isinstance(med, dict)
        cells = [f"{best[k]:.3f} ({med[k]:.3f})" for k in ("py3langid", "newswire")]
        label = f"{case['chars']} ch {case['op']}"
        identical = f"{case['identical']}/{case['samples']}"
        speedup = best["py3langid"] / best["newswire"]
        out(f"{label:<16}{cells[0]:>18}{cells[1]:>18}{speedup:>9.2f}x{identical:>12}\n")
    out(f"\nmodel load s: py3langid {t1 - t0:.2f}, newswire {t2 - t1:.2f}; written to {args.json}\n")
    return 0 if all(c["identical"] == c["samples"] for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
