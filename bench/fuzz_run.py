"""Counted fuzz run: ``python bench/fuzz_run.py --examples N`` is ``python -m tests.fuzz --examples N``.

The fuzzer lives in ``tests/fuzz`` (it shares the fixtures and the fake site's renders with the
tests); this script only makes it runnable from here like the other benchmarks. It writes
``bench/results/fuzz.json``. The committed figures were made with::

    python -m tests.fuzz --examples 4000 \
        --per-kind text=2500 sitemap=8000 opml=5000 event=15000 candidate=10000
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fuzz.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
