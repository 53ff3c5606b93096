"""A short run of the counted fuzzer (``python -m tests.fuzz``), so the suite keeps it working.

The long run's figures are in ``bench/results/fuzz.json``. Here: the hostile
sitemaps and OPML (billion laughs and external entities in six encodings, a
gzip bomb, gzip in gzip) and a few hundred mutated events and urls records,
under the same memory cap and time limit; none may crash, hang or come back
wrong, and every entity-declaring document must be refused.
"""

from __future__ import annotations

from tests.fuzz.__main__ import entity_documents
from tests.fuzz.runner import Limits, run_fuzz


def test_short_fuzz_run_has_no_failures_and_refuses_entities() -> None:
    counts = {"sitemap": 40, "opml": 60, "event": 300, "candidate": 300}
    reports = run_fuzz(counts, jobs=2, run_seed=7, limits=Limits(memory_mib=1024, seconds=20))
    for kind, report in reports.items():
        assert report.inputs == counts[kind], (kind, report.inputs)
        assert report.failed == 0, (kind, report.failures[:3])
        assert report.rejected, f"no {kind} input was rejected: the mutator is not reaching the parser"
    entities = entity_documents(reports)
    assert len(entities) >= 20
    assert [e for e in entities if not e["refused"]] == []
